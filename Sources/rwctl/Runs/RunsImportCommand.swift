import ArgumentParser
import Foundation
import RewardWeightingAPI

/// `rwctl runs import FILE`: recreates a run from an export by sending its reports again, in log order, through
/// the trainer API.
struct RunsImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Recreate a run from an export (rwctl runs export), under its id or --id.",
        discussion: """
            Creates the run with the exported configuration, then sends every report again in log order — \
            gradients with their Gram matrix (and the learning rate the trainer sent), checkpoints with their \
            scores, each resume and the archive — so the new run's decisions are the server's own. Scalarize \
            summaries are not sent (the API records one only with its batch of rewards); they never change the \
            weights or r_pareto. The result is checked against the export: the same weights and r_pareto, bit \
            for bit, or exit 1. JSON: {"run": Run, "reports_sent": n, "summaries_skipped": m}.
            """)

    @OptionGroup var server: ServerOptions

    @Argument(help: "The export file (jsonl).")
    var file: String

    @Option(name: .customLong("id"), help: "The new run's id (default: the exported run's).")
    var newID: String?

    func run() async throws {
        let export = try RunExport.read(file: self.file)
        let runID = self.newID ?? export.run.runID
        let (run, sent, skipped) = try await ServerConnection.with(self.server) { connection in
            var create = Rewardweighting_V1_CreateRunRequest()
            create.runID = runID
            create.config = export.run.config
            _ = try await connection.trainer.createRun(
                create, metadata: connection.metadata, options: connection.options)
            var sent = 0
            var skipped = 0
            let config = export.run.config
            if config.scalarization == .tchebycheff || config.scalarization == .smoothTchebycheff,
                config.idealPoint.isEmpty
            {
                FileHandle.standardError.write(
                    Data(
                        ("rwctl: run \(export.run.runID) tracks its Tchebycheff ideal point from its Scalarize batches, "
                            + "which are not re-sent: the copy starts with no tracked point\n").utf8))
            }
            for event in export.events {
                switch event.decision {
                case .created, nil:
                    continue
                case .scalarize:
                    skipped += 1
                    continue
                case .gradients(let gradients):
                    var request = Rewardweighting_V1_ReportGradientsRequest()
                    request.runID = runID
                    request.step = event.step
                    guard gradients.hasGram else {
                        throw InputError(
                            "\(self.file): event \(event.sequence) has no Gram matrix (exported from an older "
                                + "server); it cannot be imported")
                    }
                    request.gram = gradients.gram
                    if gradients.hasReportedLearningRate { request.learningRate = gradients.reportedLearningRate }
                    _ = try await connection.trainer.reportGradients(
                        request, metadata: connection.metadata, options: connection.options)
                case .checkpoint(let checkpoint):
                    var request = Rewardweighting_V1_ReportCheckpointRequest()
                    request.runID = runID
                    request.step = event.step
                    request.scores = checkpoint.scores
                    _ = try await connection.trainer.reportCheckpoint(
                        request, metadata: connection.metadata, options: connection.options)
                case .resumed(let resumed):
                    var request = Rewardweighting_V1_ResumeRunRequest()
                    request.runID = runID
                    request.fromStep = resumed.fromStep
                    _ = try await connection.trainer.resumeRun(
                        request, metadata: connection.metadata, options: connection.options)
                case .archived(let archived):
                    var request = Rewardweighting_V1_ArchiveRunRequest()
                    request.runID = runID
                    request.reason = archived.reason
                    _ = try await connection.trainer.archiveRun(
                        request, metadata: connection.metadata, options: connection.options)
                }
                sent += 1
            }
            let run = try await connection.run(runID)
            return (run, sent, skipped)
        }
        let expected = export.run.state
        let same =
            run.state.weights.map(\.bitPattern) == expected.weights.map(\.bitPattern)
            && run.state.rPareto.bitPattern == expected.rPareto.bitPattern
        guard same else {
            throw ServerError(
                message: "imported \(runID), but its state differs from the export's: weights "
                    + "\(RunText.exactNumbers(run.state.weights)) vs \(RunText.exactNumbers(expected.weights)), r_pareto "
                    + "\(run.state.rPareto) vs \(expected.rPareto)",
                exitStatus: ServerError.failedStatus, code: .dataLoss)
        }
        switch self.server.format {
        case .json:
            print(
                JSONText.object([
                    ("run", try ProtoJSON.text(run)), ("reports_sent", "\(sent)"), ("summaries_skipped", "\(skipped)"),
                ]))
        case .table, .csv:
            var table = TextTable(header: ["run_id", "reports_sent", "summaries_skipped", "weights", "r_pareto"])
            table.rows = [
                [runID, "\(sent)", "\(skipped)", RunText.numbers(run.state.weights), tableNumber(run.state.rPareto)]
            ]
            print(self.server.format == .csv ? table.csv : table.rendered, terminator: "")
        }
    }
}
