// Loads the WebAssembly module; everything else happens in Rust (crates/web).
import init, { start } from './pkg/convlens_web.js';

init().then(() => start()).catch((error) => {
  const box = document.getElementById('message');
  box.hidden = false;
  box.textContent = location.protocol === 'file:'
    ? 'Browsers do not run WebAssembly pages opened from file://. Serve this folder instead, e.g. `python3 -m http.server` in it, then open http://localhost:8000/.'
    : `The demo could not start: ${error}`;
});
