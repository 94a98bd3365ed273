// Vector kernels that need instructions newer than the x86-64 baseline Swift compiles for (SSE2). Each
// kernel is compiled for its instruction set with a function attribute and is called only after the
// matching `rw_simd_has_*` check returned true, so the binary still runs on any x86-64 (and on arm64, where
// every check returns false and the Swift code is used).
#ifndef C_REWARD_WEIGHTING_SIMD_H
#define C_REWARD_WEIGHTING_SIMD_H

#include <stddef.h>

/// Whether this CPU (and its operating system) runs AVX2 with FMA: 1 or 0.
int rw_simd_has_avx2_fma(void);

/// The middle of the float32 Gram accumulation, with AVX2 and FMA: for every pair i ≤ j of the `k` rows
/// (upper triangle, row by row), and every component c < `count` (a multiple of 8),
/// `lanes[8·pair + c mod 8] += (double)x_ic · (double)x_jc`, in order of c. Each product of two float32
/// values is exact in double, so a fused multiply-add rounds exactly as a multiply then an add: the result is
/// bit-identical to the portable Swift loop. Call only when `rw_simd_has_avx2_fma()` returned 1.
/// - Parameters:
///   - rows: component 0 of row 0, little-endian float32; row i starts `i·row_bytes` bytes later; any alignment.
///   - lanes: `8·k·(k+1)/2` doubles.
void rw_simd_gram_f32_avx2_fma(const void *rows, size_t row_bytes, int k, size_t count, double *lanes);

#endif
