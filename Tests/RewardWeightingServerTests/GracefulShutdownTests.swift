import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingAPI
import RewardWeightingServer
import Synchronization
import Testing

/// Graceful shutdown: what SIGTERM triggers in `rw-server`.
@Suite struct GracefulShutdownTests {
    /// An open `WatchRun` stream ends with `UNAVAILABLE` naming the sequence to resume from, `run()` returns, and
    /// a new server over the same file has every acknowledged report.
    @Test func watchStreamsEndUnavailableAndRunReturns() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let server = try RewardWeightingServer(
            configuration: .init(port: 0, httpPort: 0, databasePath: directory.database()), logger: quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try #require(try await server.listeningAddress.ipv4?.port)
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            try await withGRPCClient(transport: transport) { client in
                let trainer = Trainer(wrapping: client)
                _ = try await trainer.createRun(hypervolumeRun("shutdown"))
                _ = try await trainer.perform(trainerCalls("shutdown", steps: 1...5, seed: 4, gradients: false))
                let last = try await trainer.run("shutdown").state.lastSequence

                let request = Rewardweighting_V1_WatchRunRequest.with {
                    $0.runID = "shutdown"
                    $0.fromSequence = 1
                }
                let received = Counter()
                try await withThrowingTaskGroup(of: Void.self) { watchers in
                    watchers.addTask {
                        do {
                            try await trainer.watchRun(request) { response in
                                for try await _ in response.messages { received.increment() }
                            }
                            Issue.record("the watch stream ended without an error")
                        } catch let error as RPCError {
                            #expect(error.code == .unavailable)
                            #expect(error.message.contains("from_sequence = \(last + 1)"), "\(error)")
                        }
                    }
                    // Shut down once the watcher has the whole log and waits for live events.
                    for _ in 0..<500 where received.value < Int(last) { try await Task.sleep(for: .milliseconds(10)) }
                    await server.beginGracefulShutdown()
                    try await watchers.waitForAll()
                }
                #expect(received.value == Int(last))
            }
            try await group.waitForAll()
        }

        let reopened = try await withServer(database: directory.database()) { trainer in
            try await trainer.run("shutdown")
        }
        #expect(reopened.state.lastScalarizeStep == 5)
        #expect(reopened.state.lastCheckpointStep == 5)
    }

    /// A server whose HTTP port is taken fails to start: `run()` throws, and whoever waits for its HTTP port is
    /// told so instead of waiting for ever.
    @Test(.timeLimit(.minutes(1))) func httpPortOfAServerThatCannotBindIt() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServerClient(
            configuration: .init(host: "127.0.0.1", port: 0, httpPort: 0, databasePath: directory.database("first"))
        ) { _, takenPort in
            let server = try RewardWeightingServer(
                configuration: .init(
                    host: "127.0.0.1", port: 0, httpPort: takenPort, databasePath: directory.database("second")),
                logger: quietLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await #expect(throws: ListenerNotBound.self) { try await server.httpListeningPort }
                }
                await #expect(throws: (any Error).self) { try await server.run() }
                try await group.waitForAll()
            }
            await #expect(throws: ListenerNotBound.self) { try await server.httpListeningPort }
        }
    }
}

/// A count shared with a `@Sendable` closure.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { self.count.withLock { $0 } }
    func increment() { self.count.withLock { $0 += 1 } }
}
