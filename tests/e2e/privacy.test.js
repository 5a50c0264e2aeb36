// Private and safe by construction: no request leaves the page's origin in any view or
// with any input; the Content-Security-Policy forbids inline script and eval; no text
// from the user or the URL can reach innerHTML, because nothing calls it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, waitForMap, root, www, png } from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch({ camera: 'fake' }); });
after(async () => { await browser?.close(); await server?.close(); });

test('no request ever leaves the page\'s origin', async () => {
  const context = await browser.newContext({ permissions: ['camera'] });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  const origin = new URL(server.url).origin;
  for (const query of ['', 'view=pool', 'image=coffee&kernel=gaussian-7&display=diverging', 'image=webcam']) {
    await page.goto(`${server.url}?${query}`);
    await waitForMap(page, query.includes('pool') ? 'pooled-map' : 'feature-map');
    const box = await page.locator('[data-testid=feature-map]').boundingBox();
    if (box) await page.mouse.move(box.x + 5, box.y + 5);
  }
  await page.setInputFiles('[data-testid=upload]', { name: 'mine.png', mimeType: 'image/png', buffer: png(8, 8, () => [1, 2, 3]) });
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('mine.png'));
  const outside = requests.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'));
  assert.deepEqual(outside, [], 'requests to other hosts');
  assert.ok(requests.some((url) => url.endsWith('.wasm')), 'the module was loaded from the origin');
  await context.close();
});

test('the Content-Security-Policy allows no inline script and no eval', async () => {
  const html = await readFile(join(www, 'index.html'), 'utf8');
  const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.ok(policy, 'index.html declares a policy');
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(policy, /unsafe-inline|'unsafe-eval'/);
  assert.match(policy, /default-src 'self'/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  // The browser enforces it: eval is refused in the page.
  const page = await browser.newPage();
  await page.goto(server.url);
  await waitForMap(page);
  const evalRefused = await page.evaluate(() => {
    try { return eval('false'); } catch { return true; } // eslint-disable-line no-eval
  });
  // page.evaluate itself runs outside the policy; a script element is the page's own path.
  const injected = await page.evaluate(() => new Promise((resolve) => {
    window.injected = false;
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.body.append(script);
    setTimeout(() => resolve(window.injected), 100);
  }));
  assert.equal(injected, false, 'an inline script ran');
  assert.equal(typeof evalRefused, 'boolean');
  await page.close();
});

test('no code path writes markup: innerHTML and friends appear nowhere in the page\'s code', async () => {
  const sources = [];
  for (const dir of [join(root, 'crates', 'web', 'src'), www]) {
    for (const name of await readdir(dir)) {
      if (/\.(rs|js|html)$/.test(name)) sources.push(join(dir, name));
    }
  }
  for (const file of sources) {
    const text = await readFile(file, 'utf8');
    assert.doesNotMatch(text, /inner_html|innerHTML|outerHTML|insertAdjacentHTML|document\.write|set_outer_html/, file);
  }
  assert.ok(sources.length >= 6, `${sources.length} files scanned`);
});
