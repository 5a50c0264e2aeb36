// Loads the WebAssembly module; everything else happens in Rust (crates/web).
import init, { start } from './pkg/convlens_web.js';

init().then(() => start()).catch((error) => {
  const box = document.getElementById('message');
  const ru = /^ru/i.test(new URLSearchParams(location.search).get('lang') ?? navigator.language);
  box.hidden = false;
  box.textContent = location.protocol === 'file:'
    ? (ru ? 'Браузеры не запускают страницы с WebAssembly, открытые через file://. Раздайте эту папку, например `python3 -m http.server` в ней, и откройте http://localhost:8000/.'
      : 'Browsers do not run WebAssembly pages opened from file://. Serve this folder instead, e.g. `python3 -m http.server` in it, then open http://localhost:8000/.')
    : `${ru ? 'Демо не удалось запустить' : 'The demo could not start'}: ${error}`;
});
