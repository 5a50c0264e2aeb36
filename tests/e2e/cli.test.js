// The command-line tool against the page: `convlens render` on a sample photo must write
// exactly the pixels the page draws on its map canvas for the same settings.
// Needs the page built (scripts/build.sh) and the tool (cargo build --release -p convlens-cli).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import {
  serve, launch, open, waitForMap, readCanvas, query, root, www, assertNoConsoleErrors,
} from './harness.js';

const binary = join(root, 'target', 'release', 'convlens');

let server;
let browser;
let scratch;
before(async () => {
  server = await serve();
  browser = await launch();
  scratch = await mkdtemp(join(tmpdir(), 'convlens-cli-'));
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs the tool; fails the test with its message if it does not succeed. */
function convlens(args) {
  const result = spawnSync(binary, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run ${binary} (build it with cargo build --release -p convlens-cli): ${result.error.message}`);
  return result;
}

/**
 * Decodes the 8-bit RGBA, non-interlaced PNG the tool writes, as { width, height, data }.
 * Written here so that no PNG code of the tool checks itself.
 */
function decodePng(bytes) {
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.deepEqual([...body.subarray(8, 13)], [8, 6, 0, 0, 0], '8-bit RGBA, not interlaced');
    } else if (type === 'IDAT') {
      idat.push(body);
    }
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x += 1) {
      const a = x >= 4 ? data[y * stride + x - 4] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y > 0 ? data[(y - 1) * stride + x - 4] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else assert.equal(filter, 0, `filter type ${filter} on row ${y}`);
      data[y * stride + x] = (line[x] + predictor) & 0xff;
    }
  }
  return { width, height, data };
}

// [what, the page's query, the map's test id, the tool's options]. The samples are at most
// 2048 pixels on their longest side, so with size=full neither the page nor the tool
// scales them. Coffee, camera and brick have no colour profile, so the browser decodes
// them to the file's own bytes.
const cases = [
  ['Sobel (left) at stride 2, all channels', 'image=coffee&size=full&kernel=sobel-left&stride=2',
    'feature-map', ['--image', 'coffee.png', '--kernel', 'sobel-left', '--stride', '2']],
  ['blur with padding 1 and dilation 2, gray', 'image=camera&kernel=blur&padding=1&dilation=2&channel=gray',
    'feature-map', ['--image', 'camera.png', '--kernel', 'blur', '--padding', '1', '--dilation', '2', '--channel', 'gray']],
  ['max pooling 4x4', 'view=pool&image=coffee&pool=max&pool_size=4',
    'pooled-map', ['--image', 'coffee.png', '--pool', 'max', '--pool-size', '4']],
  ['mean pooling 3x3 at stride 2, green', 'view=pool&image=chelsea&pool=mean&pool_size=3&pool_stride=2&channel=g',
    'pooled-map', null],
  ['custom weights, reflect padding, diverging colours (the URL pasted)',
    'image=brick&weights=1,0,-1;2,0,-2;1,0,-1&padding=same&padding_mode=reflect&display=diverging&channel=gray',
    'feature-map', null],
  ['emboss at dilation 3, circular padding, normalised',
    'image=coffee&kernel=emboss&dilation=3&padding=2&padding_mode=circular&display=normalize',
    'feature-map', ['--image', 'coffee.png', '--kernel', 'emboss', '--dilation', '3', '--padding', '2',
      '--padding-mode', 'circular', '--display', 'normalize']],
];

for (const [what, pageQuery, testid, options] of cases) {
  test(`the CLI's PNG is the page's canvas: ${what}`, async () => {
    // Without options, the tool is given the page's own URL.
    const image = new URLSearchParams(pageQuery).get('image');
    const args = options
      ? options.map((o) => (o.endsWith('.png') ? join(www, 'samples', o) : o))
      : ['--image', join(www, 'samples', `${image}.png`), '--url', `${server.url}?${pageQuery}`];
    const out = join(scratch, `${testid}-${cases.findIndex((c) => c[0] === what)}.png`);
    const result = convlens(['render', ...args, '--out', out]);
    assert.equal(result.status, 0, `convlens render ${args.join(' ')}: ${result.stderr}`);
    const written = decodePng(await readFile(out));

    const page = await open(browser, `${server.url}?${pageQuery}`);
    await waitForMap(page, testid);
    const q = await query(page);
    for (const pair of pageQuery.split('&')) {
      if (!pair.startsWith('weights=')) assert.ok(q.split('&').includes(pair), `the page kept ${pair}: ?${q}`);
    }
    assert.equal(await page.isHidden('#message'), true, `no message: ${await page.textContent('#message')}`);
    const canvas = await readCanvas(page, testid);
    assert.equal(`${written.width}x${written.height}`, `${canvas.width}x${canvas.height}`, 'size');
    if (!written.data.equals(canvas.data)) {
      let differ = 0;
      for (let i = 0; i < canvas.data.length; i += 1) if (written.data[i] !== canvas.data[i]) differ += 1;
      assert.fail(`${differ} of ${canvas.data.length} bytes differ between the CLI and the page for ?${q}`);
    }
    // The map is a real picture, not a flat one.
    const levels = new Set();
    for (let i = 0; i < canvas.data.length; i += 4) levels.add(canvas.data[i]);
    assert.ok(levels.size > 16, `${levels.size} levels of red`);
    assertNoConsoleErrors(page);
    await page.context().close();
  });
}

test('the CLI says what is wrong and exits 2 where the page would warn', () => {
  const coffee = join(www, 'samples', 'coffee.png');
  const out = join(scratch, 'never.png');
  for (const [args, expected] of [
    [['--image', coffee, '--stride', '0'], /stride must be a whole number from 1 to 16, not '0'/],
    [['--image', coffee, '--url', `${server.url}?kernel=nope`], /there is no kernel called 'nope'/],
    [['--image', join(www, 'index.html')], /is not a PNG file/],
  ]) {
    const result = convlens(['render', ...args, '--out', out]);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, expected);
  }
});
