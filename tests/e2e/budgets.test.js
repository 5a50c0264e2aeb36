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

// The issue's budget, which the module misses today (the note in bench/README.md says by
// how much and why): reported on every run. The ceiling is what it must never pass
// while that is worked on, so that growth is caught.
const BUDGET_BYTES = 300 * 1024;
const BUDGET_GZIPPED = 100 * 1024;
const CEILING_BYTES = 768 * 1024;
const CEILING_GZIPPED = 288 * 1024;
const SIMD_WASM = '/pkg/convlens_web_bg.wasm';
const SCALAR_WASM = '/pkg/convlens_web_scalar_bg.wasm';

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

test('each served .wasm file is measured against its budget and stays under the ceiling', async (t) => {
  const sizes = [];
  for (const path of [SIMD_WASM, SCALAR_WASM]) {
    const response = await fetch(new URL(path, server.url));
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), 'application/wasm');
    const bytes = Buffer.from(await response.arrayBuffer());
    const gzipped = gzipSync(bytes, { level: 9 }).length;
    const line = `${path}: ${bytes.length} bytes (${(bytes.length / 1024).toFixed(1)} KB), `
      + `${gzipped} gzipped (${(gzipped / 1024).toFixed(1)} KB); budget 300 KB, 100 KB gzipped: `
      + `${bytes.length <= BUDGET_BYTES && gzipped <= BUDGET_GZIPPED ? 'met' : `missed by ${((bytes.length - BUDGET_BYTES) / 1024).toFixed(0)} KB, ${((gzipped - BUDGET_GZIPPED) / 1024).toFixed(0)} KB gzipped`}`;
    console.log(line);
    t.diagnostic(line);
    sizes.push({ path, bytes: bytes.length, gzipped });
  }
  for (const { path, bytes, gzipped } of sizes) {
    assert.ok(bytes <= CEILING_BYTES, `${path} is ${bytes} bytes, over ${CEILING_BYTES}`);
    assert.ok(gzipped <= CEILING_GZIPPED, `${path} is ${gzipped} bytes gzipped, over ${CEILING_GZIPPED}`);
  }
});

test('the SIMD build loads and draws the first feature map', async () => {
  const page = await openWith([watchFirstMap]);
  await firstMapDrawn(page);
  assert.ok(server.requests.includes(SIMD_WASM), `requests: ${server.requests}`);
  assert.ok(!server.requests.includes(SCALAR_WASM), `requests: ${server.requests}`);
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
