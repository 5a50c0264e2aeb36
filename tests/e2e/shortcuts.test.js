// Presenter keys: the lecturer changes kernel, stride, padding, dilation, channel and
// view from the keyboard; the help overlay lists exactly the keys that work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, waitForMap, query, assertMapMatchesCore, assertNoConsoleErrors } from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const param = async (page, name) => new URLSearchParams(await query(page)).get(name);

test('keys change what a lecturer changes live, and the help lists them', async () => {
  const page = await open(browser, `${server.url}?size=64`);
  await waitForMap(page);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('k');
  assert.equal(await param(page, 'kernel'), 'blur');
  await page.keyboard.press('Shift+K');
  assert.equal(await param(page, 'kernel'), 'edges');
  await page.keyboard.press('s');
  assert.equal(await param(page, 'stride'), '2');
  await page.keyboard.press('p');
  assert.equal(await param(page, 'padding'), '1');
  await page.keyboard.press('d');
  assert.equal(await param(page, 'dilation'), '2');
  await page.keyboard.press('c');
  assert.equal(await param(page, 'channel'), 'r');
  assert.equal(await page.isChecked('input[name=stride][value="2"]'), true);
  await assertMapMatchesCore(page);
  // Keys typed into a field stay text.
  await page.fill('[data-testid=kernel-cell-0-0]', '');
  await page.type('[data-testid=kernel-cell-0-0]', 'k');
  assert.equal(await param(page, 'stride'), '2');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  // Views by number; steps by space and period.
  await page.keyboard.press('3');
  assert.equal(await param(page, 'view'), 'steps');
  await page.keyboard.press('.');
  await page.keyboard.press('.');
  assert.equal(await param(page, 'step'), '3');
  await page.keyboard.press(',');
  assert.equal(await param(page, 'step'), '2');
  await page.keyboard.press('1');
  assert.equal(await param(page, 'view'), 'conv');
  // The help overlay lists every key; Escape closes it.
  await page.keyboard.press('?');
  assert.equal(await page.isVisible('#help'), true);
  const keys = await page.$$eval('[data-testid=help-keys] kbd', (k) => k.map((e) => e.textContent));
  assert.deepEqual(keys, ['?', 'k', 'K', 's', 'p', 'd', 'c', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'Space', ', and .', 'f', 'P']);
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('#help'), false);
  await page.click('#help-open');
  assert.equal(await page.isVisible('#help'), true);
  await page.click('#help-close');
  assert.equal(await page.isVisible('#help'), false);
  assertNoConsoleErrors(page);
  await page.context().close();
});
