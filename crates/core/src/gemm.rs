//! The one matrix product behind the convolutions' fast paths (im2col / col2im): plain,
//! safe Rust written so that the compiler vectorises it (128-bit lanes on x86-64 and in
//! WebAssembly SIMD), blocked for the registers and the cache.
//!
//! `C += A B`, all row-major, `A` read through any strides (so `Aᵀ` costs nothing), `B`
//! and `C` with a row stride. Every element of `C` adds its products in the order
//! `p = 0, 1, …, k - 1`, starting from its own value, one multiply and one add at a time
//! (no fused multiply-add): the result is bit for bit that of the plain triple loop. The
//! vector lanes run along the columns of `B` and `C`, never along a sum.

/// Rows of `C` held in registers at once.
const ROWS: usize = 4;
/// Columns of `C` held in registers at once: two 128-bit vectors.
const COLUMNS: usize = 8;
/// Columns of `B` visited for every block of rows before moving on: a `k x 256` strip
/// of `B` stays in the cache while all of `A` passes over it.
const STRIP: usize = 256;

/// A matrix read through strides: element `(i, p)` is `data[i * row + p * column]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Strided<'a> {
    /// The values.
    pub data: &'a [f32],
    /// Distance between rows.
    pub row: usize,
    /// Distance between columns.
    pub column: usize,
}

/// `C[i, j] += Σ_p A(i, p) · B[p, j]` for `i < m`, `j < n`, `p < k`, where `B[p, j]` is
/// `b[p * ldb + j]` and `C[i, j]` is `c[i * ldc + j]`.
///
/// The slices must hold the elements the indices reach (checked, so a mistake panics in
/// a test rather than reading the wrong memory).
#[allow(clippy::too_many_arguments)] // the BLAS argument list, named as BLAS names it
pub(crate) fn gemm(
    m: usize,
    n: usize,
    k: usize,
    a: Strided<'_>,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    // A, packed once: each block of ROWS rows as k groups of ROWS values (the last block
    // may be shorter), so the inner loop reads it in order.
    let mut packed = Vec::with_capacity(m * k);
    for first in (0..m).step_by(ROWS) {
        let rows = ROWS.min(m - first);
        for p in 0..k {
            for r in first..first + rows {
                packed.push(a.data[r * a.row + p * a.column]);
            }
        }
    }
    for strip in (0..n).step_by(STRIP) {
        let width = STRIP.min(n - strip);
        for first in (0..m).step_by(ROWS) {
            let rows = ROWS.min(m - first);
            let panel = &packed[first * k..(first + rows) * k];
            let c = &mut c[first * ldc + strip..];
            let b = &b[strip..];
            match rows {
                4 => row_block::<4>(panel, b, ldb, c, ldc, width),
                3 => row_block::<3>(panel, b, ldb, c, ldc, width),
                2 => row_block::<2>(panel, b, ldb, c, ldc, width),
                _ => row_block::<1>(panel, b, ldb, c, ldc, width),
            }
        }
    }
}

/// `R` rows of `C` over `width` columns: blocks of 8 columns, then 4, then single ones.
fn row_block<const R: usize>(
    panel: &[f32],
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    width: usize,
) {
    let mut j = 0;
    while j + COLUMNS <= width {
        tile::<R, COLUMNS>(panel, &b[j..], ldb, &mut c[j..], ldc);
        j += COLUMNS;
    }
    if j + 4 <= width {
        tile::<R, 4>(panel, &b[j..], ldb, &mut c[j..], ldc);
        j += 4;
    }
    while j < width {
        tile::<R, 1>(panel, &b[j..], ldb, &mut c[j..], ldc);
        j += 1;
    }
}

/// One `R x W` tile of `C`, kept in registers over the whole sum.
#[inline(always)]
fn tile<const R: usize, const W: usize>(
    panel: &[f32],
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    let mut acc = [[0.0f32; W]; R];
    for (r, row) in acc.iter_mut().enumerate() {
        row.copy_from_slice(&c[r * ldc..r * ldc + W]);
    }
    for (a, b_row) in panel.chunks_exact(R).zip(b.chunks(ldb)) {
        let b_row = &b_row[..W];
        for r in 0..R {
            let a = a[r];
            for l in 0..W {
                acc[r][l] += a * b_row[l];
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        c[r * ldc..r * ldc + W].copy_from_slice(row);
    }
}

/// `C[i, j] += Σ_p A[i, p] · B[j, p]` for `i < m`, `j < n`, `p < k` (`C += A Bᵀ`),
/// where `A[i, p]` is `a[i * lda + p]` and `B[j, p]` is `b[j * ldb + p]`: dot products of
/// rows, each in four interleaved partial sums (so, unlike [`gemm`], not in the order
/// of the plain loop). Blocks of 2 rows of `A` by 4 rows of `B` share their loads.
#[allow(clippy::too_many_arguments)] // the BLAS argument list, named as BLAS names it
pub(crate) fn gemm_nt(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    fn row(data: &[f32], ld: usize, i: usize, k: usize) -> &[f32] {
        &data[i * ld..i * ld + k]
    }
    let (mut i, mut j);
    i = 0;
    while i + 2 <= m {
        let (a0, a1) = (row(a, lda, i, k), row(a, lda, i + 1, k));
        j = 0;
        while j + 4 <= n {
            let b_rows = [
                row(b, ldb, j, k),
                row(b, ldb, j + 1, k),
                row(b, ldb, j + 2, k),
                row(b, ldb, j + 3, k),
            ];
            let sums = dots_2x4([a0, a1], b_rows);
            for (r, sums) in sums.iter().enumerate() {
                for (t, &sum) in sums.iter().enumerate() {
                    c[(i + r) * ldc + j + t] += sum;
                }
            }
            j += 4;
        }
        for j in j..n {
            let b_row = row(b, ldb, j, k);
            c[i * ldc + j] += dot(a0, b_row);
            c[(i + 1) * ldc + j] += dot(a1, b_row);
        }
        i += 2;
    }
    if i < m {
        let a_row = row(a, lda, i, k);
        for j in 0..n {
            c[i * ldc + j] += dot(a_row, row(b, ldb, j, k));
        }
    }
}

/// Eight dot products of two rows with four rows, in four lanes each.
#[inline(always)]
fn dots_2x4(a: [&[f32]; 2], b: [&[f32]; 4]) -> [[f32; 4]; 2] {
    let mut acc = [[[0.0f32; 4]; 4]; 2];
    let lanes = a[0].len() / 4 * 4;
    let chunks = a[0][..lanes]
        .chunks_exact(4)
        .zip(a[1][..lanes].chunks_exact(4))
        .zip(b[0][..lanes].chunks_exact(4))
        .zip(b[1][..lanes].chunks_exact(4))
        .zip(b[2][..lanes].chunks_exact(4))
        .zip(b[3][..lanes].chunks_exact(4));
    for (((((a0, a1), b0), b1), b2), b3) in chunks {
        for (r, a) in [a0, a1].into_iter().enumerate() {
            for (t, b) in [b0, b1, b2, b3].into_iter().enumerate() {
                for l in 0..4 {
                    acc[r][t][l] += a[l] * b[l];
                }
            }
        }
    }
    let mut sums = [[0.0f32; 4]; 2];
    for r in 0..2 {
        for t in 0..4 {
            let tail: f32 = a[r][lanes..]
                .iter()
                .zip(&b[t][lanes..])
                .map(|(x, y)| x * y)
                .sum();
            let lane = acc[r][t];
            sums[r][t] = (lane[0] + lane[1]) + (lane[2] + lane[3]) + tail;
        }
    }
    sums
}

/// One dot product in four lanes.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 4];
    let mut pairs = a.chunks_exact(4).zip(b.chunks_exact(4));
    for (a, b) in &mut pairs {
        for l in 0..4 {
            lanes[l] += a[l] * b[l];
        }
    }
    let split = a.len() / 4 * 4;
    let tail: f32 = a[split..].iter().zip(&b[split..]).map(|(x, y)| x * y).sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// Adds `values` into `out`, lane by lane (the compiler vectorises the loop).
#[inline]
pub(crate) fn add_into(out: &mut [f32], values: &[f32]) {
    for (o, v) in out.iter_mut().zip(values) {
        *o += v;
    }
}

/// The sum of `values`, in eight interleaved partial sums (vectorised), added in `f64`.
pub(crate) fn sum(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|&v| f64::from(v)).sum();
    (lanes.iter().map(|&v| f64::from(v)).sum::<f64>() + tail) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The triple loop, in the same order of additions.
    fn plain(
        (m, n, k): (usize, usize, usize),
        a: Strided<'_>,
        b: &[f32],
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
    ) {
        for i in 0..m {
            for j in 0..n {
                let mut acc = c[i * ldc + j];
                for p in 0..k {
                    acc += a.data[i * a.row + p * a.column] * b[p * ldb + j];
                }
                c[i * ldc + j] = acc;
            }
        }
    }

    #[test]
    fn equals_the_triple_loop_bit_for_bit() {
        let mut seed = 7u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1 << 24) as f32 - 0.5
        };
        for &(m, n, k) in &[
            (1, 1, 1),
            (4, 8, 3),
            (6, 784, 25),
            (16, 100, 150),
            (150, 100, 16),
            (5, 13, 7),
            (3, 300, 2),
            (9, 517, 11),
        ] {
            for transposed in [false, true] {
                let a_data: Vec<f32> = (0..m * k).map(|_| next()).collect();
                let a = if transposed {
                    Strided {
                        data: &a_data,
                        row: 1,
                        column: m,
                    }
                } else {
                    Strided {
                        data: &a_data,
                        row: k,
                        column: 1,
                    }
                };
                let ldb = n + 3;
                let b: Vec<f32> = (0..k * ldb).map(|_| next()).collect();
                let ldc = n + 1;
                let start: Vec<f32> = (0..m * ldc).map(|_| next()).collect();
                let mut fast = start.clone();
                let mut slow = start;
                gemm(m, n, k, a, &b, ldb, &mut fast, ldc);
                plain((m, n, k), a, &b, ldb, &mut slow, ldc);
                assert_eq!(fast, slow, "{m}x{n}x{k}, transposed {transposed}");
            }
        }
    }

    #[test]
    fn gemm_nt_is_a_times_b_transposed() {
        for &(m, n, k) in &[
            (1, 1, 1),
            (2, 4, 8),
            (6, 25, 784),
            (16, 150, 100),
            (5, 7, 13),
        ] {
            let value = |i: usize| ((i * 7919) % 17) as f32 / 4.0 - 2.0;
            let (lda, ldb, ldc) = (k + 2, k + 1, n + 3);
            let a: Vec<f32> = (0..m * lda).map(value).collect();
            let b: Vec<f32> = (0..n * ldb).map(|i| value(i + 5)).collect();
            let mut c = vec![1.0; m * ldc];
            gemm_nt(m, n, k, &a, lda, &b, ldb, &mut c, ldc);
            for i in 0..m {
                for j in 0..n {
                    // Quarters times quarters: every sum is exact, in any order.
                    let expected: f32 =
                        1.0 + (0..k).map(|p| a[i * lda + p] * b[j * ldb + p]).sum::<f32>();
                    assert_eq!(c[i * ldc + j], expected, "{m}x{n}x{k} at {i}, {j}");
                }
            }
        }
    }

    #[test]
    fn sums_and_adds() {
        let values: Vec<f32> = (1..=21).map(|v| v as f32).collect();
        assert_eq!(sum(&values), 231.0);
        assert_eq!(sum(&[]), 0.0);
        let mut out = vec![1.0; 3];
        add_into(&mut out, &[1.0, 2.0, 3.0]);
        assert_eq!(out, [2.0, 3.0, 4.0]);
    }
}
