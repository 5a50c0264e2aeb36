// The convolution demo: every control, clicked for real, against the core crate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, waitForMap, readCanvas, query, assertMapMatchesCore, change,
  screenshot, assertNoConsoleErrors,
} from './harness.js';

/** Opens the 'More settings' disclosure, where the rarely used controls are. */
const openMore = (page) => page.evaluate(() => { document.getElementById('more').open = true; });

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the default page shows the astronaut and its Edges feature map', async () => {
  const page = await open(browser, server.url);
  await waitForMap(page);
  const input = await readCanvas(page, 'input-frame');
  assert.equal(`${input.width}x${input.height}`, '512x512');
  const { map } = await assertMapMatchesCore(page);
  assert.equal(`${map.width}x${map.height}`, '510x510');
  // Edges on a photo: mostly dark, with bright edges.
  let bright = 0;
  for (let i = 0; i < map.data.length; i += 4) if (map.data[i] > 128) bright += 1;
  assert.ok(bright > 500 && bright < map.width * map.height / 4, `bright pixels: ${bright}`);
  assert.equal(await page.textContent('[data-testid=pytorch]'),
    'nn.Conv2d(3, 3, kernel_size=3, groups=3, bias=False)');
  assert.match(await page.textContent('#formula-h'), /⌊\(512 \+ 2·0 − 1·\(3 − 1\) − 1\) \/ 1⌋ \+ 1 = 510/);
  assert.match(await page.textContent('#parameters'), /= 27 /);
  assert.equal(await page.inputValue('[data-testid=kernel-cell-1-1]'), '8');
  await screenshot(page, 'conv-default');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('every convolution control redraws the map exactly as the core computes it', async () => {
  const page = await open(browser, `${server.url}?size=128`);
  await waitForMap(page);
  await openMore(page);
  const radio = (name, value) => () => page.check(`input[type=radio][name=${name}][value="${value}"]`);
  const select = (name, value) => () => page.selectOption(`select[name=${name}]`, value);
  const steps = [];
  const kernels = await page.$$eval('select[name=kernel] option', (o) => o.map((x) => x.value));
  assert.ok(kernels.length >= 18, `kernel menu: ${kernels}`);
  for (const kernel of kernels.filter((k) => k !== 'custom')) steps.push([`kernel=${kernel}`, select('kernel', kernel)]);
  steps.push(['kernel=sobel-left', select('kernel', 'sobel-left')]);
  for (const stride of ['2', '3', '1']) steps.push([`stride=${stride}`, radio('stride', stride)]);
  for (const padding of ['1', 'same', 'valid', '0']) steps.push([`padding=${padding}`, radio('padding', padding)]);
  steps.push(['padding=2', async () => { await page.fill('[data-testid=padding-custom]', '2'); await page.press('[data-testid=padding-custom]', 'Enter'); }]);
  for (const mode of ['reflect', 'replicate', 'circular', 'zeros']) steps.push([`padding_mode=${mode}`, select('padding_mode', mode)]);
  for (const dilation of ['2', '3', '1']) steps.push([`dilation=${dilation}`, radio('dilation', dilation)]);
  for (const channel of ['r', 'g', 'b', 'gray', 'all']) steps.push([`channel=${channel}`, radio('channel', channel)]);
  for (const display of ['abs', 'normalize', 'diverging', 'clamp']) steps.push([`display=${display}`, select('display', display)]);
  steps.push(['channel=gray', radio('channel', 'gray')]);
  steps.push(['display=diverging', select('display', 'diverging')]);
  steps.push(['kernel=box-3', select('kernel', 'box-3')]);
  steps.push(['kernel=box-7', select('kernel_size', '7')]);
  steps.push(['kernel=gaussian-5', select('kernel', 'gaussian-5')]);
  for (const image of ['chelsea', 'coffee', 'camera', 'brick', 'astronaut']) {
    steps.push([`image=${image}`, select('image', image)]);
  }
  for (const size of ['64', 'full', '128']) steps.push([`size=${size}`, select('size', size)]);
  for (const [expected, action] of steps) {
    await change(page, action);
    if (expected.startsWith('image=') || expected.startsWith('size=')) {
      await page.waitForFunction((name) => document.getElementById('input-caption').textContent.includes(name) || true, expected);
      await page.waitForTimeout(150);
    }
    const q = await query(page);
    assert.ok(q.split('&').includes(expected), `after ${expected} the URL is ?${q}`);
    await assertMapMatchesCore(page);
    assert.equal(await page.isHidden('#message'), true, `no error after ${expected}: ${await page.textContent('#message')}`);
  }
  await screenshot(page, 'conv-controls');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('typing in a kernel cell makes a custom kernel; a bad cell is explained and ignored', async () => {
  const page = await open(browser, `${server.url}?size=64&kernel=identity`);
  await waitForMap(page);
  await change(page, async () => {
    await page.fill('[data-testid=kernel-cell-0-0]', '-1/2');
  });
  const q = await query(page);
  // Kept as typed (defect 5).
  assert.match(q, /kernel=custom&weights=-1\/2,0,0;0,1,0;0,0,0/);
  await assertMapMatchesCore(page);
  const before = await readCanvas(page, 'feature-map');
  for (const bad of ['abc', '', 'NaN', 'Infinity', '1e39']) {
    await page.fill('[data-testid=kernel-cell-1-1]', bad);
    assert.equal(await page.getAttribute('[data-testid=kernel-cell-1-1]', 'aria-invalid'), 'true', bad);
    const message = await page.textContent('#message');
    assert.match(message, /row 2, column 2/, `message for ${JSON.stringify(bad)}: ${message}`);
    assert.match(message, /last valid kernel is still in use/);
    const after = await readCanvas(page, 'feature-map');
    assert.ok(after.data.equals(before.data), `map unchanged after ${JSON.stringify(bad)}`);
  }
  await change(page, () => page.fill('[data-testid=kernel-cell-1-1]', '2'));
  assert.match(await query(page), /weights=-1\/2,0,0;0,2,0;0,0,0/);
  await assertMapMatchesCore(page);
  // Resizing a custom kernel keeps its centre.
  await openMore(page);
  await change(page, () => page.selectOption('select[name=kernel_size]', '5'));
  assert.match(await query(page), /weights=0,0,0,0,0;0,-0.5,0,0,0;0,0,2,0,0;0,0,0,0,0;0,0,0,0,0/);
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('invalid settings say what is wrong and keep the last good map', async () => {
  const page = await open(browser, `${server.url}?size=32&kernel=gaussian-7&dilation=3`);
  await waitForMap(page);
  const good = await readCanvas(page, 'feature-map');
  assert.equal(`${good.width}x${good.height}`, '14x14');
  await page.check('input[name=padding][value="same"]');
  await page.check('input[name=stride][value="2"]');
  const message = await page.textContent('#message');
  assert.match(message, /padding 'same' keeps the size only at stride 1/);
  assert.match(message, /last valid output is still shown/);
  const kept = await readCanvas(page, 'feature-map');
  assert.equal(`${kept.width}x${kept.height}`, '32x32');
  // Back to a valid setting: the message goes, the map follows.
  await change(page, () => page.check('input[name=padding][value="0"]'));
  assert.equal(await page.isHidden('#message'), true);
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});
