import Foundation
import RewardWeightingAPI
import SwiftProtobuf

/// A run with its whole event log, as `rwctl runs export` writes it and `import`, `replay` and `simulate` read
/// it: from the server (`GetRun`, then `WatchRun` from sequence 1 up to the run's last sequence) or from a file.
///
/// The file is JSON lines: first `{"format": "rewardweighting.run-export", "version": 1, "run": Run}`, then one
/// `DecisionEvent` per line in sequence order (proto3 JSON, the proto's field names), superseded events
/// included and flagged.
struct RunExport: Sendable {
    /// The value of the header's `format`.
    static let format = "rewardweighting.run-export"
    /// The header's `version`.
    static let version = 1

    /// The run as it was read: configuration and state.
    var run: Rewardweighting_V1_Run
    /// Its log, in sequence order.
    var events: [Rewardweighting_V1_DecisionEvent]

    /// Reads the run and its log from the server. `progress` is called with (events read, events in all).
    static func read(
        runID: String, from connection: ServerConnection, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> RunExport {
        let run = try await connection.run(runID)
        let last = run.state.lastSequence
        var request = Rewardweighting_V1_WatchRunRequest()
        request.runID = runID
        request.fromSequence = 1
        let events = try await connection.trainer.watchRun(
            request, metadata: connection.metadata, options: connection.streamOptions
        ) { response in
            var events: [Rewardweighting_V1_DecisionEvent] = []
            events.reserveCapacity(Int(last))
            for try await event in response.messages {
                events.append(event)
                progress(events.count, Int(last))
                if event.sequence >= last { break }
            }
            return events
        }
        return RunExport(run: run, events: events)
    }

    /// The export as JSON lines.
    func jsonLines() throws -> String {
        var text = JSONText.object([
            ("format", JSONText.string(Self.format)), ("version", "\(Self.version)"),
            ("run", try ProtoJSON.text(self.run)),
        ])
        text += "\n"
        for event in self.events { text += try ProtoJSON.text(event) + "\n" }
        return text
    }

    /// Reads an export written by ``jsonLines()``.
    /// - Throws: ``InputError`` naming the file and line.
    static func read(file path: String) throws(InputError) -> RunExport {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputError("\(path): cannot read it: \(error.localizedDescription)")
        }
        let lines = text.split(whereSeparator: \.isNewline)
        guard let first = lines.first else { throw InputError("\(path): empty; expected a run export") }
        let header: [String: Any]
        do {
            header = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any] ?? [:]
        } catch {
            throw InputError("\(path) line 1: not JSON: \(error.localizedDescription)")
        }
        guard header["format"] as? String == Self.format, header["version"] as? Int == Self.version else {
            throw InputError(
                "\(path) line 1: not a run export (expected {\"format\": \"\(Self.format)\", \"version\": "
                    + "\(Self.version), \"run\": …}); write one with rwctl runs export")
        }
        let run: Rewardweighting_V1_Run
        do {
            let runJSON = try JSONSerialization.data(withJSONObject: header["run"] ?? [:])
            run = try Rewardweighting_V1_Run(jsonUTF8Data: runJSON)
        } catch {
            throw InputError("\(path) line 1: run: \(error)")
        }
        var events: [Rewardweighting_V1_DecisionEvent] = []
        for (index, line) in lines.dropFirst().enumerated() {
            do {
                events.append(try Rewardweighting_V1_DecisionEvent(jsonString: String(line)))
            } catch {
                throw InputError("\(path) line \(index + 2): not a DecisionEvent: \(error)")
            }
            let expected = Int64(index + 1)
            guard events[index].sequence == expected else {
                throw InputError(
                    "\(path) line \(index + 2): sequence is \(events[index].sequence), expected \(expected) (the log "
                        + "must be complete and in order)")
            }
        }
        return RunExport(run: run, events: events)
    }

    /// One CSV row per event: `sequence,step,kind,superseded,recorded_at,weight_<objective>…,r_pareto,
    /// learning_rate,delta_hypervolume,score_<objective>…,responses` (empty cells where the kind has no value).
    func csv() -> String {
        let names = self.run.config.objectives.map(\.name)
        let empty = Array(repeating: "", count: names.count)
        var table = TextTable(
            header: ["sequence", "step", "kind", "superseded", "recorded_at"] + names.map { "weight_\($0)" }
                + ["r_pareto", "learning_rate", "delta_hypervolume"] + names.map { "score_\($0)" } + ["responses"])
        for event in self.events {
            var weights = empty
            var rPareto = ""
            var learningRate = ""
            var delta = ""
            var scores = empty
            var responses = ""
            switch event.decision {
            case .created(let created): weights = created.weights.map(exactNumber)
            case .scalarize(let scalarize):
                weights = scalarize.weights.map(exactNumber)
                rPareto = exactNumber(scalarize.rPareto)
                responses = "\(scalarize.numResponses)"
            case .gradients(let gradients):
                weights = gradients.weights.map(exactNumber)
                learningRate = exactNumber(gradients.learningRate)
            case .checkpoint(let checkpoint):
                rPareto = exactNumber(checkpoint.rPareto)
                delta = exactNumber(checkpoint.hypervolumeContribution)
                scores = checkpoint.scores.map(exactNumber)
            case .resumed(let resumed):
                weights = resumed.weights.map(exactNumber)
                rPareto = exactNumber(resumed.rPareto)
            case .archived, nil: break
            }
            table.rows.append(
                [
                    "\(event.sequence)", "\(event.step)", DecisionText.kind(event), "\(event.superseded)",
                    RunText.time(event.recordedAt),
                ] + weights + [rPareto, learningRate, delta] + scores + [responses])
        }
        return table.csv
    }
}
