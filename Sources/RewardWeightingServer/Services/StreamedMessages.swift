import GRPCCore
import RewardWeightingAPI
import RewardWeightingKernels

/// The messages of a `ReportProjectedGradients` stream, read by the handler (the header) and then by the kernel
/// backend's slice producer, which may run in another task (a worker call's request producer).
///
/// `@unchecked Sendable`: the iterator is used by one reader at a time — the handler reads the header before
/// it starts the producer, and the producer runs once — so it is never accessed concurrently.
final class StreamedMessages: @unchecked Sendable {
    private var iterator: RPCAsyncSequence<Rewardweighting_V1_ReportProjectedGradientsRequest, any Error>.AsyncIterator

    init(_ messages: RPCAsyncSequence<Rewardweighting_V1_ReportProjectedGradientsRequest, any Error>) {
        self.iterator = messages.makeAsyncIterator()
    }

    /// The next message, or nil at the end of the stream.
    func next() async throws -> Rewardweighting_V1_ReportProjectedGradientsRequest? {
        try await self.iterator.next()
    }

    /// The next slice, or nil at the end of the stream.
    /// - Throws: ``KernelError``: `invalidArgument` (field `header`) for a second header or a message without a
    ///   part; `invalidArgument` (field `slice`) for a message that does not decode; `resourceExhausted` (field
    ///   `request`) for a message over the size limit; `unavailable` when the stream failed (the client went
    ///   away).
    func nextSlice() async throws(KernelError) -> Rewardweighting_V1_ProjectedGradientsSlice? {
        let message: Rewardweighting_V1_ReportProjectedGradientsRequest?
        do {
            message = try await self.iterator.next()
        } catch let error as RPCError where error.code == .resourceExhausted {
            throw KernelError(code: .resourceExhausted, field: "request", reason: Self.reason(error.message))
        } catch let error as RPCError where error.code == .invalidArgument {
            // The deserializer's: bytes that are not a ReportProjectedGradientsRequest.
            throw KernelError(
                code: .invalidArgument, field: "slice",
                reason: "a message of the stream does not decode: \(Self.reason(error.message))")
        } catch {
            throw KernelError(code: .unavailable, field: "slices", reason: "the request stream failed: \(error)")
        }
        guard let message else { return nil }
        guard case .slice(let slice) = message.part else {
            throw KernelError(
                code: .invalidArgument, field: "header",
                reason: "only the first message of the stream carries the header; every later one carries a slice")
        }
        return slice
    }

    /// The reason of a `field: reason` message.
    private static func reason(_ message: String) -> String {
        guard let colon = message.range(of: ": ") else { return message }
        return String(message[colon.upperBound...])
    }
}
