// The page's budgets: the size of each .wasm file (as served), printed so that it appears
// in the test output; the first feature map drawn by the SIMD build, and the scalar build
// taking over where the browser has no wasm SIMD. How soon the first map appears is
// measured by the benchmark (bench/page.mjs), not here: a test does not time anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  serve, launch, open, waitForMap, assertMapMatchesCore, assertNoConsoleErrors, watchFirstMap,
} from './harness.js';

// The page's modules and each one's ceiling (scripts/build.sh fails the build above it;
// the same numbers): the first module, which draws the first map, and the frame engines,
// loaded when the webcam starts. The budget for the first module, 300 KB and
// 100 KB gzipped, is missed today (bench/README.md says by how much and why): reported
// on every run, while its ceiling catches growth.
const BUDGET_BYTES = 300 * 1024;
const BUDGET_GZIPPED = 100 * 1024;
const MODULES = [
  { name: 'web', bytes: 800 * 1024, gzipped: 336 * 1024 },
  { name: 'frames', bytes: 352 * 1024, gzipped: 120 * 1024 },
  { name: 'train', bytes: 512 * 1024, gzipped: 192 * 1024 },
  { name: 'detect', bytes: 320 * 1024, gzipped: 120 * 1024 },
];
const SIMD_WASM = '/pkg/convlens_web_bg.wasm';
const SCALAR_WASM = '/pkg/convlens_web_scalar_bg.wasm';
const FRAMES = /^\/pkg\/convlens_frames/;

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// However loaded the machine, the map comes: the wait is generous, and nothing is timed.
async function firstMapDrawn(page) {
  await page.waitForFunction(() => window.firstMap !== null, null, { timeout: 120000, polling: 100 });
}

// A page in a fresh context, the server's request log cleared just before it loads.
function openWith(initScripts) {
  server.requests.length = 0;
  return open(browser, server.url, { initScripts });
}

test('each served .wasm file is measured and stays under its module\'s ceiling', async (t) => {
  for (const module of MODULES) {
    for (const build of ['', '_scalar']) {
      const path = `/pkg/convlens_${module.name}${build}_bg.wasm`;
      const response = await fetch(new URL(path, server.url));
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), 'application/wasm');
      const bytes = Buffer.from(await response.arrayBuffer());
      const gzipped = gzipSync(bytes, { level: 9 }).length;
      const kb = (n) => (n / 1024).toFixed(1);
      let line = `${path}: ${bytes.length} bytes (${kb(bytes.length)} KB), ${gzipped} gzipped (${kb(gzipped)} KB); `
        + `ceiling ${kb(module.bytes)} KB, ${kb(module.gzipped)} KB gzipped`;
      if (module.name === 'web') {
        line += bytes.length <= BUDGET_BYTES && gzipped <= BUDGET_GZIPPED
          ? '; budget 300 KB, 100 KB gzipped: met'
          : `; budget 300 KB, 100 KB gzipped: missed by ${kb(bytes.length - BUDGET_BYTES)} KB, ${kb(gzipped - BUDGET_GZIPPED)} KB gzipped`;
      }
      console.log(line);
      t.diagnostic(line);
      assert.ok(bytes.length <= module.bytes, `${path} is ${bytes.length} bytes, over ${module.bytes}`);
      assert.ok(gzipped <= module.gzipped, `${path} is ${gzipped} bytes gzipped, over ${module.gzipped}`);
    }
  }
});

test('the SIMD build loads and draws the first feature map', async () => {
  const page = await openWith([watchFirstMap]);
  await firstMapDrawn(page);
  assert.ok(server.requests.includes(SIMD_WASM), `requests: ${server.requests}`);
  assert.ok(!server.requests.includes(SCALAR_WASM), `requests: ${server.requests}`);
  // A photo's first map needs no frame engine: that module is not fetched.
  assert.ok(!server.requests.some((path) => FRAMES.test(path)), `requests: ${server.requests}`);
  await waitForMap(page);
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('without wasm SIMD the scalar build loads and draws the same map', async () => {
  // main.js is the only caller of WebAssembly.validate: its SIMD probe now fails.
  const noSimd = () => { WebAssembly.validate = () => false; };
  const page = await openWith([noSimd, watchFirstMap]);
  await firstMapDrawn(page);
  assert.ok(server.requests.includes(SCALAR_WASM), `requests: ${server.requests}`);
  assert.ok(!server.requests.includes(SIMD_WASM), `requests: ${server.requests}`);
  await waitForMap(page);
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});
