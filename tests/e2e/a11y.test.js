// Accessibility: axe-core's audit in every view and state (no serious or critical
// violation), every control reachable by keyboard with a label and a visible focus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { serve, launch, waitForMap } from './harness.js';

/** Opens the 'More settings' disclosure, where the rarely used controls are. */
const openMore = (page) => page.evaluate(() => { document.getElementById('more').open = true; });

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function audit(query, prepare) {
  // The audit script is injected by the test, so the page's policy is bypassed for it.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}?${query}`);
  const map = { pool: 'pooled-map', transposed: 'checker-uneven' }[/view=(\w+)/.exec(query)?.[1]];
  await waitForMap(page, map ?? 'feature-map');
  if (prepare) await prepare(page);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  await context.close();
  return bad;
}

for (const [name, query, prepare] of [
  ['the convolution view', 'size=64', null],
  ['a selected cell with its arithmetic', 'size=64&padding=1&dilation=2', (page) => page.focus('[data-testid=feature-map]')],
  ['the pooling view', 'view=pool&size=64', (page) => page.focus('[data-testid=pooled-map]')],
  ['max pooling with indices, unpooling and ceil mode', 'view=pool&size=64&pool_indices=1&pool_ceil=1', (page) => page.waitForSelector('#unpool-panel:not([hidden])')],
  ['the transposed convolution and the checkerboard', 'view=transposed&tstep=3&tpadding=1', (page) => page.focus('#transposed-output td[data-r="2"][data-c="2"]')],
  ['an error and notices', 'size=32&kernel=box-7&dilation=6&foo=1', null],
  ['the diverging colour map', 'size=64&channel=gray&display=diverging', null],
]) {
  test(`axe finds no serious or critical violation: ${name}`, async () => {
    let bad;
    if (query.includes('box-7')) {
      // An invalid state draws no map: audit it without waiting for one.
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${server.url}?${query}`);
      await page.waitForSelector('#message:not([hidden])');
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
      await context.close();
    } else {
      bad = await audit(query, prepare);
    }
    assert.deepEqual(bad, []);
  });
}

test('every control is reachable by Tab, labelled, and shows its focus', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}?size=64`);
  await waitForMap(page);
  await openMore(page);
  const reached = new Set();
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const e = document.activeElement;
      // Past the last control Firefox moves the focus to its own toolbar (Chromium goes
      // round to the first control): the page's whole cycle has been seen.
      if (!document.hasFocus()) return { left: true };
      if (!e || e === document.body) return null;
      const style = getComputedStyle(e.matches('input[type=radio]') ? e.nextElementSibling : e);
      const label = e.getAttribute('aria-label') || e.labels?.[0]?.textContent?.trim() || e.textContent.trim();
      return { key: `${e.name || e.id || e.dataset.testid}`, label, outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px' };
    });
    if (!info) continue;
    if (info.left) break;
    assert.ok(info.label, `${info.key} has a label`);
    assert.ok(info.outline, `${info.key} shows its focus`);
    reached.add(info.key);
  }
  // (The kernel size control is disabled, so skipped by Tab, for presets of one size.)
  for (const name of ['view', 'image', 'upload', 'size', 'channel', 'kernel', 'kernel-cell-0-0', 'kernel-cell-2-2', 'stride', 'padding', 'dilation', 'padding_mode', 'display', 'feature-map']) {
    assert.ok(reached.has(name), `${name} reachable by Tab (reached: ${[...reached].join(', ')})`);
  }
  await page.close();
});
