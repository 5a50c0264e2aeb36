// Hover, tap and keyboard focus on output cells: the window on the input and the
// arithmetic, checked against the core's numbers; and the pooling demo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, waitForMap, readCanvas, query, assertMapMatchesCore, oracle,
  screenshot, assertNoConsoleErrors,
} from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Points at cell (y, x) of a map canvas. */
async function pointAt(page, testid, y, x) {
  const canvas = page.locator(`[data-testid=${testid}]`);
  const box = await canvas.boundingBox();
  const size = await canvas.evaluate((c) => [c.width, c.height]);
  await page.mouse.move(box.x + (x + 0.5) * box.width / size[0], box.y + (y + 0.5) * box.height / size[1]);
}

/** The results the arithmetic panel shows, by channel. */
async function results(page) {
  return page.$$eval('#arithmetic .channel', (blocks) =>
    Object.fromEntries(blocks.map((b) => [b.dataset.channel, Number(b.dataset.result)])));
}

test('hovering a feature-map cell outlines its window and shows its arithmetic', async () => {
  const page = await open(browser, `${server.url}?size=64&stride=2&padding=1&dilation=2`);
  await waitForMap(page);
  const { input, expected, q } = await assertMapMatchesCore(page);
  assert.equal(expected.width, 31);
  for (const [y, x] of [[0, 0], [10, 7], [30, 30]]) {
    await pointAt(page, 'feature-map', y, x);
    await page.waitForFunction((t) => document.querySelector('.cell-heading')?.textContent.includes(t), `row ${y}, column ${x}`);
    const shown = await results(page);
    assert.deepEqual(Object.keys(shown), ['R', 'G', 'B']);
    ['R', 'G', 'B'].forEach((channel, c) => {
      assert.ok(Math.abs(shown[channel] - expected.value(c, y, x)) < 1e-3,
        `cell ${y},${x} ${channel}: page ${shown[channel]}, core ${expected.value(c, y, x)} (?${q})`);
    });
    // The window: top-left at (2y - 1, 2x - 1), 5x5 at dilation 2.
    const heading = await page.textContent('.cell-heading');
    assert.ok(heading.includes(`input rows ${2 * y - 1}…${2 * y + 3}, columns ${2 * x - 1}…${2 * x + 3}`), heading);
    assert.equal(await page.isVisible('#window-box'), true);
    assert.equal(await page.locator('#window-taps .tap').count(), 9);
  }
  // The corner cell reads padding: its padded taps are marked.
  await pointAt(page, 'feature-map', 0, 0);
  assert.equal(await page.locator('#arithmetic .channel[data-channel=R] td.padded').count(), 5);
  // The sum line adds the products with real numbers.
  const sum = await page.textContent('[data-testid=sum-R]');
  assert.match(sum, /^R: .*·\(−1\).* = -?\d+/);
  assert.equal(await page.isVisible('#pad-frame'), true);
  // Dilation widens the field at no extra weights, and the page says so.
  assert.match(await page.textContent('#receptive-field'), /window of 5×5 input pixels.*its 9 weights spread with gaps of 1 pixel, a larger field at no extra weights/);
  assert.equal(input.width, 64);
  await screenshot(page, 'conv-hover');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('keyboard focus and arrow keys move the selected cell', async () => {
  const page = await open(browser, `${server.url}?size=32&channel=gray`);
  await waitForMap(page);
  await page.focus('[data-testid=feature-map]');
  await page.waitForSelector('.cell-heading');
  assert.match(await page.textContent('.cell-heading'), /row 0, column 0/);
  // Screen readers hear one polite sentence with the result.
  assert.match(await page.textContent('#cell-announcement'), /^Row 0, column 0: Gray = -?\d+/);
  assert.equal(await page.getAttribute('#cell-announcement', 'aria-live'), 'polite');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  assert.match(await page.textContent('.cell-heading'), /row 1, column 2/);
  const { expected } = await assertMapMatchesCore(page);
  const shown = await results(page);
  assert.ok(Math.abs(shown.Gray - expected.value(0, 1, 2)) < 1e-3);
  await page.keyboard.press('End');
  assert.match(await page.textContent('.cell-heading'), /row 29, column 29/);
  // A tap (pointer down) selects too.
  const box = await page.locator('[data-testid=feature-map]').boundingBox();
  await page.mouse.click(box.x + 2, box.y + 2);
  assert.match(await page.textContent('.cell-heading'), /row 0, column 0/);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the pooling demo pools as the core does and shows which cells a pooled cell took', async () => {
  const page = await open(browser, `${server.url}?view=pool&size=128`);
  await waitForMap(page, 'pooled-map');
  assert.equal(await page.isVisible('[data-testid=feature-map]'), false);
  let checked = 0;
  for (const [name, value] of [['pool', 'max'], ['pool_size', '3'], ['pool', 'mean'], ['pool_stride', '1'], ['pool', 'min'], ['channel', 'g'], ['pool_size', '4'], ['pool_stride', 'auto'], ['pool', 'max']]) {
    const selector = `[name=${name}]`;
    const isSelect = await page.$eval(selector, (e) => e.tagName === 'SELECT');
    if (isSelect) await page.selectOption(selector, value);
    else await page.check(`input[name=${name}][value="${value}"]`);
    assert.ok((await query(page)).split('&').includes(`${name}=${value}`));
    await assertMapMatchesCore(page, 'pooled-map');
    checked += 1;
  }
  assert.equal(checked, 9);
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.MaxPool2d(kernel_size=4, stride=4)');
  // Hover a pooled cell: its 4x4 window, with the maximum marked.
  await pointAt(page, 'pooled-map', 5, 6);
  await page.waitForSelector('#arithmetic .channel');
  const heading = await page.textContent('.cell-heading');
  assert.ok(heading.includes('input rows 20…23, columns 24…27'), heading);
  const cells = await page.$$eval('#arithmetic td', (tds) => tds.map((td) => ({ v: Number(td.textContent), chosen: td.classList.contains('chosen') })));
  assert.equal(cells.length, 16);
  const max = Math.max(...cells.map((c) => c.v));
  assert.deepEqual(cells.filter((c) => c.chosen).map((c) => c.v), [max]);
  const input = await readCanvas(page, 'input-frame');
  const expected = oracle(await query(page), input);
  assert.equal(max, expected.value(0, 5, 6));
  assert.match(await page.textContent('#pool-formula-h'), /= 32$/);
  await screenshot(page, 'pool-hover');
  assertNoConsoleErrors(page);
  await page.context().close();
});
