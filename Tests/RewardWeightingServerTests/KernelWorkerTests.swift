import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingTestSupport
import RewardWeightingWorker
import Synchronization
import Testing

/// The kernel worker (`worker.proto`) over a real Unix domain socket gives the in-process kernels' results bit
/// for bit, refuses oversize work with RESOURCE_EXHAUSTED naming the limit, and is UNAVAILABLE when down.
@Suite struct KernelWorkerTests {
    /// Serves ``KernelWorkerService`` on a fresh socket, calls `body` with ``WorkerKernels`` connected to it.
    private func withWorker(
        maximumValues: Int = KernelWorkerService.defaultMaximumValues, timeout: Duration = .seconds(30),
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
                try await body(WorkerKernels(client: client, timeout: timeout))
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
            // The streamed float32 Gram and the mirror-descent step, K = 2…6.
            for k in 2...6 {
                let d = 3 * Float32GramAccumulator.blockLength + 77
                let floats = (0..<(k * d)).map { _ in Float(generator.symmetric()) }
                let slices = Self.slices(of: floats, objectives: k, dimension: d, length: 1000)
                let remote = try await worker.gram(ofFloat32Gradients: k, dimension: d) { writer throws(KernelError) in
                    for slice in slices { try await writer.write(slice) }
                }
                let inProcess = try await local.gram(ofFloat32Gradients: k, dimension: d) {
                    writer throws(KernelError) in
                    for slice in slices { try await writer.write(slice) }
                }
                #expect(remote.entries.map(\.bitPattern) == inProcess.entries.map(\.bitPattern), "K = \(k)")
                let weights = try WeightVector((0..<k).map { _ in 0.1 + generator.unit() })
                let influence = (0..<k).map { _ in generator.symmetric() * 50 }
                for rule in [try MirrorDescent(), try MirrorDescent(minWeight: 0.01, maxWeight: 0.9)] {
                    for stepSize in [0.0, 0.3, 100.0] {
                        let stepped = try await worker.mirrorDescentStep(
                            from: weights, influence: influence, stepSize: stepSize, rule: rule)
                        let expected = try await local.mirrorDescentStep(
                            from: weights, influence: influence, stepSize: stepSize, rule: rule)
                        #expect(stepped.values.map(\.bitPattern) == expected.values.map(\.bitPattern))
                    }
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

    /// Row-major K×D float32 values as slices of `length` components, objective-major little-endian bytes.
    static func slices(of values: [Float], objectives k: Int, dimension d: Int, length: Int) -> [Float32GradientSlice] {
        stride(from: 0, to: d, by: length).map { offset in
            let end = min(d, offset + length)
            var bytes: [UInt8] = []
            for i in 0..<k {
                for value in values[(i * d + offset)..<(i * d + end)] {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
            }
            return Float32GradientSlice(offset: offset, float32LittleEndian: bytes)
        }
    }

    @Test("a streamed Gram's refused slice and short stream name their field through the worker")
    func streamedGramErrorsNameTheirField() async throws {
        try await self.withWorker { worker in
            let slices = Self.slices(
                of: [Float](repeating: 1, count: 2 * 100), objectives: 2, dimension: 100, length: 40)
            let outOfOrder = await #expect(throws: KernelError.self) {
                _ = try await worker.gram(ofFloat32Gradients: 2, dimension: 100) { writer throws(KernelError) in
                    try await writer.write(slices[1])
                }
            }
            #expect(outOfOrder?.code == .invalidArgument)
            #expect(outOfOrder?.field == "slice.offset")
            let short = await #expect(throws: KernelError.self) {
                _ = try await worker.gram(ofFloat32Gradients: 2, dimension: 100) { writer throws(KernelError) in
                    try await writer.write(slices[0])
                }
            }
            #expect(short?.field == "slices")
            #expect(short?.reason == "carried 40 of the D = 100 components")
            // The producer's own error is the call's.
            let mine = KernelError(code: .invalidArgument, field: "header", reason: "a second header")
            let thrown = await #expect(throws: KernelError.self) {
                _ = try await worker.gram(ofFloat32Gradients: 2, dimension: 100) { writer throws(KernelError) in
                    try await writer.write(slices[0])
                    throw mine
                }
            }
            #expect(thrown == mine)
        }
    }

    /// n points on the positive unit sphere in K dimensions: all mutually non-dominated, the worst case of the
    /// K ≥ 5 limit-set contributions (n = 4000 at K = 6 runs for many minutes).
    static func sphere(_ n: Int, dimension k: Int, seed: UInt64) throws -> ObjectiveMatrix {
        var generator = SplitMix64(seed: seed)
        let rows = (0..<n).map { _ in
            let raw = (0..<k).map { _ in 0.05 + generator.unit() }
            let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return raw.map { $0 / norm }
        }
        return try ObjectiveMatrix(rows: rows, dimension: k)
    }

    /// Starts `rw-server worker --socket PATH` (a separate process, as in production), calls `body` with its
    /// process id and a client connected to it, then stops it with SIGTERM.
    private func withWorkerProcess(
        _ body: (Int32, GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void
    ) async throws {
        let executable = try #require(ExecutableTests.executable)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("worker.sock").path
        let process = Process()
        process.executableURL = executable
        process.arguments = ["worker", "--socket", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: path) {
            try await Task.sleep(for: .milliseconds(25))
        }
        try await withGRPCClient(
            transport: try HTTP2ClientTransport.Posix(
                target: .unixDomainSocket(path: path), transportSecurity: .plaintext)
        ) { client in
            try await body(process.processIdentifier, client)
        }
        // A worker whose kernel kept running would not finish its graceful shutdown.
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(25)) }
        #expect(!process.isRunning, "the worker did not stop within 5 s of SIGTERM")
    }

    /// The CPU time a process has used so far (user + system, from `/proc/PID/stat`), in seconds.
    private static func cpuSeconds(of pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        let ticks = Double(fields[11])! + Double(fields[12])!
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test(
        "a slow kernel past its deadline is DEADLINE_EXCEEDED and stops; small calls answer within 50 ms meanwhile",
        .enabled(if: ExecutableTests.executable != nil, "rw-server is not built"), .timeLimit(.minutes(1)))
    func deadlinesStopSlowKernels() async throws {
        try await self.withWorkerProcess { pid, client in
            // The slow call's deadline is 1.5 s; the small calls have the default 30 s, so that a loaded machine
            // makes them slow rather than failed.
            let patient = WorkerKernels(client: client, timeout: .milliseconds(1500))
            let worker = WorkerKernels(client: client)
            let slow = try Self.sphere(4000, dimension: 6, seed: 23)
            let reference = try ObjectiveVector(Array(repeating: 0, count: 6))
            let small = try Self.sphere(5, dimension: 3, seed: 2)
            let smallReference = try ObjectiveVector([0, 0, 0])
            let expected = try Hypervolume.volume(of: small, reference: smallReference)
            /// The median latency of 5 small calls.
            func smallCallLatency() async throws -> Duration {
                var latencies: [Duration] = []
                for _ in 0..<5 {
                    let start = ContinuousClock.now
                    let volume = try await worker.hypervolume(of: small, reference: smallReference)
                    latencies.append(ContinuousClock.now - start)
                    #expect(volume == expected)
                }
                return latencies.sorted()[2]
            }
            let idle = try await smallCallLatency()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // n = 4000 at K = 6 takes many minutes; the call's deadline is 1.5 s.
                    let error = await #expect(throws: KernelError.self) {
                        _ = try await patient.contributions(of: slow, reference: reference)
                    }
                    #expect(error?.code == .deadlineExceeded)
                }
                // While it runs, small calls to the same worker answer as quickly as with nothing running: under
                // 50 ms on an idle machine; on one loaded by the other tests, within 5× the idle latency (a
                // worker that the slow kernel blocked would answer only after its 1.5 s deadline).
                try await Task.sleep(for: .milliseconds(500))
                let busy = try await smallCallLatency()
                #expect(
                    busy < max(.milliseconds(50), idle * 5),
                    "median small-call latency \(busy) while the slow kernel runs, \(idle) before")
                try await group.waitForAll()
            }
            // After the deadline the kernel stopped: the worker uses (almost) no CPU for the next second.
            try await Task.sleep(for: .milliseconds(200))
            let before = try Self.cpuSeconds(of: pid)
            try await Task.sleep(for: .seconds(1))
            let used = try Self.cpuSeconds(of: pid) - before
            #expect(used < 0.3, "the worker used \(used) s of CPU in the second after the deadline")
        }
    }

    @Test(
        "a call to a worker that never answers ends DEADLINE_EXCEEDED at its deadline",
        .timeLimit(.minutes(1)))
    func aSilentWorkerMeetsTheDeadline() async throws {
        // A socket that accepts the connection and never sends a byte: the HTTP/2 handshake never completes, so
        // only the client's own timer can end the call. The connection is accepted (by a thread of its own:
        // `accept` blocks) and closed at the end, so the client's shutdown sees it end, whatever the timing; a
        // connection left unaccepted in the backlog made that shutdown wait for ever about once in twenty runs.
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("silent.sock").path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            bytes.copyBytes(from: path.utf8.prefix(bytes.count - 1))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        #expect(listen(listener, 16) == 0)
        // The accepted connections, and whether the accepting thread has returned.
        let accepted = Mutex<(connections: [Int32], done: Bool)>(([], false))
        let acceptor = Thread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { break }  // the listener was shut down
                accepted.withLock { $0.connections.append(connection) }
            }
            accepted.withLock { $0.done = true }
        }
        acceptor.start()
        // Takes the accepted connections out of the list (each is closed exactly once: a descriptor closed twice
        // may by then be another test's socket).
        let takeConnections = {
            accepted.withLock { state in
                defer { state.connections = [] }
                return state.connections
            }
        }
        defer {
            // The listener is closed last and only here, once the accepting thread has returned (it must never call
            // `accept` on a number that is by then another test's listener). On an early exit this ends that thread.
            shutdown(listener, Int32(SHUT_RDWR))
            for _ in 0..<200 where !accepted.withLock({ $0.done }) { usleep(5000) }
            for connection in takeConnections() { close(connection) }
            close(listener)
        }
        // Stops listening (a connection still in the backlog is reset), then closes every accepted connection:
        // afterwards the client can only be refused, never left waiting for a handshake.
        let stopListening = { () async in
            shutdown(listener, Int32(SHUT_RDWR))
            for _ in 0..<200 where !accepted.withLock({ $0.done }) { try? await Task.sleep(for: .milliseconds(5)) }
            for connection in takeConnections() { close(connection) }
        }
        try await withGRPCClient(
            transport: try HTTP2ClientTransport.Posix(
                target: .unixDomainSocket(path: path), transportSecurity: .plaintext)
        ) { client in
            let worker = WorkerKernels(client: client, timeout: .milliseconds(300), waitForReady: true)
            let start = ContinuousClock.now
            let error = await #expect(throws: KernelError.self) {
                _ = try await worker.hypervolume(
                    of: try ObjectiveMatrix(rows: [[0.5, 0.5]], dimension: 2), reference: try ObjectiveVector([0, 0]))
            }
            let elapsed = ContinuousClock.now - start
            #expect(error?.code == .deadlineExceeded)
            #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(10), "\(elapsed)")
            await stopListening()
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
