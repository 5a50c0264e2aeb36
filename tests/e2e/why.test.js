// "Why residual connections" (view=blocks&block=why): a deep plain stack of 3x3
// convolutions and the same stack with shortcuts, trained side by side on the digits in
// the page (the training module on the page's thread, a step at a time). Real clicks on
// the button; the charts' pixels and the status line's numbers say that the plain
// stack's first layers get vanishing gradients and only the residual stack learns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, readCanvas, screenshot, assertNoConsoleErrors } from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const steps = (page) => page.getAttribute('[data-testid=why-loss]', 'data-steps').then(Number);
const waitForSteps = (page, n) => page.waitForFunction(
  (count) => Number(document.querySelector('[data-testid=why-loss]').getAttribute('data-steps')) >= count,
  n, { timeout: 180000 },
);
/** "1.6·10^-6", "0.22" or "0" as a number. */
const value = (text) => (text.includes('·10^') ? Number(text.split('·10^')[0]) * 10 ** Number(text.split('·10^')[1]) : Number(text));

/** The status line's numbers: both losses, then the first and last layers' gradients. */
async function status(page) {
  const text = await page.textContent('[data-testid=why-status]');
  const m = text.match(/loss ([\d.]+) plain, ([\d.]+) residual\. Gradient of the first convolution: (\S+) plain, (\S+) residual; of the last layer: (\S+) and (\S+)\./);
  assert.ok(m, text);
  const [plain, residual, plainFirst, residualFirst, plainLast, residualLast] = m.slice(1).map(value);
  return { plain, residual, plainFirst, residualFirst, plainLast, residualLast };
}

/** How many pixels of a column of the chart are of this colour (the bars' fill). */
function count(canvas, x, [r, g, b]) {
  let n = 0;
  for (let y = 0; y < canvas.height; y += 1) {
    const i = (y * canvas.width + Math.round(x)) * 4;
    if (Math.abs(canvas.data[i] - r) + Math.abs(canvas.data[i + 1] - g) + Math.abs(canvas.data[i + 2] - b) < 30) n += 1;
  }
  return n;
}
const BLUE = [0x2f, 0x6d, 0xb5];
const RED = [0xc0, 0x39, 0x2b];

test('the plain stack\'s early layers stop learning, the residual one learns', async () => {
  const page = await open(browser, `${server.url}?view=blocks&block=why`, { viewport: { width: 1440, height: 900 } });
  await page.waitForSelector('#why-panel:not([hidden])');
  assert.equal(await page.isVisible('[data-testid=blocks-diagram]'), false);
  assert.match(await page.textContent('[data-testid=why-status]'), /6 blocks: 13 convolutions and a linear layer in each stack/);
  assert.equal(await page.textContent('[data-testid=why-run]'), 'Train both');
  await page.click('[data-testid=why-run]');
  await waitForSteps(page, 1);
  // The first step: the plain stack's first convolution gets a gradient orders of
  // magnitude below its last layer's; the residual one's first is of the same order.
  let s = await status(page);
  assert.ok(s.plainFirst < s.plainLast / 1000, JSON.stringify(s));
  assert.ok(s.residualFirst > s.residualLast / 100, JSON.stringify(s));
  assert.ok(s.plainFirst < s.residualFirst / 1000, JSON.stringify(s));
  // The bars: 14 layers, the first layer's red bar far taller than its blue one.
  assert.equal(await page.getAttribute('[data-testid=why-norms]', 'data-layers'), '14');
  const norms = await readCanvas(page, 'why-norms');
  const slot = (norms.width - 54) / 14;
  const blue = count(norms, 44 + slot * 0.3, BLUE);
  const red = count(norms, 44 + slot * 0.7, RED);
  assert.ok(red > blue + 60, `first layer: red bar ${red} px, blue bar ${blue} px`);
  await waitForSteps(page, 150);
  s = await status(page);
  assert.ok(s.residual < 1.5 && s.plain > 2.0, JSON.stringify(s));
  // Both loss curves are drawn.
  const losses = await readCanvas(page, 'why-loss');
  let reds = 0;
  let blues = 0;
  for (let x = 44; x < losses.width - 10; x += 1) { reds += count(losses, x, RED); blues += count(losses, x, BLUE); }
  assert.ok(reds > 100 && blues > 100, `${reds} red and ${blues} blue curve pixels`);
  // Pause: the steps stop; go on: they go on.
  await page.click('[data-testid=why-run]');
  assert.equal(await page.textContent('[data-testid=why-run]'), 'Go on');
  const paused = await steps(page);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await steps(page), paused);
  await page.click('[data-testid=why-run]');
  await waitForSteps(page, paused + 5);
  await screenshot(page, 'why-residual');
  // Another block pauses the run.
  await page.click('[data-testid=block-residual]');
  await page.waitForSelector('#why-panel', { state: 'hidden' });
  const left = await steps(page);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await steps(page), left);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('in Russian, and the depth from the URL', async () => {
  const page = await open(browser, `${server.url}?view=blocks&block=why&why_blocks=3&lang=ru`);
  await page.waitForSelector('#why-panel:not([hidden])');
  assert.equal(await page.textContent('[data-testid=why-run]'), 'Обучить оба');
  assert.match(await page.textContent('[data-testid=why-status]'), /Блоков: 3, в каждом стеке свёрток: 7/);
  assert.equal(await page.inputValue('[data-testid=why-blocks]'), '3');
  assertNoConsoleErrors(page);
  await page.context().close();
});
