// Tablets and the lecture hall: a finger tap or a pen selects a map cell, a pen or a
// finger paints the step-by-step grid, touch targets grow on coarse pointers, and
// projector mode (URL, button, key P) draws thicker lines and larger type.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, waitForMap, query, change, screenshot, assertNoConsoleErrors, engine,
} from './harness.js';

let server;
let browser;
// Touch contexts below (hasTouch); in Firefox the whole browser has a coarse pointer.
before(async () => { server = await serve(); browser = await launch({ touch: true }); });
after(async () => { await browser?.close(); await server?.close(); });

/** The map cell under page point (x, y) of canvas `testid`, as the page computes it. */
async function cellAt(page, testid, x, y) {
  return page.evaluate(({ testid, x, y }) => {
    const canvas = document.querySelector(`[data-testid=${testid}]`);
    const box = canvas.getBoundingClientRect();
    return [Math.floor(((y - box.top) / box.height) * canvas.height), Math.floor(((x - box.left) / box.width) * canvas.width)];
  }, { testid, x, y });
}

test('a finger tap on the feature map selects a cell and shows its arithmetic', async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}?size=64`);
  await waitForMap(page);
  await page.locator('[data-testid=feature-map]').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid=feature-map]').boundingBox();
  const [x, y] = [box.x + box.width * 0.3, box.y + Math.min(box.height * 0.7, 900 - box.y)];
  const [row, column] = await cellAt(page, 'feature-map', x, y);
  await page.touchscreen.tap(x, y);
  await page.waitForSelector('#arithmetic .cell-heading');
  assert.match(await page.textContent('#arithmetic .cell-heading'), new RegExp(`^Output cell row ${row}, column ${column} `));
  assert.equal(await page.isVisible('#window-box'), true, 'the window is outlined on the input');
  // Panning over a map does not scroll the page; targets are finger-sized.
  assert.equal(await page.$eval('[data-testid=feature-map]', (c) => getComputedStyle(c).touchAction), 'none');
  assert.equal(await page.evaluate(() => matchMedia('(pointer: coarse)').matches), true);
  const target = await page.locator('input[name=stride][value="2"] + span').boundingBox();
  assert.ok(target.height >= 44 && target.width >= 44, `stride button ${target.width}x${target.height}`);
  await screenshot(page, 'touch-tap');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a pen (pointer events) selects cells on the pooled map and in the layer stack', async () => {
  const page = await open(browser, `${server.url}?view=pool&size=64`);
  await waitForMap(page, 'pooled-map');
  const pen = (testid, fx, fy) => page.evaluate(({ testid, fx, fy }) => {
    const canvas = document.querySelector(`[data-testid=${testid}]`);
    const box = canvas.getBoundingClientRect();
    const init = {
      pointerType: 'pen', pointerId: 7, isPrimary: true, bubbles: true, cancelable: true, buttons: 1,
      pressure: 0.5, clientX: box.left + box.width * fx, clientY: box.top + box.height * fy,
    };
    canvas.dispatchEvent(new PointerEvent('pointerdown', init));
    return [init.clientX, init.clientY];
  }, { testid, fx, fy });
  const [x, y] = await pen('pooled-map', 0.9, 0.1);
  const [row, column] = await cellAt(page, 'pooled-map', x, y);
  assert.match(await page.textContent('#arithmetic .cell-heading'), new RegExp(`^Output cell row ${row}, column ${column} `));
  // The stack view: a pen tap on a map outlines that cell's receptive field.
  await change(page, () => page.keyboard.press('6'));
  await page.waitForSelector('[data-testid=stack-map-0]');
  await pen('stack-map-0', 0.5, 0.5);
  assert.equal(await page.isVisible('#stack-window'), true);
  assert.match(await page.textContent('#stack-note'), /receptive field/);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('pen and finger strokes paint the step-by-step grid', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${server.url}?view=steps`);
  await page.waitForSelector('[data-testid=steps-input] input');
  await page.check('input[name=paint][value="1"]');
  assert.equal(await page.$eval('[data-testid=steps-input]', (g) => getComputedStyle(g).touchAction), 'none',
    'painting does not scroll the page');
  const centre = async (y, x) => {
    const box = await page.locator(`[data-testid=steps-input] input[data-y="${y}"][data-x="${x}"]`).boundingBox();
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };
  // Real input through the browser: a stroke along the first row, from cell (0, 3) to
  // (0, 4); the browser sends a pen's or finger's events to the cell where the stroke
  // began. Chromium: a pen, over the DevTools protocol. Firefox: the mouse (WebDriver BiDi
  // has pen input, but puppeteer-core drives only mouse and touch through it).
  const start = await centre(0, 3);
  const end = await centre(0, 4);
  let stroke;
  if (engine === 'chromium') {
    const cdp = await page.inner.createCDPSession();
    stroke = (type, at, buttons) => cdp.send('Input.dispatchMouseEvent', {
      type: { down: 'mousePressed', move: 'mouseMoved', up: 'mouseReleased' }[type],
      x: at.x, y: at.y, button: 'left', buttons, clickCount: 1, pointerType: 'pen',
    });
  } else {
    stroke = async (type, at) => {
      await page.mouse.move(at.x, at.y);
      if (type !== 'move') await page.mouse[type]();
    };
  }
  console.log(`${engine}: the stroke is ${engine === 'chromium' ? 'a pen (DevTools protocol)' : 'a mouse (WebDriver BiDi)'}`);
  await stroke('down', start, 1);
  for (let k = 1; k <= 4; k += 1) {
    await stroke('move', { x: start.x + ((end.x - start.x) * k) / 4, y: start.y }, 1);
  }
  await stroke('up', end, 0);
  assert.match(await query(page), /grid=1,1,1,1,1;0,1,1,1,0;/);
  // A finger erases down the middle: (1, 1) → (1, 2) → (2, 2). Synthetic touch pointer
  // events, delivered as the browser does once the grid has captured the pointer: the
  // press on the cell, the moves to the grid.
  await page.check('input[name=paint][value="0"]');
  await page.evaluate(() => {
    const grid = document.querySelector('[data-testid=steps-input]');
    const cell = (y, x) => grid.querySelector(`input[data-y="${y}"][data-x="${x}"]`);
    [[1, 1], [1, 2], [2, 2]].forEach(([y, x], index) => {
      const box = cell(y, x).getBoundingClientRect();
      (index === 0 ? cell(y, x) : grid).dispatchEvent(new PointerEvent(index === 0 ? 'pointerdown' : 'pointermove', {
        pointerType: 'touch', pointerId: 9, isPrimary: true, bubbles: true, cancelable: true, buttons: 1,
        clientX: box.left + box.width / 2, clientY: box.top + box.height / 2,
      }));
    });
  });
  assert.match(await query(page), /grid=1,1,1,1,1;0,0,0,1,0;0,0,0,1,1;/);
  // Synthetic pen events (pointerType 'pen') paint too.
  await page.check('input[name=paint][value="1"]');
  await page.evaluate(() => {
    const cell = document.querySelector('[data-testid=steps-input] input[data-y="4"][data-x="4"]');
    const box = cell.getBoundingClientRect();
    cell.dispatchEvent(new PointerEvent('pointerdown', {
      pointerType: 'pen', bubbles: true, cancelable: true, buttons: 1,
      clientX: box.left + box.width / 2, clientY: box.top + box.height / 2,
    }));
  });
  assert.match(await query(page), /grid=[^&]*;0,1,1,0,1&/);
  await context.close();
});

test('projector mode: from the URL, the button or P; thicker outlines and larger type', async () => {
  const page = await open(browser, `${server.url}?size=64`);
  await waitForMap(page);
  const look = () => page.evaluate(() => {
    const canvas = document.querySelector('[data-testid=feature-map]');
    const box = canvas.getBoundingClientRect();
    canvas.dispatchEvent(new PointerEvent('pointerdown', {
      bubbles: true, clientX: box.left + box.width / 2, clientY: box.top + box.height / 2,
    }));
    const window = document.getElementById('window-box');
    return {
      projector: document.documentElement.classList.contains('projector'),
      outline: parseFloat(getComputedStyle(window).outlineWidth),
      cellBorder: parseFloat(getComputedStyle(document.querySelector('[data-testid=kernel-cell-0-0]')).borderTopWidth),
      font: parseFloat(getComputedStyle(document.querySelector('.caption')).fontSize),
    };
  });
  const normal = await look();
  assert.equal(normal.projector, false);
  await change(page, () => page.keyboard.press('Shift+P'));
  assert.match(await query(page), /&projector=1$/);
  const projector = await look();
  assert.equal(projector.projector, true);
  assert.equal(await page.getAttribute('#projector-toggle', 'aria-pressed'), 'true');
  assert.ok(projector.outline >= 3 * normal.outline, `window outline ${normal.outline}px → ${projector.outline}px`);
  assert.ok(projector.cellBorder >= 3 * normal.cellBorder, `kernel cell border ${normal.cellBorder} → ${projector.cellBorder}`);
  assert.ok(projector.font >= 1.4 * normal.font, `caption ${normal.font}px → ${projector.font}px`);
  // Measured in pixels on screen: the orange outline left of the window is thicker.
  const thickness = async () => {
    const box = await page.locator('#window-box').boundingBox();
    const shot = await page.screenshot({ clip: { x: box.x - 14, y: box.y + box.height / 2, width: 14, height: 1 } });
    const { decodePng } = await import('./images.js');
    const line = decodePng(shot);
    let orange = 0;
    for (let x = 0; x < line.width; x += 1) {
      const [r, g, b] = line.data.subarray(x * 4, x * 4 + 3);
      if (r > 200 && g > 100 && g < 200 && b < 60) orange += 1;
    }
    return orange;
  };
  const thick = await thickness();
  await screenshot(page, 'projector');
  await change(page, () => page.click('#projector-toggle'));
  assert.doesNotMatch(await query(page), /projector/);
  await look();
  const thin = await thickness();
  assert.ok(thin >= 1 && thick >= 3 * thin, `outline on screen: ${thin}px normally, ${thick}px on the projector`);
  // Reloading keeps it: the URL is the state.
  const again = await open(browser, `${server.url}?size=64&projector=1`);
  await waitForMap(again);
  assert.equal(await again.evaluate(() => document.documentElement.classList.contains('projector')), true);
  assertNoConsoleErrors(page);
  await page.context().close();
  await again.context().close();
});
