#include "CRewardWeightingSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>

/// Appends `base + i` for every bit i set in `mask` (4 lanes), in increasing i.
__attribute__((always_inline)) static inline long append_lanes(long *out, long n, long base, int mask) {
    while (mask) {
        out[n++] = base + __builtin_ctz((unsigned)mask);
        mask &= mask - 1;
    }
    return n;
}

__attribute__((target("avx2,fma"))) int rw_simd_front3d_scan_avx2(
    const double *xs, const double *ys, const double *zs, long count, long top_slab_end, double x, double y,
    double z, long *candidates, long *dominated, rw_simd_front3d_scan_result *result) {
    const __m256d px = _mm256_set1_pd(x), py = _mm256_set1_pd(y), pz = _mm256_set1_pd(z);
    const __m256d zero = _mm256_setzero_pd();
    // Pass 1 over the top slab: the edges, or the point covering the whole box.
    __m256d right_edge = zero, top_edge = zero;
    long i = 0;
    for (; i + 4 <= top_slab_end; i += 4) {
        __m256d sx = _mm256_loadu_pd(xs + i), sy = _mm256_loadu_pd(ys + i);
        __m256d right = _mm256_cmp_pd(sx, px, _CMP_GE_OQ), top = _mm256_cmp_pd(sy, py, _CMP_GE_OQ);
        if (_mm256_movemask_pd(_mm256_and_pd(right, top))) return 0;
        right_edge = _mm256_max_pd(right_edge, _mm256_and_pd(right, sy));
        top_edge = _mm256_max_pd(top_edge, _mm256_and_pd(top, sx));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, right_edge);
    double right_edge_y = lanes[0] > lanes[1] ? lanes[0] : lanes[1];
    right_edge_y = right_edge_y > lanes[2] ? right_edge_y : lanes[2];
    right_edge_y = right_edge_y > lanes[3] ? right_edge_y : lanes[3];
    _mm256_storeu_pd(lanes, top_edge);
    double top_edge_x = lanes[0] > lanes[1] ? lanes[0] : lanes[1];
    top_edge_x = top_edge_x > lanes[2] ? top_edge_x : lanes[2];
    top_edge_x = top_edge_x > lanes[3] ? top_edge_x : lanes[3];
    for (; i < top_slab_end; i++) {
        int right = xs[i] >= x, top = ys[i] >= y;
        if (right && top) return 0;
        if (right && ys[i] > right_edge_y) right_edge_y = ys[i];
        if (top && xs[i] > top_edge_x) top_edge_x = xs[i];
    }
    const __m256d ry = _mm256_set1_pd(right_edge_y), tx = _mm256_set1_pd(top_edge_x);
    long nc = 0, nd = 0;
    // Pass 2 over the top slab: interior points neither edge point dominates; equal-z points x dominates.
    for (i = 0; i + 4 <= top_slab_end; i += 4) {
        __m256d sx = _mm256_loadu_pd(xs + i), sy = _mm256_loadu_pd(ys + i), sz = _mm256_loadu_pd(zs + i);
        __m256d keep = _mm256_and_pd(
            _mm256_and_pd(_mm256_cmp_pd(sx, px, _CMP_LT_OQ), _mm256_cmp_pd(sy, py, _CMP_LT_OQ)),
            _mm256_and_pd(_mm256_cmp_pd(sx, tx, _CMP_GT_OQ), _mm256_cmp_pd(sy, ry, _CMP_GT_OQ)));
        nc = append_lanes(candidates, nc, i, _mm256_movemask_pd(keep));
        __m256d below = _mm256_and_pd(
            _mm256_and_pd(_mm256_cmp_pd(sx, px, _CMP_LE_OQ), _mm256_cmp_pd(sy, py, _CMP_LE_OQ)),
            _mm256_cmp_pd(sz, pz, _CMP_EQ_OQ));
        nd = append_lanes(dominated, nd, i, _mm256_movemask_pd(below));
    }
    for (; i < top_slab_end; i++) {
        if (xs[i] < x && ys[i] < y && xs[i] > top_edge_x && ys[i] > right_edge_y) candidates[nc++] = i;
        if (xs[i] <= x && ys[i] <= y && zs[i] == z) dominated[nd++] = i;
    }
    // Below the top slab, down to the first point covering the cross-section.
    for (i = top_slab_end; i < count; i += 4) {
        int lanes_left = count - i < 4 ? (int)(count - i) : 4;
        int valid = (1 << lanes_left) - 1;
        __m256d sx, sy;
        if (lanes_left == 4) {
            sx = _mm256_loadu_pd(xs + i);
            sy = _mm256_loadu_pd(ys + i);
        } else {
            double bx[4] = {0, 0, 0, 0}, by[4] = {0, 0, 0, 0};
            for (int l = 0; l < lanes_left; l++) {
                bx[l] = xs[i + l];
                by[l] = ys[i + l];
            }
            sx = _mm256_loadu_pd(bx);
            sy = _mm256_loadu_pd(by);
        }
        int cover = _mm256_movemask_pd(
            _mm256_and_pd(_mm256_cmp_pd(sx, px, _CMP_GE_OQ), _mm256_cmp_pd(sy, py, _CMP_GE_OQ))) & valid;
        if (cover) valid &= (cover & -cover) * 2 - 1;  // the lanes up to and including the first cover
        int keep = _mm256_movemask_pd(_mm256_and_pd(
            _mm256_cmp_pd(_mm256_min_pd(sx, px), tx, _CMP_GT_OQ),
            _mm256_cmp_pd(_mm256_min_pd(sy, py), ry, _CMP_GT_OQ)));
        nc = append_lanes(candidates, nc, i, keep & valid);
        int below = _mm256_movemask_pd(
            _mm256_and_pd(_mm256_cmp_pd(sx, px, _CMP_LE_OQ), _mm256_cmp_pd(sy, py, _CMP_LE_OQ)));
        nd = append_lanes(dominated, nd, i, below & valid);
        if (cover) break;
    }
    result->candidates = nc;
    result->dominated = nd;
    result->right_edge_y = right_edge_y;
    result->top_edge_x = top_edge_x;
    return 1;
}

#else

int rw_simd_front3d_scan_avx2(
    const double *xs, const double *ys, const double *zs, long count, long top_slab_end, double x, double y,
    double z, long *candidates, long *dominated, rw_simd_front3d_scan_result *result) {
    (void)xs; (void)ys; (void)zs; (void)count; (void)top_slab_end; (void)x; (void)y; (void)z;
    (void)candidates; (void)dominated; (void)result;
    __builtin_trap();
}

#endif
