// Long use: 10,000 webcam frames with controls changing on the way. The module's memory
// and the JavaScript heap must stay flat after warm-up. The frame rate of each stretch
// of 500 frames is written to the report (tests/artifacts/BROWSER/soak.json) but not
// asserted: on a shared machine it follows the load, and speed is the benchmark's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, assertMapMatchesCore, artifact, engine } from './harness.js';

/** Opens the 'More settings' disclosure, where the rarely used controls are. */
const openMore = (page) => page.evaluate(() => { document.getElementById('more').open = true; });

const FRAMES = Number(process.env.SOAK_FRAMES ?? 10000);
const WARM_UP = 1000;

let server;
let browser;
before(async () => { server = await serve(); browser = await launch({ camera: 'fake' }); });
after(async () => { await browser?.close(); await server?.close(); });

test(`${FRAMES} webcam frames: flat memory`, { timeout: 30 * 60 * 1000 }, async () => {
  // A small frame keeps the run short; the per-frame path is the same at any size.
  const page = await open(browser, `${server.url}?image=webcam&size=64`, { permissions: ['camera'] });
  // The page's own module instance (a module is loaded once per page), once started.
  await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('pixels'));
  await page.evaluate(async () => { window.convlens = await import('./pkg/convlens_web.js'); });
  const stats = () => page.evaluate(() => window.convlens.stats());
  // The JavaScript heap where the browser tells it (Chromium; not Firefox: see driver.js).
  const heap = () => page.jsHeapBytes();
  const framesAt = async (target) => {
    await page.waitForFunction((n) => window.convlens.stats().frames >= n, target,
      { timeout: 20 * 60 * 1000, polling: 250 });
    return { ...(await stats()), at: Date.now() };
  };
  // Controls that change on the way, one every 500 frames.
  await openMore(page);
  const changes = [
    () => page.selectOption('select[name=kernel]', 'sobel-left'),
    () => page.check('input[name=stride][value="2"]'),
    () => page.check('input[name=channel][value="gray"]'),
    () => page.selectOption('select[name=display]', 'diverging'),
    () => page.check('input[name=padding][value="same"]'),
    () => page.check('input[name=stride][value="1"]'),
    () => page.selectOption('select[name=kernel]', 'gaussian-7'),
    () => page.check('input[name=view][value="pool"]'),
    () => page.check('input[name=pool][value="mean"]'),
    () => page.check('input[name=view][value="conv"]'),
    () => page.check('input[name=channel][value="all"]'),
    () => page.selectOption('select[name=kernel]', 'edges'),
  ];
  // Warm-up goes through every change twice (40 frames each), so that every state the
  // measured part visits has been seen: buffers sized for it once, then reused.
  for (let round = 0, at = 0; round < 2; round += 1) {
    for (const apply of changes) {
      await apply();
      at += 40;
      await framesAt(at);
    }
  }
  const warm = await framesAt(WARM_UP);
  const warmHeap = await heap();
  const windows = [];
  const heaps = [warmHeap];
  let last = warm;
  for (let frame = WARM_UP, step = 0; frame < FRAMES; step += 1) {
    frame = Math.min(frame + 500, FRAMES);
    await changes[step % changes.length]();
    const now = await framesAt(frame);
    windows.push(((now.frames - last.frames) * 1000) / (now.at - last.at));
    if (step % 4 === 3) heaps.push(await heap());
    last = now;
  }
  const endHeap = await heap();
  const end = await stats();
  const report = {
    frames: end.frames,
    memoryBytes: { afterWarmUp: warm.memoryBytes, atEnd: end.memoryBytes },
    jsHeapBytes: { afterWarmUp: warmHeap, atEnd: endHeap, every2000Frames: heaps },
    framesPerSecond: windows.map((f) => Math.round(f * 10) / 10),
  };
  await artifact('soak.json', `${JSON.stringify(report, null, 2)}\n`);
  console.log(`soak: ${JSON.stringify(report)}`);
  assert.ok(end.frames >= FRAMES);
  assert.equal(end.memoryBytes, warm.memoryBytes, 'the module memory grew after warm-up');
  if (warmHeap === null) {
    console.log(`soak (${engine}): the JavaScript heap is not measured (no protocol command for it); the module's memory is`);
  } else {
    assert.ok(endHeap < warmHeap * 1.25 + 2 * 1024 * 1024, `JS heap grew from ${warmHeap} to ${endHeap}`);
    // The engine's own caches settle in the first thousands of frames; after that, flat.
    const settled = heaps[1] ?? warmHeap;
    assert.ok(endHeap < settled * 1.1 + 512 * 1024, `JS heap grew from ${settled} to ${endHeap} after settling`);
  }
  // Still exact at the end.
  await page.click('#freeze');
  await page.waitForTimeout(100);
  await assertMapMatchesCore(page);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
