// The benchmark: convlens's WebAssembly module (exactly as the page loads it) against
// OpenCV.js, TensorFlow.js's WebAssembly backend, Photon, a plain JavaScript loop and
// the frame-copy floor, on the same synthetic frames, in one Node.js process.
//
//   node run.mjs [--runs N] [--warmup N] [--sizes 1280x720,640x480] [--only WORKLOAD]
//
// Prints a table and writes results.json next to this file. See README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', 'www', 'pkg');
const require = createRequire(import.meta.url);

const options = { runs: 30, warmup: 3, sizes: '1280x720,640x480', only: '' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in options)) throw new Error(`unknown option ${process.argv[i]}`);
  options[key] = typeof options[key] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const sizes = options.sizes.split(',').map((s) => s.split('x').map(Number));

// ---------------------------------------------------------------- the libraries
// Ours: the page's glue and .wasm files. The glue keeps its module in a module-level
// variable, so the scalar build gets its own copy of the glue (a distinct URL).
async function loadOurs(wasmFile, tag) {
  const url = pathToFileURL(join(pkg, 'convlens_web.js')).href + (tag ? `?${tag}` : '');
  const glue = await import(url);
  glue.initSync({ module: readFileSync(join(pkg, wasmFile)) });
  return glue;
}
const ours = {
  simd: await loadOurs('convlens_web_bg.wasm', ''),
  scalar: await loadOurs('convlens_web_scalar_bg.wasm', 'scalar'),
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
// name, our kernel argument, its weights, size, stride, dilation (padding keeps the
// frame's size at stride 1: d * (k - 1) / 2, zeros, as OpenCV's BORDER_CONSTANT).
const convWorkloads = [
  { name: '3x3 Edges', kernel: 'edges', weights: [-1, -1, -1, -1, 8, -1, -1, -1, -1], k: 3 },
  { name: '3x3 Sobel (right)', kernel: 'sobel-right', weights: [-1, 0, 1, -2, 0, 2, -1, 0, 1], k: 3 },
  { name: '3x3 random float', kernel: rows(floatKernel, 3).map((r) => r.join(',')).join(';'), weights: floatKernel, k: 3 },
  { name: '5x5 Gaussian', kernel: 'gaussian-5', weights: gaussian(5), k: 5 },
  { name: '7x7 Gaussian', kernel: 'gaussian-7', weights: gaussian(7), k: 7 },
  { name: '7x7 box', kernel: 'box-7', weights: Array(49).fill(1 / 49), k: 7 },
  { name: '3x3 Edges stride 2', kernel: 'edges', weights: [-1, -1, -1, -1, 8, -1, -1, -1, -1], k: 3, stride: 2 },
  { name: '3x3 Edges dilation 2', kernel: 'edges', weights: [-1, -1, -1, -1, 8, -1, -1, -1, -1], k: 3, dilation: 2 },
].map((w) => ({ stride: 1, dilation: 1, ...w, kind: 'conv' }))
  .map((w) => ({ ...w, padding: (w.dilation * (w.k - 1)) / 2 }));
const poolWorkloads = [
  { name: '2x2 max pooling', kind: 'pool', fn: 'max', k: 2, stride: 2, padding: 0 },
  { name: '2x2 mean pooling', kind: 'pool', fn: 'mean', k: 2, stride: 2, padding: 0 },
];
const workloads = [...convWorkloads, ...poolWorkloads].filter((w) => !options.only || w.name.includes(options.only));

const outSide = (n, w) => Math.floor((n + 2 * w.padding - (w.dilation ?? 1) * (w.k - 1) - 1) / w.stride) + 1;

// ---------------------------------------------------------------- implementations
// Each returns { setup(frame) -> { e2e: () => Uint8Array RGBA, op?: () => void, close? } }
// or null where the library has no such operation.

function oursImpl(build) {
  return (w, width, height) => {
    const conv = w.kind === 'conv'
      ? new build.Convolver(w.kernel, w.stride, w.dilation, w.padding, 'zeros', 'all', 'clamp')
      : build.Convolver.pool(w.fn, w.k, w.stride, 'all');
    const out = new Uint8Array(4 * conv.output_width(width, height) * conv.output_height(width, height));
    return {
      path: conv.path(),
      e2e: (rgba) => { conv.run(rgba, width, height, out); return out; },
      op: (rgba) => conv.run_map(rgba, width, height),
      close: () => conv.free(),
    };
  };
}

// OpenCV.js: RGBA Mat -> RGB -> filter (8-bit, saturating, BORDER_CONSTANT) -> RGBA.
function opencvImpl(filter) {
  return (w, width, height) => {
    if (!filter(w)) return null;
    const rgbaIn = new cv.Mat(height, width, cv.CV_8UC4);
    const rgb = new cv.Mat();
    const filtered = new cv.Mat();
    const rgbaOut = new cv.Mat();
    const apply = filter(w);
    let out = new Uint8Array(0);
    const prepared = new cv.Mat();
    return {
      e2e: (rgba) => {
        rgbaIn.data.set(rgba);
        cv.cvtColor(rgbaIn, rgb, cv.COLOR_RGBA2RGB);
        apply(rgb, filtered);
        cv.cvtColor(filtered, rgbaOut, cv.COLOR_RGB2RGBA);
        if (out.length !== rgbaOut.data.length) out = new Uint8Array(rgbaOut.data.length);
        out.set(rgbaOut.data);
        return out;
      },
      prepare: (rgba) => {
        rgbaIn.data.set(rgba);
        cv.cvtColor(rgbaIn, prepared, cv.COLOR_RGBA2RGB);
      },
      op: () => apply(prepared, filtered),
      close: () => [rgbaIn, rgb, filtered, rgbaOut, prepared].forEach((m) => m.delete()),
    };
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
const cvSpecialised = (w) => {
  if (w.kind === 'conv' && w.stride === 1 && w.dilation === 1) {
    if (w.kernel.startsWith('gaussian')) {
      // sigma 0 and an odd size up to 7: OpenCV's fixed binomial taps, our kernel.
      return (src, dst) => cv.GaussianBlur(src, dst, new cv.Size(w.k, w.k), 0, 0, cv.BORDER_CONSTANT);
    }
    if (w.kernel.startsWith('box')) {
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
  return null;
};
// The exact separable form of our Gaussian and box kernels: one row of taps, twice.
const cvSeparable = (w) => {
  if (w.kind !== 'conv' || w.stride !== 1 || w.dilation !== 1) return null;
  if (!w.kernel.startsWith('gaussian') && !w.kernel.startsWith('box')) return null;
  // The kernel is row x row, so its middle row divided by sqrt(centre) is the row.
  const c = (w.k - 1) / 2;
  const taps = Array.from({ length: w.k }, (_, i) => w.weights[c * w.k + i] / Math.sqrt(w.weights[c * w.k + c]));
  const row = cv.matFromArray(1, w.k, cv.CV_32F, taps);
  return (src, dst) => cv.sepFilter2D(src, dst, -1, row, row, cvPoint(), 0, cv.BORDER_CONSTANT);
};
const cvName = (w) => {
  if (w.kind === 'pool') return 'resize INTER_AREA';
  if (w.kernel.startsWith('gaussian')) return 'GaussianBlur';
  if (w.kernel.startsWith('box')) return 'blur';
  return 'Sobel';
};

// TensorFlow.js, WebAssembly backend: RGBA bytes -> float tensor -> op -> RGBA bytes.
// The quickest route found: the op runs on all four channels (alpha through an identity
// tap, so it stays 255), which avoids slicing and concatenating channels (slow in this
// backend), and the float result goes to bytes through a Uint8ClampedArray, which rounds
// and clamps natively.
function tfjsImpl(w, width, height) {
  const filterOf = (channels, alphaIdentity) => {
    const taps = w.weights.flatMap((v, i) => {
      const t = Array(channels).fill(v);
      if (alphaIdentity) t[3] = i === (w.k * w.k - 1) / 2 ? 1 : 0;
      return t;
    });
    return tf.tensor4d(taps, [w.k, w.k, channels, 1]);
  };
  const filters = w.kind === 'conv' ? { 3: filterOf(3, false), 4: filterOf(4, true) } : null;
  const opOn = (x) => {
    if (w.kind === 'pool') {
      return w.fn === 'max' ? tf.maxPool(x, w.k, w.stride, 'valid') : tf.avgPool(x, w.k, w.stride, 'valid');
    }
    return tf.depthwiseConv2d(x, filters[x.shape[3]], w.stride, w.padding, 'NHWC', w.dilation);
  };
  const out = new Uint8Array(outSide(width, w) * outSide(height, w) * 4);
  const clamped = new Uint8ClampedArray(out.buffer);
  let prepared = null;
  return {
    e2e: (rgba) => {
      const x = tf.tensor4d(rgba, [1, height, width, 4], 'float32');
      const y = opOn(x);
      clamped.set(y.dataSync());
      x.dispose();
      y.dispose();
      return out;
    },
    prepare: (rgba) => {
      prepared?.dispose();
      const x = tf.tensor4d(rgba, [1, height, width, 4], 'float32');
      prepared = tf.slice(x, [0, 0, 0, 0], [1, height, width, 3]);
      x.dispose();
    },
    // A float tensor of R, G and B in, a float tensor out. The WebAssembly backend runs
    // each op synchronously when it is called.
    op: () => opOn(prepared).dispose(),
    close: () => {
      prepared?.dispose();
      if (filters) Object.values(filters).forEach((f) => f.dispose());
    },
  };
}

// Photon: its fixed 3x3 filters (edge_detection is Edges, sobel_vertical is the right
// Sobel); it filters a copy of the frame in place.
function photonImpl(w, width, height) {
  const fn = w.kind === 'conv' && w.stride === 1 && w.dilation === 1
    && { edges: 'edge_detection', 'sobel-right': 'sobel_vertical' }[w.kernel];
  if (!fn) return null;
  return {
    name: `photon ${fn}`,
    e2e: (rgba) => {
      const image = new photon.PhotonImage(rgba, width, height);
      photon[fn](image);
      const out = image.get_raw_pixels();
      image.free();
      return out;
    },
  };
}

// A plain JavaScript loop: every output pixel, every channel, every tap. Timed for the
// Edges kernel (as in the issue), stride 2 and pooling only: elsewhere it is 5-50 times
// slower than everything else and would add minutes to the run.
function plainImpl(w, width, height) {
  if (w.kind === 'conv' && (w.kernel !== 'edges' || w.dilation !== 1)) return null;
  const outW = outSide(width, w);
  const outH = outSide(height, w);
  const out = new Uint8Array(outW * outH * 4);
  const { k, stride, padding } = w;
  const dilation = w.dilation ?? 1;
  const weights = w.kind === 'conv' ? Float32Array.from(w.weights) : null;
  return {
    e2e: (rgba) => {
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

// ---------------------------------------------------------------- timing
function time(fn) {
  for (let i = 0; i < options.warmup; i++) fn();
  const samples = [];
  for (let i = 0; i < options.runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  return { median, min: samples[0], max: samples[samples.length - 1], runs: samples.length };
}

// Largest |difference| of R, G and B between two RGBA outputs of the same size, inside
// (cells whose window lies in the frame) and on the border (cells that see padding).
function compare(a, b, w, width, height) {
  const outW = outSide(width, w);
  const outH = outSide(height, w);
  if (a.length !== b.length || a.length !== 4 * outW * outH) return { inside: null, border: null, note: `sizes differ (${a.length} vs ${b.length} bytes)` };
  const dilation = w.dilation ?? 1;
  const reach = dilation * (w.k - 1);
  const inFrame = (o, size) => o * w.stride - w.padding >= 0 && o * w.stride - w.padding + reach < size;
  let inside = 0;
  let border = 0;
  for (let y = 0; y < outH; y++) {
    const rowInside = inFrame(y, height);
    for (let x = 0; x < outW; x++) {
      const i = 4 * (y * outW + x);
      const d = Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2]));
      if (rowInside && inFrame(x, width)) inside = Math.max(inside, d);
      else border = Math.max(border, d);
    }
  }
  return { inside, border };
}

// ---------------------------------------------------------------- run
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  date: new Date().toISOString(),
  tfjs: { version: tf.version_core, simd: tfSimd, threads: tfThreads },
  opencv: require('@techstark/opencv-js/package.json').version,
  photon: require('@silvia-odwyer/photon-node/package.json').version,
  runs: options.runs,
  warmup: options.warmup,
};
console.log(`convlens benchmark: ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverage.join(' ')}, Node ${machine.node}`);
console.log(`${options.runs} timed runs after ${options.warmup} warm-up runs; milliseconds; ratio = ours (SIMD, RGBA to RGBA) / row, below 1 means ours is faster`);

const results = [];
const fmt = (v) => (v == null ? '' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const header = `${pad('workload', 22)}${pad('size', 10)}${pad('implementation', 40)}${lpad('median', 8)}${lpad('min', 8)}${lpad('max', 8)}${lpad('ratio', 7)}  agrees (max |diff| inside / border)`;

for (const [width, height] of sizes) {
  const frame = syntheticFrame(width, height, 1234 + width);
  console.log(`\n${header}`);
  const copyTarget = new Uint8Array(frame.length);
  const copy = time(() => copyTarget.set(frame));
  const copyRow = { workload: 'frame copy', size: `${width}x${height}`, implementation: 'Uint8Array.set (the floor)', mode: 'copy', ...copy };
  results.push(copyRow);
  console.log(`${pad(copyRow.workload, 22)}${pad(copyRow.size, 10)}${pad(copyRow.implementation, 40)}${lpad(fmt(copy.median), 8)}${lpad(fmt(copy.min), 8)}${lpad(fmt(copy.max), 8)}`);
  for (const w of workloads) {
    const size = `${width}x${height}`;
    const impls = [
      ['ours (SIMD)', oursImpl(ours.simd)],
      ['ours (scalar)', oursImpl(ours.scalar)],
      ['OpenCV.js filter2D', opencvImpl(cvFilter2D)],
      [`OpenCV.js ${cvName(w)}`, opencvImpl(cvSpecialised)],
      ['OpenCV.js sepFilter2D', opencvImpl(cvSeparable)],
      [`tfjs-wasm ${w.kind === 'pool' ? (w.fn === 'max' ? 'maxPool' : 'avgPool') : 'depthwiseConv2d'}`, tfjsImpl],
      ['photon', photonImpl],
      ['plain JavaScript loop', plainImpl],
    ];
    let reference = null;
    let oursMedian = null;
    for (const [label, make] of impls) {
      const impl = make(w, width, height);
      if (!impl) continue;
      const name = impl.name ?? label;
      const e2eOutput = impl.e2e(frame.slice()).slice();
      const agreement = reference ? compare(reference, e2eOutput, w, width, height) : { inside: 0, border: 0 };
      if (!reference) reference = e2eOutput;
      const rowsOut = [];
      const e2e = time(() => impl.e2e(frame));
      if (name === 'ours (SIMD)') oursMedian = e2e.median;
      rowsOut.push({ mode: 'RGBA to RGBA', ...e2e });
      if (impl.op) {
        impl.prepare?.(frame);
        rowsOut.push({ mode: 'op alone', ...time(() => impl.op(frame)) });
      }
      impl.close?.();
      for (const r of rowsOut) {
        const row = {
          workload: w.name,
          size,
          implementation: name + (impl.path ? ` [${impl.path}]` : ''),
          ...r,
          ratio: r.mode === 'RGBA to RGBA' && oursMedian ? oursMedian / r.median : null,
          agreement: r.mode === 'RGBA to RGBA' ? agreement : undefined,
        };
        results.push(row);
        const agrees = row.agreement
          ? (row.agreement.note ?? `${row.agreement.inside} / ${row.agreement.border}`)
          : '';
        console.log(`${pad(r.mode === 'RGBA to RGBA' ? w.name : '', 22)}${pad(r.mode === 'RGBA to RGBA' ? size : '', 10)}${pad(`${r.mode === 'RGBA to RGBA' ? row.implementation : '  ...convolution/pooling alone'}`, 40)}${lpad(fmt(r.median), 8)}${lpad(fmt(r.min), 8)}${lpad(fmt(r.max), 8)}${lpad(row.ratio ? row.ratio.toFixed(2) : '', 7)}  ${agrees}`);
      }
    }
  }
}

// The summary: ours against the fastest peer, RGBA to RGBA, per workload and size.
console.log('\nSummary (RGBA to RGBA medians): ours (SIMD) against the fastest peer and the frame-copy floor');
const summary = [];
for (const size of new Set(results.map((r) => r.size))) {
  const floor = results.find((r) => r.size === size && r.mode === 'copy');
  for (const w of workloads) {
    const rowsHere = results.filter((r) => r.size === size && r.workload === w.name && r.mode === 'RGBA to RGBA');
    const oursRow = rowsHere.find((r) => r.implementation.startsWith('ours (SIMD)'));
    const peers = rowsHere.filter((r) => !r.implementation.startsWith('ours'));
    const fastest = peers.reduce((a, b) => (b.median < a.median ? b : a));
    const line = {
      workload: w.name,
      size,
      ours: oursRow.median,
      fastestPeer: fastest.implementation,
      fastestPeerMedian: fastest.median,
      ratio: oursRow.median / fastest.median,
      timesFloor: oursRow.median / floor.median,
    };
    summary.push(line);
    console.log(`${pad(w.name, 22)}${pad(size, 10)}ours ${lpad(fmt(line.ours), 6)} ms  fastest peer ${pad(fastest.implementation, 28)}${lpad(fmt(fastest.median), 6)} ms  ratio ${line.ratio.toFixed(2)}  ${Math.round(line.timesFloor)}x the copy`);
  }
}

writeFileSync(join(here, 'results.json'), `${JSON.stringify({ machine, summary, results }, null, 2)}\n`);
console.log('\nwritten: bench/results.json');
