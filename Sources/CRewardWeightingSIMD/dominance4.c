#include "CRewardWeightingSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) int rw_simd_any_weakly_dominates4_avx2(
    const double *points, long count, double x, double y, double z, double w) {
    const __m256d candidate = _mm256_set_pd(w, z, y, x);
    long i = 0;
    // Two points per iteration: one 4-lane comparison each, one branch for both.
    for (; i + 2 <= count; i += 2) {
        int first = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(points + 4 * i), candidate, _CMP_GE_OQ));
        int second = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(points + 4 * i + 4), candidate, _CMP_GE_OQ));
        if ((first == 15) | (second == 15)) return 1;
    }
    if (i < count && _mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(points + 4 * i), candidate, _CMP_GE_OQ)) == 15)
        return 1;
    return 0;
}

__attribute__((target("avx2,fma"))) int rw_simd_any_weakly_dominates_avx2(
    const double *points, long count, long k, const double *candidate) {
    const __m256d head = _mm256_loadu_pd(candidate);
    for (long i = 0; i < count; i++) {
        const double *point = points + i * k;
        if (_mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(point), head, _CMP_GE_OQ)) != 15) continue;
        long j = 4;
        while (j < k && point[j] >= candidate[j]) j++;
        if (j == k) return 1;
    }
    return 0;
}

#else

int rw_simd_any_weakly_dominates_avx2(const double *points, long count, long k, const double *candidate) {
    (void)points; (void)count; (void)k; (void)candidate;
    __builtin_trap();
}

int rw_simd_any_weakly_dominates4_avx2(const double *points, long count, double x, double y, double z, double w) {
    (void)points; (void)count; (void)x; (void)y; (void)z; (void)w;
    __builtin_trap();
}

#endif
