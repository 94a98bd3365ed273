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

/// What `rw_simd_front3d_scan_avx2` found: how many positions it wrote to each list, and the top slab's edges.
typedef struct {
    long candidates;
    long dominated;
    double right_edge_y;
    double top_edge_x;
} rw_simd_front3d_scan_result;

/// The scans of the 4-D sweep's 3-D contribution (`SweepFront3D.collect` in RewardWeightingCore), with AVX2,
/// over stored points in decreasing z (`xs`, `ys`, `zs`, `count` of them, the first `top_slab_end` at or above
/// `z`), for a new point `(x, y, z)`:
/// - returns 0, writing nothing else, when a point of the top slab has `x' ≥ x` and `y' ≥ y`;
/// - otherwise returns 1 and sets `result`: the top slab's edges (the largest `y'` among its points with
///   `x' ≥ x`, the largest `x'` among those with `y' ≥ y`, 0 when none), and writes, in increasing position,
///   to `candidates` the top-slab points with `x' < x`, `y' < y` that neither edge point dominates
///   (`x' > top_edge_x`, `y' > right_edge_y`), then the points below it, up to and including the first with
///   `x' ≥ x` and `y' ≥ y`, with `min(x', x) > top_edge_x` and `min(y', y) > right_edge_y`; and to `dominated`
///   the top-slab points with `x' ≤ x`, `y' ≤ y`, `z' = z` and the scanned points below it with `x' ≤ x`,
///   `y' ≤ y`. Both lists need room for `count` positions.
/// Call only when `rw_simd_has_avx2_fma()` returned 1.
int rw_simd_front3d_scan_avx2(
    const double *xs, const double *ys, const double *zs, long count, long top_slab_end, double x, double y,
    double z, long *candidates, long *dominated, rw_simd_front3d_scan_result *result);

/// Whether one of the `count` 4-D points at `points` (four doubles each, row-major) is at least `(x, y, z, w)` in
/// every coordinate: the dominance test of the K = 4 limit sets (`LimitSet` in RewardWeightingCore), with AVX2.
/// Call only when `rw_simd_has_avx2_fma()` returned 1.
int rw_simd_any_weakly_dominates4_avx2(const double *points, long count, double x, double y, double z, double w);

/// Whether one of the `count` points at `points` (`k ≥ 4` doubles each, row-major) is at least `candidate` (k
/// doubles) in every coordinate: the dominance test of the K ≥ 5 limit sets, with AVX2 on the first four
/// coordinates. Call only when `rw_simd_has_avx2_fma()` returned 1.
int rw_simd_any_weakly_dominates_avx2(const double *points, long count, long k, const double *candidate);

/// The first pass of a K = 4 limit set (`LimitSet` in RewardWeightingCore), with AVX2: clips each of the `count`
/// 4-D rows at `set` (row-major), but row `excluded`, to `p` (componentwise minimum). A clipped row below `p` on one
/// axis only raises that axis's entry of `largest` (4 doubles, read and written); any other is written to `clipped`
/// (room for `count` rows), in order. Returns how many were written, or −1 as soon as a clipped row equals `p` (a
/// row weakly dominates it). Call only when `rw_simd_has_avx2_fma()` returned 1.
long rw_simd_clip4_avx2(
    const double *set, long count, long excluded, const double *p, double *clipped, double *largest);

/// Removes, in place and keeping the order of the others, the `count` 4-D rows at `rows` (row-major) that `p` (4
/// doubles) weakly dominates (every coordinate at most p's): the projections WFG drops (`HypervolumeKernels`), with
/// AVX2. Returns how many rows are left. Call only when `rw_simd_has_avx2_fma()` returned 1.
long rw_simd_remove_dominated4_avx2(double *rows, long count, const double *p);

#endif
