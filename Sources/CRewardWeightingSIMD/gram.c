#include "CRewardWeightingSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>

int rw_simd_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/// Loads 8 float32 of a row at component c and widens them to two vectors of 4 doubles.
__attribute__((target("avx2,fma"), always_inline)) static inline void
widen8(const char *row, size_t c, __m256d *low, __m256d *high) {
    __m256 x = _mm256_loadu_ps((const float *)(row + 4 * c));
    *low = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
    *high = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
}

/// K known at compile time (2, 3, 4): the accumulators stay in registers for the whole call.
#define RW_GRAM_FIXED(K)                                                                                    \
    __attribute__((target("avx2,fma"))) static void gram_fixed_##K(                                        \
        const char *rows, size_t row_bytes, size_t count, double *lanes) {                                  \
        enum { pairs = K * (K + 1) / 2 };                                                                   \
        __m256d low[pairs], high[pairs];                                                                    \
        for (int p = 0; p < pairs; p++) {                                                                   \
            low[p] = _mm256_loadu_pd(lanes + 8 * p);                                                        \
            high[p] = _mm256_loadu_pd(lanes + 8 * p + 4);                                                   \
        }                                                                                                   \
        for (size_t c = 0; c < count; c += 8) {                                                             \
            __m256d xl[K], xh[K];                                                                           \
            for (int i = 0; i < K; i++) widen8(rows + i * row_bytes, c, &xl[i], &xh[i]);                    \
            int p = 0;                                                                                      \
            for (int i = 0; i < K; i++) {                                                                   \
                for (int j = i; j < K; j++, p++) {                                                          \
                    low[p] = _mm256_fmadd_pd(xl[i], xl[j], low[p]);                                         \
                    high[p] = _mm256_fmadd_pd(xh[i], xh[j], high[p]);                                       \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
        for (int p = 0; p < pairs; p++) {                                                                   \
            _mm256_storeu_pd(lanes + 8 * p, low[p]);                                                        \
            _mm256_storeu_pd(lanes + 8 * p + 4, high[p]);                                                   \
        }                                                                                                   \
    }

RW_GRAM_FIXED(2)
RW_GRAM_FIXED(3)
RW_GRAM_FIXED(4)

/// Any K: the accumulators live in `lanes` (L1), each row is widened once per 8 components.
__attribute__((target("avx2,fma"))) static void
gram_any(const char *rows, size_t row_bytes, int k, size_t count, double *lanes) {
    enum { stack_rows = 64 };
    __m256d xl[stack_rows], xh[stack_rows];
    for (size_t c = 0; c < count; c += 8) {
        for (int i = 0; i < k; i++) widen8(rows + i * row_bytes, c, &xl[i], &xh[i]);
        double *lane = lanes;
        for (int i = 0; i < k; i++) {
            for (int j = i; j < k; j++, lane += 8) {
                _mm256_storeu_pd(lane, _mm256_fmadd_pd(xl[i], xl[j], _mm256_loadu_pd(lane)));
                _mm256_storeu_pd(lane + 4, _mm256_fmadd_pd(xh[i], xh[j], _mm256_loadu_pd(lane + 4)));
            }
        }
    }
}

__attribute__((target("avx2,fma"))) void
rw_simd_gram_f32_avx2_fma(const void *rows, size_t row_bytes, int k, size_t count, double *lanes) {
    const char *base = (const char *)rows;
    switch (k) {
    case 2: gram_fixed_2(base, row_bytes, count, lanes); return;
    case 3: gram_fixed_3(base, row_bytes, count, lanes); return;
    case 4: gram_fixed_4(base, row_bytes, count, lanes); return;
    default:
        // The widened rows live on the stack: the Swift side calls this for K ≤ 64 only.
        if (k < 1 || k > 64) __builtin_trap();
        gram_any(base, row_bytes, k, count, lanes);
    }
}

#else

int rw_simd_has_avx2_fma(void) { return 0; }

void rw_simd_gram_f32_avx2_fma(const void *rows, size_t row_bytes, int k, size_t count, double *lanes) {
    (void)rows; (void)row_bytes; (void)k; (void)count; (void)lanes;
    __builtin_trap();
}

#endif
