import ArgumentParser
import Foundation
import Synchronization

/// `rwctl runs export ID`: the run's configuration, state and whole event log, as JSON lines (to import or
/// replay) or CSV (to analyse).
struct RunsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a run with its whole event log (jsonl: to import or replay; csv: to analyse).",
        discussion: """
            jsonl: a header line {"format": "rewardweighting.run-export", "version": 1, "run": Run}, then one \
            DecisionEvent per line, superseded events included and flagged. csv: one row per event. On a terminal \
            a progress bar goes to standard error.
            """)

    enum Format: String, CaseIterable, ExpressibleByArgument { case jsonl, csv }

    @OptionGroup var server: ServerOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "jsonl or csv (default jsonl).")
    var format: Format = .jsonl

    @Option(name: [.customShort("f"), .customLong("file")], help: "Write to this file instead of standard output.")
    var file: String?

    func run() async throws {
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1, label: "exporting \(self.runID)")
        let export = try await ServerConnection.with(self.server) { connection in
            try await RunExport.read(runID: self.runID, from: connection) { done, total in bar.update(done, of: total) }
        }
        bar.finish()
        let text = self.format == .jsonl ? try export.jsonLines() : export.csv()
        if let file = self.file {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                throw InputError("--file: cannot write \(file): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

/// A one-line progress bar on standard error, `exporting r1 [########------------]  412/1024`, redrawn at most
/// once per percent.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let label: String
    private let lastPercent = Mutex(-1)

    init(enabled: Bool, label: String) {
        self.enabled = enabled
        self.label = label
    }

    func update(_ done: Int, of total: Int) {
        guard self.enabled, total > 0 else { return }
        let percent = min(100, done * 100 / total)
        let redraw = self.lastPercent.withLock { last in
            defer { last = percent }
            return percent != last
        }
        guard redraw else { return }
        let width = 30
        let filled = percent * width / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(self.label) [\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        if self.enabled && self.lastPercent.withLock({ $0 }) >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
