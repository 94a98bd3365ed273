import GRPCCore
import RewardWeightingAPI
import RewardWeightingPolicy
import RewardWeightingServer

/// A logged run's history played again, offline, with ``WeightingPolicy`` — the code the server runs — and the
/// core's kernels in this process: every report applied in log order, every resume rewinding to the replay of
/// the reports then in effect with step ≤ `from_step`, as the server did.
///
/// `replay` runs it with the run's own configuration and compares each decision with the recorded one;
/// `simulate` runs it with other settings and compares the trajectories.
struct LogReplay {
    /// One logged event as the replay handled it.
    struct Entry {
        /// The logged event.
        let logged: Rewardweighting_V1_DecisionEvent
        /// What the policy decided for it now (`nil` for life-cycle entries and for reports the simulated method
        /// does not take).
        let decision: Decision?
        /// The state after it.
        let state: RunState
    }

    /// The entries, in log order.
    private(set) var entries: [Entry] = []
    /// The sequence numbers the replay's own resumes superseded.
    private(set) var superseded: Set<Int64> = []
    /// Reports the configuration's method does not take (a simulation with another method), skipped.
    private(set) var skipped = 0
    /// The state at the end.
    private(set) var state: RunState
    /// The configuration played under.
    let config: RunConfig

    /// Plays `events` under `config`.
    /// - Parameter skipReportsOfOtherMethods: skip (and count) reports the method refuses (`wrongMethod`)
    ///   instead of failing, for a simulation under another method.
    /// - Throws: ``InputError`` naming the event for a log that does not decode or does not apply.
    init(
        _ events: [Rewardweighting_V1_DecisionEvent], config: RunConfig, skipReportsOfOtherMethods: Bool = false
    ) throws(InputError) {
        self.config = config
        let policy = WeightingPolicy(config: config)
        var state = policy.initialState
        var active: [(sequence: Int64, event: RunEvent)] = []
        for logged in events {
            let event: RunEvent
            do {
                event = try LoggedEventMapping.runEvent(logged)
            } catch {
                throw InputError("event \(logged.sequence): \(error.message)")
            }
            var decision: Decision?
            do throws(PolicyError) {
                switch event {
                case .created, .archived:
                    break
                case .resumed(let resumption):
                    for entry in active where entry.event.step > resumption.fromStep {
                        self.superseded.insert(entry.sequence)
                    }
                    active.removeAll { $0.event.step > resumption.fromStep }
                    state = try policy.replay(active.map(\.event))
                case .gradients, .checkpoint, .scalarizeSummary:
                    let applied = try policy.apply(event, to: state)
                    state = applied.state
                    decision = applied.decision
                    active.append((logged.sequence, event))
                }
            } catch  where skipReportsOfOtherMethods && error.code == .wrongMethod {
                self.skipped += 1
            } catch {
                throw InputError("event \(logged.sequence) (step \(logged.step)): does not apply: \(error)")
            }
            self.entries.append(Entry(logged: logged, decision: decision, state: state))
        }
        self.state = state
    }
}

/// Where a replay first differs from the record: the event (0: the final state) and the field.
struct Divergence: Error {
    let sequence: Int64
    let field: String
    let recorded: String
    let replayed: String

    var message: String {
        let place = self.sequence == 0 ? "the final state" : "sequence \(self.sequence)"
        return "diverges at \(place): \(self.field) is \(self.recorded) as recorded, \(self.replayed) replayed"
    }
}

extension LogReplay {
    /// The first place where this replay (under the run's own configuration) differs from the record, bit for
    /// bit: a decision, a superseded flag, or the final state the server reports.
    func firstDivergence(from run: Rewardweighting_V1_Run) -> Divergence? {
        for entry in self.entries {
            let logged = entry.logged
            if let divergence = self.compare(logged, entry) { return divergence }
            let replayedSuperseded = self.superseded.contains(logged.sequence)
            if replayedSuperseded != logged.superseded {
                return Divergence(
                    sequence: logged.sequence, field: "superseded", recorded: "\(logged.superseded)",
                    replayed: "\(replayedSuperseded)")
            }
        }
        let stored = run.state
        if let field = differingIndex(stored.weights, self.state.weights) {
            return Divergence(
                sequence: 0, field: "state.weights\(field.index)", recorded: field.recorded, replayed: field.replayed)
        }
        if stored.rPareto.bitPattern != self.state.metaReward.bitPattern {
            return Divergence(
                sequence: 0, field: "state.r_pareto", recorded: "\(stored.rPareto)",
                replayed: "\(self.state.metaReward)")
        }
        let buffer = WeightingPolicy(config: self.config).paretoBuffer(of: self.state)
        let storedPoints = stored.buffer.points.map { "\($0.step):\(RunText.exactNumbers($0.scores))" }
        let replayedPoints = buffer.points.map { "\($0.step):\(RunText.exactNumbers($0.scores))" }
        if storedPoints != replayedPoints {
            return Divergence(
                sequence: 0, field: "state.buffer.points", recorded: storedPoints.joined(separator: " "),
                replayed: replayedPoints.joined(separator: " "))
        }
        return nil
    }

    private func compare(_ logged: Rewardweighting_V1_DecisionEvent, _ entry: Entry) -> Divergence? {
        func diverged(_ field: String, _ recorded: String, _ replayed: String) -> Divergence {
            Divergence(sequence: logged.sequence, field: field, recorded: recorded, replayed: replayed)
        }
        switch (logged.decision, entry.decision) {
        case (.created(let created), _):
            let initial = WeightingPolicy(config: self.config).initialState.weights
            if let field = differingIndex(created.weights, initial) {
                return diverged("created.weights\(field.index)", field.recorded, field.replayed)
            }
        case (.gradients(let recorded), .gradients(let replayed)?):
            if recorded.learningRate.bitPattern != replayed.learningRate.bitPattern {
                return diverged("gradients.learning_rate", "\(recorded.learningRate)", "\(replayed.learningRate)")
            }
            if let field = differingIndex(recorded.influence, replayed.influence) {
                return diverged("gradients.influence\(field.index)", field.recorded, field.replayed)
            }
            if recorded.weightsUpdated != replayed.updated {
                return diverged("gradients.weights_updated", "\(recorded.weightsUpdated)", "\(replayed.updated)")
            }
            if let field = differingIndex(recorded.weights, replayed.weights) {
                return diverged("gradients.weights\(field.index)", field.recorded, field.replayed)
            }
        case (.checkpoint(let recorded), .checkpoint(let replayed)?):
            if recorded.hypervolumeContribution.bitPattern != replayed.deltaHypervolume.bitPattern {
                return diverged(
                    "checkpoint.hypervolume_contribution", "\(recorded.hypervolumeContribution)",
                    "\(replayed.deltaHypervolume)")
            }
            if recorded.rPareto.bitPattern != replayed.metaReward.bitPattern {
                return diverged("checkpoint.r_pareto", "\(recorded.rPareto)", "\(replayed.metaReward)")
            }
            if recorded.enteredBuffer != replayed.enteredBuffer {
                return diverged("checkpoint.entered_buffer", "\(recorded.enteredBuffer)", "\(replayed.enteredBuffer)")
            }
        case (.resumed(let recorded), _):
            if let field = differingIndex(recorded.weights, entry.state.weights) {
                return diverged("resumed.weights\(field.index)", field.recorded, field.replayed)
            }
            if recorded.rPareto.bitPattern != entry.state.metaReward.bitPattern {
                return diverged("resumed.r_pareto", "\(recorded.rPareto)", "\(entry.state.metaReward)")
            }
        default:
            break
        }
        return nil
    }
}

/// The first index where two vectors differ bit for bit (or `[]` for different lengths), with both values.
private func differingIndex(_ recorded: [Double], _ replayed: [Double]) -> (
    index: String, recorded: String, replayed: String
)? {
    guard recorded.count == replayed.count else {
        return ("", RunText.exactNumbers(recorded), RunText.exactNumbers(replayed))
    }
    for (index, (a, b)) in zip(recorded, replayed).enumerated() where a.bitPattern != b.bitPattern {
        return ("[\(index)]", "\(a)", "\(b)")
    }
    return nil
}
