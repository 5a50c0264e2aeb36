// The lecture-first page (issue 12): every view's principal pictures on the first screen
// at the lecture hall's sizes, with and without projector mode, and the arithmetic
// beside the map; the phone without horizontal overflow; maps at their true scale (or
// fitted), shrunk smoothly and enlarged pixelated; the magnifier; the receptive field
// read backwards; and the defects found on the way, each checked by what a user sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, waitForMap, query, readCanvas, screenshot, assertNoConsoleErrors, png, oracle,
} from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SIZES = [[1280, 720], [1366, 768], [1440, 900], [1920, 1080]];

/** Asserts the element `selector` is entirely inside the first screen (no scrolling). */
async function onScreen(page, selector, what) {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${what}: ${selector} is not shown`);
  const [width, height] = await page.evaluate(() => [window.innerWidth, window.innerHeight]);
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page is not scrolled');
  assert.ok(box.x >= -0.5 && box.y >= -0.5 && box.x + box.width <= width + 0.5
    && box.y + box.height <= height + 0.5,
  `${what}: ${selector} at ${JSON.stringify(box)} is not inside ${width}x${height}`);
  return box;
}

/** Points at the map canvas `testid` at fractions (fy, fx) of its box. */
async function pointAt(page, testid, fy = 0.5, fx = 0.5) {
  const box = await page.locator(`[data-testid=${testid}]`).boundingBox();
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
}

const views = {
  async conv(page, where) {
    await waitForMap(page);
    for (const s of ['[data-testid=input-frame]', '#kernel-grid', '[data-testid=feature-map]',
      'select[name=kernel]', 'label:has(input[name=stride][value="2"])',
      'label:has(input[name=padding][value=same])', 'label:has(input[name=dilation][value="2"])',
      'label:has(input[name=channel][value=g])']) await onScreen(page, s, where);
    await pointAt(page, 'feature-map', 0.4, 0.45);
    await page.waitForSelector('#arithmetic .channel.open td');
    const map = await onScreen(page, '[data-testid=feature-map]', where);
    const cells = await onScreen(page, '#arithmetic .channel.open table', `${where}, the magnified window`);
    await onScreen(page, '[data-testid=sum-R]', `${where}, the sum`);
    // Beside the map, not below it.
    assert.ok(cells.x >= map.x + map.width && cells.y < map.y + map.height, `${where}: the arithmetic is beside the map`);
  },
  async pool(page, where) {
    await waitForMap(page, 'pooled-map');
    for (const s of ['[data-testid=input-frame]', '[data-testid=pooled-map]',
      'label:has(input[name=pool_size][value="3"])', 'select[name=pool_stride]',
      'label:has(input[name=pool][value=mean])']) await onScreen(page, s, where);
    await pointAt(page, 'pooled-map');
    await page.waitForSelector('#arithmetic .channel.open td');
    await onScreen(page, '#arithmetic .channel.open table', `${where}, the pooled window`);
  },
  async steps(page, where) {
    await page.waitForSelector('[data-testid=steps-output] td');
    for (const s of ['[data-testid=steps-input]', '#kernel-grid', '[data-testid=steps-output]',
      '#steps-play', '#steps-forward', '[data-testid=steps-sum]']) await onScreen(page, s, where);
  },
  async '1d'(page, where) {
    await page.waitForSelector('[data-testid=oned-rows] td.z');
    for (const s of ['[data-testid=oned-rows]', '[data-testid=taps]', '[data-testid=oned-sum]',
      '[data-testid=oned-matrix]']) await onScreen(page, s, where);
  },
  async channels(page, where) {
    await page.waitForSelector('[data-testid=channels-out-1]');
    for (const s of ['[data-testid=channels-part-0-0]', '[data-testid=channels-part-1-2]',
      '[data-testid=channels-out-0]', '[data-testid=channels-out-1]']) await onScreen(page, s, where);
  },
  async stack(page, where) {
    await page.waitForSelector('[data-testid=stack-map-0]');
    for (const s of ['[data-testid=stack-input]', '[data-testid=stack-map-0]',
      '#stack-blocks tr[aria-current=true]']) await onScreen(page, s, where);
    const map = await page.locator('[data-testid=stack-map-0]').boundingBox();
    if (await page.evaluate(() => window.innerWidth) >= 1440) assert.ok(map.width >= 160, `${where}: a stack map is ${map.width}px wide`);
  },
  async transposed(page, where) {
    await page.waitForSelector('#transposed-output td');
    for (const s of ['[data-testid=transposed-input]', '[data-testid=transposed-kernel]',
      '[data-testid=transposed-output]', '#transposed-play', '#transposed-next',
      '[data-testid=transposed-stamp]']) await onScreen(page, s, where);
  },
  async train(page, where) {
    // The buttons, the curves and the first layer's kernels, once the worker drew them.
    await page.waitForSelector('[data-testid=train-status][data-state=ready]');
    await page.waitForFunction(() => document.querySelector('[data-testid=train-kernels1]').width > 1);
    for (const s of ['[data-testid=train-start]', '[data-testid=train-status]', '[data-testid=train-curves]',
      '[data-testid=train-kernels1]']) await onScreen(page, s, where);
  },
};

/** A `size` x `size` grid of small numbers, as the URL writes it. */
const grid = (size) => Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => (x * 3 + y) % 5).join(',')).join(';');

/** Asserts the header is one line: every part of it beside the title, none below. */
async function oneLineHeader(page, where) {
  const boxes = await page.$$eval('header.top > *, #tabs label', (all) => all.map((e) => {
    const b = e.getBoundingClientRect();
    return { top: b.top, bottom: b.bottom, what: e.id || e.className || e.textContent.trim() };
  }));
  const title = boxes[0];
  for (const box of boxes) {
    assert.ok(box.top < title.bottom && box.bottom > title.top, `${where}: ${box.what} (${box.top}..${box.bottom}) is not on the title's line (${title.top}..${title.bottom})`);
  }
}

for (const [width, height] of SIZES) {
  for (const projector of [false, true]) {
    test(`${width}x${height}${projector ? ', projector' : ''}: each view's pictures and arithmetic on the first screen`, async () => {
      const page = await open(browser, `${server.url}?view=conv${projector ? '&projector=1' : ''}`, {
        viewport: { width, height },
      });
      for (const [view, check] of Object.entries(views)) {
        await page.goto(`${server.url}?view=${view}${projector ? '&projector=1' : ''}`);
        await check(page, `${view} at ${width}x${height}${projector ? ' (projector)' : ''}`);
        if ((width === 1440 || width === 1920) && !projector) await screenshot(page, `first-screen-${view}-${width}`);
      }
      assertNoConsoleErrors(page);
      await page.context().close();
    });
  }
}

test('390x844 phone: no horizontal overflow in any view, every tab reachable', async () => {
  const page = await open(browser, `${server.url}?view=conv`, { viewport: { width: 390, height: 844 } });
  for (const view of [...Object.keys(views), 'blocks']) {
    await page.goto(`${server.url}?view=${view}`);
    await page.waitForFunction((v) => document.body.dataset.view === v, view);
    await page.waitForTimeout(300);
    // The viewport's width without a scrollbar (Firefox counts its scrollbar in innerWidth).
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.equal(widths[0], widths[1], `${view}: the page is ${widths[0]}px wide on a ${widths[1]}px screen`);
    const tabs = await page.$$eval('#tabs label', (labels) => labels.map((l) => {
      const box = l.getBoundingClientRect();
      return [box.left, box.right];
    }));
    for (const [left, right] of tabs) assert.ok(left >= 0 && right <= 390, `${view}: a tab at ${left}..${right}`);
  }
  await page.click('label:has(input[name=view][value=stack])');
  await page.waitForFunction(() => document.body.dataset.view === 'stack');
  await screenshot(page, 'phone-stack');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('large step grids, four output channels and the header fit the first screen at every size', async () => {
  for (const [width, height] of SIZES) {
    for (const projector of [false, true]) {
      const mode = projector ? '&projector=1' : '';
      const at = `${width}x${height}${projector ? ' (projector)' : ''}`;
      // A fresh page per size: the viewport is the page's.
      const sized = await open(browser, `${server.url}?view=conv${mode}`, { viewport: { width, height } });
      for (const lang of ['en', 'ru']) {
        await sized.goto(`${server.url}?view=conv${mode}&lang=${lang}`);
        await waitForMap(sized);
        await oneLineHeader(sized, `${at}, ${lang}`);
      }
      // Grids of 12 and 16 (the largest): the cells shrink, the player and the sum stay.
      for (const size of [12, 16]) {
        await sized.goto(`${server.url}?view=steps&grid=${grid(size)}${mode}`);
        await sized.waitForFunction((n) => document.querySelectorAll('#steps-input tr').length === n, size);
        await views.steps(sized, `a ${size}x${size} grid at ${at}`);
        const rows = await sized.$$eval('#steps-output tr', (r) => r.length);
        assert.equal(rows, size - 2, 'the whole output is drawn');
      }
      // Four output channels, each with its three parts and its output.
      await sized.goto(`${server.url}?view=channels&mix=0.299,0.587,0.114;1,-1,0;0,1,-1;1,1,1${mode}`);
      await sized.waitForSelector('[data-testid=channels-out-3]');
      await sized.waitForTimeout(200);
      for (const s of ['[data-testid=channels-part-0-0]', '[data-testid=channels-part-3-2]',
        '[data-testid=channels-out-0]', '[data-testid=channels-out-3]']) await onScreen(sized, s, `four channels at ${at}`);
      if (width === 1280 && projector) await screenshot(sized, 'first-screen-channels-4-1280-projector');
      assertNoConsoleErrors(sized);
      await sized.context().close();
    }
  }
});

/** The CSS width of a canvas as shown. */
const shownWidth = (page, testid) => page.locator(`[data-testid=${testid}]`).evaluate((c) => c.getBoundingClientRect().width);

test('maps at their true scale: stride 2 halves the map, no padding narrows it; fit enlarges it', async () => {
  const page = await open(browser, `${server.url}?size=128&stride=2`, { viewport: { width: 1440, height: 900 } });
  await waitForMap(page);
  const input = await shownWidth(page, 'input-frame');
  let map = await shownWidth(page, 'feature-map');
  // 128 pixels, 3x3 at stride 2 without padding: 63 cells, drawn 63/128 of the input.
  assert.ok(Math.abs(map - input * 63 / 128) < 1.5, `map ${map}px for input ${input}px`);
  await page.goto(`${server.url}?size=128`);
  await waitForMap(page);
  map = await shownWidth(page, 'feature-map');
  const stride1 = await shownWidth(page, 'input-frame');
  assert.ok(Math.abs(map - stride1 * 126 / 128) < 1.5, `a 3x3 map without padding is two pixels narrower: ${map} of ${stride1}`);
  await page.goto(`${server.url}?size=128&stride=2&fit=1`);
  await waitForMap(page);
  assert.ok(Math.abs(await shownWidth(page, 'feature-map') - await shownWidth(page, 'input-frame')) < 1.5, 'fit: as wide as the input');
  assert.equal(new URLSearchParams(await query(page)).get('fit'), '1');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('enlarged pictures stay pixelated, shrunk ones are resampled smoothly (no moiré)', async () => {
  // One-pixel stripes: a picture dropping lines or aliasing shows bands instead of gray.
  const stripes = png(1600, 1600, (x) => (x % 2 ? [255, 255, 255] : [0, 0, 0]));
  const page = await open(browser, `${server.url}?size=full`, { viewport: { width: 1280, height: 720 } });
  await waitForMap(page);
  await page.setInputFiles('[data-testid=upload]', { name: 'stripes.png', mimeType: 'image/png', buffer: stripes });
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('stripes'));
  await page.waitForSelector('#input-stage canvas.smooth:not([hidden])');
  assert.equal(await page.getAttribute('[data-testid=input-frame]', 'data-shown'), 'smooth');
  const levels = await page.evaluate(() => {
    const copy = document.querySelector('#input-stage canvas.smooth');
    const data = copy.getContext('2d').getImageData(0, copy.height >> 1, copy.width, 1).data;
    const values = [];
    for (let i = 0; i < data.length; i += 4) values.push(data[i]);
    return values.slice(4, -4);
  });
  const mean = levels.reduce((a, b) => a + b, 0) / levels.length;
  const spread = Math.max(...levels) - Math.min(...levels);
  assert.ok(Math.abs(mean - 128) < 20 && spread < 110, `a smooth gray, not bands: mean ${mean}, spread ${spread}`);
  // A small input is enlarged: pixelated, one crisp block per pixel.
  await page.goto(`${server.url}?size=32`);
  await waitForMap(page);
  assert.equal(await page.getAttribute('[data-testid=feature-map]', 'data-shown'), 'pixelated');
  assert.equal(await page.locator('[data-testid=feature-map]').evaluate((c) => getComputedStyle(c).imageRendering), 'pixelated');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the magnifier: each tap with its weight and product, padding hatched, dilated taps spaced', async () => {
  const page = await open(browser, `${server.url}?size=64&padding=1&channel=gray`, { viewport: { width: 1440, height: 900 } });
  await waitForMap(page);
  await page.focus('[data-testid=feature-map]');
  await page.waitForSelector('#arithmetic .channel.open td');
  const cells = await page.$$eval('#arithmetic .channel.open td', (tds) => tds.map((td) => ({
    v: td.querySelector('.v')?.textContent, w: td.querySelector('.w')?.textContent,
    p: td.querySelector('.p')?.textContent, padded: td.classList.contains('padded'),
  })));
  assert.equal(cells.length, 9);
  // The corner cell (0, 0) reads five padded zeros, and each product is value × weight.
  assert.equal(cells.filter((c) => c.padded).length, 5);
  for (const { v, w, p } of cells) {
    const weight = Number(w.replace('×', '').replace(/[()]/g, '').replace('−', '-'));
    assert.ok(Math.abs(Number(p.replace('=', '')) - Number(v) * weight) < 1e-9, `${v} ${w} ${p}`);
  }
  assert.match(await page.textContent('[data-testid=sum-Gray]'), / = -?[\d.]+$/);
  const plainGap = await page.locator('#arithmetic table.patch').evaluate((t) => getComputedStyle(t).borderSpacing);
  await page.goto(`${server.url}?size=64&dilation=2&channel=gray`);
  await waitForMap(page);
  await page.focus('[data-testid=feature-map]');
  await page.waitForSelector('#arithmetic .channel.open td');
  const dilatedGap = await page.locator('#arithmetic table.patch').evaluate((t) => getComputedStyle(t).borderSpacing);
  assert.ok(parseFloat(dilatedGap) > parseFloat(plainGap), `dilated taps spaced: ${dilatedGap} against ${plainGap}`);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('pointing at the input marks every map cell the pixel feeds', async () => {
  const page = await open(browser, `${server.url}?size=32&channel=gray`, { viewport: { width: 1440, height: 900 } });
  await waitForMap(page);
  const box = await page.locator('[data-testid=input-frame]').boundingBox();
  // Pixel (10, 12) of 32: it feeds the 3x3 cells (8..10, 10..12) of the 30x30 map.
  await page.mouse.move(box.x + (12.5 / 32) * box.width, box.y + (10.5 / 32) * box.height);
  await page.waitForFunction(() => document.querySelector('[data-testid=feature-fed]')?.dataset.cells === '9');
  const fed = await readCanvas(page, 'feature-fed');
  const marked = [];
  for (let y = 0; y < fed.height; y += 1) {
    for (let x = 0; x < fed.width; x += 1) if (fed.data[(y * fed.width + x) * 4 + 3] > 0) marked.push([y, x]);
  }
  assert.deepEqual(marked, [[8, 10], [8, 11], [8, 12], [9, 10], [9, 11], [9, 12], [10, 10], [10, 11], [10, 12]]);
  // Stride 2: the pixel feeds fewer cells.
  await page.goto(`${server.url}?size=32&channel=gray&stride=2`);
  await waitForMap(page);
  const again = await page.locator('[data-testid=input-frame]').boundingBox();
  await page.mouse.move(again.x + (12.5 / 32) * again.width, again.y + (10.5 / 32) * again.height);
  await page.waitForFunction(() => document.querySelector('[data-testid=feature-fed]')?.dataset.cells === '4');
  await page.mouse.move(5, 5);
  await page.waitForFunction(() => document.querySelector('[data-testid=feature-fed]').hidden);
  // Pooling 2x2 at stride 2: each pixel feeds exactly one pooled cell, (5, 6) here.
  await page.goto(`${server.url}?view=pool&size=32&channel=gray&pool_size=2&pool_stride=2`);
  await waitForMap(page, 'pooled-map');
  const pooled = await page.locator('[data-testid=input-frame]').boundingBox();
  await page.mouse.move(pooled.x + (12.5 / 32) * pooled.width, pooled.y + (10.5 / 32) * pooled.height);
  await page.waitForFunction(() => document.querySelector('[data-testid=pooled-fed]')?.dataset.cells === '1');
  const one = await readCanvas(page, 'pooled-fed');
  const lit = [];
  for (let i = 3; i < one.data.length; i += 4) if (one.data[i] > 0) lit.push([Math.floor((i >> 2) / one.width), (i >> 2) % one.width]);
  assert.deepEqual(lit, [[5, 6]]);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the stack view: a click enlarges a map, the pointed cell is marked, a gray network sees gray', async () => {
  const page = await open(browser, `${server.url}?view=stack&stack=lenet5`, { viewport: { width: 1440, height: 900 } });
  await page.waitForSelector('[data-testid=stack-map-0]');
  assert.match(await page.textContent('#stack-input-size'), /gray/);
  const input = await readCanvas(page, 'stack-input');
  for (let i = 0; i < input.data.length; i += 4 * 97) {
    assert.ok(input.data[i] === input.data[i + 1] && input.data[i + 1] === input.data[i + 2], 'gray pixel');
  }
  const before = (await page.locator('[data-testid=stack-map-0]').boundingBox()).width;
  await page.click('[data-testid=stack-map-0]');
  await page.waitForSelector('#stack-maps figure.enlarged');
  const after = (await page.locator('[data-testid=stack-map-0]').boundingBox()).width;
  assert.ok(after > before * 1.5, `enlarged from ${before} to ${after}`);
  await pointAt(page, 'stack-map-0', 0.3, 0.3);
  await page.waitForSelector('[data-testid=stack-cell]');
  assert.equal(await page.isVisible('#stack-window'), true);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('defects 1, 2, 4: the sum of weights follows the cells, fractions fit, a bad cell keeps its message', async () => {
  const page = await open(browser, `${server.url}?size=64`, { viewport: { width: 1440, height: 900 } });
  await waitForMap(page);
  await page.fill('[data-testid=kernel-cell-1-1]', '9');
  await page.waitForFunction(() => /= 1$/.test(document.getElementById('kernel-sum').textContent));
  await page.selectOption('select[name=kernel]', 'gaussian-5');
  await page.waitForFunction(() => document.querySelectorAll('#kernel-grid input').length === 25);
  const cut = await page.$$eval('#kernel-grid input', (cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.value));
  assert.deepEqual(cut, [], 'no weight is cut');
  assert.equal(await page.inputValue('[data-testid=kernel-cell-0-0]'), '1/256');
  const panel = await page.locator('.kernel-panel').boundingBox();
  const grid = await page.locator('#kernel-grid').boundingBox();
  assert.ok(grid.x + grid.width <= panel.x + panel.width, 'the grid stays in its panel');
  // 7x7: 49 cells, none cut, the grid still inside its panel and on the screen.
  await page.selectOption('select[name=kernel]', 'gaussian-7');
  await page.waitForFunction(() => document.querySelectorAll('#kernel-grid input').length === 49);
  assert.deepEqual(await page.$$eval('#kernel-grid input', (cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.value)), []);
  const panel7 = await page.locator('.kernel-panel').boundingBox();
  const grid7 = await page.locator('#kernel-grid').boundingBox();
  assert.ok(grid7.x + grid7.width <= panel7.x + panel7.width && grid7.x + grid7.width <= 1440, 'the 7x7 grid stays in its panel');
  await page.selectOption('select[name=kernel]', 'box-5');
  await page.waitForFunction(() => /= 1$/.test(document.getElementById('kernel-sum').textContent));
  // Defect 4: "abc" in one cell, then a good edit in another: the message stays.
  await page.selectOption('select[name=kernel]', 'edges');
  await page.fill('[data-testid=kernel-cell-0-0]', 'abc');
  await page.waitForSelector('#message:not([hidden])');
  await page.fill('[data-testid=kernel-cell-2-2]', '2');
  await page.waitForFunction(() => /weights=-1,-1,-1;-1,8,-1;-1,-1,2/.test(location.search));
  assert.equal(await page.isVisible('#message'), true, 'the bad cell is still said');
  assert.match(await page.textContent('#message'), /row 1, column 1 \(abc\) is not a number/);
  assert.equal(await page.getAttribute('[data-testid=kernel-cell-0-0]', 'aria-invalid'), 'true');
  await page.fill('[data-testid=kernel-cell-0-0]', '-1');
  await page.waitForFunction(() => document.getElementById('message').hidden);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('defects 3, 6, 7: sizes in one order, the steps tab opens on the lecture example, an upload stays in the picker', async () => {
  const page = await open(browser, `${server.url}?image=chelsea&size=full`, { viewport: { width: 1440, height: 900 } });
  await waitForMap(page);
  assert.match(await page.textContent('#input-caption'), /300 × 451 pixels \(H × W\)/);
  assert.match(await page.textContent('#output-size'), /^298 × 449 \(H × W\)$/);
  assert.match(await page.getAttribute('[data-testid=feature-map]', 'aria-label'), /298 × 449 cells \(H × W\)/);
  await page.click('label:has(input[name=view][value=steps])');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('kernel') === 'lecture-example');
  assert.equal(await page.textContent('[data-testid=steps-output] td.current'), '4');
  await page.click('label:has(input[name=view][value=conv])');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('kernel') === 'edges');
  await page.setInputFiles('[data-testid=upload]', {
    name: 'dots.png', mimeType: 'image/png', buffer: png(40, 30, (x, y) => [x * 6, y * 8, 90]),
  });
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('dots.png'));
  assert.equal(await page.inputValue('select[name=image]'), 'upload');
  assert.match(await page.textContent('select[name=image] option[value=upload]'), /dots\.png/);
  await page.evaluate(() => { document.getElementById('more').open = true; });
  await page.selectOption('select[name=size]', '32');
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('24 × 32'));
  assert.match(await page.textContent('#input-caption'), /dots\.png/);
  await page.selectOption('select[name=image]', 'chelsea');
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('chelsea'));
  assert.equal(await page.locator('select[name=image] option[value=upload]').count(), 0);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('defect 9: the shortcut list keeps the focus, PageDown on the map moves the cell, not the page', async () => {
  const page = await open(browser, `${server.url}?size=64`, { viewport: { width: 1280, height: 720 } });
  await waitForMap(page);
  await page.focus('[data-testid=feature-map]');
  await page.waitForSelector('.cell-heading');
  await page.keyboard.press('PageDown');
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page did not scroll');
  assert.match(await page.textContent('.cell-heading'), /row 7, column 0/);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('?');
  await page.waitForSelector('#help:not([hidden])');
  for (let i = 0; i < 4; i += 1) {
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.getElementById('help').contains(document.activeElement)), 'focus inside the list');
  }
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('#help'), false);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('defect 11: the 1D caption, the same-stride wording, the panel figure and the article', async () => {
  const page = await open(browser, `${server.url}?view=1d`, { viewport: { width: 1440, height: 900 } });
  await page.waitForSelector('[data-testid=oned-rows] td.z');
  assert.doesNotMatch(await page.textContent('#oned-parameters'), /below/);
  await page.goto(`${server.url}?size=64&padding=same&stride=2`);
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /the stride here is 2x2/);
  await page.goto(`${server.url}?size=64&kernel=box-7&dilation=2`);
  await waitForMap(page);
  assert.match(await page.textContent('#receptive-field'), /sees a window of 13×13 input pixels/);
  // The Russian notice for an unknown kernel is Russian to its end.
  await page.goto(`${server.url}?size=64&kernel=nope&lang=ru`);
  await waitForMap(page);
  const notice = await page.textContent('#notices');
  assert.match(notice, /\(оставлено edges\)$/);
  assert.doesNotMatch(notice, /kept/);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('defect 8: diverging colours with three channels draw each channel in the colour map', async () => {
  const page = await open(browser, `${server.url}?size=64&display=diverging`, { viewport: { width: 1440, height: 900 } });
  await waitForMap(page);
  await page.waitForSelector('[data-testid=channel-map-2]');
  assert.equal(await page.isVisible('#legend-bar'), true, 'the colour scale is shown');
  const expected = oracle(await query(page), await readCanvas(page, 'input-frame'));
  let largest = 0;
  for (let c = 0; c < 3; c += 1) {
    for (let y = 0; y < expected.height; y += 1) {
      for (let x = 0; x < expected.width; x += 1) largest = Math.max(largest, Math.abs(expected.value(c, y, x)));
    }
  }
  // ColorBrewer RdBu's ends: blue −largest, white 0, red +largest, one scale for the three.
  const colour = (t) => {
    const end = t < 0 ? [33, 102, 172] : [178, 24, 43];
    return [0, 1, 2].map((i) => Math.round(247 + (end[i] - 247) * Math.min(1, Math.abs(t))));
  };
  let blue = 0;
  for (let c = 0; c < 3; c += 1) {
    const shown = await readCanvas(page, `channel-map-${c}`);
    assert.equal(`${shown.width}x${shown.height}`, `${expected.width}x${expected.height}`);
    for (let y = 0; y < shown.height; y += 1) {
      for (let x = 0; x < shown.width; x += 1) {
        const want = colour(expected.value(c, y, x) / largest);
        const i = (y * shown.width + x) * 4;
        for (let k = 0; k < 3; k += 1) assert.ok(Math.abs(shown.data[i + k] - want[k]) <= 1, `channel ${c} at (${y}, ${x})`);
        if (expected.value(c, y, x) < 0) blue += 1;
      }
    }
  }
  assert.ok(blue > 0, 'an edge kernel has negative responses, drawn blue');
  assert.match(await page.textContent('#legend-text'), /below each channel in the colour map: blue −/);
  // One channel: the map itself is in the colour map, and no strip is needed.
  await page.goto(`${server.url}?size=64&display=diverging&channel=gray`);
  await waitForMap(page);
  assert.equal(await page.isVisible('#channel-maps'), false);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('defect 10: embed at 640x360 keeps the map size in its heading; the Embed dialog names controls in words', async () => {
  const framed = await open(browser, `${server.url}?size=64&embed=1&controls=stride`, { viewport: { width: 640, height: 360 } });
  await waitForMap(framed);
  assert.equal(await framed.isVisible('#output-size'), true, 'the size is in the heading');
  assert.match(await framed.textContent('#feature-title'), /62 × 62 \(H × W\)/);
  const heading = await framed.locator('#feature-title').boundingBox();
  assert.ok(heading.x >= 0 && heading.x + heading.width <= 640, 'the heading fits its frame');
  await framed.context().close();
  const page = await open(browser, `${server.url}?size=64`, {
    viewport: { width: 1440, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'],
  });
  await waitForMap(page);
  await page.click('#embed-open');
  await page.waitForSelector('[data-testid=embed-control-padding_mode]');
  const labels = Object.fromEntries(await page.$$eval('#embed-controls label', (all) => all.map((l) => [
    l.querySelector('input').value, l.querySelector('span').textContent,
  ])));
  assert.equal(labels.padding_mode, 'Padding mode');
  assert.equal(labels.display, 'Display');
  assert.equal(labels.size, 'Size');
  assert.equal(labels.stride, 'Stride');
  for (const [name, label] of Object.entries(labels)) assert.doesNotMatch(label, /_/, `${name} is said in words: ${label}`);
  // Russian: the same labels in Russian.
  await page.keyboard.press('Escape');
  await page.click('label:has(input[name=lang][value=ru])');
  await page.click('#embed-open');
  await page.waitForSelector('[data-testid=embed-control-padding_mode]');
  assert.doesNotMatch(await page.textContent('[data-testid=embed-control-padding_mode] + span'), /[a-z]/);
  assertNoConsoleErrors(page);
  await page.context().close();
});
