// The page's own speed in real browsers (issue #17): how soon the first feature map is
// drawn after navigation, and what the live per-frame path (grab + compute + draw) costs
// with the browser's fake 1280x720 webcam, as the page's frame meter reads it; in headless
// Chromium and Firefox ESR, driven as the end-to-end tests drive them (tests/e2e/).
//
//   node bench/page.mjs [--browsers chromium,firefox] [--loads N] [--windows N]
//                       [--only WORKLOAD] [--out FILE]
//
// Needs the built page (scripts/build.sh), the tests' packages (npm ci in tests/) and the
// test oracle (cargo build --release -p convlens-web --example oracle): every map timed
// here is also checked against the core's naive reference. `bash scripts/bench.sh page`
// does all of that first. Prints a table and writes page-results.json next to this file.
// See README.md ("The page in a browser").
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const options = {
  browsers: 'chromium,firefox',
  // Fresh page loads per build (each in a new browser context: nothing cached).
  loads: 10,
  // Readings of the frame meter per workload, each the mean of its last 30 frames.
  windows: 6,
  only: '',
  out: join(here, 'page-results.json'),
  // Internal: run one browser's measurements and write them to this file.
  child: '',
};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in options)) throw new Error(`unknown option ${process.argv[i]}`);
  options[key] = typeof options[key] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}

// The targets.
const FIRST_MAP_MS = 1000;
const FRAME_MS = 1000 / 60 / 3;

// The live workloads: what a lecturer shows with the webcam.
const WORKLOADS = [
  ['1x1 identity', 'kernel=identity'],
  ['3x3 Edges', 'kernel=edges'],
  ['3x3 Sobel (right)', 'kernel=sobel-right'],
  ['5x5 Gaussian', 'kernel=gaussian-5'],
  ['2x2 max pooling', 'view=pool&pool=max&pool_size=2'],
  ['2x2 mean pooling', 'view=pool&pool=mean&pool_size=2'],
].filter(([name]) => !options.only || name.includes(options.only));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---------------------------------------------------------------- one browser
async function measure() {
  const harness = await import('../tests/e2e/harness.js');
  const {
    serve, launch, open, watchFirstMap, assertMapMatchesCore, readMeter, engine,
  } = harness;
  // The page's map against the core's naive reference: 'exact' or what differs.
  const check = async (page, testid) => {
    try {
      await assertMapMatchesCore(page, testid);
      return 'exact';
    } catch (error) {
      return `differs: ${error.message}`;
    }
  };
  const server = await serve();
  const result = { engine, firstMap: [], live: [] };

  // First map: fresh loads of each build, alternating, so that a slow moment of the
  // machine falls on both.
  const noSimd = () => { WebAssembly.validate = () => false; };
  let browser = await launch({ preciseClock: true });
  result.version = await browser.inner.version();
  const builds = [
    { build: 'SIMD', scripts: [watchFirstMap], wasm: 'convlens_web_bg.wasm' },
    { build: 'scalar', scripts: [noSimd, watchFirstMap], wasm: 'convlens_web_scalar_bg.wasm' },
  ];
  const loads = builds.map(() => []);
  const checks = builds.map(() => 'not checked');
  for (let round = 0; round < options.loads; round += 1) {
    for (const [index, { scripts, wasm }] of builds.entries()) {
      const page = await open(browser, server.url, { initScripts: scripts });
      await page.waitForFunction(() => window.firstMap !== null, null, { timeout: 300000, polling: 50 });
      const timing = await page.evaluate((name) => {
        const [navigation] = performance.getEntriesByType('navigation');
        const module = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith(`/${name}`));
        return {
          firstMap: window.firstMap,
          moduleFetched: module ? module.responseEnd : null,
          domContentLoaded: navigation ? navigation.domContentLoadedEventEnd : null,
        };
      }, wasm);
      loads[index].push(timing);
      if (round === 0) checks[index] = await check(page, 'feature-map');
      if (page.errors.length) checks[index] = `console errors: ${page.errors.join('; ')}`;
      await page.context().close();
    }
  }
  for (const [index, { build }] of builds.entries()) {
    const runs = loads[index];
    const first = runs.map((r) => r.firstMap);
    result.firstMap.push({
      build,
      loads: runs.length,
      median: median(first),
      min: Math.min(...first),
      max: Math.max(...first),
      moduleFetched: median(runs.map((r) => r.moduleFetched ?? Number.NaN)),
      domContentLoaded: median(runs.map((r) => r.domContentLoaded ?? Number.NaN)),
      runs,
      reference: checks[index],
    });
  }
  await browser.close();

  // The live path: the fake webcam, the meter on, one workload after another.
  browser = await launch({ camera: 'fake', preciseClock: true });
  for (const [name, query] of WORKLOADS) {
    const page = await open(browser, `${server.url}?image=webcam&meter=1&${query}`, { permissions: ['camera'] });
    const frames = () => page.evaluate(() => Number(document.querySelector('[data-testid=frame-meter]').dataset.frames));
    const size = await page.waitForFunction(() => {
      const input = document.querySelector('[data-testid=input-frame]');
      return input.width >= 640 && `${input.width}x${input.height}`;
    }, null, { timeout: 300000 }).then((handle) => handle.jsonValue());
    // Past the page's choice of grab (its first 80 frames) and the engine's warm-up.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=frame-meter]').dataset.frames) >= 120,
      null, { timeout: 600000, polling: 200 });
    // Readings 30 frames apart: windows that do not overlap.
    const readings = [];
    for (let w = 0; w < options.windows; w += 1) {
      const at = (await frames()) + 30;
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid=frame-meter]').dataset.frames) >= n,
        at, { timeout: 600000, polling: 100 });
      readings.push(await readMeter(page));
    }
    await page.click('#freeze');
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    const reference = page.errors.length
      ? `console errors: ${page.errors.join('; ')}`
      : await check(page, query.includes('view=pool') ? 'pooled-map' : 'feature-map');
    const pick = (key) => median(readings.map((r) => r[key]));
    result.live.push({
      workload: name,
      query,
      size,
      grabbedBy: readings.at(-1).grabbedBy,
      path: readings.at(-1).path,
      grab: pick('grab'),
      compute: pick('compute'),
      draw: pick('draw'),
      total: pick('total'),
      worst: Math.max(...readings.map((r) => r.worst)),
      fps: pick('fps'),
      readings,
      reference,
    });
    await page.context().close();
  }
  await browser.close();
  await server.close();
  return result;
}

if (options.child) {
  writeFileSync(options.child, JSON.stringify(await measure()));
  process.exit(0);
}

// ---------------------------------------------------------------- the report
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  platform: `${os.type()} ${os.arch()}`,
  date: new Date().toISOString(),
  loadAtStart: loadAverage(),
};
const scratch = mkdtempSync(join(os.tmpdir(), 'convlens-page-bench-'));
const results = [];
for (const engine of options.browsers.split(',')) {
  const file = join(scratch, `${engine}.json`);
  // One process per browser: the tests' driver picks its browser once, from BROWSER.
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url),
    '--child', file, '--loads', String(options.loads), '--windows', String(options.windows),
    '--only', options.only], { env: { ...process.env, BROWSER: engine }, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`${engine}: the measurement failed (status ${run.status})`);
  results.push(JSON.parse(readFileSync(file, 'utf8')));
}
rmSync(scratch, { recursive: true, force: true });
machine.loadAtEnd = loadAverage();

const f = (v, width = 7) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(2)) : '-').padStart(width);
const lines = [];
lines.push(`convlens page benchmark: ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAtStart}, ${machine.date}`);
lines.push(...results.map((r) => `  ${r.engine}: ${r.version}`));
lines.push('');
lines.push(`First feature map: milliseconds from navigation to the first drawn map, ${options.loads} fresh loads per build (median, min, max);`);
lines.push('the module file fetched (median); against the issue\'s target of 1 s');
lines.push(`${'browser'.padEnd(10)}${'build'.padEnd(8)}${'median'.padStart(7)}${'min'.padStart(7)}${'max'.padStart(7)}${'module'.padStart(8)}  target   reference`);
for (const r of results) {
  for (const m of r.firstMap) {
    const verdict = m.median <= FIRST_MAP_MS ? 'met   ' : `missed by ${(m.median - FIRST_MAP_MS).toFixed(0)} ms`;
    lines.push(`${r.engine.padEnd(10)}${m.build.padEnd(8)}${f(m.median)}${f(m.min)}${f(m.max)}${f(m.moduleFetched, 8)}  ${verdict}   ${m.reference}`);
  }
}
lines.push('');
lines.push(`Live per-frame path, fake webcam: the frame meter's means over 30 frames, median of ${options.windows} windows (ms; fps = frames a second);`);
lines.push(`against the issue's target, a third of a 60 Hz frame (${FRAME_MS.toFixed(2)} ms)`);
lines.push(`${'browser'.padEnd(10)}${'workload'.padEnd(19)}${'size'.padEnd(10)}${'grab'.padStart(7)}${'compute'.padStart(8)}${'draw'.padStart(7)}${'total'.padStart(7)}${'worst'.padStart(7)}${'fps'.padStart(6)}  grabbed by  target              reference`);
for (const r of results) {
  for (const l of r.live) {
    const verdict = l.total <= FRAME_MS ? 'met' : `missed by ${(l.total - FRAME_MS).toFixed(2)} ms`;
    lines.push(`${r.engine.padEnd(10)}${l.workload.padEnd(19)}${l.size.padEnd(10)}${f(l.grab)}${f(l.compute, 8)}${f(l.draw)}${f(l.total)}${f(l.worst)}${f(l.fps, 6)}  ${l.grabbedBy.padEnd(10)}  ${verdict.padEnd(18)}  ${l.reference}`);
  }
}
lines.push('');
lines.push(`load average at the end: ${machine.loadAtEnd}`);
console.log(lines.join('\n'));
writeFileSync(options.out, `${JSON.stringify({ machine, options: { loads: options.loads, windows: options.windows }, results }, null, 2)}\n`);
const wrong = results.flatMap((r) => [...r.firstMap, ...r.live].filter((m) => m.reference !== 'exact'));
if (wrong.length) {
  console.error(`${wrong.length} measured maps are not the reference's (see the last column)`);
  process.exit(1);
}
