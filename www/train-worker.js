// The training view's Web Worker: loads the training module (crates/web-train) in the
// page's build (SIMD or scalar, after the '#' www/main.js puts in this script's URL) and
// hands it every message; the training, the pictures and the replies are all Rust.
import init, { Engine } from './pkg/convlens_train.js';

const early = [];
self.onmessage = (event) => early.push(event.data);
await init({ module_or_path: new URL(`./pkg/convlens_train${location.hash.slice(1)}_bg.wasm`, import.meta.url) });
const engine = new Engine();
self.onmessage = (event) => engine.receive(event.data);
early.forEach((message) => engine.receive(message));
