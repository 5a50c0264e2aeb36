// The URL is the state: opening a URL restores every control, changing a control
// rewrites the URL, and bad parameters are reported, never interpreted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, waitForMap, query, assertMapMatchesCore, change, assertNoConsoleErrors,
} from './harness.js';

/** Opens the 'More settings' disclosure, where the rarely used controls are. */
const openMore = (page) => page.evaluate(() => { document.getElementById('more').open = true; });

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const full = 'view=conv&image=coffee&size=128&kernel=sobel-right&stride=2&padding=same&'
  + 'padding_mode=replicate&dilation=1&channel=b&display=diverging&pool=mean&pool_size=3&pool_stride=1&'
  + 'pool_p=2&pool_padding=0&pool_ceil=0&pool_indices=0&pool_dilation=1&pool_include_pad=1&pool_divisor=auto&'
  + 'grid=1,1,1,0,0;0,1,1,1,0;0,0,1,1,1;0,0,1,1,0;0,1,1,0,0&op=conv&step=1&'
  + 'sequence=1,3,2,5,4,1,0,2&taps=1,2,1&mix=0.299,0.587,0.114;1,-1,0&spatial=0&bias=0&'
  + 'stack=three-3x3&layer=1&tgrid=1,2;3,4&tkernel=1,2,1;2,4,2;1,2,1&tstride=2&tpadding=0&output_padding=0&'
  + 'tdilation=1&tstep=1';

test('opening a URL restores every control and the map', async () => {
  // padding=same needs stride 1: the page must say so and still restore everything.
  const page = await open(browser, `${server.url}?${full}`);
  await page.waitForSelector('#message:not([hidden])');
  assert.equal(await page.inputValue('select[name=image]'), 'coffee');
  assert.equal(await page.inputValue('select[name=size]'), '128');
  assert.equal(await page.inputValue('select[name=kernel]'), 'sobel-right');
  assert.equal(await page.isChecked('input[name=stride][value="2"]'), true);
  assert.equal(await page.isChecked('input[name=padding][value="same"]'), true);
  assert.equal(await page.inputValue('select[name=padding_mode]'), 'replicate');
  assert.equal(await page.isChecked('input[name=channel][value="b"]'), true);
  assert.equal(await page.inputValue('select[name=display]'), 'diverging');
  assert.equal(await page.isChecked('input[name=pool][value="mean"]'), true);
  assert.equal(await page.isChecked('input[name=pool_size][value="3"]'), true);
  assert.equal(await page.inputValue('select[name=pool_stride]'), '1');
  assert.match(await page.textContent('#message'), /padding 'same' keeps the size only at stride 1/);
  assert.equal(await query(page), full);
  // Fix it with one click: the map appears and matches the core.
  await change(page, () => page.check('input[name=stride][value="1"]'));
  await waitForMap(page);
  await assertMapMatchesCore(page);
  assert.equal(await page.isVisible('#legend-bar'), true, 'diverging legend shown');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('a changed control survives a reload, and a custom kernel travels in the URL', async () => {
  const page = await open(browser, `${server.url}?size=64`);
  await waitForMap(page);
  await change(page, () => page.check('input[name=dilation][value="2"]'));
  await openMore(page);
  await change(page, () => page.selectOption('select[name=padding_mode]', 'circular'));
  await change(page, () => page.fill('[data-testid=kernel-cell-2-2]', '3'));
  const before = await query(page);
  assert.match(before, /dilation=2/);
  assert.match(before, /padding_mode=circular/);
  assert.match(before, /kernel=custom&weights=-1,-1,-1;-1,8,-1;-1,-1,3/);
  await page.reload();
  await waitForMap(page);
  assert.equal(await query(page), before);
  assert.equal(await page.inputValue('[data-testid=kernel-cell-2-2]'), '3');
  assert.equal(await page.inputValue('select[name=kernel]'), 'custom');
  await assertMapMatchesCore(page);
  // The PyTorch line names every non-default argument.
  assert.equal(await page.textContent('[data-testid=pytorch]'),
    "nn.Conv2d(3, 3, kernel_size=3, dilation=2, groups=3, bias=False, padding_mode='circular')");
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('unknown, repeated, out-of-range and hostile parameters are reported and ignored', async () => {
  const hostile = encodeURIComponent('<img src=x onerror="window.pwned=1">');
  const page = await open(browser,
    `${server.url}?stride=0&stride=2&padding=-1&dilation=99&foo=bar&kernel=${hostile}&weights=1,2;3&size=64`);
  await waitForMap(page);
  const notices = await page.textContent('#notices');
  for (const expected of [
    'stride must be a whole number from 1 to 16',
    "'stride' is given more than once",
    'padding must be a whole number from 0 to 16',
    'dilation must be a whole number from 1 to 16',
    "'foo' is not known",
    'there is no kernel called \'<img src=x onerror="window.pwned=1">\'',
    'same length',
  ]) {
    assert.ok(notices.includes(expected), `notice ${expected} in:\n${notices}`);
  }
  assert.equal(await page.evaluate(() => window.pwned), undefined, 'markup in the URL was never run');
  assert.equal(await page.locator('#notices img').count(), 0);
  const q = await query(page);
  assert.match(q, /stride=2/);
  assert.match(q, /kernel=edges/);
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});
