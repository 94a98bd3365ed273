import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingStore

extension RunActor {
    /// Scalarize: a pure read of the weights and `r_pareto`; unless `validation`, the call's summary is recorded
    /// (once: an identical retry records nothing more). Returns the scalarisation and the sequence number of its
    /// summary in the log (the stored one's for an identical retry; 0 for `validation`, which records nothing).
    ///
    /// **Group commit.** Concurrent calls on one run are committed together: the first caller to find no commit
    /// scheduled takes the serialisation lock and, once it has it, commits every call queued by then in one
    /// store transaction (one fsync), in arrival order; the others wait for that commit. Each call is still
    /// durable before it is answered, and the log is what one-at-a-time processing would have written.
    func scalarize(
        step: Int, rewards: ObjectiveMatrix, groupIDs: [Int]?, validation: Bool
    ) async throws(ServiceError) -> (result: ScalarizeResult, sequence: Int) {
        if validation {
            let logged = try await self.loggedScalarizations(ofSteps: [step])
            return (
                try self.computeScalarization(
                    step: step, rewards: rewards, groupIDs: groupIDs, scalarization: logged[step]), 0
            )
        }
        let ticket = ScalarizationTicket(step: step, rewards: rewards, groupIDs: groupIDs)
        self.queuedScalarizations.append(ticket)
        if self.isScalarizationCommitScheduled {
            if ticket.outcome == nil {
                await withCheckedContinuation { ticket.waiter = $0 }
            }
        } else {
            self.isScalarizationCommitScheduled = true
            try await self.serialized { () async throws(ServiceError) in
                let batch = self.queuedScalarizations
                self.queuedScalarizations = []
                self.isScalarizationCommitScheduled = false
                let outcomes: [Result<(result: ScalarizeResult, sequence: Int), ServiceError>]
                do throws(ServiceError) {
                    outcomes = try await self.retryingStaleWrites { () async throws(ServiceError) in
                        try await self.commitScalarizations(batch)
                    }
                } catch {
                    outcomes = Array(repeating: .failure(error), count: batch.count)
                }
                for (queued, outcome) in zip(batch, outcomes) { queued.resolve(outcome) }
            }
        }
        return try ticket.outcome!.get()
    }

    /// Scalarises a batch of queued calls against the run's state, in order, and commits the new summaries in
    /// one transaction. A call's own error (e.g. its group ids) fails that call only; a store error fails them
    /// all.
    private func commitScalarizations(
        _ batch: [ScalarizationTicket]
    ) async throws(ServiceError) -> [Result<(result: ScalarizeResult, sequence: Int), ServiceError>] {
        try self.checkActive()
        enum Outcome {
            case answered(ScalarizeResult, sequence: Int)
            case committing(ScalarizeResult, index: Int)
            case failed(ServiceError)
        }
        // One read for the idempotency look-ups of the whole batch: the summaries already logged at the steps of
        // calls at or below the last summarised step (only those can repeat a logged one). Steps the summary cache
        // answers for are answered from memory.
        let lastStep = self.run.state.lastAppliedStep(of: .scalarizeSummary)
        let lookUpSteps = batch.compactMap { call -> Int? in
            guard let lastStep, call.step <= lastStep, !self.summaryCache.answers(forStep: call.step) else {
                return nil
            }
            return call.step
        }
        var logged: [RunEvent: StoredEvent] = [:]
        if !lookUpSteps.isEmpty {
            for stored in try await self.mappingStoreErrors({ () async throws(RunStoreError) in
                try await self.store.activeEvents(run: self.key, kind: .scalarizeSummary, steps: lookUpSteps)
            }) where logged[stored.event] == nil {
                logged[stored.event] = stored
            }
        }
        let loggedScalarizations = try await self.loggedScalarizations(ofSteps: batch.map(\.step))
        var state = self.run.state
        var outcomes: [Outcome] = []
        var newEvents: [(event: RunEvent, decision: Decision, state: RunState)] = []
        var indexOfEvent: [RunEvent: Int] = [:]
        for call in batch {
            do throws(ServiceError) {
                // Each call is scalarised against the state the calls before it left, as one-at-a-time
                // processing would (a Tchebycheff run's tracked ideal point moves with every recorded batch).
                let result = try self.computeScalarization(
                    step: call.step, rewards: call.rewards, groupIDs: call.groupIDs, in: state,
                    scalarization: loggedScalarizations[call.step])
                let event = RunEvent.scalarizeSummary(result.summary)
                if let index = indexOfEvent[event] {
                    outcomes.append(.committing(result, index: index))  // a duplicate in the same batch
                } else if let stored = logged[event] {
                    outcomes.append(.answered(result, sequence: stored.sequence))
                } else if let sequence = self.summaryCache.sequence(of: event) {
                    outcomes.append(.answered(result, sequence: sequence))
                } else {
                    let next: (state: RunState, decision: Decision)
                    do throws(PolicyError) {
                        // A summary needs no kernel.
                        next = try self.policy.apply(event, to: state, measured: .none)
                    } catch {
                        throw ServiceError(error)
                    }
                    state = next.state
                    indexOfEvent[event] = newEvents.count
                    outcomes.append(.committing(result, index: newEvents.count))
                    newEvents.append((event, next.decision, next.state))
                }
            } catch {
                outcomes.append(.failed(error))
            }
        }
        let stored = try await self.commit(newEvents)
        return outcomes.map { outcome in
            switch outcome {
            case .answered(let result, let sequence): .success((result, sequence))
            case .committing(let result, let index): .success((result, stored[index].sequence))
            case .failed(let error): .failure(error)
            }
        }
    }

    /// The scalarisation of a batch against the run's current state, with the weights and `r_pareto` of
    /// `scalarization` when the state no longer keeps those of `step` (``loggedScalarizations(ofSteps:)``).
    private func computeScalarization(
        step: Int, rewards: ObjectiveMatrix, groupIDs: [Int]?, in state: RunState? = nil,
        scalarization: StepScalarization?
    ) throws(ServiceError) -> ScalarizeResult {
        do {
            return try self.policy.scalarize(
                rewards, groupIDs: groupIDs, atStep: step, in: state ?? self.run.state, scalarization: scalarization)
        } catch {
            throw ServiceError(error)
        }
    }

    /// The weights and `r_pareto` of those of `steps` that are older than the histories the run's state keeps
    /// (``RunState/keepsScalarization(ofStep:)`` is false), read from the run's log in one read; empty, with no
    /// read, for the steps a trainer scalarises (its current one, or one a few updates behind).
    private func loggedScalarizations(
        ofSteps steps: [Int]
    ) async throws(ServiceError) -> [Int: StepScalarization] {
        let run = self.run
        let older = Set(steps.filter { !run.state.keepsScalarization(ofStep: $0) })
        guard !older.isEmpty else { return [:] }
        let history = try await DecisionHistory.read(of: run, from: self.store)
        return Dictionary(
            uniqueKeysWithValues: older.map { step in
                (step, history.scalarization(atStep: step, initialWeights: run.state.initialWeights))
            })
    }
}

/// A queued Scalarize call: its request, then its outcome, which its caller waits for. Used only on the run's
/// actor.
final class ScalarizationTicket {
    let step: Int
    let rewards: ObjectiveMatrix
    let groupIDs: [Int]?
    private(set) var outcome: Result<(result: ScalarizeResult, sequence: Int), ServiceError>?
    /// The caller waiting for the outcome, resumed by ``resolve(_:)``.
    var waiter: CheckedContinuation<Void, Never>?

    init(step: Int, rewards: ObjectiveMatrix, groupIDs: [Int]?) {
        self.step = step
        self.rewards = rewards
        self.groupIDs = groupIDs
    }

    func resolve(_ outcome: Result<(result: ScalarizeResult, sequence: Int), ServiceError>) {
        self.outcome = outcome
        self.waiter?.resume()
        self.waiter = nil
    }
}
