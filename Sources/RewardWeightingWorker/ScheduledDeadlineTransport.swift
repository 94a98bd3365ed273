import GRPCCore
import NIOCore
import NIOPosix
import Synchronization

/// A server transport that enforces each call's deadline (its `grpc-timeout` header) with an event-loop timer
/// instead of grpc-swift's sleeping task. Both `rw-server` and its kernel worker serve through it.
///
/// grpc-swift's server runs a call that carries a deadline next to a child task sleeping until that deadline,
/// and cancels the sleep when the call ends. On Linux a cancelled `Task.sleep` keeps its Dispatch timer, and the
/// sleeping task's memory, until the deadline passes: at the Python client's default of 30 s, a server answering
/// 1 000 calls per second held ≈ 50 MB for calls long answered (docs/performance.md, Memory). Here the deadline
/// is a NIO scheduled task, which is freed the moment the call ends.
///
/// What a caller sees does not change: at the deadline the call's ``ServerContext/cancellation`` is cancelled,
/// exactly what grpc-swift does itself. The header is removed from the metadata the service sees, so that
/// grpc-swift does not arm its own timer as well; a header that is not a valid `grpc-timeout` (gRPC over HTTP/2:
/// at most 8 digits, then one of `H M S m u n`) is left alone, and grpc-swift ignores it as before.
public struct ScheduledDeadlineTransport<Base: ServerTransport>: ServerTransport {
    public typealias Bytes = Base.Bytes

    /// The transport that carries the calls.
    public let base: Base
    private let eventLoopGroup: any EventLoopGroup

    /// Wraps `base`; deadlines are timers on `eventLoopGroup`'s loops (by default the loops grpc-swift's Posix
    /// transport runs on).
    public init(wrapping base: Base, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.base = base
        self.eventLoopGroup = eventLoopGroup
    }

    public func configure(context: GRPCServerContext) {
        self.base.configure(context: context)
    }

    public func listen(
        streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
    ) async throws {
        let group = self.eventLoopGroup
        try await self.base.listen { stream, context in
            let deadline = CallDeadline(cancellation: context.cancellation, eventLoop: group.any())
            let inbound = RPCAsyncSequence<RPCRequestPart<Bytes>, any Error>(
                wrapping: DeadlineTakingParts(base: stream.inbound, deadline: deadline))
            await streamHandler(
                RPCStream(descriptor: stream.descriptor, inbound: inbound, outbound: stream.outbound), context)
            deadline.disarm()
        }
    }

    public func beginGracefulShutdown() {
        self.base.beginGracefulShutdown()
    }
}

/// The `grpc-timeout` request header.
public enum GRPCTimeoutHeader {
    /// The header's name.
    public static let name = "grpc-timeout"

    /// The duration a `grpc-timeout` value gives, or `nil` if it is not one (gRPC over HTTP/2: `TimeoutValue`
    /// of 1 to 8 ASCII digits, then `TimeoutUnit`, one of `H`, `M`, `S`, `m`, `u`, `n`).
    public static func duration(of value: Substring) -> Duration? {
        guard let unit = value.last, (2...9).contains(value.count) else { return nil }
        let digits = value.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let amount = Int64(digits) else { return nil }
        switch unit {
        case "H": return .seconds(amount * 3600)
        case "M": return .seconds(amount * 60)
        case "S": return .seconds(amount)
        case "m": return .milliseconds(amount)
        case "u": return .microseconds(amount)
        case "n": return .nanoseconds(amount)
        default: return nil
        }
    }

    /// The header's value for `duration`: whole milliseconds, rounded up, at most the 8 digits the header takes
    /// (27 hours).
    public static func value(for duration: Duration) -> String {
        let nanoseconds = Self.timeAmount(duration).nanoseconds
        return "\(min((nanoseconds + 999_999) / 1_000_000, 99_999_999))m"
    }

    /// `duration` as an event-loop timer's delay: at least 1 ns, and at most 10⁸ s (three years; the header
    /// allows 10⁸ hours), so that its nanoseconds fit.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let seconds = min(duration.components.seconds, 100_000_000)
        return .nanoseconds(max(1, seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000))
    }
}

/// One call's deadline timer: armed when the call's metadata arrives, cancelled when the call ends.
private final class CallDeadline: Sendable {
    private enum State {
        case unarmed
        case armed(Scheduled<Void>)
        case ended
    }

    private let cancellation: ServerContext.RPCCancellationHandle
    private let eventLoop: any EventLoop
    private let state = Mutex(State.unarmed)

    init(cancellation: ServerContext.RPCCancellationHandle, eventLoop: any EventLoop) {
        self.cancellation = cancellation
        self.eventLoop = eventLoop
    }

    /// Cancels the call `timeout` from now (at most 10⁸ s: ``GRPCTimeoutHeader/timeAmount(_:)``), unless it ends
    /// first.
    func arm(after timeout: Duration) {
        let delay = GRPCTimeoutHeader.timeAmount(timeout)
        self.state.withLock { state in
            guard case .unarmed = state else { return }
            let cancellation = self.cancellation
            state = .armed(self.eventLoop.scheduleTask(in: delay) { cancellation.cancel() })
        }
    }

    /// The call ended: its timer, if any, is cancelled (and freed) now.
    func disarm() {
        let scheduled: Scheduled<Void>? = self.state.withLock { state in
            defer { state = .ended }
            if case .armed(let scheduled) = state { return scheduled }
            return nil
        }
        scheduled?.cancel()
    }
}

/// A call's request parts, passed through, but for its metadata: the `grpc-timeout` header is taken out and
/// arms the call's deadline.
private struct DeadlineTakingParts<Bytes: GRPCContiguousBytes & Sendable>: AsyncSequence, Sendable {
    typealias Element = RPCRequestPart<Bytes>

    let base: RPCAsyncSequence<RPCRequestPart<Bytes>, any Error>
    let deadline: CallDeadline

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RPCAsyncSequence<RPCRequestPart<Bytes>, any Error>.AsyncIterator
        let deadline: CallDeadline
        var sawMetadata = false

        mutating func next() async throws -> RPCRequestPart<Bytes>? {
            guard let part = try await self.base.next() else { return nil }
            guard !self.sawMetadata, case .metadata(var metadata) = part else { return part }
            self.sawMetadata = true
            var values = metadata[stringValues: GRPCTimeoutHeader.name].makeIterator()
            guard let value = values.next(), let timeout = GRPCTimeoutHeader.duration(of: Substring(value)) else {
                return part
            }
            metadata.removeAllValues(forKey: GRPCTimeoutHeader.name)
            self.deadline.arm(after: timeout)
            return .metadata(metadata)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.base.makeAsyncIterator(), deadline: self.deadline)
    }
}
