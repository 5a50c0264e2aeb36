// Runs a wasm32-wasip1 test binary in Node's WASI (cargo's runner for that target, set in
// scripts/check.sh): the core's frame engines are tested there with WebAssembly SIMD, in
// V8, as the page runs them.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: process.env, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
process.exitCode = wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));
