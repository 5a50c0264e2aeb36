// The transposed-convolution view: each input cell stamps the kernel scaled by its value,
// overlaps summed, the padding's crop, the size formula, the layer as the transpose of the
// convolution's matrix; and the checkerboard that kernel 3 at stride 2 leaves on a photo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, query, change, readCanvas, screenshot, assertNoConsoleErrors } from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** The drawn output, row by row, as the page shows it (a dot for a cell no stamp reached). */
const output = (page) => page.$$eval('#transposed-output tr', (rows) => rows.map((r) => [...r.cells]
  .map((c) => c.firstChild.textContent)));
const hatched = (page) => page.$$eval('#transposed-output td.pad', (cells) => cells.length);

// x = [[1, 2], [3, 4]], w = [[1, 2, 1], [2, 4, 2], [1, 2, 1]], stride 2: worked by hand.
const WORKED = [
  ['1', '2', '3', '4', '2'],
  ['2', '4', '6', '8', '4'],
  ['4', '8', '10', '12', '6'],
  ['6', '12', '14', '16', '8'],
  ['3', '6', '7', '8', '4'],
];

test('Play grows the output stamp by stamp, Next and Back step it, Space pauses', async () => {
  const page = await open(browser, `${server.url}?view=transposed`);
  await page.waitForSelector('#transposed-output td');
  const pressed = () => page.getAttribute('#transposed-play', 'aria-pressed');
  assert.equal(await page.textContent('#transposed-play'), '▶ Play');
  await page.click('#transposed-play');
  assert.equal(await pressed(), 'true');
  assert.equal(await page.textContent('#transposed-play'), '❚❚ Pause');
  // Each tick adds the next input cell's stamp, as the hand-worked sums say.
  const partial = {
    2: [['1', '2', '3', '4', '2'], ['2', '4', '6', '8', '4'], ['1', '2', '3', '4', '2'],
      ['·', '·', '·', '·', '·'], ['·', '·', '·', '·', '·']],
    3: [['1', '2', '3', '4', '2'], ['2', '4', '6', '8', '4'], ['4', '8', '6', '4', '2'],
      ['6', '12', '6', '·', '·'], ['3', '6', '3', '·', '·']],
    4: WORKED,
  };
  for (const step of [2, 3, 4]) {
    await page.waitForFunction((s) => location.search.includes(`tstep=${s}&`) || location.search.endsWith(`tstep=${s}`), step, { timeout: 5000 });
    assert.deepEqual(await output(page), partial[step], `after stamp ${step}`);
    assert.match(await page.textContent('[data-testid=transposed-stamp]'), new RegExp(`^Stamp ${step} of 4:`));
    assert.equal(await page.inputValue('[data-testid=transposed-scrubber]'), String(step));
  }
  // At the last stamp the player stops by itself.
  await page.waitForFunction(() => document.getElementById('transposed-play').getAttribute('aria-pressed') === 'false', null, { timeout: 5000 });
  assert.equal(await page.textContent('#transposed-play'), '▶ Play');
  // Play again starts over from the first stamp; Back stops it and steps back.
  await page.click('#transposed-play');
  assert.match(await query(page), /tstep=1/);
  assert.equal(await pressed(), 'true');
  await page.waitForFunction(() => /tstep=2/.test(location.search), null, { timeout: 5000 });
  await change(page, () => page.click('#transposed-back'));
  assert.equal(await pressed(), 'false');
  assert.match(await query(page), /tstep=1/);
  // Next steps on by hand and the player stays stopped.
  await change(page, () => page.click('#transposed-next'));
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1000)));
  assert.match(await query(page), /tstep=2/);
  // Space plays and pauses this view's stamps (the focus on the page, not a control).
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press(' ');
  assert.equal(await pressed(), 'true');
  await page.keyboard.press(' ');
  assert.equal(await pressed(), 'false');
  // Opening another view stops a running player.
  await page.click('#transposed-play');
  await change(page, () => page.check('input[name=view][value=conv]'));
  const at = await query(page);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1200)));
  assert.equal(await query(page), at, 'no stamp moves behind another view');
  await screenshot(page, 'transposed-player');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('each input cell stamps a scaled copy of the kernel, overlaps add up', async () => {
  const page = await open(browser, `${server.url}?view=transposed`);
  await page.waitForSelector('#transposed-output td');
  // The first stamp: x[1,1] = 1 times the kernel, in the top-left corner only.
  assert.deepEqual(await output(page), [
    ['1', '2', '1', '·', '·'], ['2', '4', '2', '·', '·'], ['1', '2', '1', '·', '·'],
    ['·', '·', '·', '·', '·'], ['·', '·', '·', '·', '·'],
  ]);
  assert.equal(await page.textContent('[data-testid=transposed-stamp]'),
    'Stamp 1 of 4: x[1,1] = 1 adds 1 × w to rows 1–3, columns 1–3 (counted before the crop)');
  assert.equal(await page.locator('#transposed-output td.tap').count(), 9);
  // Three clicks on Next: every stamp in, the overlaps summed.
  for (let i = 0; i < 3; i += 1) await change(page, () => page.click('#transposed-next'));
  assert.match(await query(page), /tstep=4/);
  assert.deepEqual(await output(page), WORKED);
  assert.match(await page.textContent('[data-testid=transposed-stamp]'), /^Stamp 4 of 4: x\[2,2\] = 4 adds 4 × w to rows 3–5, columns 3–5/);
  // Back goes one stamp back: x[2,2]'s stamp leaves the bottom-right corner.
  await change(page, () => page.click('#transposed-back'));
  assert.equal((await output(page))[4][4], '·');
  await change(page, () => page.click('#transposed-next'));
  // The centre takes a corner weight from every stamp.
  await page.locator('#transposed-output td[data-r="2"][data-c="2"]').hover();
  await page.waitForFunction(() => document.getElementById('transposed-cell').textContent !== '');
  assert.equal(await page.textContent('[data-testid=transposed-cell]'),
    'y[3,3] = x[1,1]·w[3,3] + x[1,2]·w[3,1] + x[2,1]·w[1,3] + x[2,2]·w[1,1] = 1·1 + 2·1 + 3·1 + 4·1 = 10');
  assert.match(await page.textContent('#transposed-formula-h'), /= \(2 − 1\)·2 − 2·0 \+ 1·\(3 − 1\) \+ 0 \+ 1 = 5$/);
  assert.equal(await page.textContent('[data-testid=transposed-pytorch]'),
    'nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, bias=False)');
  assert.match(await page.textContent('#transposed-flops'), /4 input cells × 9 weights = 36 multiply-adds/);
  // The matrix: one row per output cell, one column per input cell; row y[3,3] holds the
  // four corner weights, and the matrix times x is the output.
  const matrix = await page.$$eval('#transposed-matrix tr', (rows) => rows.slice(1)
    .map((r) => [...r.cells].slice(1).map((c) => c.textContent)));
  assert.equal(matrix.length, 25);
  assert.deepEqual(matrix[12], ['w[3,3]', 'w[3,1]', 'w[1,3]', 'w[1,1]']);
  const w = [[1, 2, 1], [2, 4, 2], [1, 2, 1]];
  const x = [1, 2, 3, 4];
  const product = matrix.map((row) => row.reduce((sum, e, j) => {
    const m = /w\[(\d),(\d)\]/.exec(e);
    return m ? sum + w[m[1] - 1][m[2] - 1] * x[j] : sum;
  }, 0));
  assert.deepEqual(product.map(String), WORKED.flat());
  assert.match(await page.textContent('#transposed-matrix-note'), /^Rows: the 25 output cells; columns: the 4 input cells .* which maps 5 × 5 back to 2 × 2/);
  assert.equal(await page.textContent('[data-testid=transposed-conv]'), 'nn.Conv2d(1, 1, kernel_size=3, stride=2, bias=False)');

  // Padding 1 crops a ring: 3 × 3 remains, the centre of the worked grid.
  await change(page, () => page.check('input[name=tpadding][value="1"]'));
  assert.equal(await page.textContent('#transposed-output-size'), '3 × 3');
  assert.equal(await hatched(page), 16);
  assert.match(await page.textContent('[data-testid=transposed-pytorch]'), /stride=2, padding=1, bias=False/);
  // Output padding 1 adds a row and a column back at the end.
  await change(page, () => page.check('input[name=output_padding][value="1"]'));
  assert.equal(await page.textContent('#transposed-output-size'), '4 × 4');
  assert.equal(await hatched(page), 9);
  assert.match(await page.textContent('#transposed-formula-w'), /= \(2 − 1\)·2 − 2·1 \+ 1·\(3 − 1\) \+ 1 \+ 1 = 4$/);
  // Output padding must stay below the stride (or the dilation): said, and the view stays.
  await change(page, () => page.check('input[name=output_padding][value="2"]'));
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /output padding \(2x2\) must be smaller than the stride \(2x2\) or the dilation/);
  assert.equal(await page.textContent('#transposed-output-size'), '4 × 4');
  await change(page, () => page.check('input[name=tdilation][value="3"]'));
  await page.waitForFunction(() => document.getElementById('message').hidden);
  assert.match(await page.textContent('#transposed-formula-h'), /= \(2 − 1\)·2 − 2·1 \+ 3·\(3 − 1\) \+ 2 \+ 1 = 9$/);
  // A new input and kernel, typed.
  await change(page, async () => { await page.fill('[data-testid=tgrid]', '1,-1'); await page.press('[data-testid=tgrid]', 'Enter'); });
  await change(page, () => page.check('input[name=tdilation][value="1"]'));
  await change(page, () => page.check('input[name=output_padding][value="0"]'));
  await change(page, () => page.check('input[name=tpadding][value="0"]'));
  await change(page, async () => { await page.fill('[data-testid=tkernel]', '1,1,1'); await page.press('[data-testid=tkernel]', 'Enter'); });
  await change(page, () => page.click('#transposed-next'));
  assert.deepEqual(await output(page), [['1', '1', '0', '-1', '-1']]);
  // A bad cell is explained and changes nothing.
  await page.fill('[data-testid=tgrid]', '1,,2');
  await page.press('[data-testid=tgrid]', 'Enter');
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /grid cell at row 1, column 2 \(empty\) is not a number/);
  assert.deepEqual(await output(page), [['1', '1', '0', '-1', '-1']]);
  assert.match(await query(page), /tgrid=1,-1&tkernel=1,1,1&tstride=2&tpadding=0&output_padding=0&tdilation=1&tstep=2/);
  assertNoConsoleErrors(page);
  await page.context().close();
});

/** How far each pixel stands out from the mean of its two horizontal neighbours. */
function roughness({ width, height, data }) {
  let sum = 0;
  let n = 0;
  for (let y = 2; y < height - 2; y += 1) {
    for (let x = 2; x < width - 2; x += 1) {
      const at = (xx) => data[4 * (y * width + xx)];
      sum += Math.abs(at(x) - (at(x - 1) + at(x + 1)) / 2);
      n += 1;
    }
  }
  return sum / n;
}

test('the checkerboard: kernel 3 at stride 2 overlaps unevenly, kernel 4 and resize-then-convolve do not', async () => {
  const page = await open(browser, `${server.url}?view=transposed&image=coffee`);
  await page.waitForFunction(() => document.querySelector('[data-testid=checker-uneven]').width > 1);
  const photo = await readCanvas(page, 'checker-photo');
  assert.ok(Math.max(photo.width, photo.height) <= 64 && Math.max(photo.width, photo.height) > 32);
  const uneven = await readCanvas(page, 'checker-uneven');
  const even = await readCanvas(page, 'checker-even');
  const resized = await readCanvas(page, 'checker-resized');
  for (const map of [uneven, even, resized]) {
    assert.equal(`${map.width}x${map.height}`, `${2 * photo.width}x${2 * photo.height}`);
  }
  // The count map, 64 per stamp: 1 stamp on even rows and columns, 2 on odd ones, so
  // 1, 2 or 4 at each cell (the last row and column have one).
  const counts = await readCanvas(page, 'checker-uneven-counts');
  const c = (i, size) => (i % 2 === 1 && i < size - 1 ? 2 : 1);
  for (const [y, x] of [[0, 0], [1, 1], [1, 2], [2, 1], [5, 8], [9, 9], [10, 20], [counts.height - 1, 3]]) {
    const expected = Math.min(255, Math.round(c(y, counts.height) * c(x, counts.width) * 63.75));
    assert.equal(counts.data[4 * (y * counts.width + x)], expected, `count at ${y},${x}`);
  }
  const evenCounts = await readCanvas(page, 'checker-even-counts');
  for (const [y, x] of [[1, 1], [2, 7], [30, 31]]) {
    assert.equal(evenCounts.data[4 * (y * evenCounts.width + x)], 255);
  }
  assert.equal(await page.textContent('#checker-uneven-counts-text'), 'Stamps reaching each cell (kernel 3): 1, 2, 4');
  assert.equal(await page.textContent('#checker-even-counts-text'), 'The same count with kernel 4: 4 inside');
  // The pattern: kernel 3's map is far rougher, pixel to pixel, than the other two.
  const [r3, r4, rr] = [roughness(uneven), roughness(even), roughness(resized)];
  assert.ok(r3 > 4 * r4 && r3 > 4 * rr, `roughness ${r3} vs ${r4} and ${rr}`);
  assert.match(await page.textContent('#checker-pytorch-3'), /kernel_size=3, stride=2, padding=1, output_padding=1/);
  // Another photo, another checkerboard.
  await change(page, () => page.selectOption('select[name=image]', 'astronaut'));
  await page.waitForFunction((w) => document.querySelector('[data-testid=checker-photo]').width !== w, photo.width);
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('the view at 1440x900 and 1920x1080, in both languages', async () => {
  for (const [width, height] of [[1440, 900], [1920, 1080]]) {
    for (const lang of ['en', 'ru']) {
      const page = await open(browser, `${server.url}?view=transposed&tstep=3&tpadding=1&lang=${lang}`, { viewport: { width, height } });
      await page.waitForFunction(() => document.querySelector('[data-testid=checker-uneven]').width > 1);
      // The stamp grids are on the first screen.
      const box = await page.locator('[data-testid=transposed-output]').boundingBox();
      assert.ok(box.y + box.height <= height, `output grid ends at ${box.y + box.height} of ${height}`);
      await screenshot(page, `transposed-${width}x${height}-${lang}`);
      assertNoConsoleErrors(page);
      await page.context().close();
    }
  }
});
