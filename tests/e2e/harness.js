// Shared pieces of the end-to-end tests: a static server for www/, the run's headless
// browser (Chromium or Firefox ESR, driver.js), pixel reads from canvases, and the native
// oracle (crates/web/examples/oracle.rs) that computes what a map must look like.
import { createServer } from 'node:http';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import zlib from 'node:zlib';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { launchBrowser, engine } from './driver.js';

export { engine };

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const www = join(root, 'www');
// Screenshots and measurements, one folder per browser.
export const artifacts = join(root, 'tests', 'artifacts', engine);
const oracleBinary = join(root, 'target', 'release', 'examples', 'oracle');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.png': 'image/png', '.md': 'text/plain; charset=utf-8',
};

/**
 * Serves www/ on a free loopback port, and `pages` ({ '/path': html }: pages a test needs
 * beside the site, e.g. a slide around an iframe). Records every request path.
 */
export async function serve({ pages = {} } = {}) {
  const requests = [];
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    requests.push(path);
    if (Object.hasOwn(pages, path)) {
      response.writeHead(200, { 'content-type': types['.html'] }).end(pages[path]);
      return;
    }
    const file = normalize(join(www, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(www)) { response.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, requests, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Launches the run's browser (driver.js). `camera`: 'none' (no camera setup), 'fake' (a
 * fake webcam, allowed), 'refused' (a fake webcam whose permission is denied), 'missing'
 * (no camera at all). `touch`: for contexts with a touch screen; `preciseClock`: see
 * driver.js.
 */
export function launch({ camera = 'none', touch = false, preciseClock = false } = {}) {
  return launchBrowser({ camera, touch, preciseClock });
}

/**
 * A new page that records console errors and uncaught exceptions; `initScripts` run in it
 * before the page's own scripts.
 */
export async function open(browser, url, { viewport = { width: 1400, height: 1000 }, permissions = [], initScripts = [] } = {}) {
  const context = await browser.newContext({ viewport, permissions });
  for (const script of initScripts) await context.addInitScript(script);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));
  page.errors = errors;
  await page.goto(url);
  return page;
}

/** Waits until the map `testid` holds a frame of more than one pixel. */
export async function waitForMap(page, testid = 'feature-map') {
  await page.waitForFunction((id) => {
    const canvas = document.querySelector(`[data-testid=${id}]`);
    return canvas && canvas.width > 1 && canvas.height > 1;
  }, testid);
}

/**
 * An init script (`context.addInitScript(watchFirstMap)`, run before the page's own):
 * polls the feature map once a frame and sets `window.firstMap` to `performance.now()`
 * (milliseconds since navigation started) when it first holds a drawn frame: more than
 * one pixel, opaque, not a single colour. The tests wait for it; bench/page.mjs reads
 * the time.
 */
export function watchFirstMap() {
  window.firstMap = null;
  const poll = () => {
    const canvas = document.querySelector('[data-testid=feature-map]');
    if (canvas && canvas.width > 1 && canvas.height > 1) {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let drawn = false;
      for (let i = 4; i < data.length && !drawn; i += 4) {
        drawn = data[i + 3] > 0 && (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]);
      }
      if (drawn) {
        window.firstMap = performance.now();
        return;
      }
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}

/**
 * What the frame meter shows: its text and its readings (milliseconds: the means of
 * grab, compute, draw and their total over the last 30 frames, the slowest of them; the
 * frames a second, the frames counted, the algorithm and how frames are grabbed).
 */
export function readMeter(page) {
  return page.evaluate(() => {
    const box = document.querySelector('[data-testid=frame-meter]');
    const read = (name) => Number(box.dataset[name]);
    return {
      hidden: box.hidden,
      text: box.textContent,
      frames: read('frames'),
      grab: read('grab'),
      compute: read('compute'),
      draw: read('draw'),
      total: read('total'),
      worst: read('worst'),
      fps: read('fps'),
      path: box.dataset.path,
      grabbedBy: box.dataset.grabBy,
    };
  });
}

/** The RGBA pixels of a canvas, as { width, height, data: Buffer }. */
export async function readCanvas(page, testid) {
  const { width, height, base64 } = await page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid=${id}]`);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
    }
    return { width: canvas.width, height: canvas.height, base64: btoa(binary) };
  }, testid);
  return { width, height, data: Buffer.from(base64, 'base64') };
}

/** The page's current query string (without '?'). */
export async function query(page) {
  return page.evaluate(() => location.search.slice(1));
}

/** What the core crate's naive reference computes for `queryString` on `frame`. */
export function oracle(queryString, frame) {
  const result = spawnSync(oracleBinary, [queryString, String(frame.width), String(frame.height)], {
    input: frame.data, maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`oracle failed: ${result.stderr}`);
  const out = result.stdout;
  const width = out.readUInt32LE(0);
  const height = out.readUInt32LE(4);
  const channels = out.readUInt32LE(8);
  const rgba = out.subarray(12, 12 + width * height * 4);
  const valuesStart = 12 + width * height * 4;
  const value = (c, y, x) => out.readFloatLE(valuesStart + 4 * ((c * height + y) * width + x));
  return { width, height, channels, rgba, value };
}

/** Asserts the page's map equals the oracle's for the page's own input and URL. */
export async function assertMapMatchesCore(page, testid = 'feature-map') {
  const q = await query(page);
  const input = await readCanvas(page, 'input-frame');
  const map = await readCanvas(page, testid);
  const expected = oracle(q, input);
  assert.equal(`${map.width}x${map.height}`, `${expected.width}x${expected.height}`, `size for ?${q}`);
  if (!map.data.equals(expected.rgba)) {
    let differ = 0;
    for (let i = 0; i < map.data.length; i += 1) if (map.data[i] !== expected.rgba[i]) differ += 1;
    assert.fail(`${differ} of ${map.data.length} bytes differ from the core's reference for ?${q}`);
  }
  return { q, input, map, expected };
}

/** Waits for the URL to change after an action, and for the page to redraw. */
export async function change(page, action) {
  const before = await query(page);
  await action();
  await page.waitForFunction((b) => location.search.slice(1) !== b, before, { timeout: 5000 })
    .catch(() => {});
  // Let the module finish drawing (it draws synchronously within the event).
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
}

/** Saves a screenshot under tests/artifacts/BROWSER/. */
export async function screenshot(page, name) {
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Writes a file under tests/artifacts/BROWSER/ (e.g. measurements). */
export async function artifact(name, text) {
  await mkdir(artifacts, { recursive: true });
  await writeFile(join(artifacts, name), text);
}

/** Fails on any console error the page logged. */
export function assertNoConsoleErrors(page) {
  assert.deepEqual(page.errors, [], 'console errors');
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A PNG of `width x height` pixels, made here: 8-bit RGB of `pixel(x, y) -> [r, g, b]`,
 * or, for huge sizes, 1-bit black (`pixel` omitted) so the file stays small.
 */
export function png(width, height, pixel) {
  const { deflateSync } = zlib;
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = pixel ? 8 : 1; // bit depth
  header[9] = pixel ? 2 : 0; // RGB or gray
  const rowBytes = pixel ? width * 3 : Math.ceil(width / 8);
  const raw = Buffer.alloc((rowBytes + 1) * height);
  if (pixel) {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const [r, g, b] = pixel(x, y);
        raw.set([r, g, b], y * (rowBytes + 1) + 1 + x * 3);
      }
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}
