import ArgumentParser
import Foundation
import GRDB
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingAPI
import RewardWeightingStore
import Synchronization

/// `load-generator`: drives a running `rw-server` (started with `--enable-benchmark-service`) with concurrent
/// callers and compares each RPC with its baseline (docs/performance.md, "Server load"):
///
/// 1. `Echo` (the transport alone, Scalarize's request and reply messages) and `Scalarize` (N×K random
///    rewards) on one gradient run, with a shared, increasing step.
/// 2. `ReportGradients` (a K×K Gram matrix; a durable write), each caller on its own gradient run with
///    increasing steps, and raw GRDB writes of the same rows in this process (one `runs` update and one
///    `run_events` insert per transaction, WAL, `synchronous = FULL`, as `SQLiteRunStore` does) into a
///    temporary database.
///
/// Each phase runs `--warmup` seconds unmeasured, then `--duration` seconds measured. Prints one line per
/// phase and a Markdown table.
@main
struct LoadGenerator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-generator",
        abstract: "Load-test a running rw-server: Scalarize vs Echo, ReportGradients vs raw GRDB writes.")

    @Option(help: "The server's address.")
    var host = "127.0.0.1"

    @Option(help: "The server's port.")
    var port: Int

    @Option(help: "Concurrent callers per phase.")
    var callers = 64

    @Option(help: "HTTP/2 connections to the server; callers are spread over them round-robin.")
    var connections = 1

    @Option(help: "N, the responses per Scalarize batch.")
    var rows = 512

    @Option(help: "K, the objectives.")
    var objectives = 3

    @Option(help: "Unmeasured seconds at the start of each phase.")
    var warmup = 2.0

    @Option(help: "Measured seconds of each phase.")
    var duration = 10.0

    @Option(help: "The server's database file, read (not written) for the rows the GRDB baseline writes.")
    var serverDatabase: String?

    @Option(help: "Where the GRDB baseline's temporary database goes (a fresh file is created there).")
    var scratchDirectory = FileManager.default.temporaryDirectory.path

    @Option(help: "Write the results as JSON to this file.")
    var jsonOut: String?

    @Option(
        help: """
            The phases to run, comma-separated, in this order: echo, scalarize, gradients, grdb (default: all). \
            Scalarize is reported relative to Echo and ReportGradients to raw GRDB when both ran.
            """)
    var phases = "echo,scalarize,gradients,grdb"

    @Option(help: "one: every Scalarize caller on one run (the group-commit case); per-caller: a run per caller.")
    var scalarizeRuns = "one"

    @Option(
        help: """
            A deadline on each measured call, in seconds (sent as grpc-timeout; the Python client sends 30). \
            Default: none.
            """)
    var deadline: Double?

    /// The options of each measured call: the ``deadline``, if any.
    private var callOptions: CallOptions {
        var options = CallOptions.defaults
        options.timeout = self.deadline.map { .nanoseconds(Int64($0 * 1e9)) }
        return options
    }

    func validate() throws {
        guard self.callers >= 1, self.connections >= 1, self.rows >= 1, self.objectives >= 1 else {
            throw ValidationError("callers, connections, rows and objectives must be at least 1")
        }
        guard self.duration > 0, self.warmup >= 0 else { throw ValidationError("duration must be > 0, warmup ≥ 0") }
        if let deadline, !(deadline > 0 && deadline < 1e8) { throw ValidationError("deadline must be > 0 seconds") }
        let known: Set<String> = ["echo", "scalarize", "gradients", "grdb"]
        guard !self.selectedPhases.isEmpty, self.selectedPhases.isSubset(of: known) else {
            throw ValidationError("phases: use echo, scalarize, gradients and grdb, comma-separated")
        }
        guard ["one", "per-caller"].contains(self.scalarizeRuns) else {
            throw ValidationError("scalarize-runs: one or per-caller")
        }
    }

    private var selectedPhases: Set<String> {
        Set(self.phases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func run() async throws {
        let clients = try (0..<self.connections).map { _ in
            GRPCClient(
                transport: try HTTP2ClientTransport.Posix(
                    target: .ipv4(address: self.host, port: self.port), transportSecurity: .plaintext))
        }
        let results = try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { try await client.runConnections() } }
            defer { for client in clients { client.beginGracefulShutdown() } }
            return try await self.phases(clients)
        }
        let table = Self.markdown(
            results, callers: self.callers, rows: self.rows, objectives: self.objectives,
            scalarizeRunPerCaller: self.scalarizeRuns == "per-caller")
        print("")
        print(table)
        if let jsonOut {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try encoder.encode(results).write(to: URL(fileURLWithPath: jsonOut))
        }
        if results.contains(where: { $0.errors > 0 }) {
            throw ExitCode(1)
        }
    }

    // MARK: - Phases

    private func phases(_ clients: [GRPCClient<HTTP2ClientTransport.Posix>]) async throws -> [PhaseResult] {
        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        let trainers = clients.map { Rewardweighting_V1_TrainerService.Client(wrapping: $0) }
        let benchmarks = clients.map { Rewardweighting_V1_BenchmarkService.Client(wrapping: $0) }
        let k = self.objectives

        // Scalarize and Echo: one run (or one per caller), random rewards (a pool of batches, so that generating
        // them is not timed).
        let scalarizeRunIDs =
            self.scalarizeRuns == "one"
            ? ["lg-\(tag)-scalarize"] : (0..<self.callers).map { "lg-\(tag)-scalarize-\($0)" }
        let wanted = self.selectedPhases
        var results: [PhaseResult] = []
        var echo: PhaseResult?
        if wanted.contains("echo") || wanted.contains("scalarize") {
            for runID in scalarizeRunIDs { _ = try await trainers[0].createRun(Self.gradientRun(runID, k: k)) }
            var generator = SystemRandomNumberGenerator()
            let batches: [Rewardweighting_V1_ScalarizeRequest] = (0..<16).map { _ in
                var request = Rewardweighting_V1_ScalarizeRequest()
                request.rewards.numObjectives = Int32(k)
                request.rewards.values = (0..<(self.rows * k)).map { _ in
                    Double.random(in: 0..<1, using: &generator)
                }
                return request
            }
            // One call, to print the two replies' sizes (Echo's only when it is measured).
            var probe = batches[0]
            probe.runID = scalarizeRunIDs[0]
            probe.step = 1
            let scalarizeReply: [UInt8] = try await trainers[0].scalarize(probe).serializedBytes()
            let requestBytes: [UInt8] = try probe.serializedBytes()
            var echoSize = "not measured"
            if wanted.contains("echo") {
                let echoReply: [UInt8] = try await benchmarks[0].echo(probe).serializedBytes()
                echoSize = "\(echoReply.count) B"
            }
            print(
                "Scalarize N=\(self.rows) K=\(k): request \(requestBytes.count) B, reply \(scalarizeReply.count) B "
                    + "(Echo's reply \(echoSize)); \(self.callers) callers, \(clients.count) connection(s), "
                    + "\(scalarizeRunIDs.count) run(s)")
            if wanted.contains("echo") {
                let measured = try await self.measure("Echo") { caller, index in
                    var request = batches[index % batches.count]
                    request.runID = scalarizeRunIDs[0]
                    request.step = Int64(index + 1)
                    _ = try await benchmarks[caller % benchmarks.count].echo(request, options: self.callOptions)
                }
                results.append(measured)
                echo = measured
            }
            if wanted.contains("scalarize") {
                // With one run, summaries may arrive out of step order (several callers): the contract allows it.
                let step = StepCounter(after: 1)
                let scalarize = try await self.measure("Scalarize") { caller, index in
                    var request = batches[index % batches.count]
                    if scalarizeRunIDs.count == 1 {
                        request.runID = scalarizeRunIDs[0]
                        request.step = Int64(step.next())
                    } else {
                        request.runID = scalarizeRunIDs[caller]
                        request.step = Int64(index + 2)
                    }
                    _ = try await trainers[caller % trainers.count].scalarize(
                        request, metadata: Self.routing(request.runID), options: self.callOptions)
                }
                results.append(echo.map { scalarize.relative(to: $0) } ?? scalarize)
            }
        }
        guard wanted.contains("gradients") || wanted.contains("grdb") else { return results }

        // ReportGradients: one run per caller, increasing steps.
        var generator = SystemRandomNumberGenerator()
        var gradients: PhaseResult?
        if wanted.contains("gradients") {
            let gradientRuns = (0..<self.callers).map { "lg-\(tag)-gradients-\($0)" }
            for run in gradientRuns { _ = try await trainers[0].createRun(Self.gradientRun(run, k: k)) }
            let grams: [Rewardweighting_V1_GramMatrix] = (0..<16).map { _ in
                let vectors = (0..<k).map { _ in
                    (0..<8).map { _ in 0.3 * Double.random(in: -1..<1, using: &generator) }
                }
                var gram = Rewardweighting_V1_GramMatrix()
                gram.numObjectives = Int32(k)
                gram.values = vectors.flatMap { a in vectors.map { b in zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } } }
                return gram
            }
            gradients = try await self.measure("ReportGradients") { caller, index in
                var request = Rewardweighting_V1_ReportGradientsRequest()
                request.runID = gradientRuns[caller]
                request.step = Int64(index + 1)
                request.gram = grams[index % grams.count]
                _ = try await trainers[caller % trainers.count].reportGradients(
                    request, metadata: Self.routing(request.runID), options: self.callOptions)
            }
        }
        guard wanted.contains("grdb") else { return results + (gradients.map { [$0] } ?? []) }

        let rows = try self.templateRows(k: k)
        let grdb = try await self.measureGRDB(rows)
        if let gradients { results.append(gradients.relative(to: grdb)) }
        results.append(grdb)
        return results
    }

    /// Runs `callers` tasks, each calling `call(caller, index)` with its own index 0, 1, 2, … until the phase
    /// ends; times the calls that start after the warm-up.
    private func measure(
        _ name: String, _ call: @escaping @Sendable (_ caller: Int, _ index: Int) async throws -> Void
    ) async throws -> PhaseResult {
        let clock = ContinuousClock()
        let start = clock.now
        let measuredFrom = start + .seconds(self.warmup)
        let end = measuredFrom + .seconds(self.duration)
        let perCaller = await withTaskGroup(of: CallerResult.self) { group in
            for caller in 0..<self.callers {
                group.addTask {
                    var result = CallerResult()
                    result.latencies.reserveCapacity(4096)
                    var index = 0
                    while true {
                        let begin = clock.now
                        if begin >= end { break }
                        do {
                            try await call(caller, index)
                        } catch {
                            result.errors += 1
                            if result.firstError == nil { result.firstError = "\(error)" }
                        }
                        index += 1
                        if begin >= measuredFrom { result.latencies.append((clock.now - begin).inSeconds) }
                    }
                    return result
                }
            }
            var all: [CallerResult] = []
            for await result in group { all.append(result) }
            return all
        }
        let result = PhaseResult(name: name, callers: self.callers, duration: self.duration, perCaller: perCaller)
        print(result.line)
        return result
    }

    // MARK: - Raw GRDB baseline

    /// The rows one ReportGradients writes: its `run_events` row and the run's new `run_states.state`, taken from the
    /// server's database when given, else stand-ins of typical size.
    private func templateRows(k: Int) throws -> TemplateRows {
        guard let serverDatabase else {
            let filler = String(repeating: "0.123456789012345,", count: 12)
            return TemplateRows(
                config: "{\"k\":\(k)}", payload: "{\"kind\":\"gradients\",\"v\":[\(filler)0]}",
                decision: "{\"kind\":\"gradients\",\"v\":[\(filler)0]}", digest: String(repeating: "ab", count: 32),
                state: "{\"v\":[\(filler)\(filler)0]}", source: "stand-ins")
        }
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: serverDatabase, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            guard
                let event = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT run_id, payload, decision, request_digest FROM run_events
                        WHERE kind = 'gradients' ORDER BY rowid DESC LIMIT 1
                        """),
                let run = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT config, state FROM runs JOIN run_states USING (tenant, run_id) WHERE run_id = ?
                        """, arguments: [event["run_id"] as String])
            else { throw ValidationError("server-database: no gradients event to copy") }
            return TemplateRows(
                config: run["config"], payload: event["payload"], decision: event["decision"],
                digest: event["request_digest"], state: run["state"], source: "copied from the server's database")
        }
    }

    /// `callers` tasks each writing, per call, what `SQLiteRunStore.appendEvents` writes for one event: the
    /// versioned `runs` update, the next sequence number, the `run_events` insert and the read-back of its
    /// timestamp, in one transaction, on a pool configured as the store's.
    private func measureGRDB(_ rows: TemplateRows) async throws -> PhaseResult {
        let directory = URL(fileURLWithPath: self.scratchDirectory)
            .appendingPathComponent("rw-load-generator-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("baseline.sqlite").path
        // The store's schema (its migrations), then a pool with the store's settings.
        try SQLiteRunStore(path: path).close()
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: configuration)
        defer { try? pool.close() }
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        // Per connection: the writer's is the one that matters.
        let synchronous = try await pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
        let journal = try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?" }
        print("GRDB baseline: journal_mode=\(journal), synchronous=\(synchronous) (2 = FULL), rows \(rows.source)")

        let runIDs = (0..<self.callers).map { "baseline-\($0)" }
        try await pool.write { db in
            for runID in runIDs {
                try db.execute(
                    sql: """
                        INSERT INTO runs (tenant, run_id, config, version, status, created_at, updated_at)
                        VALUES ('default', ?, ?, 1, 'active', ?, ?)
                        """,
                    arguments: [runID, rows.config, Date(), Date()])
                try db.execute(
                    sql: "INSERT INTO run_states (tenant, run_id, state) VALUES ('default', ?, ?)",
                    arguments: [runID, rows.state])
            }
        }
        return try await self.measure("raw GRDB") { caller, index in
            let runID = runIDs[caller]
            try await pool.write { db in
                let now = Date()
                try db.execute(
                    sql: """
                        UPDATE runs SET version = version + 1, updated_at = ?
                        WHERE run_id = ? AND version = ?
                        """,
                    arguments: [now, runID, index + 1])
                guard db.changesCount == 1 else { throw ValidationError("version conflict on \(runID)") }
                try db.execute(
                    sql: "UPDATE run_states SET state = ? WHERE tenant = 'default' AND run_id = ?",
                    arguments: [rows.state, runID])
                let sequence = try Int.fetchOne(
                    db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM run_events WHERE run_id = ?", arguments: [runID])!
                try db.execute(
                    sql: """
                        INSERT INTO run_events
                            (tenant, run_id, seq, step, kind, payload, decision, request_digest, superseded,
                             created_at)
                        VALUES ('default', ?, ?, ?, 'gradients', ?, ?, ?, 0, ?)
                        """,
                    arguments: [runID, sequence, index + 1, rows.payload, rows.decision, rows.digest, now])
                _ = try Date.fetchOne(
                    db, sql: "SELECT created_at FROM run_events WHERE run_id = ? AND seq = ?",
                    arguments: [runID, sequence])
            }
        }
    }

    // MARK: - Requests and output

    /// A gradient-method run with K objectives (all maximised), uniform initial weights, η = 1e-6, μ = 1e-5,
    /// constant schedule.
    /// The routing hint the Python client sends with every call that names a run (`rw-run-id`, docs/api.md): a
    /// load balancer that hashes on it (deploy/nginx) sends all of a run's calls to one replica.
    private static func routing(_ runID: String) -> Metadata {
        var metadata = Metadata()
        metadata.addString(runID, forKey: "rw-run-id")
        return metadata
    }

    private static func gradientRun(_ runID: String, k: Int) -> Rewardweighting_V1_CreateRunRequest {
        var request = Rewardweighting_V1_CreateRunRequest()
        request.runID = runID
        request.config.objectives = (0..<k).map { index in
            var objective = Rewardweighting_V1_Objective()
            objective.name = "objective_\(index)"
            objective.direction = .maximize
            return objective
        }
        request.config.method = .gradient
        request.config.gradient.learningRate = 1e-6
        request.config.gradient.mu = 1e-5
        return request
    }

    private static func markdown(
        _ results: [PhaseResult], callers: Int, rows: Int, objectives: Int, scalarizeRunPerCaller: Bool
    ) -> String {
        var lines = [
            "| workload | calls | errors | calls/s | p50 (ms) | p99 (ms) | calls/s ÷ baseline's | target |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for result in results {
            let name: String
            var target = ""
            switch result.name {
            case "Echo": name = "Echo (baseline: Scalarize's messages, no work), \(callers) callers"
            case "Scalarize":
                name =
                    scalarizeRunPerCaller
                    ? "Scalarize N=\(rows) K=\(objectives), \(callers) gradient runs, one caller each"
                    : "Scalarize N=\(rows) K=\(objectives), one gradient run, \(callers) callers"
                target = "≥ 0.9 of Echo"
            case "ReportGradients": name = "ReportGradients K=\(objectives), \(callers) runs, one caller each"
            case "raw GRDB": name = "raw GRDB (baseline: the same rows, one transaction each), \(callers) tasks"
            default: name = result.name
            }
            if let ratio = result.ratio, !target.isEmpty { target += ratio >= 0.9 ? " ✅" : " ❌" }
            lines.append(
                "| \(name) | \(result.calls) | \(result.errors) | \(Self.format(result.callsPerSecond, 0)) | "
                    + "\(Self.format(result.p50 * 1000, 2)) | \(Self.format(result.p99 * 1000, 2)) | "
                    + "\(result.ratio.map { Self.format($0, 2) } ?? "—") | \(target.isEmpty ? "—" : target) |")
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}

/// The next step number for callers sharing one run.
final class StepCounter: Sendable {
    private let value: Atomic<Int>
    init(after start: Int) { self.value = Atomic(start) }
    func next() -> Int { self.value.wrappingAdd(1, ordering: .relaxed).newValue }
}

struct TemplateRows: Sendable {
    var config: String
    var payload: String
    var decision: String
    var digest: String
    var state: String
    var source: String
}

struct CallerResult: Sendable {
    var latencies: [Double] = []
    var errors = 0
    var firstError: String?
}

struct PhaseResult: Codable, Sendable {
    var name: String
    var callers: Int
    var calls: Int
    var errors: Int
    var firstError: String?
    var callsPerSecond: Double
    var p50: Double
    var p99: Double
    var max: Double
    /// calls/s ÷ the baseline's calls/s.
    var ratio: Double?

    init(name: String, callers: Int, duration: Double, perCaller: [CallerResult]) {
        let latencies = perCaller.flatMap(\.latencies).sorted()
        self.name = name
        self.callers = callers
        self.calls = latencies.count
        self.errors = perCaller.reduce(0) { $0 + $1.errors }
        self.firstError = perCaller.lazy.compactMap(\.firstError).first
        self.callsPerSecond = Double(latencies.count) / duration
        self.p50 = Self.percentile(latencies, 0.50)
        self.p99 = Self.percentile(latencies, 0.99)
        self.max = latencies.last ?? .nan
    }

    /// Nearest rank.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }

    func relative(to baseline: PhaseResult) -> PhaseResult {
        var result = self
        result.ratio = self.callsPerSecond / baseline.callsPerSecond
        return result
    }

    var line: String {
        "\(self.name): \(self.calls) calls, \(LoadGenerator.format(self.callsPerSecond, 1)) calls/s, "
            + "p50 \(LoadGenerator.format(self.p50 * 1000, 3)) ms, p99 \(LoadGenerator.format(self.p99 * 1000, 3)) ms, "
            + "max \(LoadGenerator.format(self.max * 1000, 3)) ms, \(self.errors) errors"
            + (self.firstError.map { " (first: \($0))" } ?? "")
    }
}

extension Duration {
    var inSeconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
