import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingTestSupport
import RewardWeightingWorker
import Testing

/// The kernel worker (`worker.proto`) over a real Unix domain socket gives the in-process kernels' results bit
/// for bit, refuses oversize work with RESOURCE_EXHAUSTED naming the limit, and is UNAVAILABLE when down.
@Suite struct KernelWorkerTests {
    /// Serves ``KernelWorkerService`` on a fresh socket, calls `body` with ``WorkerKernels`` connected to it.
    private func withWorker(
        maximumValues: Int = KernelWorkerService.defaultMaximumValues,
        _ body: (WorkerKernels<HTTP2ClientTransport.Posix>) async throws -> Void
    ) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("worker.sock").path
        let transport = HTTP2ServerTransport.Posix(
            address: .unixDomainSocket(path: path), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [KernelWorkerService(maximumValues: maximumValues)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            _ = try await transport.listeningAddress
            try await withGRPCClient(
                transport: try HTTP2ClientTransport.Posix(
                    target: .unixDomainSocket(path: path), transportSecurity: .plaintext)
            ) { client in
                try await body(WorkerKernels(client: client))
            }
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
    }

    @Test("every kernel through the worker equals the in-process kernel bit for bit, K = 2…6")
    func bitIdenticalToInProcess() async throws {
        let local = InProcessKernels()
        try await self.withWorker { worker in
            var generator = SplitMix64(seed: 17)
            for k in 2...6 {
                for trial in 0..<4 {
                    let n = [1, 5, 20, 60][trial]
                    let points = try ObjectiveMatrix(
                        rows: (0..<n).map { _ in (0..<k).map { _ in generator.unit() } }, dimension: k)
                    let reference = try ObjectiveVector(Array(repeating: -0.1, count: k))
                    let candidate = try ObjectiveVector((0..<k).map { _ in generator.unit() })
                    let remote = try await worker.hypervolume(of: points, reference: reference)
                    #expect(
                        remote.bitPattern == (try await local.hypervolume(of: points, reference: reference)).bitPattern)
                    let contributions = try await worker.contributions(of: points, reference: reference)
                    let expected = try await local.contributions(of: points, reference: reference)
                    #expect(contributions.map(\.bitPattern) == expected.map(\.bitPattern))
                    let delta = try await worker.hypervolumeImprovement(
                        adding: candidate, to: points, reference: reference)
                    let localDelta = try await local.hypervolumeImprovement(
                        adding: candidate, to: points, reference: reference)
                    #expect(delta.bitPattern == localDelta.bitPattern, "K = \(k), n = \(n)")
                    let gradients = try ObjectiveMatrix(
                        rows: (0..<k).map { _ in (0..<257).map { _ in generator.symmetric() * 1e-3 } }, dimension: 257)
                    let gram = try await worker.gram(ofGradients: gradients)
                    #expect(gram == (try await local.gram(ofGradients: gradients)))
                }
            }
            // An empty buffer: ΔHV is the candidate's box.
            let empty = try ObjectiveMatrix(rowMajor: [], dimension: 2)
            let box = try await worker.hypervolumeImprovement(
                adding: try ObjectiveVector([0.5, 0.5]), to: empty, reference: try ObjectiveVector([0, 0]))
            #expect(box == 0.25)
        }
    }

    @Test func oversizeWorkIsResourceExhaustedAndBadInputNamesItsField() async throws {
        try await self.withWorker(maximumValues: 100) { worker in
            let big = try ObjectiveMatrix(rows: (0..<51).map { _ in [0.5, 0.5] }, dimension: 2)
            let error = await #expect(throws: KernelError.self) {
                _ = try await worker.hypervolume(of: big, reference: try ObjectiveVector([0, 0]))
            }
            #expect(error?.code == .resourceExhausted)
            #expect(error?.reason.contains("at most 100") == true)
            #expect(error?.field == "points.values")
            let overflow = try ObjectiveMatrix(rows: [[1e200, 1e200], [1e200, 1e200]], dimension: 2)
            let refused = await #expect(throws: KernelError.self) { _ = try await worker.gram(ofGradients: overflow) }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.field.hasPrefix("gradients") == true)
        }
    }

    @Test func aWorkerThatIsDownIsUnavailable() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("nobody.sock").path
        try await withGRPCClient(
            transport: try HTTP2ClientTransport.Posix(
                target: .unixDomainSocket(path: path), transportSecurity: .plaintext)
        ) { client in
            // A generous deadline: the refused connection, not the deadline, must end the call.
            let worker = WorkerKernels(client: client, timeout: .seconds(60))
            let error = await #expect(throws: KernelError.self) {
                _ = try await worker.hypervolume(
                    of: try ObjectiveMatrix(rows: [[0.5, 0.5]], dimension: 2), reference: try ObjectiveVector([0, 0]))
            }
            #expect(error?.code == .unavailable)
        }
    }
}
