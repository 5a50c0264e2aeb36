// Loads the WebAssembly module; everything else happens in Rust (crates/web).
import init, { start } from './pkg/convlens_web.js';

// A tiny module that uses wasm SIMD (i8x16.splat, i8x16.popcnt): valid only where the
// browser has it. Such browsers load the SIMD build, others the scalar one.
const simd = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
const build = simd ? '' : '_scalar';
const wasm = new URL(`./pkg/convlens_web${build}_bg.wasm`, import.meta.url);

// The page's other modules, each loaded the first time the page asks for it (`frames`:
// the live frame engines, when the webcam starts), in the same build as this one.
globalThis.convlensModule = async (name) => {
  const module = await import(`./pkg/convlens_${name}.js`);
  await module.default({ module_or_path: new URL(`./pkg/convlens_${name}${build}_bg.wasm`, import.meta.url) });
  return module;
};

// A module's Web Worker (`train`: www/train-worker.js, the training view's), told which
// build to load.
globalThis.convlensWorker = (name) => new Worker(new URL(`./${name}-worker.js#${build}`, import.meta.url), { type: 'module' });

init({ module_or_path: wasm }).then(() => start()).catch((error) => {
  const box = document.getElementById('message');
  const ru = /^ru/i.test(new URLSearchParams(location.search).get('lang') ?? navigator.language);
  box.hidden = false;
  box.textContent = location.protocol === 'file:'
    ? (ru ? 'Этот браузер не запускает страницы с WebAssembly, открытые через file://. Раздайте эту папку, например `python3 -m http.server` в ней, и откройте http://localhost:8000/.'
      : 'This browser does not run WebAssembly pages opened from file://. Serve this folder instead, e.g. `python3 -m http.server` in it, then open http://localhost:8000/.')
    : `${ru ? 'Демо не удалось запустить' : 'The demo could not start'}: ${error}`;
});
