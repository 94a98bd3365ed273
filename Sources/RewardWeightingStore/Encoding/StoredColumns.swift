import Foundation
import RewardWeightingCore
import RewardWeightingPolicy

// The values ⇄ columns mapping every SQL store shares (SQLite here, PostgreSQL in RewardWeightingPostgres): JSON
// columns hold CanonicalJSON, an event row carries its payload's digest, and a row read back is checked against
// the columns it was selected by. `package`, so that the stores agree byte for byte without making it API.

/// An event and its decision as the `run_events` columns hold them: canonical JSON, and the payload's digest.
package struct EncodedEvent: Sendable {
    /// `RunEvent` as canonical JSON.
    package let payload: String
    /// `Decision` as canonical JSON.
    package let decision: String
    /// SHA-256 (hex) of ``payload`` (``RequestDigest``).
    package let digest: String

    package init(_ event: RunEvent, decision: Decision, runID: String) throws(RunStoreError) {
        let payload = try encodeColumn(event, runID: runID, column: "payload")
        self.payload = payload
        // A recorded value's decision is the value itself: `{"kind", "payload"}` encodes to the same text.
        self.decision =
            event.recordedDecision == decision ? payload : try encodeColumn(decision, runID: runID, column: "decision")
        self.digest = RequestDigest.of(canonicalJSON: payload)
    }
}

/// `value` as the canonical JSON of a column; a value that cannot be encoded is ``RunStoreError/Code/corrupt``.
package func encodeColumn(_ value: some Encodable, runID: String, column: String) throws(RunStoreError) -> String {
    do {
        return try CanonicalJSON.encode(value)
    } catch {
        throw RunStoreError(
            code: .corrupt, field: column, runID: runID,
            reason: "the value for run \(quoted(runID)) cannot be encoded: \(error)", cause: error)
    }
}

/// A JSON column's value; text that does not decode is ``RunStoreError/Code/corrupt``.
package func decodeColumn<Value: Decodable>(
    _ type: Value.Type, from text: String, runID: String, column: String
) throws(RunStoreError) -> Value {
    do {
        return try CanonicalJSON.decode(type, from: text)
    } catch {
        throw RunStoreError.corrupt(runID, column: column, cause: error)
    }
}

extension StoredEvent {
    /// An event row read back: the payload and decision decoded and checked against the row's kind and step.
    package init(
        runID: String, sequence: Int, step: Int, kind: String, payload: String, decision: String,
        requestDigest: String, isSuperseded: Bool, createdAt: Date
    ) throws(RunStoreError) {
        let event = try decodeColumn(RunEvent.self, from: payload, runID: runID, column: "payload")
        let decided = try decodeColumn(Decision.self, from: decision, runID: runID, column: "decision")
        guard event.kind.rawValue == kind, event.step == step, decided.kind == event.kind, decided.step == event.step
        else {
            throw RunStoreError(
                code: .corrupt, field: "payload", runID: runID,
                reason: "event \(sequence) of run \(quoted(runID)) is stored as \(kind) of step \(step) but its "
                    + "payload is \(event.kind.rawValue) of step \(event.step) and its decision "
                    + "\(decided.kind.rawValue) of step \(decided.step)")
        }
        self.init(
            runID: runID, sequence: sequence, event: event, decision: decided, requestDigest: requestDigest,
            isSuperseded: isSuperseded, createdAt: createdAt)
    }
}

extension StoredRun {
    /// A `runs` row read back: the config and state decoded, the config checked to name the row's run, the
    /// status parsed.
    package init(
        runID: String, tenant: String, config: String, state: String, snapshotSequence: Int,
        pendingEvents: [StoredEvent], version: Int, status: String, eventCount: Int, supersededEventCount: Int,
        createdAt: Date, updatedAt: Date
    ) throws(RunStoreError) {
        let decodedConfig = try decodeColumn(RunConfig.self, from: config, runID: runID, column: "config")
        guard decodedConfig.runID == runID else {
            throw RunStoreError(
                code: .corrupt, field: "config", runID: runID,
                reason: "the stored config of run \(quoted(runID)) names run \(quoted(decodedConfig.runID))")
        }
        let decodedState = try decodeColumn(RunState.self, from: state, runID: runID, column: "state")
        guard let decodedStatus = RunStatus(rawValue: status) else {
            throw RunStoreError(
                code: .corrupt, field: "status", runID: runID,
                reason: "run \(quoted(runID)) has the unknown status '\(status)'")
        }
        self.init(
            config: decodedConfig, tenant: tenant, stateSnapshot: decodedState, snapshotSequence: snapshotSequence,
            pendingEvents: pendingEvents, version: version, status: decodedStatus, eventCount: eventCount,
            supersededEventCount: supersededEventCount, createdAt: createdAt, updatedAt: updatedAt)
    }
}
