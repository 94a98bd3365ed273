import ArgumentParser
import Foundation
import RewardWeightingAPI
import Synchronization
import UnixSignals

/// `rwctl runs watch ID`: follows a run's decisions as they are logged (`WatchRun`), reconnecting after a server
/// restart without missing or repeating an event, until the run is archived or Ctrl-C.
struct RunsWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a run's decisions as they are logged, until it is archived or Ctrl-C.",
        discussion: """
            Prints one line per decision (json: one DecisionEvent per line). From now by default, or from \
            --from-sequence N (1: the whole log). When the server goes away (a restart) it reconnects, with \
            backoff, from the event after the last one printed, so nothing is missed or repeated. On a terminal \
            the last line is a live summary: step, weights, r_pareto. Ctrl-C stops it (exit 0).
            """)

    @OptionGroup var server: ServerOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "The first sequence number to print (1: the whole log; default: only what comes next).")
    var fromSequence: Int64?

    @Option(help: "Stop after printing this many decisions (default: no limit).")
    var count: Int?

    mutating func validate() throws {
        if let fromSequence = self.fromSequence, fromSequence < 1 {
            throw ValidationError("--from-sequence: is \(fromSequence); it must be at least 1")
        }
        if let count = self.count, count < 1 { throw ValidationError("--count: is \(count); it must be at least 1") }
    }

    func run() async throws {
        let printer = WatchPrinter(format: self.server.format, live: isatty(STDOUT_FILENO) == 1)
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.follow(printer) }
            group.addTask {
                for await _ in signals { return }
            }
            try await group.next()
            group.cancelAll()
        }
        printer.finish()
    }

    /// Streams the run's events, reconnecting from the next sequence number whenever the stream breaks because
    /// the server is unavailable; returns when the stream ends (the run was archived) or `count` were printed.
    private func follow(_ printer: WatchPrinter) async throws {
        let cursor = Mutex<(next: Int64?, printed: Int)>((self.fromSequence, 0))
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            let printedBefore = cursor.withLock { $0.printed }
            do {
                try await ServerConnection.with(self.server) { connection in
                    if cursor.withLock({ $0.next }) == nil {
                        // Live only: start after the run's current last event, so a reconnect misses nothing.
                        let run = try await connection.run(self.runID)
                        cursor.withLock { $0.next = run.state.lastSequence + 1 }
                        printer.started(run)
                    }
                    var request = Rewardweighting_V1_WatchRunRequest()
                    request.runID = self.runID
                    request.fromSequence = cursor.withLock { $0.next ?? 1 }
                    try await connection.trainer.watchRun(
                        request, metadata: connection.metadata, options: connection.streamOptions
                    ) { response in
                        printer.connected()
                        for try await event in response.messages {
                            printer.print(event)
                            let printed = cursor.withLock { state in
                                state.next = event.sequence + 1
                                state.printed += 1
                                return state.printed
                            }
                            if let count = self.count, printed >= count { return }
                        }
                    }
                }
                return  // the stream ended normally: the run is archived, or enough was printed
            } catch let error as ServerError where error.code == .unavailable {
                // A connection that delivered events starts the backoff over.
                if cursor.withLock({ $0.printed }) > printedBefore { backoff = .milliseconds(100) }
                printer.status("reconnecting (\(error.message))…")
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            }
        }
    }
}

/// How `watch` prints: one line per event, and on a terminal a status line below them that it rewrites.
final class WatchPrinter: Sendable {
    private struct Summary {
        var step: Int64 = 0
        var weights: [Double] = []
        var rPareto = 1.0
        var statusLine: String?
    }

    private let format: OutputFormat
    private let live: Bool
    private let summary = Mutex(Summary())

    init(format: OutputFormat, live: Bool) {
        self.format = format
        self.live = live && format == .table
        if format == .csv { Self.write(TextTable.csvLine(["sequence", "step", "kind", "superseded", "decision"])) }
    }

    /// The run as it is when a live-only watch starts: the summary line's first values (and, when standard
    /// output is not a terminal, a line on standard error saying where the watch starts).
    func started(_ run: Rewardweighting_V1_Run) {
        if !self.live {
            let message = "watching \(run.runID) from sequence \(run.state.lastSequence + 1) (Ctrl-C stops)\n"
            FileHandle.standardError.write(Data(message.utf8))
        }
        self.summary.withLock { summary in
            summary.step = RunText.latestStep(run.state) ?? 0
            summary.weights = run.state.weights
            summary.rPareto = run.state.rPareto
        }
        self.redrawStatus(nil)
    }

    /// Prints one event (and updates the summary line).
    func print(_ event: Rewardweighting_V1_DecisionEvent) {
        let line: String
        switch self.format {
        case .json:
            line = ((try? ProtoJSON.text(event)) ?? "{}") + "\n"
        case .csv:
            line = TextTable.csvLine([
                "\(event.sequence)", "\(event.step)", DecisionText.kind(event), "\(event.superseded)",
                DecisionText.summary(event),
            ])
        case .table:
            line =
                "\(event.sequence)".padding(toLength: 7, withPad: " ", startingAt: 0) + " step "
                + "\(event.step)".padding(toLength: 6, withPad: " ", startingAt: 0)
                + DecisionText.kind(event).padding(toLength: 11, withPad: " ", startingAt: 0)
                + DecisionText.summary(event) + "\n"
        }
        self.summary.withLock { summary in
            summary.step = max(summary.step, event.step)
            switch event.decision {
            case .created(let created): summary.weights = created.weights
            case .scalarize(let scalarize):
                summary.weights = scalarize.weights
                summary.rPareto = scalarize.rPareto
            case .gradients(let gradients): summary.weights = gradients.weights
            case .checkpoint(let checkpoint): summary.rPareto = checkpoint.rPareto
            case .resumed(let resumed):
                summary.step = resumed.fromStep
                summary.weights = resumed.weights
                summary.rPareto = resumed.rPareto
            case .archived, nil: break
            }
        }
        self.redrawStatus(line)
    }

    /// The stream is open (again): the summary line replaces any "reconnecting" message.
    func connected() {
        if self.live { self.redrawStatus(nil) }
    }

    /// Replaces the summary line with a message (on a terminal; on standard error otherwise).
    func status(_ message: String) {
        if self.live {
            self.summary.withLock { $0.statusLine = message }
            self.redrawStatus(nil)
        } else {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
    }

    /// Ends the summary line, so that the shell prompt starts on a line of its own.
    func finish() {
        if self.live { Self.write("\n") }
    }

    private func redrawStatus(_ line: String?) {
        guard self.live else {
            if let line { Self.write(line) }
            return
        }
        let status = self.summary.withLock { summary in
            let text =
                summary.statusLine
                ?? "▶ step \(summary.step) · weights \(RunText.numbers(summary.weights)) · r_pareto "
                + tableNumber(summary.rPareto)
            summary.statusLine = nil
            return text
        }
        // Carriage return and erase-line: the summary stays the last line of the terminal.
        Self.write("\r\u{1B}[2K" + (line ?? "") + status)
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
