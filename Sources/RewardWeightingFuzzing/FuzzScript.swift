import RewardWeightingAPI
import SwiftProtobuf

/// One fuzz input read as what a trainer or an operator would send: a sequence of `TrainerService` calls, each
/// a request message in its protobuf wire form.
///
/// **Wire form** (what libFuzzer mutates), repeated until the bytes run out or ``maximumCalls`` are read:
///
///     method:  1 byte   — the call (``Method``, the byte modulo the number of methods); bit 7 set replaces the
///                         decoded request's run id with ``sharedRunID`` (so that mutations of a later call still
///                         reach the run an earlier one created)
///     length:  2 bytes  — little-endian; the request's length, cut to the bytes that are left
///     request: `length` bytes — the request message; for ``Method/reportProjectedGradients`` a sequence of
///                         stream messages, each as a 2-byte little-endian length and that many bytes
///
/// Every byte string is a script: a request whose bytes do not decode is sent all the same, as a peer that sends
/// garbage would (the server's deserializer refuses it). ``encoded`` writes the form back, so that the seed
/// corpus is built from real request values (``SeedScripts``).
public struct FuzzScript: Sendable, Hashable {
    /// The `TrainerService` method of a call, by its byte in the wire form.
    public enum Method: UInt8, Sendable, Hashable, CaseIterable {
        case createRun, getRun, listRuns, archiveRun, scalarize, reportGradients, reportCheckpoint, resumeRun
        case reportProjectedGradients
    }

    /// One call: a method and the bytes of its request (stream messages for the client-streaming method).
    public struct Call: Sendable, Hashable {
        /// The method called.
        public var method: Method
        /// Whether the request's run id is replaced by ``FuzzScript/sharedRunID``.
        public var usesSharedRunID: Bool
        /// The request messages' bytes: one message, or the stream of ``Method/reportProjectedGradients``.
        public var messages: [[UInt8]]

        /// A call with the given request bytes.
        public init(method: Method, usesSharedRunID: Bool = false, messages: [[UInt8]]) {
            self.method = method
            self.usesSharedRunID = usesSharedRunID
            self.messages = messages
        }

        /// A call of `method` with `request` (serialized).
        public init(_ method: Method, _ request: some SwiftProtobuf.Message, sharedRunID: Bool = false) {
            let bytes: [UInt8] = (try? request.serializedBytes()) ?? []
            self.init(method: method, usesSharedRunID: sharedRunID, messages: [bytes])
        }

        /// A `ReportProjectedGradients` stream of `messages`.
        public init(stream messages: [Rewardweighting_V1_ReportProjectedGradientsRequest], sharedRunID: Bool = false) {
            self.init(
                method: .reportProjectedGradients, usesSharedRunID: sharedRunID,
                messages: messages.map { (try? $0.serializedBytes()) ?? [] })
        }
    }

    /// The run id that ``Call/usesSharedRunID`` puts into a request.
    public static let sharedRunID = "fuzz-run"
    /// The most calls one input makes; later bytes are ignored.
    public static let maximumCalls = 24
    /// The most stream messages one `ReportProjectedGradients` call sends.
    public static let maximumStreamMessages = 64

    /// The calls, in order.
    public var calls: [Call]

    /// A script of `calls`.
    public init(calls: [Call]) {
        self.calls = calls
    }

    /// The script that `bytes` spell (see the type's documentation); never fails.
    public init(bytes: some Collection<UInt8>) {
        var reader = ByteReader(Array(bytes))
        var calls: [Call] = []
        while calls.count < Self.maximumCalls, let selector = reader.byte() {
            let method = Method.allCases[Int(selector & 0x7f) % Method.allCases.count]
            let payload = reader.bytes(count: reader.uint16())
            let messages: [[UInt8]]
            if method == .reportProjectedGradients {
                var inner = ByteReader(payload)
                var parts: [[UInt8]] = []
                while parts.count < Self.maximumStreamMessages, !inner.isAtEnd {
                    parts.append(inner.bytes(count: inner.uint16()))
                }
                messages = parts
            } else {
                messages = [payload]
            }
            calls.append(Call(method: method, usesSharedRunID: selector & 0x80 != 0, messages: messages))
        }
        self.calls = calls
    }

    /// The wire form: ``init(bytes:)`` of it gives this script back, provided each length fits in 2 bytes and
    /// there are at most ``maximumCalls`` calls.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        for call in self.calls {
            bytes.append(call.method.rawValue | (call.usesSharedRunID ? 0x80 : 0))
            let payload: [UInt8]
            if call.method == .reportProjectedGradients {
                payload = call.messages.flatMap { littleEndian16($0.count) + $0 }
            } else {
                payload = call.messages.first ?? []
            }
            bytes += littleEndian16(payload.count) + payload
        }
        return bytes
    }
}

private func littleEndian16(_ value: Int) -> [UInt8] {
    let clamped = UInt16(clamping: value)
    return [UInt8(clamped & 0xff), UInt8(clamped >> 8)]
}

/// Reads bytes front to back; reads past the end give what is left.
private struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { self.offset >= self.bytes.count }

    mutating func byte() -> UInt8? {
        guard !self.isAtEnd else { return nil }
        defer { self.offset += 1 }
        return self.bytes[self.offset]
    }

    mutating func uint16() -> Int {
        let low = Int(self.byte() ?? 0)
        let high = Int(self.byte() ?? 0)
        return low | high << 8
    }

    mutating func bytes(count: Int) -> [UInt8] {
        let end = min(self.bytes.count, self.offset + count)
        defer { self.offset = end }
        return Array(self.bytes[self.offset..<end])
    }
}
