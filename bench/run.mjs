// The benchmark: convlens's WebAssembly module (exactly as the page loads it) against
// OpenCV.js, TensorFlow.js's WebAssembly backend, Photon, a plain JavaScript loop and
// the frame-copy floor, on the same synthetic frames, in one Node.js process.
//
//   node run.mjs [--runs N] [--warmup N] [--sizes 1280x720,640x480] [--only WORKLOAD]
//                [--flush-mb N] [--pkg DIR] [--before DIR] [--out FILE] [--clock wall|cpu]
//
// Every contestant of a workload is set up first; then, round by round, each one (in a
// rotating order) runs once on cold caches (a buffer twice the last-level cache is
// written just before) and once more straight after (warm). Every output is checked
// against a float64 reference written plainly below, not against any contestant.
// Prints a table and writes results.json next to this file. See README.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// The last-level cache, to size the flush (Linux; 32 MiB where it cannot be read).
function lastLevelCache() {
  try {
    const dir = '/sys/devices/system/cpu/cpu0/cache';
    const levels = [0, 1, 2, 3, 4].map((i) => {
      try {
        const level = Number(readFileSync(`${dir}/index${i}/level`, 'utf8'));
        const size = readFileSync(`${dir}/index${i}/size`, 'utf8').trim();
        const bytes = Number.parseInt(size, 10) * (size.endsWith('M') ? 1 << 20 : size.endsWith('K') ? 1 << 10 : 1);
        return { level, bytes };
      } catch {
        return null;
      }
    }).filter(Boolean);
    return levels.reduce((a, b) => (b.level > a.level ? b : a)).bytes;
  } catch {
    return 32 << 20;
  }
}
const cacheBytes = lastLevelCache();

const options = {
  runs: 20,
  warmup: 2,
  sizes: '1280x720,640x480',
  only: '',
  'flush-mb': Math.ceil((2 * cacheBytes) / (1 << 20)),
  // Our module's folder: the page's build by default, or a kept earlier build.
  pkg: join(here, '..', 'www', 'pkg'),
  // An earlier build of our module (its SIMD file), timed in the same rounds as the
  // rest: a before-and-after comparison under the same conditions.
  before: '',
  out: join(here, 'results.json'),
  // Which clock the ratios and targets use: wall time, or the process's CPU time (user +
  // system; steadier on a machine shared with other work). Both are recorded.
  clock: 'wall',
};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in options)) throw new Error(`unknown option ${process.argv[i]}`);
  options[key] = typeof options[key] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const pkg = options.pkg;
const other = options.clock === 'cpu' ? 'wall' : 'cpu';
if (!['wall', 'cpu'].includes(options.clock)) throw new Error('--clock is wall or cpu');
const sizes = options.sizes.split(',').map((s) => s.split('x').map(Number));

// ---------------------------------------------------------------- cache flush
// Writing one byte of every 64-byte line of a buffer twice the last-level cache evicts
// the frames, the libraries' buffers and their outputs from every level.
const flushBuffer = new Uint8Array(options['flush-mb'] << 20);
let flushRound = 0;
function flush() {
  flushRound = (flushRound + 1) & 0xff;
  const b = flushBuffer;
  for (let i = 0; i < b.length; i += 64) b[i] = flushRound;
}

// ---------------------------------------------------------------- the libraries
// Ours: the page's frame engines, the module the page loads when the webcam starts
// (`convlens_frames`, crates/web-frames); in a build from before the module split (an
// earlier DIR for --before) they were in the page's module (`convlens_web`). The glue
// keeps its module in a module-level variable, so the scalar build gets its own copy of
// the glue (a distinct URL).
async function loadOurs(variant, tag, dir = pkg) {
  const name = existsSync(join(dir, 'convlens_frames.js')) ? 'convlens_frames' : 'convlens_web';
  const url = pathToFileURL(join(dir, `${name}.js`)).href + (tag ? `?${tag}` : '');
  const glue = await import(url);
  glue.initSync({ module: readFileSync(join(dir, `${name}${variant}_bg.wasm`)) });
  return glue;
}
const ours = {
  simd: await loadOurs('', ''),
  scalar: await loadOurs('_scalar', 'scalar'),
  before: options.before ? await loadOurs('', 'before', options.before) : null,
};

const cv = require('@techstark/opencv-js');
await new Promise((resolve) => {
  if (cv.Mat) resolve();
  else cv.onRuntimeInitialized = resolve;
});

const tf = require('@tensorflow/tfjs-core');
const tfWasm = require('@tensorflow/tfjs-backend-wasm');
// Local files only: the folder of the backend's own .wasm builds, as a file path.
tfWasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out') + '/');
await tf.setBackend('wasm');
const tfSimd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
const tfThreads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');

const photon = require('@silvia-odwyer/photon-node');

// ---------------------------------------------------------------- frames
// A fixed-seed generator (mulberry32), so every run sees the same frames.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Smooth colour gradients, some filled discs and rectangles with hard edges, and
// noise: a camera frame's mix of flat areas, edges and grain.
function syntheticFrame(width, height, seed) {
  const next = random(seed);
  const rgba = new Uint8Array(width * height * 4);
  const shapes = Array.from({ length: 24 }, () => ({
    disc: next() < 0.5,
    x: next() * width,
    y: next() * height,
    r: (0.03 + next() * 0.12) * height,
    colour: [next() * 255, next() * 255, next() * 255],
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = [
        255 * (x / width),
        255 * (0.5 + 0.5 * Math.sin((6 * y) / height + (3 * x) / width)),
        255 * (1 - y / height),
      ];
      for (const s of shapes) {
        const inside = s.disc
          ? (x - s.x) ** 2 + (y - s.y) ** 2 < s.r ** 2
          : Math.abs(x - s.x) < s.r && Math.abs(y - s.y) < 0.6 * s.r;
        if (inside) c = s.colour;
      }
      const i = 4 * (y * width + x);
      for (let k = 0; k < 3; k++) {
        rgba[i + k] = Math.max(0, Math.min(255, Math.round(c[k] + (next() - 0.5) * 24)));
      }
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

// ---------------------------------------------------------------- workloads
const floatKernel = (() => {
  const next = random(7);
  return Array.from({ length: 9 }, () => Math.round((next() * 2 - 1) * 1000) / 1000);
})();
const rows = (weights, k) => Array.from({ length: k }, (_, r) => weights.slice(r * k, r * k + k));
const gaussian = (k) => {
  const row = [1];
  for (let i = 1; i < k; i++) row.push((row[i - 1] * (k - i)) / i);
  const total = row.reduce((a, b) => a + b) ** 2;
  return row.flatMap((a) => row.map((b) => (a * b) / total));
};
const box = (k) => Array(k * k).fill(1 / (k * k));
// name, our kernel argument, its weights (exact, in float64: the reference uses these),
// size, stride, dilation (padding keeps the frame's size at stride 1: d * (k - 1) / 2,
// zeros, as OpenCV's BORDER_CONSTANT).
const convWorkloads = [
  { name: '1x1 identity', kernel: '1', weights: [1], k: 1 },
  { name: '3x3 Edges', kernel: 'edges', weights: [-1, -1, -1, -1, 8, -1, -1, -1, -1], k: 3 },
  { name: '3x3 Sobel (right)', kernel: 'sobel-right', weights: [-1, 0, 1, -2, 0, 2, -1, 0, 1], k: 3 },
  { name: '3x3 random float', kernel: rows(floatKernel, 3).map((r) => r.join(',')).join(';'), weights: floatKernel, k: 3 },
  { name: '5x5 Gaussian', kernel: 'gaussian-5', weights: gaussian(5), k: 5 },
  { name: '7x7 Gaussian', kernel: 'gaussian-7', weights: gaussian(7), k: 7 },
  { name: '5x5 box', kernel: 'box-5', weights: box(5), k: 5 },
  { name: '7x7 box', kernel: 'box-7', weights: box(7), k: 7 },
  { name: '15x15 box', kernel: rows(Array(225).fill('1/225'), 15).map((r) => r.join(',')).join(';'), weights: box(15), k: 15 },
  { name: '3x3 Edges stride 2', kernel: 'edges', weights: [-1, -1, -1, -1, 8, -1, -1, -1, -1], k: 3, stride: 2 },
  { name: '3x3 Edges dilation 2', kernel: 'edges', weights: [-1, -1, -1, -1, 8, -1, -1, -1, -1], k: 3, dilation: 2 },
].map((w) => ({ stride: 1, dilation: 1, ...w, kind: 'conv' }))
  .map((w) => ({ ...w, padding: (w.dilation * (w.k - 1)) / 2 }));
const poolWorkloads = [
  { name: '2x2 max pooling', kind: 'pool', fn: 'max', k: 2, stride: 2, padding: 0, dilation: 1 },
  { name: '2x2 mean pooling', kind: 'pool', fn: 'mean', k: 2, stride: 2, padding: 0, dilation: 1 },
];
const workloads = [...convWorkloads, ...poolWorkloads].filter((w) => !options.only || w.name.includes(options.only));

const outSide = (n, w) => Math.floor((n + 2 * w.padding - w.dilation * (w.k - 1) - 1) / w.stride) + 1;

// ---------------------------------------------------------------- the reference
// What every contestant must compute, in float64, straight from the definition (PyTorch's
// cross-correlation with zero padding, or pooling over the window), for R, G and B: the
// exact value of each output channel before rounding. Nothing here is shared with any
// contestant.
function reference(rgba, width, height, w) {
  const outW = outSide(width, w);
  const outH = outSide(height, w);
  const values = new Float64Array(outW * outH * 3);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let c = 0; c < 3; c++) {
        let value = w.kind === 'pool' && w.fn === 'max' ? -Infinity : 0;
        for (let m = 0; m < w.k; m++) {
          for (let n = 0; n < w.k; n++) {
            const y = oy * w.stride + m * w.dilation - w.padding;
            const x = ox * w.stride + n * w.dilation - w.padding;
            const inside = y >= 0 && y < height && x >= 0 && x < width;
            const v = inside ? rgba[4 * (y * width + x) + c] : 0;
            if (w.kind === 'conv') value += w.weights[m * w.k + n] * v;
            else if (w.fn === 'max') value = Math.max(value, v);
            else value += v / (w.k * w.k);
          }
        }
        values[3 * (oy * outW + ox) + c] = value;
      }
    }
  }
  return values;
}

// How far an RGBA output is from the reference: the largest |byte - exact value| (the
// value clamped to 0..255) over R, G and B, inside (outputs whose window lies in the
// frame) and on the border (windows that see padding); how many bytes are not a correct
// rounding of the exact value (more than 0.5 away; 0.001 of slack for values within a
// hair of a tie, where the float32 weights of a float kernel may tip the rounding); and
// how many alpha bytes are not 255.
function check(out, exact, w, width, height) {
  const outW = outSide(width, w);
  const outH = outSide(height, w);
  if (out.length !== 4 * outW * outH) return { note: `wrong size (${out.length} bytes, not ${4 * outW * outH})` };
  const reach = w.dilation * (w.k - 1);
  const inFrame = (o, size) => o * w.stride - w.padding >= 0 && o * w.stride - w.padding + reach < size;
  let inside = 0;
  let border = 0;
  let wrong = 0;
  let alpha = 0;
  for (let y = 0; y < outH; y++) {
    const rowInside = inFrame(y, height);
    for (let x = 0; x < outW; x++) {
      const p = y * outW + x;
      const cellInside = rowInside && inFrame(x, width);
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(out[4 * p + c] - Math.min(255, Math.max(0, exact[3 * p + c])));
        if (d > 0.501) wrong++;
        if (cellInside) inside = Math.max(inside, d);
        else border = Math.max(border, d);
      }
      if (out[4 * p + 3] !== 255) alpha++;
    }
  }
  return { inside, border, wrong, alpha };
}
const describe = (a) => {
  if (a.note) return a.note;
  const alpha = a.alpha ? `, ${a.alpha} alpha not 255` : '';
  if (!a.wrong && !a.alpha) return 'exact';
  const f = (v) => (v <= 0.501 ? '0.5' : String(Math.round(v)));
  return `off: ${a.wrong} bytes, max ${f(a.inside)} inside / ${f(a.border)} border${alpha}`;
};

// ---------------------------------------------------------------- contestants
// Each is { name, run(rgba) -> Uint8Array RGBA } for a workload, or null where the
// library has no such operation. `run` takes the frame's bytes (in JavaScript memory)
// and gives an RGBA frame (in JavaScript memory).

function oursContestants(build, label, w, width, height, withMap = true) {
  const make = () => (w.kind === 'conv'
    ? new build.Convolver(w.kernel, w.stride, w.dilation, w.padding, 'zeros', 'all', 'clamp')
    : build.Convolver.pool(w.fn, w.k, w.stride, 'all'));
  const conv = make();
  const out = new Uint8Array(4 * conv.output_width(width, height) * conv.output_height(width, height));
  const rows = [{
    name: `${label} [${conv.path()}]`,
    ours: label,
    run: (rgba) => { conv.run(rgba, width, height, out); return out; },
    close: () => conv.free(),
  }];
  if (!withMap) return rows;
  // The feature map alone, as float planes in the module's memory (the page's numbers
  // and its step-by-step views read it); not an RGBA frame, so not checked here (the
  // core's tests check it against the reference to the bit).
  const mapConv = make();
  rows.push({
    name: `${label} map alone (floats)`,
    ours: `${label} map`,
    unchecked: true,
    run: (rgba) => { mapConv.run_map(rgba, width, height); return null; },
    close: () => mapConv.free(),
  });
  return rows;
}

// OpenCV.js on the RGBA Mat directly (its filters take four channels). A convolution
// also filters alpha, which padding darkens at the border (and Edges or Sobel zero
// everywhere); where the result's alpha is not all 255, one `bitwise_or` with a
// (0, 0, 0, 255) frame restores it, the cheapest fix it has.
function opencvContestant(name, make, w, width, height) {
  const apply = make(w, width, height);
  if (!apply) return null;
  const input = new cv.Mat(height, width, cv.CV_8UC4);
  const filtered = new cv.Mat();
  const fixed = new cv.Mat();
  const outW = outSide(width, w);
  const outH = outSide(height, w);
  const alphaMask = new cv.Mat(outH, outW, cv.CV_8UC4, new cv.Scalar(0, 0, 0, 255));
  const out = new Uint8Array(4 * outW * outH);
  let fix = true;
  const run = (rgba) => {
    input.data.set(rgba);
    apply(input, filtered);
    let result = filtered;
    if (fix) {
      cv.bitwise_or(filtered, alphaMask, fixed);
      result = fixed;
    }
    out.set(result.data);
    return out;
  };
  // Does this operation keep alpha at 255 by itself? Then skip the fix.
  input.data.set(syntheticFrame(width, height, 1));
  apply(input, filtered);
  fix = !filtered.data.every((v, i) => i % 4 !== 3 || v === 255);
  return {
    name: `OpenCV.js ${name}${fix ? ' + alpha' : ''}`,
    run,
    close: () => [input, filtered, fixed, alphaMask].forEach((m) => m.delete()),
  };
}
const cvPoint = () => new cv.Point(-1, -1);
const cvFilter2D = (w) => {
  if (w.kind !== 'conv' || w.stride !== 1) return null;
  // Dilation as the equivalent sparse kernel (taps d apart, zeros between).
  const side = w.dilation * (w.k - 1) + 1;
  const dense = new Float32Array(side * side);
  w.weights.forEach((v, i) => { dense[Math.floor(i / w.k) * w.dilation * side + (i % w.k) * w.dilation] = v; });
  const kernel = cv.matFromArray(side, side, cv.CV_32F, Array.from(dense));
  return (src, dst) => cv.filter2D(src, dst, -1, kernel, cvPoint(), 0, cv.BORDER_CONSTANT);
};
// OpenCV's own function for the workload, if it has one.
const cvSpecialised = (w, width, height) => {
  if (w.kind === 'conv' && w.stride === 1 && w.dilation === 1) {
    if (w.kernel.startsWith('gaussian')) {
      // sigma 0 and an odd size up to 7: OpenCV's fixed taps (binomial at 5x5).
      return (src, dst) => cv.GaussianBlur(src, dst, new cv.Size(w.k, w.k), 0, 0, cv.BORDER_CONSTANT);
    }
    if (w.name.includes('box')) {
      return (src, dst) => cv.blur(src, dst, new cv.Size(w.k, w.k), cvPoint(), cv.BORDER_CONSTANT);
    }
    if (w.kernel === 'sobel-right') {
      return (src, dst) => cv.Sobel(src, dst, -1, 1, 0, 3, 1, 0, cv.BORDER_CONSTANT);
    }
  }
  if (w.kind === 'pool' && w.fn === 'mean') {
    // Halving with INTER_AREA is the mean of each 2x2 block.
    return (src, dst) => cv.resize(src, dst, new cv.Size(0, 0), 0.5, 0.5, cv.INTER_AREA);
  }
  if (w.kind === 'pool' && w.fn === 'max') {
    // The maximum of each 2x2 window at every pixel (anchor top-left), then every
    // second pixel of every second row (nearest-neighbour halving picks pixel 2x).
    const kernel = cv.Mat.ones(2, 2, cv.CV_8U);
    const dilated = new cv.Mat();
    const size = new cv.Size(outSide(width, w), outSide(height, w));
    return (src, dst) => {
      cv.dilate(src, dilated, kernel, new cv.Point(0, 0), 1, cv.BORDER_CONSTANT, cv.morphologyDefaultBorderValue());
      cv.resize(dilated, dst, size, 0, 0, cv.INTER_NEAREST);
    };
  }
  return null;
};
// The exact separable form of our Gaussian and box kernels: one row of taps, twice.
const cvSeparable = (w) => {
  if (w.kind !== 'conv' || w.stride !== 1 || w.dilation !== 1) return null;
  if (!w.kernel.startsWith('gaussian') && !w.name.includes('box')) return null;
  // The kernel is row x row, so its middle row divided by sqrt(centre) is the row.
  const c = (w.k - 1) / 2;
  const taps = Array.from({ length: w.k }, (_, i) => w.weights[c * w.k + i] / Math.sqrt(w.weights[c * w.k + c]));
  const row = cv.matFromArray(1, w.k, cv.CV_32F, taps);
  return (src, dst) => cv.sepFilter2D(src, dst, -1, row, row, cvPoint(), 0, cv.BORDER_CONSTANT);
};
const cvName = (w) => {
  if (w.kind === 'pool') return w.fn === 'max' ? 'dilate + resize INTER_NEAREST' : 'resize INTER_AREA';
  if (w.kernel.startsWith('gaussian')) return 'GaussianBlur';
  if (w.name.includes('box')) return 'blur';
  return 'Sobel';
};

// TensorFlow.js, WebAssembly backend: RGBA bytes -> float tensor -> op -> RGBA bytes.
// The op runs on all four channels (alpha through an identity tap, so it stays 255),
// which avoids slicing and concatenating channels (slow in this backend), and the float
// result goes to bytes through a Uint8ClampedArray, which rounds and clamps natively.
// Kernels over 7x7 are left out (minutes of direct convolution).
function tfjsContestant(w, width, height) {
  if (w.k > 7) return null;
  const taps = w.kind === 'conv'
    ? w.weights.flatMap((v, i) => [v, v, v, i === (w.k * w.k - 1) / 2 ? 1 : 0])
    : null;
  const filter = taps && tf.tensor4d(taps, [w.k, w.k, 4, 1]);
  const out = new Uint8Array(outSide(width, w) * outSide(height, w) * 4);
  const clamped = new Uint8ClampedArray(out.buffer);
  return {
    name: `tfjs-wasm ${w.kind === 'pool' ? (w.fn === 'max' ? 'maxPool' : 'avgPool') : 'depthwiseConv2d'}`,
    run: (rgba) => {
      const x = tf.tensor4d(rgba, [1, height, width, 4], 'float32');
      const y = w.kind === 'pool'
        ? (w.fn === 'max' ? tf.maxPool(x, w.k, w.stride, 'valid') : tf.avgPool(x, w.k, w.stride, 'valid'))
        : tf.depthwiseConv2d(x, filter, w.stride, w.padding, 'NHWC', w.dilation);
      clamped.set(y.dataSync());
      x.dispose();
      y.dispose();
      return out;
    },
    close: () => filter?.dispose(),
  };
}

// Photon: its fixed 3x3 filters (edge_detection is Edges, sobel_vertical is the right
// Sobel), on a PhotonImage made from the RGBA bytes.
function photonContestant(w, width, height) {
  const fn = w.kind === 'conv' && w.stride === 1 && w.dilation === 1
    && { edges: 'edge_detection', 'sobel-right': 'sobel_vertical' }[w.kernel];
  if (!fn) return null;
  return {
    name: `photon ${fn}`,
    run: (rgba) => {
      const image = new photon.PhotonImage(rgba, width, height);
      photon[fn](image);
      const out = image.get_raw_pixels();
      image.free();
      return out;
    },
  };
}

// A plain JavaScript loop: every output pixel, every channel, every tap, in float32
// weights as a student would write it. For Edges (stride 1 and 2) and pooling only:
// elsewhere it is 5-50 times slower than everything else and would add minutes.
function plainContestant(w, width, height) {
  if (w.kind === 'conv' && (w.kernel !== 'edges' || w.dilation !== 1)) return null;
  const outW = outSide(width, w);
  const outH = outSide(height, w);
  const out = new Uint8Array(outW * outH * 4);
  const { k, stride, padding, dilation } = w;
  const weights = w.kind === 'conv' ? Float32Array.from(w.weights) : null;
  return {
    name: 'plain JavaScript loop',
    run: (rgba) => {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const o = 4 * (oy * outW + ox);
          for (let c = 0; c < 3; c++) {
            let acc = w.kind === 'conv' ? 0 : w.fn === 'max' ? -Infinity : 0;
            for (let m = 0; m < k; m++) {
              const y = oy * stride + m * dilation - padding;
              if (y < 0 || y >= height) continue;
              for (let n = 0; n < k; n++) {
                const x = ox * stride + n * dilation - padding;
                if (x < 0 || x >= width) continue;
                const v = rgba[4 * (y * width + x) + c];
                if (weights) acc += weights[m * k + n] * v;
                else if (w.fn === 'max') acc = v > acc ? v : acc;
                else acc += v;
              }
            }
            if (w.kind === 'pool' && w.fn === 'mean') acc /= k * k;
            out[o + c] = acc < 0 ? 0 : acc > 255 ? 255 : Math.round(acc);
          }
          out[o + 3] = 255;
        }
      }
      return out;
    },
  };
}

// The floor: one frame copied from one JavaScript buffer into another.
function copyContestant(w, width, height) {
  const target = new Uint8Array(width * height * 4);
  return { name: 'frame copy (Uint8Array.set), the floor', floor: true, unchecked: true, run: (rgba) => { target.set(rgba); return null; } };
}

function contestants(w, width, height) {
  return [
    copyContestant(w, width, height),
    ...oursContestants(ours.simd, 'ours (SIMD)', w, width, height),
    ...oursContestants(ours.scalar, 'ours (scalar)', w, width, height, false),
    ...(ours.before ? oursContestants(ours.before, 'before (SIMD)', w, width, height) : []),
    opencvContestant('filter2D', cvFilter2D, w, width, height),
    opencvContestant(cvName(w), cvSpecialised, w, width, height),
    opencvContestant('sepFilter2D', cvSeparable, w, width, height),
    tfjsContestant(w, width, height),
    photonContestant(w, width, height),
    plainContestant(w, width, height),
  ].filter(Boolean);
}

// ---------------------------------------------------------------- timing
const stats = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
};

// Round by round: every contestant once cold (after a flush), then once warm (again at
// once), the order rotating so that none always follows the same one.
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
function timeInterleaved(list, frame) {
  const samples = list.map(() => ({ cold: [], warm: [], coldCpu: [], warmCpu: [] }));
  const timed = (c, into, intoCpu) => {
    const [wall, cpu] = [performance.now(), cpuNow()];
    c.run(frame);
    into.push(performance.now() - wall);
    intoCpu.push(cpuNow() - cpu);
  };
  for (let i = 0; i < options.warmup; i++) list.forEach((c) => c.run(frame));
  for (let round = 0; round < options.runs; round++) {
    for (let j = 0; j < list.length; j++) {
      const i = (j + round) % list.length;
      const s = samples[i];
      flush();
      timed(list[i], s.cold, s.coldCpu);
      timed(list[i], s.warm, s.warmCpu);
    }
  }
  return samples.map((s) => {
    const wall = { cold: stats(s.cold), warm: stats(s.warm) };
    const cpu = { cold: stats(s.coldCpu), warm: stats(s.warmCpu) };
    return { ...(options.clock === 'cpu' ? cpu : wall), wall, cpu };
  });
}

// ---------------------------------------------------------------- run
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  lastLevelCache: `${cacheBytes >> 20} MiB`,
  flush: `${options['flush-mb']} MiB written before each cold run`,
  loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  module: pkg,
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  date: new Date().toISOString(),
  tfjs: { version: tf.version_core, simd: tfSimd, threads: tfThreads },
  opencv: require('@techstark/opencv-js/package.json').version,
  photon: require('@silvia-odwyer/photon-node/package.json').version,
  runs: options.runs,
  warmup: options.warmup,
  clock: options.clock,
};
console.log(`convlens benchmark: ${machine.cpu}, ${machine.cores} cores, ${machine.lastLevelCache} last-level cache, load ${machine.loadAverage.join(' ')}, Node ${machine.node}`);
console.log(`${options.runs} interleaved rounds after ${options.warmup} warm-up rounds; cold = after writing ${options['flush-mb']} MiB, warm = run again at once; milliseconds of ${options.clock === 'cpu' ? 'CPU time (user + system)' : 'wall time'} (median, min, max; warm median; cold median by the ${other === 'cpu' ? 'CPU' : 'wall'} clock)`);
console.log('ratio = ours (SIMD, RGBA to RGBA, cold median) / row (cold median), below 1 means ours is faster; checked against a float64 reference');

const results = [];
const fmt = (v) => (v == null ? '' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const header = `${pad('workload', 22)}${pad('size', 10)}${pad('implementation', 44)}${lpad('cold', 8)}${lpad('min', 8)}${lpad('max', 8)}${lpad('warm', 8)}${lpad(`${other}`, 8)}${lpad('ratio', 7)}  against the reference`;

for (const [width, height] of sizes) {
  const frame = syntheticFrame(width, height, 1234 + width);
  const size = `${width}x${height}`;
  console.log(`\n${header}`);
  for (const w of workloads) {
    const exact = reference(frame, width, height, w);
    const list = contestants(w, width, height);
    // Checked on a fresh copy of the frame first, then again after the timed runs.
    const first = list.map((c) => (c.unchecked ? null : check(c.run(frame.slice()), exact, w, width, height)));
    const times = timeInterleaved(list, frame);
    const last = list.map((c) => (c.unchecked ? null : check(c.run(frame), exact, w, width, height)));
    const oursIndex = list.findIndex((c) => c.ours === 'ours (SIMD)');
    list.forEach((c, i) => {
      const agreement = first[i] && JSON.stringify(first[i]) !== JSON.stringify(last[i])
        ? { note: `changed between runs: ${describe(first[i])} then ${describe(last[i])}` }
        : first[i];
      const row = {
        workload: w.name,
        size,
        implementation: c.name,
        ours: c.ours ?? null,
        floor: Boolean(c.floor),
        cold: times[i].cold,
        warm: times[i].warm,
        wall: times[i].wall,
        cpu: times[i].cpu,
        ratio: c.ours === 'ours (SIMD)' ? 1 : times[oursIndex].cold.median / times[i].cold.median,
        agreement,
      };
      results.push(row);
      const t = row.cold;
      console.log(`${pad(i ? '' : w.name, 22)}${pad(i ? '' : size, 10)}${pad(c.name, 44)}${lpad(fmt(t.median), 8)}${lpad(fmt(t.min), 8)}${lpad(fmt(t.max), 8)}${lpad(fmt(row.warm.median), 8)}${lpad(fmt(row[other].cold.median), 8)}${lpad(row.floor ? '' : row.ratio.toFixed(2), 7)}  ${agreement ? describe(agreement) : ''}`);
    });
    list.forEach((c) => c.close?.());
  }
}

// The summary: ours against the fastest peer, RGBA to RGBA, per workload and size.
console.log('\nSummary (cold medians, RGBA to RGBA): ours (SIMD) against the fastest peer and the cold frame copy');
const summary = [];
for (const size of new Set(results.map((r) => r.size))) {
  for (const w of workloads) {
    const rowsHere = results.filter((r) => r.size === size && r.workload === w.name);
    const oursRow = rowsHere.find((r) => r.ours === 'ours (SIMD)');
    const mapRow = rowsHere.find((r) => r.ours === 'ours (SIMD) map');
    const beforeRow = rowsHere.find((r) => r.ours === 'before (SIMD)');
    const floor = rowsHere.find((r) => r.floor);
    const peers = rowsHere.filter((r) => !r.ours && !r.floor);
    const fastest = peers.reduce((a, b) => (b.cold.median < a.cold.median ? b : a));
    const line = {
      workload: w.name,
      size,
      ours: oursRow.cold.median,
      oursMap: mapRow.cold.median,
      before: beforeRow?.cold.median ?? null,
      fastestPeer: fastest.implementation,
      fastestPeerMedian: fastest.cold.median,
      ratio: oursRow.cold.median / fastest.cold.median,
      copy: floor.cold.median,
      timesCopy: oursRow.cold.median / floor.cold.median,
    };
    summary.push(line);
    const before = beforeRow ? ` (before ${lpad(fmt(line.before), 5)})` : '';
    console.log(`${pad(w.name, 22)}${pad(size, 10)}ours ${lpad(fmt(line.ours), 6)} ms${before} (map ${lpad(fmt(line.oursMap), 5)})  fastest peer ${pad(fastest.implementation, 40)}${lpad(fmt(fastest.cold.median), 6)} ms  ratio ${line.ratio.toFixed(2)}  ${line.timesCopy.toFixed(1)}x the copy (${fmt(line.copy)} ms)`);
  }
}

// The issue's targets (#17), from this run's cold medians at 1280x720, for our build
// (and for the earlier one, if timed).
const at = (workload, test) => results.find((r) => r.size === '1280x720' && r.workload === workload && test(r));
function targetsOf(label) {
  const list = [];
  const target = (what, value, limit) => {
    if (value == null || Number.isNaN(value)) return;
    list.push({ build: label, what, value, limit, met: value <= limit });
  };
  const mine = (workload) => at(workload, (r) => r.ours === label);
  const ratio = (workload, test) => {
    const [a, b] = [mine(workload), at(workload, test)];
    return a && b ? a.cold.median / b.cold.median : null;
  };
  const peer = (r) => !r.ours && !r.floor;
  const fastestPeer = (workload) => {
    const peers = results.filter((r) => r.size === '1280x720' && r.workload === workload && peer(r));
    const fastest = peers.length ? peers.reduce((a, b) => (b.cold.median < a.cold.median ? b : a)) : null;
    return (r) => r === fastest;
  };
  for (const w of ['3x3 Edges', '3x3 Sobel (right)']) {
    target(`${w}: / fastest peer`, ratio(w, fastestPeer(w)), 0.06);
    target(`${w}: / cold frame copy`, ratio(w, (r) => r.floor), 5);
  }
  target('1x1 identity: / cold frame copy', ratio('1x1 identity', (r) => r.floor), 2);
  for (const w of ['5x5 box', '7x7 box', '15x15 box']) {
    target(`${w}: / OpenCV blur`, ratio(w, (r) => r.implementation.startsWith('OpenCV.js blur')), 0.5);
  }
  const [box5, box15] = [mine('5x5 box'), mine('15x15 box')];
  if (box5 && box15) target('box: 15x15 / 5x5 (the same cost per pixel)', box15.cold.median / box5.cold.median, 1.1);
  target('5x5 Gaussian: / OpenCV GaussianBlur', ratio('5x5 Gaussian', (r) => r.implementation.startsWith('OpenCV.js GaussianBlur')), 0.3);
  target('2x2 mean pooling: / OpenCV resize INTER_AREA', ratio('2x2 mean pooling', (r) => r.implementation.startsWith('OpenCV.js resize')), 0.3);
  const [map, rgba] = [at('2x2 max pooling', (r) => r.ours === `${label} map`), mine('2x2 max pooling')];
  if (map && rgba) target('2x2 max pooling: map path / RGBA path', map.cold.median / rgba.cold.median, 1);
  return list;
}
const targets = [...targetsOf('ours (SIMD)'), ...(ours.before ? targetsOf('before (SIMD)') : [])];
if (targets.length) {
  console.log('\nThe issue\'s targets (1280x720, cold medians)');
  for (const t of targets) {
    const verdict = t.met ? 'met' : `missed (${(t.value / t.limit).toFixed(2)}x the limit)`;
    console.log(`${pad(t.build, 15)}${pad(t.what, 50)}${lpad(t.value.toFixed(3), 8)}  at most ${pad(t.limit, 5)} ${verdict}`);
  }
}

machine.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
console.log(`\nload average at the end: ${machine.loadAverageAtEnd.join(' ')}`);
writeFileSync(options.out, `${JSON.stringify({ machine, summary, targets, results }, null, 2)}\n`);
console.log(`written: ${options.out}`);
