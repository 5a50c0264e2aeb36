// The layer stack view: the table's numbers (torchvision's parameter counts, the
// lecture's receptive fields), the feature maps against the core, and receptive fields
// drawn on the network's input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, readCanvas, query, oracle, change, screenshot, assertNoConsoleErrors,
} from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const plain = (text) => text.replace(/\u2009/g, '');
const column = (page, n) => page.$$eval(`#stack-table tbody tr td:nth-child(${n})`, (tds) => tds.map((td) => td.textContent));
const waitForTable = (page) => page.waitForFunction(() => document.querySelectorAll('#stack-table tbody tr').length > 0);

test('the lecture\'s comparisons: three 3x3 layers against one 7x7, and 50 layers for 100 pixels', async () => {
  const page = await open(browser, `${server.url}?view=stack&stack=three-3x3`);
  await waitForTable(page);
  assert.deepEqual(await column(page, 6), ['3 × 3', '5 × 5', '7 × 7']);
  assert.equal(plain(await page.textContent('#stack-total-parameters')), '27');
  assert.match(await page.textContent('#stack-note'), /Three 3×3 layers see a 7×7 window with 27 weights/);
  await change(page, () => page.selectOption('select[name=stack]', 'one-7x7'));
  assert.deepEqual(await column(page, 6), ['7 × 7']);
  assert.equal(plain(await page.textContent('#stack-total-parameters')), '49');
  await change(page, () => page.selectOption('select[name=stack]', 'deep-3x3'));
  assert.match(await page.textContent('#stack-note'), /⌈\(100 − 1\)\/\(3 − 1\)⌉ = 50 layers \(receptive field 101\)/);
  assert.equal((await column(page, 6)).at(-1), '101 × 101');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('LeNet-5, AlexNet and VGG-16 have torchvision\'s parameter counts', async () => {
  const page = await open(browser, `${server.url}?view=stack&stack=lenet5`);
  await waitForTable(page);
  assert.equal(plain(await page.textContent('#stack-total-parameters')), '61706');
  await change(page, () => page.selectOption('select[name=stack]', 'alexnet'));
  assert.equal(plain(await page.textContent('#stack-total-parameters')), '61100840');
  assert.equal((await column(page, 2))[0], 'nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2)');
  assert.equal((await column(page, 3))[0], '64 × 55 × 55');
  await change(page, () => page.selectOption('select[name=stack]', 'vgg16'));
  assert.equal(plain(await page.textContent('#stack-total-parameters')), '138357544');
  const architectures = await page.$$eval('#architectures tbody tr', (rows) => rows.map((r) => r.textContent));
  assert.equal(architectures.length, 7);
  assert.match(plain(architectures[1]), /AlexNet2012.*63\.3%.*61100840 parameters.*receptive field 195×195/);
  assert.match(plain(architectures[3]), /ResNet-502015.*25557032 parameters, 4089184256 multiply-adds at 224×224.*25\.6M is this count rounded/);
  // VGG-16's later layers are beyond the demo's budget: said so, numbers still exact.
  await change(page, async () => { await page.click('#stack-table tbody tr[data-layer="20"]'); });
  assert.match(await page.textContent('#stack-maps-note'), /Not run here/);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('a stack of your own: written layers, checked, counted and run', async () => {
  const page = await open(browser, `${server.url}?view=stack&stack=lenet5`);
  await waitForTable(page);
  // The layers field shows the preset, ready to edit.
  assert.match(await page.inputValue('[data-testid=layers]'), /^input\(1,32,32\);conv\(6,5,1,0,1\);relu;max\(2,2\)/);
  await change(page, async () => {
    await page.fill('[data-testid=layers]', 'input(3,64,64); conv(8,3,1,1); relu; max(2); conv(16,3,1,2,2); relu; mean(2); flatten; linear(10)');
    await page.locator('[data-testid=layers]').blur();
  });
  assert.match(await query(page), /stack=custom&layers=input\(3,64,64\);conv\(8,3,1,1,1\);relu;max\(2,2\)/);
  assert.equal(await page.inputValue('select[name=stack]'), 'custom');
  assert.deepEqual(await column(page, 3), ['8 × 64 × 64', '8 × 64 × 64', '8 × 32 × 32', '16 × 32 × 32', '16 × 32 × 32', '16 × 16 × 16', '4\u2009096', '10']);
  // RF: 3, then +1 (pool 2 at jump 1), then dilation 2 at jump 2: 4 + 2·2·2 = 12, pool: 14.
  assert.deepEqual((await column(page, 6)).slice(0, 6), ['3 × 3', '3 × 3', '4 × 4', '12 × 12', '12 × 12', '14 × 14']);
  assert.equal(plain(await page.textContent('#stack-total-parameters')), String((27 + 1) * 8 + (72 + 1) * 16 + (4096 + 1) * 10));
  await page.click('#stack-table tbody tr[data-layer="3"]');
  await page.waitForSelector('[data-testid=stack-map-15]');
  // A stack that does not fit its input is refused with the reason.
  await page.fill('[data-testid=layers]', 'input(1,8,8); conv(4,11)');
  await page.locator('[data-testid=layers]').blur();
  assert.match(await page.textContent('#message'), /larger than the padded input/);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('a layer\'s feature maps match the core, and a cell shows its receptive field', async () => {
  const page = await open(browser, `${server.url}?view=stack&stack=alexnet`);
  await waitForTable(page);
  // Choose layer 4 (conv2) with the keyboard.
  await page.focus('#stack-table tbody tr[data-layer="3"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.search.includes('layer=4'));
  await page.waitForSelector('[data-testid=stack-map-0]');
  assert.equal(await page.locator('#stack-maps canvas').count(), 16);
  const input = await readCanvas(page, 'stack-input');
  assert.equal(`${input.width}x${input.height}`, '224x224');
  const map = await readCanvas(page, 'stack-map-0');
  const expected = oracle(await query(page), input);
  assert.equal(`${map.width}x${map.height}`, `${expected.width}x${expected.height}`);
  assert.equal(map.width, 27);
  assert.ok(map.data.equals(expected.rgba), 'layer 4, channel 1 equals the core\'s');
  // Point at cell (10, 10): conv2 sees 51x51 pixels, 8 apart, starting 18 before the edge.
  await page.locator('[data-testid=stack-map-0]').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid=stack-map-0]').boundingBox();
  await page.mouse.move(box.x + (10.5 * box.width) / 27, box.y + (10.5 * box.height) / 27);
  await page.waitForFunction(() => /sees input rows/.test(document.getElementById('stack-note').textContent));
  assert.match(await page.textContent('#stack-note'), /rows 62…112, columns 62…112: a 51×51 receptive field/);
  assert.equal(await page.isVisible('#stack-window'), true);
  await screenshot(page, 'stack-alexnet');
  assertNoConsoleErrors(page);
  await page.context().close();
});
