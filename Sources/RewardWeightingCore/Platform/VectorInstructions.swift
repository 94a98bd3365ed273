import CRewardWeightingSIMD

/// Which of the C loops in `CRewardWeightingSIMD` this CPU runs. Each loop has a Swift twin that gives the
/// same results bit for bit; the check only chooses the faster one.
enum VectorInstructions {
    /// Whether the CPU (and the operating system) runs AVX2 with FMA: x86-64 only, asked once.
    static let hasAVX2FMA = rw_simd_has_avx2_fma() != 0
}
