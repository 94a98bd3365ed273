#include "CRewardWeightingSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) long rw_simd_clip4_avx2(
    const double *set, long count, long excluded, const double *p, double *clipped, double *largest) {
    const __m256d point = _mm256_loadu_pd(p);
    const __m256d none = _mm256_set1_pd(-__builtin_inf());
    __m256d best = _mm256_loadu_pd(largest);
    long written = 0;
    for (long i = 0; i < count; i++) {
        if (i == excluded) continue;
        // Coordinates are finite and > 0, so the minimum is the same whichever operand it returns on ties.
        const __m256d value = _mm256_min_pd(_mm256_loadu_pd(set + 4 * i), point);
        const __m256d lower = _mm256_cmp_pd(value, point, _CMP_LT_OQ);
        const int below = _mm256_movemask_pd(lower);
        if (below == 0) return -1;
        if ((below & (below - 1)) == 0) {
            // Below p on one axis only: that lane offers its value, the others −∞.
            best = _mm256_max_pd(best, _mm256_blendv_pd(none, value, lower));
        } else {
            _mm256_storeu_pd(clipped + 4 * written, value);
            written++;
        }
    }
    _mm256_storeu_pd(largest, best);
    return written;
}

__attribute__((target("avx2,fma"))) long rw_simd_remove_dominated4_avx2(double *rows, long count, const double *p) {
    const __m256d point = _mm256_loadu_pd(p);
    long kept = 0;
    for (long i = 0; i < count; i++) {
        const __m256d row = _mm256_loadu_pd(rows + 4 * i);
        // Written in place whatever it is, and counted only when p does not weakly dominate it: no branch.
        _mm256_storeu_pd(rows + 4 * kept, row);
        kept += _mm256_movemask_pd(_mm256_cmp_pd(row, point, _CMP_LE_OQ)) != 15;
    }
    return kept;
}

#else

long rw_simd_remove_dominated4_avx2(double *rows, long count, const double *p) {
    (void)rows; (void)count; (void)p;
    __builtin_trap();
}

long rw_simd_clip4_avx2(
    const double *set, long count, long excluded, const double *p, double *clipped, double *largest) {
    (void)set; (void)count; (void)excluded; (void)p; (void)clipped; (void)largest;
    __builtin_trap();
}

#endif
