// The step-by-step view: the lecture's 5x5 example filling in window by window, with
// the products and sums; stepping, playing, scrubbing; editing and painting the grid;
// stride, padding, dilation and pooling changing the animation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, query, change, screenshot, assertNoConsoleErrors } from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const output = (page) => page.$$eval('#steps-output tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
const position = (page) => page.textContent('#steps-position');

test('the lecture\'s 2D example fills in [[4,3,4],[2,4,3],[2,3,4]] step by step', async () => {
  const page = await open(browser, `${server.url}?view=steps`);
  await page.waitForSelector('#steps-output td');
  assert.match(await position(page), /^Position 1 of 9: output row 0, column 0/);
  assert.equal(await page.textContent('[data-testid=steps-sum]'), '1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 + 0·0 + 1·1 = 4');
  assert.deepEqual(await output(page), [['4', '·', '·'], ['·', '·', '·'], ['·', '·', '·']]);
  // The window's nine cells are marked on the grid, with the slide's "×w" weights.
  assert.equal(await page.locator('#steps-input td.tap').count(), 9);
  assert.deepEqual(await page.$$eval('#steps-input td.tap sub', (s) => s.map((e) => e.textContent)), ['×1', '×0', '×1', '×0', '×1', '×0', '×1', '×0', '×1']);
  for (let i = 0; i < 8; i += 1) await page.click('#steps-forward');
  assert.deepEqual(await output(page), [['4', '3', '4'], ['2', '4', '3'], ['2', '3', '4']]);
  assert.match(await query(page), /step=9/);
  await page.click('#steps-back');
  assert.match(await position(page), /^Position 8 of 9/);
  // The scrubber, by keyboard.
  await page.focus('#steps-scrubber');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.match(await position(page), /^Position 3 of 9: output row 0, column 2/);
  // Play runs to the end by itself, then stops.
  await page.selectOption('#steps-speed', '120');
  await page.click('#steps-play');
  assert.equal(await page.getAttribute('#steps-play', 'aria-pressed'), 'true');
  await page.waitForFunction(() => document.getElementById('steps-play').getAttribute('aria-pressed') === 'false', null, { timeout: 10000 });
  assert.match(await position(page), /^Position 9 of 9/);
  assert.match(await page.textContent('#steps-formula-h'), /⌊\(5 \+ 2·0 − 1·\(3 − 1\) − 1\) \/ 1⌋ \+ 1 = 3$/);
  await screenshot(page, 'steps-lecture-example');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('typing and painting the grid, and stride, padding, dilation and pooling', async () => {
  const page = await open(browser, `${server.url}?view=steps`);
  await page.waitForSelector('#steps-output td');
  // Type 5 into the top-left cell: the first output becomes 4 + 4.
  await change(page, async () => {
    await page.fill('#steps-input input[data-y="0"][data-x="0"]', '5');
    await page.press('#steps-input input[data-y="0"][data-x="0"]', 'Tab');
  });
  assert.match(await query(page), /grid=5,1,1,0,0;/);
  assert.equal((await output(page))[0][0], '8');
  // Paint 1 over the bottom-right cell by dragging.
  await page.check('input[name=paint][value="1"]');
  const from = await page.locator('#steps-input input[data-y="4"][data-x="3"]').boundingBox();
  const to = await page.locator('#steps-input input[data-y="4"][data-x="4"]').boundingBox();
  await page.mouse.move(from.x + 5, from.y + 5);
  await page.mouse.down();
  await page.mouse.move(to.x + 5, to.y + 5, { steps: 4 });
  await page.mouse.up();
  assert.match(await query(page), /grid=5,1,1,0,0;0,1,1,1,0;0,0,1,1,1;0,0,1,1,0;0,1,1,1,1&/);
  // Stride 2: four positions; padding 1 with stride 2: nine, and padded cells drawn.
  await change(page, () => page.check('input[name=stride][value="2"]'));
  assert.match(await position(page), /of 4:/);
  await change(page, () => page.check('input[name=padding][value="1"]'));
  assert.match(await position(page), /of 9:/);
  assert.equal(await page.locator('#steps-input td.pad').count(), 24);
  assert.equal(await page.locator('#steps-input td.pad.tap').count(), 5);
  // Dilation 2: the taps spread with gaps, 2 cells apart.
  await change(page, () => page.check('input[name=dilation][value="2"]'));
  const taps = await page.$$eval('#steps-input td.tap', (cells) => cells.map((c) => [c.parentElement.rowIndex, c.cellIndex]));
  assert.deepEqual(taps, [[0, 0], [0, 2], [0, 4], [2, 0], [2, 2], [2, 4], [4, 0], [4, 2], [4, 4]]);
  // Max pooling, window by window.
  await change(page, () => page.check('input[name=op][value="max"]'));
  assert.match(await position(page), /^Position 1 of 4/);
  assert.match(await page.textContent('[data-testid=steps-sum]'), /^max\(5, 1, 0, 1\) = 5$/);
  assert.equal(await page.locator('#steps-input td.chosen').count(), 1);
  await change(page, () => page.check('input[name=op][value="mean"]'));
  assert.match(await page.textContent('[data-testid=steps-sum]'), /^mean\(5, 1, 0, 1\) = 1\.75$/);
  // A bad cell is explained and changes nothing.
  const before = await query(page);
  await page.check('input[name=paint][value="off"]');
  await page.fill('#steps-input input[data-y="1"][data-x="1"]', 'x');
  await page.press('#steps-input input[data-y="1"][data-x="1"]', 'Tab');
  assert.match(await page.textContent('#message'), /grid cell at row 2, column 2 \(x\) is not a number/);
  assert.equal(await query(page), before);
  assertNoConsoleErrors(page);
  await page.context().close();
});
