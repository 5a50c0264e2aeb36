// The 1D view: z_i = w1 x_{i-1} + w2 x_i + w3 x_{i+1}, stride and padding, and the
// fully connected layer with shared weights that a convolution is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, query, change, screenshot, assertNoConsoleErrors } from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const zs = (page) => page.$$eval('#oned-rows td[data-z]', (cells) => cells.map((c) => Number(c.textContent)));

test('the lecture\'s 1D formula, with zero padding and stride', async () => {
  const page = await open(browser, `${server.url}?view=1d&padding=1`);
  await page.waitForSelector('#oned-rows td[data-z]');
  const x = [1, 3, 2, 5, 4, 1, 0, 2];
  const at = (i) => (i >= 0 && i < x.length ? x[i] : 0);
  assert.deepEqual(await zs(page), x.map((_, i) => at(i - 1) + 2 * at(i) + at(i + 1)));
  await page.hover('#oned-rows td[data-z="3"]');
  assert.equal(await page.textContent('[data-testid=oned-sum]'), 'z4 = w1·x3 + w2·x4 + w3·x5 = 1·2 + 2·5 + 1·4 = 16');
  assert.equal(await page.locator('#oned-rows td.tap').count(), 3);
  // The matrix: 8x8, three shared weights on a band, zeros elsewhere.
  const matrix = await page.$$eval('#oned-matrix tr', (rows) => rows.slice(1).map((r) => [...r.cells].slice(1).map((c) => c.textContent)));
  assert.deepEqual(matrix[3], ['0', '0', 'w1', 'w2', 'w3', '0', '0', '0']);
  assert.match(await page.textContent('#oned-parameters'), /3 weights, shared by all 8 outputs.*8 × 8 = 64 weights/);
  // Stride 2 halves the outputs; the matrix rows shift by two.
  await change(page, () => page.check('input[name=stride][value="2"]'));
  assert.deepEqual(await zs(page), [0, 2, 4, 6].map((i) => at(i - 1) + 2 * at(i) + at(i + 1)));
  const strided = await page.$$eval('#oned-matrix tr', (rows) => rows.slice(1).map((r) => [...r.cells].slice(1).map((c) => c.textContent)));
  assert.deepEqual(strided[1], ['0', 'w1', 'w2', 'w3', '0', '0', '0', '0']);
  // Edit the sequence and the kernel.
  await change(page, async () => { await page.fill('[data-testid=sequence]', '1, 1, 1, 1'); await page.press('[data-testid=sequence]', 'Enter'); });
  await change(page, async () => { await page.fill('[data-testid=taps]', '1,-1'); await page.press('[data-testid=taps]', 'Enter'); });
  assert.match(await query(page), /sequence=1,1,1,1&taps=1,-1/);
  assert.deepEqual(await zs(page), [-1, 0, 1]);
  // A bad sequence is explained and changes nothing.
  await page.fill('[data-testid=sequence]', '1,,2');
  await page.press('[data-testid=sequence]', 'Enter');
  assert.match(await page.textContent('#message'), /sequence cell at row 1, column 2 \(empty\) is not a number/);
  assert.deepEqual(await zs(page), [-1, 0, 1]);
  await screenshot(page, 'oned');
  assertNoConsoleErrors(page);
  await page.context().close();
});
