"""Extracts MTCNN's trained P-Net and R-Net from the PyPI package `mtcnn` 1.0.0
(MIT, (c) 2019-2024 Ivan de Paz Centeno) into the page's one small binary file,
www/data/mtcnn.bin, in the format crates/core/src/detect.rs reads (and documents).

    python scripts/mtcnn-weights.py [OUT]

Needs only joblib, lz4 and numpy (the package's weights are joblib pickles,
lz4-compressed, of numpy arrays); the package itself is found without importing it
(importing it would need TensorFlow). Run through scripts/mtcnn-weights.sh, which makes
the virtual environment and compares the result with the committed file.

The package stores Keras layouts; the file holds PyTorch's, so the core reads every
tensor as torch.nn would:

- convolution kernels: Keras HWIO (height, width, in, out) -> OIHW (out, in, height,
  width), i.e. numpy transpose (3, 2, 0, 1);
- PReLU slopes: Keras (1, 1, C) (shared over height and width: one slope per channel)
  -> (C), and R-Net's prelu4 (128) stays (128);
- dense layers: Keras (in, out) -> torch.nn.Linear's (out, in);
- R-Net's first dense layer, fc4 (576 -> 128), reads a 3x3x64 map that Keras permutes to
  (width, height, channel) before flattening; its rows are reordered here so that it
  reads the map flattened in NCHW order (channel, height, width) as torch.flatten does:
  (576, 128) -> (3 w, 3 h, 64 c, 128) -> transpose (3, 2, 1, 0) -> (128, 64, 3, 3)
  -> (128, 576).

The file, all numbers little-endian:

    bytes 0..8    b"CLMTCNN1"
    bytes 8..12   number of tensors T
    bytes 12..16  FNV-1a (32-bit) of every byte after byte 16
    then T times: a byte L, L bytes of ASCII name, a byte R (rank), R u32 dimensions,
                  then the product of the dimensions f32 values, row-major

The names, in this order: pnet.conv1.weight, pnet.conv1.bias, pnet.prelu1.weight,
pnet.conv2.*, pnet.prelu2.weight, pnet.conv3.*, pnet.prelu3.weight, pnet.conv4_1.* (the
4 box offsets), pnet.conv4_2.* (the 2 classes: not face, face), then rnet.conv1.*,
rnet.prelu1.weight, rnet.conv2.*, rnet.prelu2.weight, rnet.conv3.*, rnet.prelu3.weight,
rnet.fc4.*, rnet.prelu4.weight, rnet.fc5_1.* (box offsets), rnet.fc5_2.* (classes).
"""

import importlib.util
import os
import struct
import sys

import joblib
import numpy as np

MAGIC = b"CLMTCNN1"
PNET_PARAMETERS = 6632
RNET_PARAMETERS = 100178


def fnv1a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def package_weights(name):
    spec = importlib.util.find_spec("mtcnn")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the package mtcnn is not installed (pip install mtcnn==1.0.0)")
    path = os.path.join(spec.submodule_search_locations[0], "assets", "weights", name)
    return [np.asarray(a, dtype=np.float32) for a in joblib.load(path)]


def conv(w):
    assert w.ndim == 4, w.shape
    return np.transpose(w, (3, 2, 0, 1))


def prelu(a):
    return a.reshape(-1)


def dense(w):
    assert w.ndim == 2, w.shape
    return w.T


def pnet(arrays):
    shapes = [a.shape for a in arrays]
    expected = [(3, 3, 3, 10), (10,), (1, 1, 10), (3, 3, 10, 16), (16,), (1, 1, 16),
                (3, 3, 16, 32), (32,), (1, 1, 32), (1, 1, 32, 4), (4,), (1, 1, 32, 2), (2,)]
    if shapes != expected:
        sys.exit(f"pnet.lz4 holds {shapes}, expected {expected}")
    total = sum(a.size for a in arrays)
    if total != PNET_PARAMETERS:
        sys.exit(f"pnet.lz4 holds {total} parameters, expected {PNET_PARAMETERS}")
    c1w, c1b, p1, c2w, c2b, p2, c3w, c3b, p3, bw, bb, fw, fb = arrays
    return [
        ("pnet.conv1.weight", conv(c1w)), ("pnet.conv1.bias", c1b), ("pnet.prelu1.weight", prelu(p1)),
        ("pnet.conv2.weight", conv(c2w)), ("pnet.conv2.bias", c2b), ("pnet.prelu2.weight", prelu(p2)),
        ("pnet.conv3.weight", conv(c3w)), ("pnet.conv3.bias", c3b), ("pnet.prelu3.weight", prelu(p3)),
        ("pnet.conv4_1.weight", conv(bw)), ("pnet.conv4_1.bias", bb),
        ("pnet.conv4_2.weight", conv(fw)), ("pnet.conv4_2.bias", fb),
    ]


def rnet(arrays):
    shapes = [a.shape for a in arrays]
    expected = [(3, 3, 3, 28), (28,), (1, 1, 28), (3, 3, 28, 48), (48,), (1, 1, 48),
                (2, 2, 48, 64), (64,), (1, 1, 64), (576, 128), (128,), (128,),
                (128, 4), (4,), (128, 2), (2,)]
    if shapes != expected:
        sys.exit(f"rnet.lz4 holds {shapes}, expected {expected}")
    total = sum(a.size for a in arrays)
    if total != RNET_PARAMETERS:
        sys.exit(f"rnet.lz4 holds {total} parameters, expected {RNET_PARAMETERS}")
    c1w, c1b, p1, c2w, c2b, p2, c3w, c3b, p3, f4w, f4b, p4, bw, bb, fw, fb = arrays
    # Keras flattens the permuted (width, height, channel) map; torch flattens (c, h, w).
    fc4 = np.transpose(f4w.reshape(3, 3, 64, 128), (3, 2, 1, 0)).reshape(128, 576)
    return [
        ("rnet.conv1.weight", conv(c1w)), ("rnet.conv1.bias", c1b), ("rnet.prelu1.weight", prelu(p1)),
        ("rnet.conv2.weight", conv(c2w)), ("rnet.conv2.bias", c2b), ("rnet.prelu2.weight", prelu(p2)),
        ("rnet.conv3.weight", conv(c3w)), ("rnet.conv3.bias", c3b), ("rnet.prelu3.weight", prelu(p3)),
        ("rnet.fc4.weight", fc4), ("rnet.fc4.bias", f4b), ("rnet.prelu4.weight", prelu(p4)),
        ("rnet.fc5_1.weight", dense(bw)), ("rnet.fc5_1.bias", bb),
        ("rnet.fc5_2.weight", dense(fw)), ("rnet.fc5_2.bias", fb),
    ]


def encode(tensors):
    body = bytearray()
    for name, array in tensors:
        array = np.ascontiguousarray(array, dtype="<f4")
        raw = name.encode("ascii")
        body += struct.pack("<B", len(raw)) + raw
        body += struct.pack("<B", array.ndim) + struct.pack(f"<{array.ndim}I", *array.shape)
        body += array.tobytes()
    header = MAGIC + struct.pack("<II", len(tensors), fnv1a(bytes(body)))
    return header + bytes(body)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "www", "data", "mtcnn.bin")
    tensors = pnet(package_weights("pnet.lz4")) + rnet(package_weights("rnet.lz4"))
    data = encode(tensors)
    with open(out, "wb") as f:
        f.write(data)
    print(f"[mtcnn] {len(tensors)} tensors, {sum(a.size for _, a in tensors)} parameters, "
          f"{len(data)} bytes -> {out}")


if __name__ == "__main__":
    main()
