// Embedding in slides: embed=1 shows one view and only the controls named in
// controls=, fills iframes from 320x240 to 1920x1080 without scrollbars, and the
// Embed button writes (and copies) the iframe snippet for the state on screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  serve, launch, open, query, screenshot, waitForMap, assertNoConsoleErrors,
} from './harness.js';

let server;
let browser;
// The parent page (as a slide would be, on the same host): one iframe, resized for each case.
const PARENT = '<!doctype html><link rel="icon" href="data:,"><body style="margin:0"><iframe id="frame" style="border:0"></iframe></body>';
before(async () => { server = await serve({ pages: { '/parent.html': PARENT } }); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const CONTROLS = [
  'view', 'image', 'size', 'kernel', 'stride', 'padding', 'padding_mode', 'dilation', 'channel',
  'display', 'pool', 'pool_size', 'pool_stride', 'stack', 'layers', 'op', 'step', 'sequence',
  'taps', 'mix', 'spatial', 'bias',
];

// Each view with a few controls, and what must show its picture.
const VIEWS = [
  { query: 'view=conv&size=128', controls: ['kernel', 'stride'], picture: '[data-testid=feature-map]' },
  { query: 'view=pool&image=chelsea', controls: ['pool_size'], picture: '[data-testid=pooled-map]' },
  { query: 'view=steps', controls: ['step', 'op'], picture: '[data-testid=steps-output] table' },
  { query: 'view=1d', controls: ['taps'], picture: '[data-testid=oned-rows] table' },
  { query: 'view=channels&size=64', controls: ['mix'], picture: '[data-testid=channels-out-0]' },
  { query: 'view=stack', controls: ['stack'], picture: '[data-testid=stack-map-0]' },
];

const SIZES = [[320, 240], [640, 360], [1280, 720], [1920, 1080]];

/** The embedded frame showing `view`, once it is there (its address is rewritten with
 * the whole state as soon as it starts). */
async function frameAt(page, view) {
  const prefix = new URL(view).search.split('&')[0];
  for (let tries = 0; tries < 200; tries += 1) {
    const frame = page.frames().find((f) => f.url().includes(prefix) && f.url().includes('embed=1'));
    if (frame) return frame;
    await page.waitForTimeout(25);
  }
  throw new Error(`no frame at ${prefix}`);
}

/** What the page inside the frame looks like, measured from inside. */
async function measure(frame, picture) {
  return frame.evaluate(({ picture, names }) => {
    const root = document.documentElement;
    const visible = (element) => element && element.checkVisibility() && element.getClientRects().length > 0;
    const shownControls = names.filter((name) => [...document.querySelectorAll(`[name="${name}"]`)]
      .some((control) => visible(control.closest('.field, .segmented, .tabs') ?? control)));
    const target = document.querySelector(picture);
    const box = target?.getBoundingClientRect();
    let painted = null;
    if (target instanceof HTMLCanvasElement) {
      const data = target.getContext('2d').getImageData(0, 0, target.width, target.height).data;
      painted = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 30) painted += 1;
    }
    const clipped = [...document.querySelectorAll('.panel')].filter(visible)
      .filter((p) => p.scrollHeight > p.clientHeight + 2 || p.scrollWidth > p.clientWidth + 2)
      .map((p) => `${p.id || p.className} ${p.scrollWidth}x${p.scrollHeight} in ${p.clientWidth}x${p.clientHeight}`);
    return {
      scroll: [root.scrollWidth, root.scrollHeight, document.body.scrollWidth, document.body.scrollHeight],
      client: [root.clientWidth, root.clientHeight],
      overflow: getComputedStyle(document.body).overflow,
      embedClass: root.classList.contains('embed'),
      header: visible(document.querySelector('header')),
      embedButton: visible(document.getElementById('embed-open')),
      shownControls,
      box: box && { left: box.left, top: box.top, right: box.right, bottom: box.bottom, width: box.width, height: box.height },
      painted,
      clipped,
    };
  }, { picture, names: CONTROLS });
}

test('embed mode fills every iframe size for every view, with only the named controls', async () => {
  const page = await open(browser, `${server.url}parent.html`, { viewport: { width: 1960, height: 1120 } });
  for (const view of VIEWS) {
    for (const [width, height] of SIZES) {
      const src = `${server.url}?${view.query}&embed=1&controls=${view.controls.join(',')}`;
      await page.evaluate(({ src, width, height }) => {
        const frame = document.getElementById('frame');
        frame.width = width;
        frame.height = height;
        return new Promise((resolve) => { frame.onload = resolve; frame.src = src; });
      }, { src, width, height });
      const frame = await frameAt(page, src);
      await frame.waitForSelector(view.picture, { state: 'visible' });
      if (view.picture.includes('map') || view.picture.includes('channels')) {
        await frame.waitForFunction((sel) => document.querySelector(sel).width > 1, view.picture);
      }
      // Let the layout settle (the fitting runs on resize, once per animation frame).
      await frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));
      const m = await measure(frame, view.picture);
      const label = `${view.query} at ${width}x${height}`;
      assert.ok(m.embedClass, `${label}: embed class`);
      assert.deepEqual(m.client, [width, height], `${label}: the page fills the frame`);
      assert.ok(m.scroll[0] <= width && m.scroll[1] <= height, `${label}: no scrollbars (${m.scroll})`);
      assert.equal(m.overflow, 'hidden', `${label}: body overflow hidden in embed mode`);
      assert.equal(m.header, false, `${label}: no page header`);
      assert.equal(m.embedButton, false, `${label}: no Embed button inside the frame`);
      assert.deepEqual(m.shownControls.sort(), [...view.controls].sort(), `${label}: only the named controls`);
      assert.deepEqual(m.clipped, [], `${label}: no panel cuts its content`);
      assert.ok(m.box.width >= 20 && m.box.height >= 20, `${label}: the picture is large enough (${m.box.width}x${m.box.height})`);
      assert.ok(m.box.left >= 0 && m.box.top >= 0 && m.box.right <= width + 0.5 && m.box.bottom <= height + 0.5,
        `${label}: the picture is inside the frame (${JSON.stringify(m.box)})`);
      if (m.painted !== null) assert.ok(m.painted > 0, `${label}: the map is not blank`);
      if (width === 320 || width === 1280) await screenshot(page, `embed-${view.query.replace(/[=&]/g, '-')}-${width}`);
    }
  }
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('unknown control names are dropped with a notice; no controls= shows none', async () => {
  const page = await open(browser, `${server.url}?view=conv&size=64&embed=1&controls=stride,nope`, { viewport: { width: 640, height: 360 } });
  await waitForMap(page);
  const notices = await page.textContent('#notices');
  assert.match(notices, /there is no control 'nope' to show; use view, image, size, kernel/);
  assert.match(notices, /\(kept stride\)/);
  assert.match(await query(page), /&embed=1&controls=stride$/);
  const none = await open(browser, `${server.url}?view=pool&size=64&embed=1`, { viewport: { width: 640, height: 360 } });
  await waitForMap(none, 'pooled-map');
  const m = await measure(none, '[data-testid=pooled-map]');
  assert.deepEqual(m.shownControls, []);
  assert.equal(await none.isVisible('#controls .group'), false);
  await page.context().close();
  await none.context().close();
});

test('the Embed button copies the iframe snippet for the current state', async () => {
  const page = await open(browser, `${server.url}?view=pool&pool=mean&size=64`, {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  await waitForMap(page, 'pooled-map');
  await page.click('#embed-open');
  await page.waitForFunction(() => /Copied/.test(document.getElementById('embed-status').textContent));
  const snippet = await page.inputValue('[data-testid=embed-snippet]');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet, 'clipboard = text field');
  // Titled as the tab is, in words (defect 10).
  assert.match(snippet, /^<iframe src="[^"]+" width="960" height="540" allow="camera" title="convlens: Pooling"/);
  assert.ok(await page.evaluate(() => document.getElementById('embed-snippet').readOnly));
  assert.match(await page.textContent('#embed-dialog'), /allow="camera" is there for the webcam input/);
  const src = (html) => html.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const address = new URL(src(snippet));
  assert.equal(`${address.origin}${address.pathname}`, server.url.replace(/\/$/, '/'), 'the page\'s own address');
  // Only what this view uses is carried (defect 10): no grid, sequence, mixing or kernel.
  const carried = [...address.searchParams.keys()];
  for (const unused of ['grid', 'sequence', 'taps', 'mix', 'kernel', 'stride', 'stack', 'layer', 'op']) {
    assert.ok(!carried.includes(unused), `${unused} in ${address.search}`);
  }
  const pageQuery = new URLSearchParams(await query(page));
  for (const key of ['view', 'image', 'size', 'channel', 'pool', 'pool_size', 'pool_stride']) {
    assert.equal(address.searchParams.get(key), pageQuery.get(key), key);
  }
  assert.match(address.search, /&embed=1&controls=pool,pool_size,pool_stride$/);
  // The offered controls are the ones on screen in this view; unticking one updates it.
  const offered = await page.$$eval('#embed-controls input', (boxes) => boxes.map((b) => b.value));
  assert.ok(offered.includes('pool_size') && offered.includes('image'), offered.join());
  assert.ok(!offered.includes('kernel') && !offered.includes('mix'), offered.join());
  await page.uncheck('[data-testid=embed-control-pool_stride]');
  await page.check('[data-testid=embed-control-image]');
  await page.selectOption('#embed-size', '640x360');
  const changed = await page.inputValue('[data-testid=embed-snippet]');
  assert.match(src(changed), /&embed=1&controls=image,pool,pool_size$/);
  assert.match(changed, /width="640" height="360"/);
  await page.waitForFunction((text) => navigator.clipboard.readText().then((t) => t === text), changed);
  // The snippet works as it is: pasted into a page, it shows this state with those controls.
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('#embed-dialog'), false);
  await page.setContent(`<!doctype html><body>${changed}</body>`);
  const frame = await frameAt(page, src(changed));
  await frame.waitForSelector('[data-testid=pooled-map]');
  await frame.waitForFunction(() => document.querySelector('[data-testid=pooled-map]').width > 1);
  const m = await measure(frame, '[data-testid=pooled-map]');
  assert.deepEqual(m.shownControls.sort(), ['image', 'pool', 'pool_size']);
  assert.ok(await frame.isChecked('input[name=pool][value=mean]'));
  await page.context().close();
});

test('a refused clipboard is said in words and the snippet is left selected', async () => {
  const page = await open(browser, `${server.url}?size=64`);
  await waitForMap(page);
  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
  });
  await page.click('#embed-open');
  await page.waitForFunction(() => /did not let/.test(document.getElementById('embed-status').textContent));
  assert.match(await page.textContent('#embed-status'), /NotAllowedError.*copy it with Ctrl\+C/);
  const selection = await page.evaluate(() => {
    const text = document.getElementById('embed-snippet');
    return [document.activeElement === text, text.selectionStart, text.selectionEnd, text.value.length];
  });
  assert.deepEqual(selection, [true, 0, selection[3], selection[3]]);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('axe finds no serious or critical violation in the Embed dialog, embed mode or projector mode', async () => {
  const axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  for (const [query, open] of [
    ['size=64', true],
    ['size=64&projector=1', false],
    // (The player's "◀ Back" button is named "Previous position": a finding of the
    // step view itself, audited without it here.)
    ['view=steps&embed=1&controls=op', false],
    ['size=64&embed=1&controls=kernel,stride,padding&projector=1', false],
  ]) {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${server.url}?${query}`);
    if (query.includes('steps')) await page.waitForSelector('[data-testid=steps-output] td.current');
    else await waitForMap(page);
    if (open) {
      await page.click('#embed-open');
      await page.waitForFunction(() => document.getElementById('embed-status').textContent !== '');
    }
    await page.evaluate(axe);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    assert.deepEqual(bad, [], `?${query}${open ? ' with the Embed dialog open' : ''}`);
    await context.close();
  }
});
