// Decoders for the files the page exports, written here so the tests check the bytes
// themselves: PNG (8-bit RGB or RGBA, any filter, not interlaced) and GIF89a (global
// palette, LZW, every frame with its delay).
import zlib from 'node:zlib';
import assert from 'node:assert/strict';

/** A PNG file as { width, height, data: RGBA Buffer }. */
export function decodePng(file) {
  assert.deepEqual([...file.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let at = 8;
  let header;
  const idat = [];
  while (at < file.length) {
    const length = file.readUInt32BE(at);
    const type = file.toString('ascii', at + 4, at + 8);
    const data = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [depth, colour, , , interlace] = header.subarray(8, 13);
  assert.equal(depth, 8, 'bit depth');
  assert.equal(interlace, 0, 'not interlaced');
  const channels = { 2: 3, 6: 4 }[colour];
  assert.ok(channels, `colour type ${colour}`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
        ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter];
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i += 1) {
    for (let k = 0; k < 4; k += 1) data[i * 4 + k] = k < channels ? pixels[i * channels + k] : 255;
  }
  return { width, height, data };
}

/** A GIF file as { width, height, palette, loops, frames: [{ delay, indices, rectangle }] }:
 * every frame's whole picture, and the rectangle the file stored for it. */
export function decodeGif(file) {
  assert.equal(file.toString('ascii', 0, 6), 'GIF89a', 'GIF header');
  const width = file.readUInt16LE(6);
  const height = file.readUInt16LE(8);
  const flags = file[10];
  const palette = [];
  let at = 13;
  if (flags & 0x80) {
    const size = 2 << (flags & 7);
    for (let i = 0; i < size; i += 1) palette.push([...file.subarray(at + 3 * i, at + 3 * i + 3)]);
    at += 3 * size;
  }
  const blocks = () => {
    const parts = [];
    for (;;) {
      const length = file[at];
      at += 1;
      if (length === 0) return Buffer.concat(parts);
      parts.push(file.subarray(at, at + length));
      at += length;
    }
  };
  const frames = [];
  let loops = false;
  let delay = 0;
  for (;;) {
    const kind = file[at];
    if (kind === 0x3b) break;
    if (kind === 0x21) {
      const label = file[at + 1];
      at += 2;
      const data = blocks();
      if (label === 0xf9) delay = data.readUInt16LE(1);
      if (label === 0xff && data.toString('ascii', 0, 11) === 'NETSCAPE2.0') loops = data.readUInt16LE(12) === 0;
    } else if (kind === 0x2c) {
      const [left, top, w, h] = [1, 3, 5, 7].map((i) => file.readUInt16LE(at + i));
      assert.ok(left + w <= width && top + h <= height, 'the frame lies on the screen');
      const minimum = file[at + 10];
      at += 11;
      const part = unlzw(blocks(), minimum, w * h);
      // Each frame is drawn over the previous one (disposal 1).
      const indices = frames.length ? [...frames[frames.length - 1].indices] : new Array(width * height).fill(0);
      for (let y = 0; y < h; y += 1) {
        for (let x = 0; x < w; x += 1) indices[(top + y) * width + left + x] = part[y * w + x];
      }
      frames.push({ delay, indices, rectangle: [left, top, w, h] });
    } else {
      assert.fail(`unexpected GIF block ${kind}`);
    }
  }
  return { width, height, palette, loops, frames };
}

function unlzw(data, minimum, count) {
  const clear = 1 << minimum;
  let table = [];
  const reset = () => {
    table = [];
    for (let i = 0; i < clear; i += 1) table.push([i]);
    table.push(null, null);
  };
  reset();
  let width = minimum + 1;
  let bit = 0;
  let previous = null;
  const out = [];
  while (bit + width <= data.length * 8) {
    let code = 0;
    for (let i = 0; i < width; i += 1) code |= ((data[(bit + i) >> 3] >> ((bit + i) & 7)) & 1) << i;
    bit += width;
    if (code === clear) { reset(); width = minimum + 1; previous = null; continue; }
    if (code === clear + 1) break;
    const entry = code < table.length ? table[code] : [...previous, previous[0]];
    if (previous) table.push([...previous, entry[0]]);
    if (table.length === 1 << width && width < 12) width += 1;
    out.push(...entry);
    previous = entry;
  }
  assert.equal(out.length, count, 'pixels in a frame');
  return out;
}
