// The block views (view=blocks), one per slide of the lecture: the residual block with
// its shortcut and the gradient identity, the Inception block with the savings of its
// 1x1 reductions and of n×1 + 1×n, the dense block growing by k. Real clicks on the
// controls and on the drawing; the drawing's pixels say where the boxes and the shortcut
// are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, readCanvas, query, change, screenshot, assertNoConsoleErrors,
} from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// The drawing's geometry (views/blocks.rs, mod geometry): boxes of 200×40 with gaps of
// 24 and 22, a margin of 12.
const box = (row, column) => ({ x: 12 + column * 224, y: 12 + row * 62, w: 200, h: 40 });
const plain = (text) => text.replace(/\u2009/g, ' ');
const numbers = async (page) => plain(await page.textContent('[data-testid=blocks-numbers]'));
const units = (page) => page.getAttribute('[data-testid=blocks-diagram]', 'data-units');
const waitForUnits = (page, n) => page.waitForFunction(
  (count) => document.querySelector('[data-testid=blocks-diagram]')?.getAttribute('data-units') === String(count), n,
);

/** The pixel at canvas (x, y) as [r, g, b]. */
function pixel(canvas, x, y) {
  const i = (Math.round(y) * canvas.width + Math.round(x)) * 4;
  return [canvas.data[i], canvas.data[i + 1], canvas.data[i + 2]];
}

/** The colour inside a box (its fill, away from the text). */
const fillOf = (canvas, b) => pixel(canvas, b.x + b.w - 6, b.y + 4);

/** A real click in the middle of box (row, column) of the drawing, scaled as shown. */
async function clickBox(page, row, column) {
  const canvas = page.locator('[data-testid=blocks-diagram]');
  const { width } = await page.evaluate(() => document.querySelector('[data-testid=blocks-diagram]').getBoundingClientRect().toJSON());
  const pixels = await page.evaluate(() => document.querySelector('[data-testid=blocks-diagram]').width);
  const scale = width / pixels;
  const b = box(row, column);
  await canvas.click({ position: { x: (b.x + b.w / 2) * scale, y: (b.y + b.h / 2) * scale } });
}

test('the residual block: y = F(x) + x, the projection when the shape changes, the gradient identity', async () => {
  const page = await open(browser, `${server.url}?view=blocks`, { viewport: { width: 1440, height: 900 } });
  await waitForUnits(page, 5);
  assert.equal(await page.textContent('#blocks-title'), 'Bottleneck: 256×56×56 → 256×56×56');
  let text = await numbers(page);
  // ResNet-50's layer1.1: 64·256 + 64·64·9 + 256·64 weights and 2·(64 + 64 + 256) of BN.
  assert.match(text, /The whole block: 70 400 parameters, 218 365 952 multiply-adds/);
  assert.match(text, /Shortcut: the identity, x itself \(0 parameters\)/);
  assert.match(text, /0\.5\^20 = 9\.54·10\^-7 without shortcuts, by 1\.5\^20 = 3325\.2567 with them/);
  // The identity shortcut: a red line in the right margin, from x down to the sum.
  let canvas = await readCanvas(page, 'blocks-diagram');
  const lane = 12 + 224 + 4;
  const redRows = [];
  for (let y = 0; y < canvas.height; y += 1) {
    for (let x = lane - 6; x < canvas.width; x += 1) {
      const [r, g, b] = pixel(canvas, x, y);
      if (r > 150 && r - g > 60 && r - b > 60) { redRows.push(y); break; }
    }
  }
  assert.ok(redRows.length > 3 * 62, `the shortcut spans the block: ${redRows.length} rows`);
  assert.deepEqual(fillOf(canvas, box(4, 0)), [0xf5, 0xc6, 0xc0], 'the sum is drawn');
  // Stride 2 and 128 planes: the shape changes, a projection appears beside conv1.
  await change(page, () => page.selectOption('[data-testid=block-stride]', '2'));
  await change(page, async () => { await page.fill('[data-testid=planes]', '128'); await page.press('[data-testid=planes]', 'Tab'); });
  assert.match(await query(page), /planes=128&block_stride=2/);
  await waitForUnits(page, 6);
  assert.equal(await page.textContent('#blocks-title'), 'Bottleneck: 256×56×56 → 512×28×28');
  text = await numbers(page);
  // The projection: 256·512 weights of a 1×1 convolution and 2·512 of its BN.
  assert.match(text, /a projection, because the shape changes from 256×56×56 to 512×28×28: a 1×1 convolution with stride 2 and batch normalisation \(132 096 parameters\)/);
  canvas = await readCanvas(page, 'blocks-diagram');
  assert.deepEqual(fillOf(canvas, box(1, 1)), [0xf5, 0xc6, 0xc0], 'the projection is drawn beside conv1');
  assert.deepEqual(fillOf(canvas, box(1, 0)), [0xcf, 0xe0, 0xf5]);
  // The gradient: one step of the slider, ∂F/∂x = 0.55.
  await change(page, async () => { await page.focus('[data-testid=gain]'); await page.keyboard.press('ArrowRight'); });
  assert.match(await query(page), /gain=55/);
  assert.match(await numbers(page), /0\.55\^20 = 6\.42·10\^-6 without shortcuts, by 1\.55\^20 = 64\d\d\.\d+ with them/);
  // A box picked: its layers as PyTorch writes them.
  await clickBox(page, 2, 0);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=blocks-picked] li.layer').length === 3);
  const picked = await page.$$eval('[data-testid=blocks-picked] li', (lis) => lis.map((li) => li.textContent));
  assert.match(plain(picked[0]), /^block\.conv2: nn\.Conv2d\(128, 128, kernel_size=3, stride=2, padding=1, bias=False\) → 128×28×28, 147 456 parameters, 115 605 504 multiply-adds$/);
  assert.match(picked[1], /^block\.bn2: nn\.BatchNorm2d\(128\)/);
  canvas = await readCanvas(page, 'blocks-diagram');
  assert.deepEqual(pixel(canvas, box(2, 0).x, box(2, 0).y + 20), [0, 0, 0], 'the picked box is outlined');
  await screenshot(page, 'blocks-residual-1440');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the Inception block: four branches, the 1x1 reductions\' savings, n×1 then 1×n', async () => {
  const page = await open(browser, `${server.url}?view=blocks`, { viewport: { width: 1920, height: 1080 } });
  await waitForUnits(page, 5);
  await change(page, () => page.click('[data-testid=block-inception]'));
  assert.match(await query(page), /block=inception/);
  await waitForUnits(page, 9);
  assert.equal(await page.textContent('#blocks-title'), 'Inception: 192×28×28 → 256×28×28');
  let text = await numbers(page);
  assert.match(text, /155 872 parameters/);
  assert.match(text, /Concatenated: 64 \+ 128 \+ 32 \+ 32 = 256 channels/);
  assert.match(text, /192·128·3² = 221 184 weights directly, 192·96 \+ 96·128·3² = 129 024 through 96 channels, 42 % fewer/);
  assert.match(text, /192·32·5² = 153 600 weights directly, 192·16 \+ 16·32·5² = 15 872 through 16 channels, 90 % fewer/);
  assert.match(text, /3×3 replaced by 3×1 then 1×3: 9 → 6 weights per pair of channels \(33 % fewer\)/);
  // Four branches side by side: three convolutions and the max pooling on the first row.
  const canvas = await readCanvas(page, 'blocks-diagram');
  for (let column = 0; column < 3; column += 1) {
    assert.deepEqual(fillOf(canvas, box(1, column)), [0xcf, 0xe0, 0xf5], `branch ${column + 1}`);
  }
  assert.deepEqual(fillOf(canvas, box(1, 3)), [0xf8, 0xdf, 0xb8], 'the pooling branch');
  assert.deepEqual(fillOf(canvas, box(3, 0)), [0xcd, 0xeb, 0xc9], 'the concatenation');
  await change(page, async () => { await page.fill('[data-testid=factor]', '7'); await page.press('[data-testid=factor]', 'Tab'); });
  assert.match(await numbers(page), /7×7 replaced by 7×1 then 1×7: 49 → 14 weights per pair of channels \(71 % fewer\)/);
  // Wider reductions cost more: 192 → 128 → 128.
  await change(page, async () => { await page.fill('[data-testid=branches]', '64,128,128,16,32,32'); await page.press('[data-testid=branches]', 'Tab'); });
  text = await numbers(page);
  assert.match(text, /192·128 \+ 128·128·3² = 172 032 through 128 channels, 22 % fewer/);
  // A bad list is refused with the reason and the list in use stays.
  await page.fill('[data-testid=branches]', '1,2,3');
  await page.press('[data-testid=branches]', 'Tab');
  await page.waitForFunction(() => /six channel counts/.test(document.querySelector('#message').textContent));
  assert.equal(await page.inputValue('[data-testid=branches]'), '64,128,128,16,32,32');
  await screenshot(page, 'blocks-inception-1920');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the dense block grows by k per layer, concatenates, and the transition halves it', async () => {
  const page = await open(browser, `${server.url}?view=blocks&block=dense`, { viewport: { width: 1440, height: 900 } });
  // x, then per layer: concatenation, 1×1, 3×3; the last concatenation; the transition's
  // BN·ReLU, 1×1 and pooling.
  await waitForUnits(page, 1 + 4 * 3 + 1 + 3);
  assert.equal(await page.textContent('#blocks-title'), 'Dense block: 64×56×56 → 96×28×28');
  assert.match(await numbers(page), /adds k = 32 channels: 64 → 96 → 128 → 160 → 192; 64 \+ 4·32 = 192 channels concatenated/);
  await change(page, async () => { await page.fill('[data-testid=growth]', '12'); await page.press('[data-testid=growth]', 'Tab'); });
  await change(page, async () => { await page.fill('[data-testid=dense-layers]', '6'); await page.press('[data-testid=dense-layers]', 'Tab'); });
  assert.match(await query(page), /growth=12&dense_layers=6/);
  await waitForUnits(page, 1 + 6 * 3 + 1 + 3);
  const text = await numbers(page);
  assert.match(text, /64 → 76 → 88 → 100 → 112 → 124 → 136/);
  assert.match(text, /a 1×1 convolution from 136 to 68 channels, then 2×2 average pooling: 68×28×28 \(9 520 parameters\)/);
  // The last concatenation reads x and all six layers: seven arrows in, six of them
  // skipping rows along the right margin.
  const canvas = await readCanvas(page, 'blocks-diagram');
  const last = box(1 + 6 * 3, 0);
  assert.deepEqual(fillOf(canvas, last), [0xcd, 0xeb, 0xc9]);
  let lanes = 0;
  let inLine = false;
  for (let x = 12 + 224; x < canvas.width; x += 1) {
    const [r, g, b] = pixel(canvas, x, last.y - 30);
    const dark = r < 140 && g < 140 && b < 140;
    if (dark && !inLine) lanes += 1;
    inLine = dark;
  }
  assert.ok(lanes >= 6, `${lanes} arrows pass beside the last layer`);
  await clickBox(page, 2, 0);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=blocks-picked] li.layer').length === 3);
  assert.match(await page.textContent('[data-testid=blocks-picked]'), /denseblock\.denselayer1\.conv1: nn\.Conv2d\(64, 48, kernel_size=1, bias=False\)/);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the block views in Russian', async () => {
  const page = await open(browser, `${server.url}?view=blocks&lang=ru&block_stride=2`);
  await waitForUnits(page, 6);
  const text = await numbers(page);
  assert.match(text, /Обходная связь: проекция, потому что форма меняется с 256×56×56 на 256×28×28/);
  assert.match(text, /Градиент не затухает/);
  assert.equal(await page.textContent('[data-testid=block-dense] + span'), 'Плотный блок');
  await change(page, () => page.click('[data-testid=block-dense]'));
  assert.match(await numbers(page), /Переходный слой: BN, ReLU, свёртка 1×1 из 192 в 96 каналов/);
  await page.fill('[data-testid=growth]', '99');
  await page.press('[data-testid=growth]', 'Tab');
  await page.waitForFunction(() => /темп роста k: нужно целое число от 1 до 64/.test(document.querySelector('#message').textContent));
  assertNoConsoleErrors(page);
  await page.context().close();
});
