// The example slide deck (www/examples/) renders every embedded state; the page works
// as one folder of relative addresses; opened from file:// it says how to serve it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  serve, launch, open, www, screenshot, assertNoConsoleErrors, waitForMap, engine,
} from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// What shows each view's result inside a frame.
const PICTURE = {
  conv: '[data-testid=feature-map]',
  pool: '[data-testid=pooled-map]',
  stack: '[data-testid=stack-map-0]',
  channels: '[data-testid=channels-out-0]',
};

test('every frame of the example deck renders its state', async () => {
  const page = await open(browser, `${server.url}examples/index.html`, { viewport: { width: 1280, height: 800 } });
  const sources = await page.$$eval('iframe', (frames) => frames.map((f) => f.getAttribute('src')));
  assert.ok(sources.length >= 6, `${sources.length} frames`);
  const titles = await page.$$eval('.slide h2', (h) => h.map((e) => e.textContent));
  for (const title of ['Отступ, шаг', 'Пулинг', '2D-свёртка', 'Receptive Field', '1X1 свёртка']) {
    assert.ok(titles.some((t) => t.includes(title)), `slide "${title}"`);
  }
  const views = new Set();
  for (const [index, source] of sources.entries()) {
    assert.match(source, /^\.\.\/index\.html\?.*embed=1&controls=/, 'relative address in embed mode');
    const view = new URLSearchParams(source.split('?')[1]).get('view');
    views.add(view);
    await page.locator('iframe').nth(index).scrollIntoViewIfNeeded();
    const frame = await page.locator('iframe').nth(index).contentFrame();
    if (view === 'steps') {
      await frame.waitForSelector('[data-testid=steps-output] td.current');
      assert.equal(await frame.textContent('[data-testid=steps-output] td.current'), '4');
      continue;
    }
    await frame.waitForFunction((selector) => {
      const canvas = document.querySelector(selector);
      if (!canvas || canvas.width < 2) return false;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 30) return true;
      return false;
    }, PICTURE[view], { timeout: 15000 });
    assert.equal(await frame.isVisible(PICTURE[view]), true, `${source}: the map is visible`);
    assert.equal(await frame.isVisible('header'), false, `${source}: chromeless`);
  }
  for (const view of ['conv', 'pool', 'steps', 'stack', 'channels']) assert.ok(views.has(view), `a ${view} slide`);
  await screenshot(page, 'deck');
  // Only the webcam slide may complain (no camera here); nothing else logs an error.
  assert.deepEqual(page.errors.filter((e) => !/camera|NotFound|NotAllowed|Requested device/i.test(e)), []);
  await page.context().close();
});

test('the page is one folder: every address is relative, nothing outside the origin', async () => {
  for (const file of ['index.html', 'examples/index.html', 'main.js', 'style.css', 'examples/deck.css']) {
    const text = await readFile(join(www, file), 'utf8');
    const addresses = [...text.matchAll(/(?:src|href)\s*=\s*["']([^"']+)["']|url\(([^)]+)\)|from\s+'([^']+)'/g)]
      .map((m) => m[1] ?? m[2] ?? m[3]);
    for (const address of addresses) {
      assert.ok(!/^(https?:)?\/\//.test(address) && !address.startsWith('/'), `${file}: ${address} is relative`);
    }
  }
  // Served from a sub-folder (as on GitHub Pages), the page still finds everything.
  const page = await open(browser, `${server.url}examples/../index.html?size=32`);
  await page.waitForFunction(() => document.querySelector('[data-testid=feature-map]').width > 1);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('opened from file://, the page runs (Firefox) or says in words how to serve it (Chromium)', async () => {
  const page = await open(browser, pathToFileURL(join(www, 'index.html')).href);
  if (engine === 'firefox') {
    // Firefox runs module scripts and WebAssembly from file://: the demo starts.
    await waitForMap(page);
    assert.equal(await page.isVisible('[data-testid=loading]'), false);
    console.log('firefox: the page opened from file:// runs');
  } else {
    await page.waitForTimeout(500);
    assert.equal(await page.isVisible('[data-testid=loading]'), true);
    const text = await page.textContent('[data-testid=loading]');
    assert.match(text, /file:\/\//);
    assert.match(text, /Chromium-based browsers do not run/);
    assert.match(text, /python3 -m http\.server/);
    assert.match(text, /http:\/\/localhost:8000\//);
    console.log('chromium: the page opened from file:// says how to serve it');
  }
  // Served, the note is gone as soon as the module runs.
  const served = await open(browser, `${server.url}?size=32`);
  await served.waitForFunction(() => document.querySelector('[data-testid=feature-map]').width > 1);
  assert.equal(await served.isVisible('[data-testid=loading]'), false);
  await page.context().close();
  await served.context().close();
});
