// Inputs other than the built-in photos: uploaded files (good and bad), drag and drop,
// the fake webcam with freeze-frame, and a refused camera.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  serve, launch, open, waitForMap, readCanvas, assertMapMatchesCore, screenshot,
  assertNoConsoleErrors, www,
} from './harness.js';

let server;
let browser;
let cameraBrowser;
let refusingBrowser;
before(async () => {
  server = await serve();
  browser = await launch();
  cameraBrowser = await launch({ camera: 'fake' });
  refusingBrowser = await launch({ camera: 'refused' });
});
after(async () => {
  await browser?.close();
  await cameraBrowser?.close();
  await refusingBrowser?.close();
  await server?.close();
});

const caption = (page) => page.textContent('#input-caption');

test('an uploaded image becomes the input; bad files are explained and change nothing', async () => {
  const page = await open(browser, `${server.url}?size=full`);
  await waitForMap(page);
  const chelsea = await readFile(join(www, 'samples', 'chelsea.png'));
  await page.setInputFiles('[data-testid=upload]', { name: 'my cat.png', mimeType: 'image/png', buffer: chelsea });
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('my cat.png'));
  assert.match(await caption(page), /300 × 451 pixels \(H × W\)/);
  await assertMapMatchesCore(page);
  const before = await readCanvas(page, 'input-frame');

  await page.setInputFiles('[data-testid=upload]', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  assert.match(await page.textContent('#message'), /'notes.txt' is not an image/);

  await page.setInputFiles('[data-testid=upload]', { name: 'broken.png', mimeType: 'image/png', buffer: chelsea.subarray(0, 200) });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('broken.png'));
  assert.match(await page.textContent('#message'), /could not be read as an image.*previous image stays/);
  const after = await readCanvas(page, 'input-frame');
  assert.ok(after.data.equals(before.data), 'the input is unchanged');
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('an image dropped on the input panel is used', async () => {
  const page = await open(browser, `${server.url}?size=64`);
  await waitForMap(page);
  const brick = (await readFile(join(www, 'samples', 'brick.png'))).toString('base64');
  const dataTransfer = await page.evaluateHandle(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'wall.png', { type: 'image/png' }));
    return transfer;
  }, brick);
  await page.dispatchEvent('#input-panel', 'drop', { dataTransfer });
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('wall.png'));
  assert.match(await caption(page), /64 × 64/);
  await assertMapMatchesCore(page);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the fake webcam streams into the demo and freeze-frame holds it', async () => {
  const page = await open(cameraBrowser, `${server.url}?image=webcam&kernel=sobel-left`, { permissions: ['camera'] });
  await page.waitForFunction(() => document.querySelector('[data-testid=input-frame]').width >= 640, null, { timeout: 15000 });
  await waitForMap(page);
  const size = await page.evaluate(() => [document.querySelector('[data-testid=input-frame]').width, document.querySelector('[data-testid=input-frame]').height]);
  assert.ok(size[0] >= 640 && size[1] >= 480, `webcam frame ${size}`);
  assert.match(await page.textContent('#camera-status'), /nothing is sent anywhere/);
  // Frames keep coming: the fake camera's picture moves.
  const first = await readCanvas(page, 'input-frame');
  await page.waitForTimeout(400);
  const second = await readCanvas(page, 'input-frame');
  assert.ok(!first.data.equals(second.data), 'the input changes while the webcam runs');
  await page.click('#freeze');
  assert.equal(await page.getAttribute('#freeze', 'aria-pressed'), 'true');
  await page.waitForTimeout(100);
  const frozen = await readCanvas(page, 'input-frame');
  await page.waitForTimeout(400);
  const still = await readCanvas(page, 'input-frame');
  assert.ok(frozen.data.equals(still.data), 'a frozen frame stays');
  await assertMapMatchesCore(page);
  await screenshot(page, 'webcam-frozen');
  // Back to a photo stops the camera.
  await page.selectOption('select[name=image]', 'chelsea');
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('chelsea'));
  assert.equal(await page.isHidden('#freeze'), true);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('a refused camera is explained and the demo goes on with a photo', async () => {
  // Chromium denies the permission prompt.
  const page = await open(refusingBrowser, `${server.url}?image=webcam&size=64`);
  await page.waitForFunction(() => /Webcam: /.test(document.getElementById('camera-status').textContent), null, { timeout: 15000 });
  const status = await page.textContent('#camera-status');
  assert.match(status, /demo goes on with a photo/);
  await waitForMap(page);
  assert.match(await caption(page), /astronaut/);
  await assertMapMatchesCore(page);
  assert.match(status, /camera was refused/);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('a machine without a camera is told so and keeps working', async () => {
  const noCamera = await launch({ camera: 'missing' });
  try {
    const page = await open(noCamera, `${server.url}?size=64`);
    await waitForMap(page);
    await page.selectOption('select[name=image]', 'webcam');
    await page.waitForFunction(() => /Webcam: /.test(document.getElementById('camera-status').textContent), null, { timeout: 15000 });
    assert.match(await page.textContent('#camera-status'), /no camera was found.*demo goes on with a photo/);
    assert.equal(await page.inputValue('select[name=image]'), 'astronaut');
    await assertMapMatchesCore(page);
    assertNoConsoleErrors(page);
  } finally {
    await noCamera.close();
  }
});
