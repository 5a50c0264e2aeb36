// The detector view: MTCNN's P-Net and R-Net (their own module, crates/web-detect, and
// the weights www/data/mtcnn.bin) find the astronaut's one face and nothing on a photo
// without faces; the boxes are those of `convlens detect` on the page's own input pixels,
// to the bit; the canvas shows the heat map and the boxes.
// Needs the page built (scripts/build.sh) and the tool (cargo build --release -p convlens-cli).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  serve, launch, open, readCanvas, query, change, png, root, screenshot, assertNoConsoleErrors,
} from './harness.js';

const binary = join(root, 'target', 'release', 'convlens');
/** The boxes' colour (convlens_core::detect::FACE_COLOUR). */
const GREEN = [0, 230, 64];

let server;
let browser;
let scratch;
before(async () => {
  server = await serve();
  browser = await launch();
  scratch = await mkdtemp(join(tmpdir(), 'convlens-detect-'));
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Waits for the detector's answer and gives its boxes, as the page wrote them. */
async function boxes(page) {
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=detect-summary]')?.textContent ?? ''), null, { timeout: 90_000 });
  return page.$$eval('#detect-boxes li', (items) => items.map((li) => ({ text: li.textContent, exact: li.dataset.box.split(',') })));
}

/** `convlens detect --json` on the page's own input pixels. */
async function cliBoxes(page, name, args = []) {
  const input = await readCanvas(page, 'input-frame');
  const file = join(scratch, `${name}.png`);
  await writeFile(file, png(input.width, input.height, (x, y) => {
    const at = 4 * (y * input.width + x);
    return [input.data[at], input.data[at + 1], input.data[at + 2]];
  }));
  const run = spawnSync(binary, ['detect', '--image', file, '--json', ...args], { encoding: 'utf8' });
  if (run.error) throw new Error(`cannot run ${binary} (cargo build --release -p convlens-cli): ${run.error.message}`);
  assert.equal(run.status, 0, run.stderr);
  return { input, lines: run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

test('one face on the astronaut, at the place the command line finds it, drawn in green', { timeout: 180_000 }, async () => {
  const page = await open(browser, `${server.url}?view=detect&image=astronaut`, { viewport: { width: 1440, height: 900 } });
  const found = await boxes(page);
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.match(await page.textContent('[data-testid=detect-summary]'), /^Faces: 1\. P-Net's proposals: \d+, over \d+ levels of the pyramid\.$/);
  const [x, y, w, h, score] = found[0].exact.map(Number);
  assert.ok(score > 0.99, `score ${score}`);
  // The same numbers from the command line, on the same pixels.
  const { input, lines } = await cliBoxes(page, 'astronaut');
  assert.equal(lines.length, 1);
  const cli = lines[0];
  assert.deepEqual(found[0].exact, [cli.x, cli.y, cli.width, cli.height, cli.score].map((v) => String(v)));
  // On her face: the box's centre lies between her eyes and her mouth (the photo is
  // 512x512 at full size: x 175-265, y 70-180 there).
  const sx = input.width / 512;
  const sy = input.height / 512;
  assert.ok(x + w / 2 > 190 * sx && x + w / 2 < 250 * sx, `centre x ${x + w / 2}`);
  assert.ok(y + h / 2 > 95 * sy && y + h / 2 < 150 * sy, `centre y ${y + h / 2}`);
  // The canvas: the frame's size, the box's top edge green, her cheek reddened by the
  // heat map, a far corner as the photo has it.
  const drawn = await readCanvas(page, 'detect-canvas');
  assert.equal(`${drawn.width}x${drawn.height}`, `${input.width}x${input.height}`);
  const pixel = (image, px, py) => {
    const at = 4 * (Math.floor(py) * image.width + Math.floor(px));
    return [image.data[at], image.data[at + 1], image.data[at + 2]];
  };
  assert.deepEqual(pixel(drawn, x + w / 2, Math.round(y)), GREEN);
  const [before, after] = [pixel(input, x + w / 2, y + h / 2), pixel(drawn, x + w / 2, y + h / 2)];
  assert.ok(after[0] >= before[0] && after[1] < before[1], `${before} -> ${after}`);
  assert.deepEqual(pixel(drawn, input.width - 3, 3), pixel(input, input.width - 3, 3));
  await screenshot(page, 'detect-astronaut');
  assertNoConsoleErrors(page);
  await page.context().close();
});

test('no face on the coffee cup; the controls are in the URL and in Russian', { timeout: 180_000 }, async () => {
  const page = await open(browser, `${server.url}?view=detect&image=coffee`);
  assert.deepEqual(await boxes(page), []);
  assert.match(await page.textContent('[data-testid=detect-summary]'), /^Faces: 0\./);
  const { lines } = await cliBoxes(page, 'coffee');
  assert.deepEqual(lines, []);
  // P-Net alone, faces from 40 pixels, threshold 60 %: its proposals are the answer,
  // as the command line's --stages pnet gives them.
  await change(page, async () => { await page.fill('[data-testid=detect-min-face]', '40'); await page.press('[data-testid=detect-min-face]', 'Enter'); });
  await change(page, () => page.selectOption('[data-testid=detect-rnet]', '0'));
  await change(page, async () => { await page.fill('[data-testid=detect-threshold]', '60'); await page.press('[data-testid=detect-threshold]', 'Enter'); });
  assert.match(await query(page), /min_face=40/);
  assert.match(await query(page), /face_threshold=60/);
  assert.match(await query(page), /rnet=0/);
  const proposals = await boxes(page);
  const { lines: cli } = await cliBoxes(page, 'coffee-pnet', ['--min-face', '40', '--stages', 'pnet', '--threshold', '0.6']);
  assert.ok(proposals.length > 0, 'P-Net alone proposes boxes on the cup');
  assert.deepEqual(proposals.map((b) => b.exact), cli.map((c) => [c.x, c.y, c.width, c.height, c.score].map(String)));
  // In Russian.
  const russian = await open(browser, `${server.url}?view=detect&image=coffee&lang=ru`);
  await boxes(russian);
  assert.match(await russian.textContent('[data-testid=detect-summary]'), /^Лиц: 0\. Предложений P-Net: \d+ на \d+ уровнях пирамиды\.$/);
  await russian.context().close();
  assertNoConsoleErrors(page);
  await page.context().close();
});
