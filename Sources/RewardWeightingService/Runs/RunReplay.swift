import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingStore

/// Folding a stored run into its current state: the one place where the service replays a log.
///
/// A store returns a run's last state snapshot and the non-superseded events logged after it
/// (``StoredRun/pendingEvents``); the current state is the snapshot with those events applied in order. Each
/// event is applied with the kernel results its recorded decision holds
/// (``WeightingPolicy/refold(_:over:)``), so no kernel runs and the state is the one the live path reached,
/// bit for bit.
public enum RunReplay {
    /// The run `stored` describes, its pending events folded into its state.
    /// - Throws: ``ServiceError/Code/internal`` (field `state`) when a logged event no longer applies to the
    ///   stored state: the stored data is corrupt.
    public static func run(from stored: StoredRun) throws(ServiceError) -> Run {
        var state = stored.stateSnapshot
        if !stored.pendingEvents.isEmpty {
            let policy = WeightingPolicy(config: stored.config)
            for pending in stored.pendingEvents {
                do throws(PolicyError) {
                    state = try policy.refold(CollectionOfOne((pending.event, pending.decision)), over: state)
                } catch {
                    throw ServiceError(
                        code: .internal, field: "state",
                        reason: "event \(pending.sequence) of run \(quoted(stored.runID)) does not apply to the "
                            + "stored state: \(error)", cause: error)
                }
            }
        }
        return Run(
            config: stored.config, tenant: stored.tenant, state: state, version: stored.version,
            status: stored.status, eventCount: stored.eventCount, supersededEventCount: stored.supersededEventCount,
            createdAt: stored.createdAt, updatedAt: stored.updatedAt)
    }

    /// `run` with `events` — the ones logged right after it, read from the store — folded in, as
    /// ``run(from:)`` would fold them: the cheap way to follow another process's appends. `nil` when the events
    /// do not continue `run`'s log, or hold a resume or an archive (those change more than a fold shows: reload
    /// the run instead).
    static func run(_ run: Run, advancedBy events: [StoredEvent]) -> Run? {
        guard let last = events.last else { return run }
        let policy = WeightingPolicy(config: run.config)
        var state = run.state
        for (offset, stored) in events.enumerated() {
            guard stored.sequence == run.eventCount + 1 + offset, !stored.isSuperseded,
                stored.kind != .resumed, stored.kind != .archived, stored.kind != .created
            else { return nil }
            do throws(PolicyError) {
                state = try policy.refold(CollectionOfOne((stored.event, stored.decision)), over: state)
            } catch {
                return nil
            }
        }
        // Every appended event adds one to the version (RunStore.appendEvents).
        return Run(
            config: run.config, tenant: run.tenant, state: state, version: run.version + events.count,
            status: run.status, eventCount: last.sequence, supersededEventCount: run.supersededEventCount,
            createdAt: run.createdAt, updatedAt: last.createdAt)
    }

    /// The state after `ResumeRun(from_step)`: the refold of the non-superseded `events` with step `≤ fromStep`
    /// over the initial state, with the kernel results recorded in their decisions.
    /// - Throws: ``ServiceError`` from the policy's ``PolicyError``.
    static func rewoundState(
        of config: RunConfig, events: [StoredEvent], fromStep: Int
    ) throws(ServiceError) -> RunState {
        do throws(PolicyError) {
            return try WeightingPolicy(config: config).resume(
                recorded: events.lazy.filter { !$0.isSuperseded }.map { ($0.event, $0.decision) }, fromStep: fromStep)
        } catch {
            throw ServiceError(error)
        }
    }
}
