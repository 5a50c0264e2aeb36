// The page's budgets: the size of each .wasm file (as served) and the time from
// navigation to the first feature map; and the scalar build taking over where the
// browser has no wasm SIMD. Both numbers are printed, so they appear in the test output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  serve, launch, open, waitForMap, assertMapMatchesCore, assertNoConsoleErrors,
} from './harness.js';

// The issue's budget, which the module misses today (the note in bench/README.md says by
// how much and why): reported on every run. The ceiling is what it must never pass
// while that is worked on, so that growth is caught.
const BUDGET_BYTES = 300 * 1024;
const BUDGET_GZIPPED = 100 * 1024;
const CEILING_BYTES = 850 * 1024; // as scripts/build.sh
const CEILING_GZIPPED = 320 * 1024;
const FIRST_MAP_MS = 1000;
const SIMD_WASM = '/pkg/convlens_web_bg.wasm';
const SCALAR_WASM = '/pkg/convlens_web_scalar_bg.wasm';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// Installed before the page's scripts run: polls the feature map once a frame and notes
// performance.now() (milliseconds since navigation started) when it first holds a drawn
// frame: more than one pixel, opaque, not a single colour.
function watchFirstMap() {
  window.firstMapMs = null;
  const poll = () => {
    const canvas = document.querySelector('[data-testid=feature-map]');
    if (canvas && canvas.width > 1 && canvas.height > 1) {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let drawn = false;
      for (let i = 4; i < data.length && !drawn; i += 4) {
        drawn = data[i + 3] > 0 && (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]);
      }
      if (drawn) {
        window.firstMapMs = performance.now();
        return;
      }
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}

async function firstMapMs(page) {
  await page.waitForFunction(() => window.firstMapMs !== null, null, { timeout: 10000 });
  return page.evaluate(() => window.firstMapMs);
}

async function openWith(initScripts) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  for (const script of initScripts) await context.addInitScript(script);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));
  page.errors = errors;
  server.requests.length = 0;
  await page.goto(server.url);
  return page;
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

test('the SIMD build loads and draws the first feature map within 1 s of navigation', async (t) => {
  const page = await openWith([watchFirstMap]);
  const ms = await firstMapMs(page);
  const line = `first feature map drawn ${ms.toFixed(0)} ms after navigation started (budget ${FIRST_MAP_MS} ms)`;
  console.log(line);
  t.diagnostic(line);
  assert.ok(server.requests.includes(SIMD_WASM), `requests: ${server.requests}`);
  assert.ok(!server.requests.includes(SCALAR_WASM), `requests: ${server.requests}`);
  assert.ok(ms <= FIRST_MAP_MS, line);
  await waitForMap(page);
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('without wasm SIMD the scalar build loads and draws the same map', async (t) => {
  // main.js is the only caller of WebAssembly.validate: its SIMD probe now fails.
  const noSimd = () => { WebAssembly.validate = () => false; };
  const page = await openWith([noSimd, watchFirstMap]);
  const ms = await firstMapMs(page);
  const line = `scalar build: first feature map drawn ${ms.toFixed(0)} ms after navigation started`;
  console.log(line);
  t.diagnostic(line);
  assert.ok(server.requests.includes(SCALAR_WASM), `requests: ${server.requests}`);
  assert.ok(!server.requests.includes(SIMD_WASM), `requests: ${server.requests}`);
  await waitForMap(page);
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});
