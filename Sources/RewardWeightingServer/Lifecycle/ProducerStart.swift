import RewardWeightingKernels
import Synchronization

/// A streamed kernel's slice producer that remembers whether it was started: once it has read slices from the
/// trainer, the call cannot be retried on another backend (``FallbackKernels``, ``PooledKernels``).
final class ProducerStart: Sendable {
    private let producer: @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void
    private let flag = Atomic<Bool>(false)

    init(_ producer: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void) {
        self.producer = producer
    }

    /// Whether ``run(_:)`` was called.
    var started: Bool { self.flag.load(ordering: .acquiring) }

    /// Runs the producer, marking it started.
    @Sendable func run(_ writer: Float32GradientSliceWriter) async throws(KernelError) {
        self.flag.store(true, ordering: .releasing)
        try await self.producer(writer)
    }
}
