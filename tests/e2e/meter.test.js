// The frame meter: shown on request (checkbox or meter=1), split into grab, compute and
// draw, with the way frames are grabbed (VideoFrame or canvas: the page times both and
// keeps the faster). With the browser's fake 1280x720 camera the whole per-frame path is
// measured against the issue's target, a third of a 60 Hz frame (5.6 ms), and printed
// with the verdict
// (missed for 3x3 kernels today: bench/README.md says by how much); the test fails if
// it takes over 12 ms (the step-by-step path took 40-60) or the camera's 60 frames a
// second are not kept up with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, waitForMap, assertMapMatchesCore, engine,
} from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch({ camera: 'fake' }); });
after(async () => { await browser?.close(); await server?.close(); });

const meter = (page) => page.evaluate(() => {
  const box = document.querySelector('[data-testid=frame-meter]');
  const read = (name) => Number(box.dataset[name]);
  return {
    hidden: box.hidden,
    text: box.textContent,
    frames: read('frames'),
    grab: read('grab'),
    compute: read('compute'),
    draw: read('draw'),
    total: read('total'),
    worst: read('worst'),
    fps: read('fps'),
    path: box.dataset.path,
    grabbedBy: box.dataset.grabBy,
  };
});

test('the meter is off by default and the checkbox shows it and writes meter=1', async () => {
  const page = await open(browser, server.url);
  await waitForMap(page);
  assert.equal((await meter(page)).hidden, true);
  assert.ok(!page.url().includes('meter='));
  await page.check('[data-testid=meter-toggle]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=frame-meter]').hidden);
  assert.match(page.url(), /[?&]meter=1/);
  // A photo has no grab; its compute and draw are timed.
  await page.selectOption('select[name=kernel]', 'sobel-left');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=frame-meter]').dataset.frames) >= 2);
  const still = await meter(page);
  assert.equal(still.grab, 0);
  assert.equal(still.grabbedBy, '', 'a photo is not grabbed');
  assert.ok(still.compute > 0 && still.draw > 0, JSON.stringify(still));
  assert.match(still.text, /compute .* ms a frame/);
  await page.uncheck('[data-testid=meter-toggle]');
  await page.waitForFunction(() => document.querySelector('[data-testid=frame-meter]').hidden);
  assert.ok(!page.url().includes('meter='));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

for (const [name, query] of [
  ['3x3 Edges', 'kernel=edges'],
  ['2x2 max pooling', 'view=pool&pool=max&pool_size=2'],
]) {
  test(`fake 1280x720 webcam, ${name}: the whole per-frame path keeps up with 60 Hz`, async () => {
    const page = await open(browser, `${server.url}?image=webcam&meter=1&${query}`, { permissions: ['camera'] });
    await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('1280'),
      null, { timeout: 20000 });
    // Let the engine warm up, then read the meter over its last 30 frames.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=frame-meter]').dataset.frames) >= 150,
      null, { timeout: 60000, polling: 200 });
    const reading = await meter(page);
    // The page timed both ways of grabbing a frame (VideoFrame.copyTo and the canvas)
    // over its first 80 frames and kept the faster one in this browser.
    assert.ok(['videoframe', 'canvas'].includes(reading.grabbedBy), `grab: ${reading.grabbedBy}`);
    const third = 1000 / 60 / 3;
    console.log(`meter (${engine}, ${name}, 1280x720, grabbed by ${reading.grabbedBy}): ${reading.text}; target ${third.toFixed(2)} ms `
      + `${reading.total <= third ? 'met' : `missed by ${(reading.total - third).toFixed(2)} ms`}`);
    assert.ok(reading.grab > 0 && reading.compute > 0 && reading.draw > 0, JSON.stringify(reading));
    assert.ok(reading.fps >= 50, `${reading.fps.toFixed(1)} frames a second`);
    assert.ok(reading.total < 12,
      `per-frame path ${reading.total.toFixed(2)} ms (grab ${reading.grab.toFixed(2)}, compute ${reading.compute.toFixed(2)}, draw ${reading.draw.toFixed(2)})`);
    // Fast, and still exactly the reference's map.
    await page.click('#freeze');
    await page.waitForTimeout(100);
    await assertMapMatchesCore(page, query.includes('view=pool') ? 'pooled-map' : 'feature-map');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
