// The layer stack view: the table's numbers (torchvision's parameter counts, the
// lecture's receptive fields), the feature maps against the core, receptive fields
// drawn on the network's input, and the networks drawn block by block: groups that open
// and close ("Bottleneck ×3"), a picked block's inside and its maps on the photo.
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
  await page.waitForFunction(() => /Not run here/.test(document.getElementById('stack-maps-note').textContent), null, { timeout: 60000 });
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
  await waitForBlocks(page);
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

// The list of blocks and the picked block (views/stack.rs; the drawing's geometry is
// views/blocks.rs's: boxes of 200×40, gaps of 24 and 22, a margin of 12).
const box = (row, column) => ({ x: 12 + column * 224, y: 12 + row * 62, w: 200, h: 40 });
const blockRows = (page) => page.$$eval('#stack-blocks tbody tr', (rows) => rows.map((r) => r.textContent));
// The list is drawn again when the sliced forward pass ends: wait for that before a click.
const waitForBlocks = (page) => page.waitForFunction(() => document.querySelectorAll('#stack-blocks tbody tr').length > 0
  && document.getElementById('stack-blocks').dataset.pass === 'done', null, { timeout: 60000 });
const expanded = (page, group) => page.getAttribute(`[data-testid="group-${group}"]`, 'aria-expanded');
const number = (text) => Number(text.replace(/\u2009/g, ''));

/** More than one colour: a picture, not a blank canvas. */
function varied(canvas) {
  const first = canvas.data.readUInt32LE(0);
  for (let i = 4; i < canvas.data.length; i += 4) if (canvas.data.readUInt32LE(i) !== first) return true;
  return false;
}

/** Waits for the shown node's maps (the pass runs in slices), then checks them. */
async function mapsShown(page) {
  await page.waitForSelector('[data-testid=stack-map-0]', { timeout: 60000 });
  const map = await readCanvas(page, 'stack-map-0');
  assert.ok(varied(map), 'the first map is not blank');
  return map;
}

/** A real click in the middle of box (row, column) of the picked block's drawing. */
async function clickBox(page, row, column) {
  const { width } = await page.evaluate(() => document.querySelector('[data-testid=stack-inside]').getBoundingClientRect().toJSON());
  const pixels = await page.evaluate(() => document.querySelector('[data-testid=stack-inside]').width);
  const scale = width / pixels;
  const b = box(row, column);
  await page.locator('[data-testid=stack-inside]').click({ position: { x: (b.x + b.w / 2) * scale, y: (b.y + b.h / 2) * scale } });
}

test('ResNet-50 block by block: a group opens and closes, a picked block shows its inside and its maps', async () => {
  const page = await open(browser, `${server.url}?view=stack&stack=resnet50`, { viewport: { width: 1440, height: 900 } });
  await waitForBlocks(page);
  let rows = await blockRows(page);
  assert.equal(rows.length, 8, rows.join(' | '));
  assert.match(plain(rows[2]), /^▸ layer1Bottleneck ×3256×56×56215808667942912/);
  assert.equal(number(await page.textContent('#stack-blocks-total-parameters')), 25557032);
  // The groups' parameters add up to torchvision's total.
  const parameters = await page.$$eval('#stack-blocks tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
  assert.equal(parameters.map(number).reduce((a, b) => a + b, 0), 25557032);
  // Open layer1: its three Bottlenecks appear; close it again.
  assert.equal(await expanded(page, 'layer1'), 'false');
  await page.click('[data-testid="group-layer1"]');
  await page.waitForFunction(() => document.querySelectorAll('#stack-blocks tbody tr').length === 11);
  assert.equal(await expanded(page, 'layer1'), 'true');
  rows = await blockRows(page);
  assert.match(plain(rows[3]), /^layer1\.0Bottleneck256×56×5675008231211008/);
  assert.match(plain(rows[5]), /^layer1\.2Bottleneck256×56×5670400218365952/);
  await page.click('[data-testid="group-layer1"]');
  await page.waitForFunction(() => document.querySelectorAll('#stack-blocks tbody tr').length === 8);
  assert.equal(await expanded(page, 'layer1'), 'false');
  // Open layer2 and pick its first block, which changes the shape (a projection).
  await page.click('[data-testid="group-layer2"]');
  await page.waitForSelector('[data-testid="block-layer2.0"]');
  await change(page, () => page.click('[data-testid="block-layer2.0"]'));
  await waitForBlocks(page);
  assert.equal(await page.getAttribute('[data-testid="block-layer2.0"]', 'aria-current'), 'true');
  assert.equal(await page.textContent('#stack-inside-title'), 'Inside layer2.0: Bottleneck');
  // x, three convolutions, the projection beside the first, the sum.
  assert.equal(await page.getAttribute('[data-testid=stack-inside]', 'data-units'), '6');
  const drawing = await readCanvas(page, 'stack-inside');
  assert.ok(varied(drawing), 'the block is drawn');
  const inside = plain(await page.textContent('[data-testid=stack-inside-layers]'));
  assert.match(inside, /layer2\.0\.downsample\.0: nn\.Conv2d\(256, 512, kernel_size=1, stride=2, bias=False\) → 512×28×28, 131072 parameters/);
  assert.match(await page.textContent('#stack-maps-title'), /layer2\.0\.relu: nn\.ReLU\(\)/);
  // The block's output on the photo, as the core computes it.
  const map = await mapsShown(page);
  assert.equal(`${map.width}x${map.height}`, '28x28');
  const input = await readCanvas(page, 'stack-input');
  const expected = oracle(await query(page), input);
  assert.ok(map.data.equals(expected.rgba), 'layer2.0\'s first map equals the core\'s');
  // A box of the drawing shows that layer's maps: the projection, at row 1, column 1.
  await change(page, () => clickBox(page, 1, 1));
  assert.match(await page.textContent('#stack-maps-title'), /layer2\.0\.downsample\.1: nn\.BatchNorm2d\(512\)/);
  await mapsShown(page);
  // The table of layers is still there, with the shown layer marked.
  assert.match(await page.textContent('#stack-table tbody tr[aria-current=true]'), /layer2\.0\.downsample\.1/);
  // The keyboard picks a block too.
  await waitForBlocks(page);
  await page.focus('[data-testid="block-layer2.1"]');
  await change(page, () => page.keyboard.press('Enter'));
  assert.equal(await page.textContent('#stack-inside-title'), 'Inside layer2.1: Bottleneck');
  await screenshot(page, 'stack-resnet50-blocks');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('every network with branches draws its blocks, and a picked block\'s maps are not blank', async () => {
  const page = await open(browser, `${server.url}?view=stack&stack=inception_v3`, { viewport: { width: 1440, height: 900 } });
  for (const [network, group, block, units] of [
    // x, seven convolutions and a pooling on four branches, the concatenation.
    ['inception_v3', 'Mixed_5', 'Mixed_5b', 10],
    // The second dense layer reads the block's input and the first layer's k channels.
    ['densenet121', 'features.denseblock1', 'features.denseblock1.denselayer2', 5],
    ['efficientnet_b0', 'features.2', 'features.2.1', 9],
    ['googlenet', 'inception3', 'inception3a', 9],
    ['mobilenet_v2', 'row2', 'features.3', 5],
  ]) {
    if (network !== 'inception_v3') await change(page, () => page.selectOption('select[name=stack]', network));
    await waitForBlocks(page);
    const rows = await blockRows(page);
    assert.ok(rows.length > 5, `${network}: ${rows.length} rows`);
    const total = number(await page.textContent('#stack-blocks-total-parameters'));
    const parameters = await page.$$eval('#stack-blocks tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
    assert.equal(parameters.map(number).reduce((a, b) => a + b, 0), total, `${network}: the groups add up`);
    await page.click(`[data-testid="group-${group}"]`);
    await page.waitForSelector(`[data-testid="block-${block}"]`);
    await change(page, () => page.click(`[data-testid="block-${block}"]`));
    await waitForBlocks(page);
    assert.match(await page.textContent('#stack-inside-title'), new RegExp(`^Inside ${block.replace(/\./g, '\\.')}:`));
    assert.equal(await page.getAttribute('[data-testid=stack-inside]', 'data-units'), String(units), network);
    await mapsShown(page);
  }
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('a typed stack with a residual connection is drawn block by block too', async () => {
  const layers = 'input(3,32,32);conv(8,3,1,1);relu;conv(8,3,1,1);add(2);relu';
  const page = await open(browser, `${server.url}?view=stack&stack=custom&layers=${layers}`);
  await waitForBlocks(page);
  const rows = await blockRows(page);
  assert.equal(rows.length, 5);
  assert.match(plain(rows[3]), /^4\+8×32×320/);
  await change(page, () => page.click('[data-testid="block-4"]'));
  // The sum reads the second convolution and, around two layers, the first one's output.
  assert.equal(await page.getAttribute('[data-testid=stack-inside]', 'data-units'), '3');
  assert.match(await page.textContent('[data-testid=stack-inside-layers]'), /4: x \+ y/);
  await mapsShown(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});
