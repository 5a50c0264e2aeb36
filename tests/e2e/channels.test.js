// The channels view: a layer with three input channels, each output channel the sum of
// its per-channel parts; 1x1 convolutions as mixing along channels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, readCanvas, query, change, screenshot, assertNoConsoleErrors } from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('1x1 convolution mixes channels: RGB to gray and red minus green', async () => {
  const page = await open(browser, `${server.url}?view=channels&size=64`);
  await page.waitForSelector('[data-testid=channels-out-1]');
  assert.equal(await page.textContent('[data-testid=channels-pytorch]'), 'nn.Conv2d(3, 2, kernel_size=1, bias=False)');
  assert.match(await page.textContent('#channels-parameters'), /= 6 \(no bias\)/);
  const input = await readCanvas(page, 'input-frame');
  const gray = await readCanvas(page, 'channels-out-0');
  const redMinusGreen = await readCanvas(page, 'channels-out-1');
  const minusGreen = await readCanvas(page, 'channels-part-1-1');
  // Signed maps read as signed (defect 8): R − G and −1 · G in the diverging colour map
  // (ColorBrewer RdBu's ends: blue (33, 102, 172) −, white (247, 247, 247) 0, red
  // (178, 24, 43) +), each scaled by its largest |value|; the gray row stays gray.
  const diverging = (t) => {
    const end = t < 0 ? [33, 102, 172] : [178, 24, 43];
    return [0, 1, 2].map((i) => Math.round(247 + (end[i] - 247) * Math.min(1, Math.abs(t))));
  };
  let largest = 0;
  let greenest = 0;
  for (let i = 0; i < input.data.length; i += 4) {
    largest = Math.max(largest, Math.abs(input.data[i] - input.data[i + 1]));
    greenest = Math.max(greenest, input.data[i + 1]);
  }
  let worst = 0;
  for (let i = 0; i < input.data.length; i += 4) {
    const [r, g, b] = [input.data[i], input.data[i + 1], input.data[i + 2]];
    worst = Math.max(worst, Math.abs(gray.data[i] - Math.round(0.299 * r + 0.587 * g + 0.114 * b)));
    const signed = diverging((r - g) / largest);
    const negative = diverging(-g / greenest);
    for (let k = 0; k < 3; k += 1) {
      worst = Math.max(worst, Math.abs(redMinusGreen.data[i + k] - signed[k]), Math.abs(minusGreen.data[i + k] - negative[k]));
    }
  }
  assert.ok(worst <= 1, `largest difference ${worst}`);
  assert.equal(await page.isVisible('#channels-signed'), true, 'the colours are explained');
  assert.match(await page.textContent('#channels-signed'), /blue negative · white 0 · red positive/);
  // Three outputs: swap red and blue.
  await change(page, () => page.selectOption('select[name=mix]', '0,0,1;0,1,0;1,0,0'));
  assert.equal(await page.locator('#channels-grid .mix-row').count(), 3);
  assert.equal(await page.textContent('[data-testid=channels-pytorch]'), 'nn.Conv2d(3, 3, kernel_size=1, bias=False)');
  // Weight times kernel: each filter is a 3x3x3 stack.
  await change(page, () => page.check('input[name=spatial][value="1"]'));
  await change(page, () => page.selectOption('select[name=kernel]', 'sobel-left'));
  assert.match(await page.textContent('#channels-parameters'), /\(3·3·3\)·3 = 81 \(no bias\)/);
  assert.equal(await page.textContent('[data-testid=channels-pytorch]'), 'nn.Conv2d(3, 3, kernel_size=3, bias=False)');
  assert.match(await query(page), /mix=0,0,1;0,1,0;1,0,0&spatial=1/);
  // A bias is added to every output channel and counted.
  await change(page, async () => { await page.fill('[data-testid=bias]', '10'); await page.press('[data-testid=bias]', 'Enter'); });
  assert.match(await page.textContent('#channels-parameters'), /\(3·3·3 \+ 1\)·3 = 84 \(with bias\)/);
  assert.equal(await page.textContent('[data-testid=channels-pytorch]'), 'nn.Conv2d(3, 3, kernel_size=3)');
  assert.deepEqual(await page.$$eval('#channels-grid .mix-row:first-child .op', (ops) => ops.map((o) => o.textContent)), ['+', '+', '+ 10 =']);
  // Typed weights, and a bad row explained.
  await change(page, async () => { await page.fill('[data-testid=mix]', '1,1,1'); await page.press('[data-testid=mix]', 'Enter'); });
  assert.equal(await page.locator('#channels-grid .mix-row').count(), 1);
  await page.fill('[data-testid=mix]', '1,2');
  await page.press('[data-testid=mix]', 'Enter');
  assert.match(await page.textContent('#message'), /each with 3 numbers: for R, G and B/);
  assert.equal(await page.locator('#channels-grid .mix-row').count(), 1);
  await screenshot(page, 'channels');
  assertNoConsoleErrors(page);
  await page.context().close();
});
