// Figures for slides: the PNG downloads are exactly the canvases' pixels (the input, the
// feature map at its own size, the whole panel), the kernel is a grid with thicker lines
// in projector mode, and the step-by-step GIF has one frame per window position.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  serve, launch, open, waitForMap, readCanvas, assertNoConsoleErrors,
} from './harness.js';
import { decodePng, decodeGif } from './images.js';

/** Opens the 'More settings' disclosure, where the rarely used controls are. */
const openMore = (page) => page.evaluate(() => { document.getElementById('more').open = true; });

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Clicks `selector` and returns the downloaded file's name and bytes. */
async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

const pixel = (image, x, y) => [...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4)];

test('input, feature map and kernel download as PNG, pixel for pixel', async () => {
  const page = await open(browser, `${server.url}?image=chelsea&size=64&kernel=sobel-left&stride=2`);
  await waitForMap(page);
  await openMore(page);
  const input = await download(page, '#export-input');
  assert.equal(input.name, 'convlens-input.png');
  const inputCanvas = await readCanvas(page, 'input-frame');
  const inputPng = decodePng(input.bytes);
  assert.equal(`${inputPng.width}x${inputPng.height}`, `${inputCanvas.width}x${inputCanvas.height}`);
  assert.ok(inputPng.data.equals(inputCanvas.data), 'input PNG = input canvas');

  await openMore(page);
  const map = await download(page, '#export-map');
  assert.equal(map.name, 'convlens-feature-map.png');
  const mapCanvas = await readCanvas(page, 'feature-map');
  const mapPng = decodePng(map.bytes);
  assert.equal(`${mapPng.width}x${mapPng.height}`, '31x21', 'the map at its own pixel size');
  assert.ok(mapPng.data.equals(mapCanvas.data), 'map PNG = feature map canvas');

  // The kernel: 3x3 cells of 64 pixels, grid lines 1 pixel wide, cells tinted by sign
  // ([[1,0,-1],[2,0,-2],[1,0,-1]]), each non-empty cell with ink.
  await openMore(page);
  const kernel = decodePng((await download(page, '#export-kernel')).bytes);
  assert.equal(`${kernel.width}x${kernel.height}`, '193x193');
  const line = [154, 163, 173, 255];
  for (const at of [0, 64, 128, 192]) {
    assert.deepEqual(pixel(kernel, at, 30), line, `vertical line at ${at}`);
    assert.deepEqual(pixel(kernel, 30, at), line, `horizontal line at ${at}`);
  }
  assert.deepEqual(pixel(kernel, 65, 30), [255, 255, 255, 255], 'zero weight: white');
  assert.deepEqual(pixel(kernel, 2, 2), [253, 238, 238, 255], 'positive weight: red tint');
  assert.deepEqual(pixel(kernel, 130, 2), [233, 241, 251, 255], 'negative weight: blue tint');
  for (let m = 0; m < 3; m += 1) {
    for (let n = 0; n < 3; n += 1) {
      let ink = 0;
      for (let y = m * 64 + 1; y < m * 64 + 64; y += 1) {
        for (let x = n * 64 + 1; x < n * 64 + 64; x += 1) if (pixel(kernel, x, y)[0] === 29) ink += 1;
      }
      assert.ok(ink > 20, `cell ${m},${n} has its number written (${ink} ink pixels)`);
    }
  }
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the whole panel: input | kernel | map side by side; pooling shows input | map', async () => {
  const page = await open(browser, `${server.url}?view=pool&image=astronaut&size=64&pool_size=2`);
  await waitForMap(page, 'pooled-map');
  await openMore(page);
  const file = await download(page, '#export-panel');
  assert.equal(file.name, 'convlens-panel.png');
  const panel = decodePng(file.bytes);
  const input = await readCanvas(page, 'input-frame');
  const map = await readCanvas(page, 'pooled-map');
  assert.equal(`${input.width}x${input.height}`, '64x64');
  assert.equal(`${map.width}x${map.height}`, '32x32');
  const scale = input.height / map.height;
  assert.equal(panel.width, input.width + 48 + Math.round(map.width * scale));
  assert.equal(panel.height, input.height);
  for (let y = 0; y < input.height; y += 1) {
    for (let x = 0; x < input.width; x += 1) {
      assert.deepEqual(pixel(panel, x, y), pixel(input, x, y), `input pixel ${x},${y}`);
    }
  }
  // The map scaled up without smoothing: every panel pixel is one map pixel.
  const left = input.width + 48;
  // The operator stands in the gap between the parts.
  let ink = 0;
  for (let y = 0; y < panel.height; y += 1) for (let x = input.width; x < left; x += 1) if (pixel(panel, x, y)[0] < 128) ink += 1;
  assert.ok(ink > 10, `an arrow between input and map (${ink} ink pixels)`);
  for (let y = 0; y < panel.height; y += 1) {
    for (let x = left; x < panel.width; x += 1) {
      const [mx, my] = [Math.floor((x - left) / scale), Math.floor(y / scale)];
      assert.deepEqual(pixel(panel, x, y), pixel(map, mx, my), `map pixel at ${x},${y}`);
    }
  }
  assert.equal(await page.isVisible('#export-kernel'), false, 'no kernel in pooling');
  // Convolution: the kernel grid sits between them.
  await page.click('input[name=view][value=conv]');
  await waitForMap(page);
  await openMore(page);
  const conv = decodePng((await download(page, '#export-panel')).bytes);
  const feature = await readCanvas(page, 'feature-map');
  assert.equal(conv.width, 64 + 48 + 193 + 48 + Math.round(feature.width * (64 / feature.height)));
  assert.equal(conv.height, 193, 'as tall as the kernel grid');
  assert.deepEqual(pixel(conv, 64 + 48, 0), [154, 163, 173, 255], 'the kernel grid starts after the gap');
  // The input and the map are centred on the kernel's middle line (defect 11).
  assert.deepEqual(pixel(conv, 0, 0), [255, 255, 255, 255], 'white above the centred input');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('projector mode draws the kernel grid with thicker lines', async () => {
  const page = await open(browser, `${server.url}?size=32&projector=1`);
  await waitForMap(page);
  await openMore(page);
  const kernel = decodePng((await download(page, '#export-kernel')).bytes);
  assert.equal(`${kernel.width}x${kernel.height}`, '196x196');
  const isLine = (x) => pixel(kernel, x, 30).join() === '154,163,173,255';
  let width = 0;
  while (isLine(64 + width)) width += 1;
  assert.equal(width, 4, 'a 4-pixel line in projector mode (1 pixel otherwise)');
  await page.context().close();
});

test('the step-by-step animation downloads as a looping GIF, one frame per position', async () => {
  const page = await open(browser, `${server.url}?view=steps`);
  await page.waitForSelector('[data-testid=steps-output] td.current');
  await page.selectOption('#steps-speed', '400');
  await openMore(page);
  const file = await download(page, '#export-gif');
  assert.equal(file.name, 'convlens-steps.gif');
  const gif = decodeGif(file.bytes);
  assert.equal(gif.frames.length, 9, 'the lecture example has 3x3 positions');
  assert.ok(gif.loops, 'loops forever');
  assert.ok(gif.frames.every((f) => f.delay === 40), 'delay from the speed setting (400 ms)');
  const [cell, margin] = [48, 16];
  assert.equal(gif.width, margin * 2 + 9 * cell + 1);
  assert.equal(gif.height, margin * 2 + 5 * cell + 1);
  const colour = (frame, x, y) => gif.palette[gif.frames[frame].indices[y * gif.width + x]];
  // First frame: each cell of the lecture's grid shaded by its value (0 white, 1 dark).
  const grid = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]];
  grid.forEach((row, r) => row.forEach((value, c) => {
    const seen = colour(0, margin + c * cell + cell / 2, margin + r * cell + 9);
    assert.deepEqual(seen, value ? [55, 55, 55] : [255, 255, 255], `cell ${r},${c}`);
  }));
  // The window moves: frame 1 outlines column 0, frame 2 does not (it starts at column 1).
  const windowColour = [255, 176, 0];
  assert.deepEqual(colour(0, margin + 2, margin + 20), windowColour);
  assert.notDeepEqual(colour(1, margin + 2, margin + 20), windowColour);
  assert.deepEqual(colour(1, margin + cell + 2, margin + 20), windowColour);
  // After the first, frames store only what changed: the rows of the window and the
  // output cell, not the whole picture.
  assert.deepEqual(gif.frames[0].rectangle, [0, 0, gif.width, gif.height]);
  assert.ok(gif.frames.slice(1).every(({ rectangle: [, , w, h] }) => w * h < (gif.width * gif.height) / 1.5),
    gif.frames.map((f) => f.rectangle.join()).join(' | '));
  // The output cell being computed is blue, and it moves along.
  const out = margin + 6 * cell;
  assert.deepEqual(colour(0, out + 5, margin + 5), [11, 99, 197]);
  assert.deepEqual(colour(8, out + 2 * cell + 5, margin + 2 * cell + 5), [11, 99, 197]);
  // The browser's own GIF decoder agrees with ours on the first frame.
  const decoded = await page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/gif' }));
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    return Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data);
  }, file.bytes.toString('base64'));
  let differ = 0;
  gif.frames[0].indices.forEach((index, i) => {
    const [r, g, b] = gif.palette[index];
    if (decoded[i * 4] !== r || decoded[i * 4 + 1] !== g || decoded[i * 4 + 2] !== b) differ += 1;
  });
  assert.equal(differ, 0, 'Chromium decodes the same first frame');
  // The page itself is where it was.
  assert.match(await page.textContent('#steps-position'), /Position 1 of 9/);
  assertNoConsoleErrors(page);
  await page.context().close();
});
