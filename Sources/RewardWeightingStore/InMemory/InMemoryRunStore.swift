import Foundation
import RewardWeightingCore
import RewardWeightingPolicy

/// A ``RunStore`` in memory, for tests and for embedding the service where nothing needs to survive the
/// process. It keeps the same contract as ``SQLiteRunStore`` (the conformance suite runs against both):
/// runs keyed by tenant and id, optimistic versions, all-or-nothing appends, life-cycle events, one applied report per (kind, step) among
/// the events not superseded, state snapshots every few events with the later events returned as pending, keyset paging
/// with tokens bound to their order and filter.
///
/// Values are kept as they were given, not encoded; the request digest is still the canonical JSON's, so a
/// log read from here equals one read from SQLite.
public actor InMemoryRunStore: RunStore {
    /// How often the state snapshot is rewritten (as ``SQLiteRunStore/snapshotPolicy``).
    public let snapshotPolicy: StateSnapshotPolicy

    private struct Entry {
        var config: RunConfig
        var tenant: String
        var stateSnapshot: RunState
        var snapshotSequence: Int
        var version: Int
        var status: RunStatus
        var events: [StoredEvent]
        var createdAt: Date
        var updatedAt: Date
        var creationRank: Int
    }

    private var runs: [RunKey: Entry] = [:]
    private var nextCreationRank = 1

    /// An empty store.
    public init(snapshotPolicy: StateSnapshotPolicy = .default) {
        self.snapshotPolicy = snapshotPolicy
    }

    public func createRun(
        _ config: RunConfig, tenant: String, initialState: RunState
    ) throws(RunStoreError) -> StoredRun {
        let runID = config.runID
        let key = RunKey(tenant: tenant, runID: runID)
        guard self.runs[key] == nil else {
            throw RunStoreError(
                code: .alreadyExists, field: "run_id", runID: runID, reason: "a run \(quoted(runID)) exists already")
        }
        let now = Self.now()
        let creation = RunCreation(config: config)
        let created = try Self.storedEvent(
            .created(creation), decision: .created(creation), runID: runID, sequence: 1, at: now)
        let entry = Entry(
            config: config, tenant: tenant, stateSnapshot: initialState, snapshotSequence: 1, version: 1,
            status: .active, events: [created], createdAt: now, updatedAt: now,
            creationRank: self.nextCreationRank)
        self.nextCreationRank += 1
        self.runs[key] = entry
        return Self.storedRun(entry)
    }

    public func loadRun(_ run: RunKey) throws(RunStoreError) -> StoredRun {
        Self.storedRun(try self.entry(run))
    }

    public func version(of run: RunKey) throws(RunStoreError) -> Int {
        try self.entry(run).version
    }

    public func countRuns(tenant: String) -> Int {
        self.runs.keys.count { $0.tenant == tenant }
    }

    public func listRuns(
        pageSize: Int, pageToken: String?, order: RunListOrder, filter: RunFilter
    ) throws(RunStoreError) -> RunPage {
        guard pageSize >= 1 else {
            throw RunStoreError(
                code: .invalidArgument, field: "page_size", reason: "is \(pageSize); it must be at least 1")
        }
        let token = try pageToken.map { text throws(RunStoreError) in
            try RunPageToken(parsing: text, order: order, filter: filter)
        }
        var entries = self.runs.values.filter { filter.matches(Self.storedRun($0)) }
        switch order {
        case .runID:
            entries.sort { ($0.config.runID, $0.tenant) < ($1.config.runID, $1.tenant) }
            if let token {
                let after = (token.after, token.afterTenant ?? "")
                entries.removeAll { ($0.config.runID, $0.tenant) <= after }
            }
        case .creation:
            entries.sort { $0.creationRank < $1.creationRank }
            if let token {
                guard let rank = Int(token.after) else {
                    throw RunStoreError(
                        code: .invalidArgument, field: "page_token",
                        reason: "is not a token returned by ListRuns")
                }
                entries.removeAll { $0.creationRank <= rank }
            }
        }
        let page = entries.prefix(pageSize)
        var nextPageToken: String?
        if entries.count > pageSize, let last = page.last {
            nextPageToken =
                order == .runID
                ? RunPageToken(order: order, filter: filter, after: last.config.runID, afterTenant: last.tenant).encoded
                : RunPageToken(order: order, filter: filter, after: String(last.creationRank)).encoded
        }
        return RunPage(runs: page.map(Self.storedRun), nextPageToken: nextPageToken)
    }

    public func appendEvents(
        _ events: [(event: RunEvent, decision: Decision, state: RunState)], run: RunKey, expectedVersion: Int
    ) throws(RunStoreError) -> [StoredEvent] {
        let runID = run.runID
        var entry = try self.entry(run)
        guard let last = events.last else { return [] }
        try Self.checkVersion(entry, runID: runID, expectedVersion: expectedVersion)
        let now = Self.now()
        var stored: [StoredEvent] = []
        for item in events {
            if item.event.kind.isUniquePerStep,
                entry.events.contains(where: {
                    !$0.isSuperseded && $0.kind == item.event.kind && $0.step == item.event.step
                })
                    || stored.contains(where: { $0.kind == item.event.kind && $0.step == item.event.step })
            {
                throw RunStoreError(
                    code: .alreadyExists, field: "step", runID: runID,
                    reason: "run \(quoted(runID)) has \(item.event.kind.rawValue) of step \(item.event.step) already")
            }
            stored.append(
                try Self.storedEvent(
                    item.event, decision: item.decision, runID: runID,
                    sequence: entry.events.count + stored.count + 1, at: now))
        }
        let lastSequence = entry.events.count + stored.count
        if self.snapshotPolicy.writesSnapshot(atSequence: lastSequence, lastSnapshotSequence: entry.snapshotSequence) {
            entry.stateSnapshot = last.state
            entry.snapshotSequence = lastSequence
        }
        entry.events += stored
        entry.version += events.count
        entry.updatedAt = now
        self.runs[run] = entry
        return stored
    }

    public func activeEvents(
        run: RunKey, kind: RunEvent.Kind, steps: [Int]
    ) -> [StoredEvent] {
        let wanted = Set(steps)
        return self.runs[run]?.events.filter { !$0.isSuperseded && $0.kind == kind && wanted.contains($0.step) } ?? []
    }

    public func events(run: RunKey, fromSequence: Int, limit: Int?) throws(RunStoreError) -> [StoredEvent] {
        let events = try self.entry(run).events.dropFirst(max(fromSequence, 1) - 1)
        return Array(limit.map { events.prefix(max($0, 0)) } ?? events)
    }

    public func resume(
        run: RunKey, resumption: RunResumption, state: RunState, expectedVersion: Int
    ) throws(RunStoreError) -> StoredEvent {
        let runID = run.runID
        var entry = try self.entry(run)
        try Self.checkVersion(entry, runID: runID, expectedVersion: expectedVersion)
        let now = Self.now()
        var superseded = 0
        entry.events = entry.events.map { event in
            guard !event.isSuperseded, event.step > resumption.fromStep else { return event }
            superseded += 1
            return StoredEvent(
                runID: event.runID, sequence: event.sequence, event: event.event, decision: event.decision,
                requestDigest: event.requestDigest, isSuperseded: true, createdAt: event.createdAt)
        }
        guard superseded == resumption.supersededEvents else {
            throw RunStoreError(
                code: .conflict, field: "version", runID: runID,
                reason: "run \(quoted(runID)) has \(superseded) events after step \(resumption.fromStep), not "
                    + "\(resumption.supersededEvents); its log changed")
        }
        let resumed = try Self.storedEvent(
            .resumed(resumption), decision: .resumed(resumption), runID: runID, sequence: entry.events.count + 1,
            at: now)
        entry.events.append(resumed)
        // The rewound state reflects every event that stays active, and the resume event folds to no change.
        entry.stateSnapshot = state
        entry.snapshotSequence = entry.events.count
        entry.version += 1
        entry.updatedAt = now
        self.runs[run] = entry
        return resumed
    }

    public func archiveRun(
        _ run: RunKey, archival: RunArchival
    ) throws(RunStoreError) -> (run: StoredRun, event: StoredEvent?) {
        let runID = run.runID
        var entry = try self.entry(run)
        guard entry.status != .archived else { return (Self.storedRun(entry), nil) }
        let now = Self.now()
        let archived = try Self.storedEvent(
            .archived(archival), decision: .archived(archival), runID: runID, sequence: entry.events.count + 1,
            at: now)
        entry.events.append(archived)
        entry.status = .archived
        entry.version += 1
        entry.updatedAt = now
        self.runs[run] = entry
        return (Self.storedRun(entry), archived)
    }

    // MARK: - Helpers

    private func entry(_ run: RunKey) throws(RunStoreError) -> Entry {
        guard let entry = self.runs[run] else { throw RunStoreError.runNotFound(run.runID) }
        return entry
    }

    /// A new, not superseded event with the digest of its canonical JSON.
    private static func storedEvent(
        _ event: RunEvent, decision: Decision, runID: String, sequence: Int, at date: Date
    ) throws(RunStoreError) -> StoredEvent {
        let digest: String
        do {
            digest = try RequestDigest.of(event)
        } catch {
            throw RunStoreError(
                code: .corrupt, field: "payload", runID: runID,
                reason: "the value for run \(quoted(runID)) cannot be encoded: \(error)", cause: error)
        }
        return StoredEvent(
            runID: runID, sequence: sequence, event: event, decision: decision, requestDigest: digest,
            isSuperseded: false, createdAt: date)
    }

    private static func checkVersion(_ entry: Entry, runID: String, expectedVersion: Int) throws(RunStoreError) {
        guard entry.version == expectedVersion else {
            throw RunStoreError(
                code: .conflict, field: "version", runID: runID,
                reason: "run \(quoted(runID)) is at version \(entry.version), not \(expectedVersion); another "
                    + "writer changed it")
        }
    }

    private static func storedRun(_ entry: Entry) -> StoredRun {
        StoredRun(
            config: entry.config, tenant: entry.tenant, stateSnapshot: entry.stateSnapshot,
            snapshotSequence: entry.snapshotSequence,
            pendingEvents: entry.events.dropFirst(entry.snapshotSequence).filter { !$0.isSuperseded },
            version: entry.version, status: entry.status, eventCount: entry.events.count,
            supersededEventCount: entry.events.count { $0.isSuperseded }, createdAt: entry.createdAt,
            updatedAt: entry.updatedAt)
    }

    /// The current time at the precision SQLite keeps (milliseconds), so that timestamps compare the same way
    /// whichever store wrote them.
    private static func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
