import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingWorker
import Synchronization
import Testing

/// ``ScheduledDeadlineTransport`` enforces a call's deadline on the server (its context is cancelled when the
/// deadline passes) without grpc-swift's sleeping task, and reads `grpc-timeout` as gRPC over HTTP/2 defines it.
@Suite struct ScheduledDeadlineTransportTests {
    @Test(
        "grpc-timeout values: 1 to 8 digits and a unit",
        arguments: [
            ("1S", Duration.seconds(1)), ("250m", .milliseconds(250)), ("3H", .seconds(3 * 3600)),
            ("2M", .seconds(120)),
            ("7u", .microseconds(7)), ("99999999n", .nanoseconds(99_999_999)), ("00000010S", .seconds(10)),
            ("99999999H", .seconds(99_999_999 * 3600)),
        ])
    func validHeaders(value: String, duration: Duration) {
        #expect(GRPCTimeoutHeader.duration(of: Substring(value)) == duration)
    }

    @Test(
        "anything else is not a grpc-timeout",
        arguments: ["", "S", "1", "123456789S", "1x", "-1S", "1.5S", " 1S", "1 S", "１S", "1s"])
    func invalidHeaders(value: String) {
        #expect(GRPCTimeoutHeader.duration(of: Substring(value)) == nil)
    }

    /// What the probe's handler saw of one call.
    struct Observation: Sendable {
        var sawTimeoutHeader: Bool
        var cancelledAfter: Duration?
    }

    /// A service with one method, `probe.Probe/Wait`: it waits up to 5 s for its call to be cancelled and records
    /// what it saw; a request of `[2]` is answered at once instead.
    struct ProbeService: RegistrableRPCService {
        static let method = MethodDescriptor(fullyQualifiedService: "probe.Probe", method: "Wait")
        final class Observations: Sendable {
            let values = Mutex<[Observation]>([])
        }
        let observations = Observations()

        func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
            router.registerHandler(
                forMethod: Self.method, deserializer: RawBytes(), serializer: RawBytes()
            ) { request, context in
                // [2]: answer at once.
                for try await message in request.messages where message == [2] {
                    return StreamingServerResponse(single: ServerResponse(message: [2]))
                }
                let start = ContinuousClock.now
                var headers = request.metadata[stringValues: GRPCTimeoutHeader.name].makeIterator()
                let sawHeader = headers.next() != nil
                var cancelledAfter: Duration?
                while ContinuousClock.now - start < .seconds(5) {
                    if context.cancellation.isCancelled {
                        cancelledAfter = ContinuousClock.now - start
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(5))
                }
                self.observations.values.withLock {
                    $0.append(Observation(sawTimeoutHeader: sawHeader, cancelledAfter: cancelledAfter))
                }
                return StreamingServerResponse(single: ServerResponse(message: [1]))
            }
        }
    }

    struct RawBytes: MessageSerializer, MessageDeserializer {
        func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
        func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> [UInt8] {
            bytes.withUnsafeBytes { Array($0) }
        }
    }

    @Test(
        "a call's deadline cancels its handler on the server, which does not see the header",
        .timeLimit(.minutes(1)))
    func deadlineCancelsTheHandler() async throws {
        let service = ProbeService()
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let server = GRPCServer(transport: ScheduledDeadlineTransport(wrapping: transport), services: [service])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let port = try await transport.listeningAddress.ipv4!.port
            try await withGRPCClient(
                transport: try HTTP2ClientTransport.Posix(
                    target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            ) { client in
                // The header alone, without a client-side timeout: a client that does not cancel its call at the
                // deadline (grpc-swift's would, and the server would see that cancellation instead).
                let request = ClientRequest(message: [UInt8]([0]), metadata: [GRPCTimeoutHeader.name: "300m"])
                _ = try? await client.unary(
                    request: request, descriptor: ProbeService.method, serializer: RawBytes(),
                    deserializer: RawBytes(), options: .defaults
                ) { try $0.message }
                // The longest deadline the header can carry (10⁸ hours) is armed without overflowing.
                let longest = ClientRequest(message: [UInt8]([2]), metadata: [GRPCTimeoutHeader.name: "99999999H"])
                let reply = try await client.unary(
                    request: longest, descriptor: ProbeService.method, serializer: RawBytes(),
                    deserializer: RawBytes(), options: .defaults
                ) { try $0.message }
                #expect(reply == [2])
            }
            // The handler may still be finishing after the client gave up.
            for _ in 0..<200 where service.observations.values.withLock({ $0.isEmpty }) {
                try await Task.sleep(for: .milliseconds(10))
            }
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
        let observations = service.observations.values.withLock { $0 }
        #expect(observations.count == 1)
        let observation = try #require(observations.first)
        #expect(!observation.sawTimeoutHeader)
        let cancelledAfter = try #require(observation.cancelledAfter, "the handler was never cancelled")
        // Cancelled at the deadline (300 ms after the client sent it), not at the 5 s the handler would wait.
        #expect(cancelledAfter >= .milliseconds(200) && cancelledAfter < .seconds(3), "\(cancelledAfter)")
    }
}
