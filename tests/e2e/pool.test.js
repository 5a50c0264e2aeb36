// The pooling family on the photo: LP pooling with any power, padding, ceil mode (the
// formula with ⌈…⌉), where each maximum came from and unpooling; each map checked pixel
// for pixel against the core's naive reference (the oracle) or against the input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, query, change, waitForMap, readCanvas, assertMapMatchesCore, screenshot,
  assertNoConsoleErrors,
} from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Types `text` in the field `selector` and presses Enter, waiting for the redraw. */
const type = (page, selector, text) => change(page, async () => {
  await page.fill(selector, text);
  await page.press(selector, 'Enter');
});

test('LP pooling, padding and ceil mode, as the reference computes them', async () => {
  const page = await open(browser, `${server.url}?view=pool&size=64`);
  await waitForMap(page, 'pooled-map');
  // LP pooling, p = 3.
  await change(page, () => page.check('input[name=pool][value=lp]'));
  await type(page, '[data-testid=pool-p]', '3');
  assert.match(await query(page), /pool=lp&pool_size=2&pool_stride=auto&pool_p=3&/);
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.LPPool2d(3, kernel_size=2, stride=2)');
  await assertMapMatchesCore(page, 'pooled-map');
  // A power of 0 is refused in words; the map stays.
  await page.fill('[data-testid=pool-p]', '0');
  await page.press('[data-testid=pool-p]', 'Enter');
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /the power of LP pooling must be a number above 0, not 0/);
  assert.match(await query(page), /pool_p=3&/);

  // Max pooling 3x3 at stride 2 on 64: floor gives 31, ceil mode 32.
  await change(page, () => page.check('input[name=pool][value=max]'));
  await change(page, () => page.check('input[name=pool_size][value="3"]'));
  await change(page, () => page.selectOption('select[name=pool_stride]', '2'));
  assert.equal(await page.textContent('#pool-output-size'), '31 × 31 (H × W)');
  assert.equal(await page.textContent('#pool-formula-h'), 'H_out = ⌊(H_in − k) / s⌋ + 1 = ⌊(64 − 3) / 2⌋ + 1 = 31');
  await change(page, () => page.check('[data-testid=pool-ceil]'));
  assert.equal(await page.textContent('#pool-output-size'), '32 × 32 (H × W)');
  assert.equal(await page.textContent('#pool-formula-h'), 'H_out = ⌈(H_in − k) / s⌉ + 1 = ⌈(64 − 3) / 2⌉ + 1 = 32');
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)');
  await assertMapMatchesCore(page, 'pooled-map');
  // Padding 1, mean pooling (the padding counts in the divisor, as PyTorch's default).
  await change(page, () => page.check('input[name=pool_padding][value="1"]'));
  await change(page, () => page.check('input[name=pool][value=mean]'));
  assert.equal(await page.textContent('#pool-formula-w'), 'W_out = ⌈(W_in + 2p − k) / s⌉ + 1 = ⌈(64 + 2·1 − 3) / 2⌉ + 1 = 33');
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.AvgPool2d(kernel_size=3, stride=2, padding=1, ceil_mode=True)');
  await assertMapMatchesCore(page, 'pooled-map');
  // Window 2 at stride 3 with padding 1 on 64, ceil mode: the 23rd window would start at
  // row 65, in the padding, and is dropped, as PyTorch does.
  await change(page, () => page.check('input[name=pool_size][value="2"]'));
  await change(page, () => page.selectOption('select[name=pool_stride]', '3'));
  assert.equal(await page.textContent('#pool-formula-h'),
    'H_out = ⌈(H_in + 2p − k) / s⌉ + 1 = ⌈(64 + 2·1 − 2) / 3⌉ + 1 − 1 (the last window would start in the padding) = 22');
  await assertMapMatchesCore(page, 'pooled-map');
  // Padding 2 is more than half of a window of 2: said, the demo stays.
  await change(page, () => page.check('input[name=pool_padding][value="2"]'));
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /pooling padding of 2 is more than half the window \(2\)/);
  await change(page, () => page.check('input[name=pool_padding][value="0"]'));
  await page.waitForFunction(() => document.getElementById('message').hidden);
  await assertMapMatchesCore(page, 'pooled-map');
  assertNoConsoleErrors(page);
  await page.context().close();
});

/** Points at cell (y, x) of a map canvas. */
async function pointAt(page, testid, y, x) {
  const canvas = page.locator(`[data-testid=${testid}]`);
  const box = await canvas.boundingBox();
  const size = await canvas.evaluate((c) => [c.width, c.height]);
  await page.mouse.move(box.x + (x + 0.5) * box.width / size[0], box.y + (y + 0.5) * box.height / size[1]);
}

test('max-pool dilation, count_include_pad and divisor_override, each as the reference computes it', async () => {
  const page = await open(browser, `${server.url}?view=pool&size=64`);
  await waitForMap(page, 'pooled-map');
  const visible = (name) => page.isVisible(`[name=${name}]`);
  // Max pooling shows the dilation and hides what only the mean takes.
  assert.equal(await visible('pool_dilation'), true);
  assert.equal(await visible('pool_divisor'), false);
  assert.equal(await visible('pool_include_pad'), false);
  await change(page, () => page.check('input[name=pool_size][value="3"]'));
  await change(page, () => page.selectOption('select[name=pool_stride]', '2'));
  await change(page, () => page.check('input[name=pool_dilation][value="2"]'));
  assert.match(await query(page), /pool_dilation=2&/);
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.MaxPool2d(kernel_size=3, stride=2, dilation=2)');
  // 64 − 2·(3 − 1) − 1 = 59, ⌊59 / 2⌋ + 1 = 30.
  assert.equal(await page.textContent('#pool-formula-h'), 'H_out = ⌊(H_in − d·(k − 1) − 1) / s⌋ + 1 = ⌊(64 − 2·(3 − 1) − 1) / 2⌋ + 1 = 30');
  assert.equal(await page.textContent('#pool-output-size'), '30 × 30 (H × W)');
  await assertMapMatchesCore(page, 'pooled-map');
  // The magnifier spaces the taps: nine of them, every other pixel.
  await pointAt(page, 'pooled-map', 3, 4);
  await page.waitForSelector('#arithmetic .channel');
  assert.equal(await page.locator('#window-taps .tap').count(), 9);
  assert.match(await page.textContent('.cell-heading'), /rows 6…10, columns 8…12/);

  // The mean: no dilation; with padding, the divisor choice appears.
  await change(page, () => page.check('input[name=pool][value=mean]'));
  assert.equal(await visible('pool_dilation'), false);
  assert.equal(await visible('pool_divisor'), true);
  assert.equal(await visible('pool_include_pad'), false);
  await change(page, () => page.check('input[name=pool_padding][value="1"]'));
  assert.equal(await visible('pool_include_pad'), true);
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.AvgPool2d(kernel_size=3, stride=2, padding=1)');
  const { expected } = await assertMapMatchesCore(page, 'pooled-map');
  // The corner's window holds 4 pixels and 5 padded cells: the sum over 9.
  const sumLine = async (y, x) => {
    await pointAt(page, 'pooled-map', y, x);
    await page.waitForFunction((t) => document.querySelector('.cell-heading')?.textContent.includes(t), `row ${y}, column ${x}`);
    return page.textContent('[data-testid=sum-R]');
  };
  const checkMean = (line, divisor, value) => {
    const m = line.match(/^R: \(([\d. +]+)\) \/ (\d+) = ([\d.]+)/);
    assert.ok(m, line);
    const values = m[1].split(' + ').map(Number);
    assert.equal(Number(m[2]), divisor, line);
    assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) / divisor - Number(m[3])) < 0.01, line);
    assert.ok(Math.abs(Number(m[3]) - value) < 0.01, `${line} against the core's ${value}`);
    return values;
  };
  let line = await sumLine(0, 0);
  assert.equal(checkMean(line, 9, expected.value(0, 0, 0)).length, 4);
  assert.match(line, /\(9: the window with its padding\)$/);
  // count_include_pad=False: the same four pixels over 4.
  await change(page, () => page.uncheck('[data-testid=pool-include-pad]'));
  assert.match(await query(page), /pool_include_pad=0&/);
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.AvgPool2d(kernel_size=3, stride=2, padding=1, count_include_pad=False)');
  let check = await assertMapMatchesCore(page, 'pooled-map');
  line = await sumLine(0, 0);
  checkMean(line, 4, check.expected.value(0, 0, 0));
  // divisor_override=1: sum pooling (the map clamps at 255).
  await change(page, async () => {
    await page.fill('[data-testid=pool-divisor]', '1');
    await page.press('[data-testid=pool-divisor]', 'Enter');
  });
  assert.match(await query(page), /pool_divisor=1&/);
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'),
    'nn.AvgPool2d(kernel_size=3, stride=2, padding=1, count_include_pad=False, divisor_override=1)');
  assert.equal(await visible('pool_include_pad'), false);
  check = await assertMapMatchesCore(page, 'pooled-map');
  line = await sumLine(5, 6);
  assert.equal(checkMean(line, 1, check.expected.value(0, 5, 6)).length, 9);
  assert.match(line, /\(1: divisor_override\)$/);
  // A divisor of 0 is refused in words (PyTorch: "divisor must be not zero").
  await page.fill('[data-testid=pool-divisor]', '0');
  await page.press('[data-testid=pool-divisor]', 'Enter');
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /pool_divisor must be a whole number from 1 to 256/);
  assert.match(await query(page), /pool_divisor=1&/);
  // Empty is PyTorch's default again; back to max, the dilation 2 is still there.
  await change(page, async () => {
    await page.fill('[data-testid=pool-divisor]', '');
    await page.press('[data-testid=pool-divisor]', 'Enter');
  });
  assert.match(await query(page), /pool_divisor=auto/);
  await change(page, () => page.check('input[name=pool][value=max]'));
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=2)');
  await assertMapMatchesCore(page, 'pooled-map');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('where each maximum came from, and unpooling puts it back', async () => {
  const page = await open(browser, `${server.url}?view=pool&size=64`);
  await waitForMap(page, 'pooled-map');
  assert.equal(await page.isVisible('#argmax-panel'), false);
  await change(page, () => page.check('[data-testid=pool-indices]'));
  await waitForMap(page, 'unpooled-map');
  assert.equal(await page.isVisible('#argmax-panel'), true);
  assert.equal(await page.textContent('[data-testid=pool-pytorch]'), 'nn.MaxPool2d(kernel_size=2, stride=2, return_indices=True)');
  assert.equal(await page.textContent('[data-testid=unpool-pytorch]'),
    'nn.MaxUnpool2d(kernel_size=2, stride=2)(y, indices, output_size=x.shape[-2:])');
  const input = await readCanvas(page, 'input-frame');
  const pooled = await readCanvas(page, 'pooled-map');
  const unpooled = await readCanvas(page, 'unpooled-map');
  const argmax = await readCanvas(page, 'argmax-map');
  assert.equal(`${unpooled.width}x${unpooled.height}`, `${input.width}x${input.height}`);
  // In each 2x2 window and channel: one cell holds the window's maximum (the first, row by
  // row, as PyTorch picks), the others are zero; the dimmed input keeps that cell bright.
  let taken = 0;
  for (let y = 0; y + 1 < input.height; y += 2) {
    for (let x = 0; x + 1 < input.width; x += 2) {
      for (let c = 0; c < 3; c += 1) {
        const at = (img, yy, xx) => img.data[4 * (yy * img.width + xx) + c];
        const cells = [[y, x], [y, x + 1], [y + 1, x], [y + 1, x + 1]];
        const best = Math.max(...cells.map(([yy, xx]) => at(input, yy, xx)));
        const first = cells.findIndex(([yy, xx]) => at(input, yy, xx) === best);
        assert.equal(at(pooled, y / 2, x / 2), best);
        cells.forEach(([yy, xx], i) => {
          assert.equal(at(unpooled, yy, xx), i === first ? best : 0, `unpooled ${c} at ${yy},${xx}`);
          const v = at(input, yy, xx);
          assert.equal(at(argmax, yy, xx), i === first ? v : Math.round(v / 3), `argmax ${c} at ${yy},${xx}`);
        });
        taken += 1;
      }
    }
  }
  assert.match(await page.textContent('#argmax-hint'), new RegExp(`the ${taken} cells the windows took stay bright`));
  // Mean pooling has no indices: the panels go.
  await change(page, () => page.check('input[name=pool][value=mean]'));
  assert.equal(await page.isVisible('#unpool-panel'), false);
  await change(page, () => page.check('input[name=pool][value=max]'));
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the pooling view with indices at 1440x900 and 1920x1080', async () => {
  for (const [width, height] of [[1440, 900], [1920, 1080]]) {
    const page = await open(browser, `${server.url}?view=pool&pool_indices=1&pool_ceil=1&pool_size=3&pool_stride=2`, { viewport: { width, height } });
    await waitForMap(page, 'unpooled-map');
    const box = await page.locator('[data-testid=pooled-map]').boundingBox();
    assert.ok(box.y < height, 'the pooled map starts on the first screen');
    await screenshot(page, `pool-indices-${width}x${height}`);
    assertNoConsoleErrors(page);
    await page.context().close();
  }
});
