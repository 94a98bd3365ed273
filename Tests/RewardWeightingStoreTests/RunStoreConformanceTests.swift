import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Testing

/// The ``RunStore`` contract, checked once and run against every store (``StoreKind``): everything the
/// service's coordinator relies on — versions and conflicts, one-transaction appends, the idempotency index,
/// superseded events, state snapshots every few events, paging and filters, archiving. A new store joins by
/// adding a case to ``StoreKind``.
@Suite("RunStore conformance")
struct RunStoreConformanceTests {
    @Test("a created run loads as created; a second create is alreadyExists", arguments: StoreKind.allCases)
    func createAndLoad(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("run-1")
        let initial = WeightingPolicy(config: config).initialState
        let created = try await store.createRun(config, initialState: initial)
        #expect(created.version == 1)
        #expect(created.status == .active)
        #expect(created.eventCount == 1 && created.supersededEventCount == 0)
        #expect(created.config == config && created.state == initial)
        #expect(try await store.loadFolded("run-1") == created)
        // The log's first event is the creation, with the config, at step 0.
        let log = try await store.events(runID: "run-1", fromSequence: 1, limit: nil)
        #expect(log.map(\.sequence) == [1])
        #expect(log.first?.event == .created(RunCreation(config: config)))
        #expect(log.first?.decision == .created(RunCreation(config: config)))
        #expect(log.first?.step == 0 && log.first?.isSuperseded == false)
        #expect(try await store.loadRun("run-1").pendingEvents.isEmpty)

        let error = await #expect(throws: RunStoreError.self) {
            try await store.createRun(gradientConfig("run-1", accumulationSteps: 2), initialState: initial)
        }
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "run_id")
        #expect(try await store.loadFolded("run-1") == created)
    }

    @Test(
        "appended events and the snapshot round-trip bit for bit", arguments: StoreKind.allCases, snapshotPolicies)
    func appendRoundTrip(kind: StoreKind, snapshotPolicy: StateSnapshotPolicy) async throws {
        let fixture = try await StoreFixture(kind, snapshotPolicy: snapshotPolicy)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("round-trip", accumulationSteps: 2)
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        let events = mixedEvents(steps: 1...12, seed: 11)
        let (loaded, decisions) = try await store.appendApplying(events, to: created)
        let expected = try policy.replay(events)

        #expect(loaded.state == expected)
        #expect(try CanonicalJSON.encode(loaded.state) == CanonicalJSON.encode(expected))
        #expect(loaded.version == 1 + events.count)
        #expect(loaded.eventCount == 1 + events.count)
        #expect(loaded.supersededEventCount == 0)

        let log = try await store.events(runID: "round-trip", fromSequence: 1, limit: nil)
        #expect(log.first?.event == .created(RunCreation(config: config)))
        let stored = Array(log.dropFirst())
        #expect(stored.map(\.sequence) == Array(2...events.count + 1))
        #expect(stored.map(\.event) == events)
        #expect(stored.map(\.decision) == decisions)
        #expect(try stored.map(\.requestDigest) == events.map { try RequestDigest.of($0) })
        #expect(stored.allSatisfy { !$0.isSuperseded && $0.runID == "round-trip" })
        for (event, decision) in zip(stored, decisions) {
            #expect(try CanonicalJSON.encode(event.decision) == CanonicalJSON.encode(decision))
        }
        // Bit for bit, not just ==: every weight of the history has the same bit pattern.
        let bits = { (state: RunState) in state.recentWeightUpdates.flatMap { $0.weights.map(\.bitPattern) } }
        #expect(bits(loaded.state) == bits(expected))

        // The same through a new connection, and from a sequence number, with a limit.
        let reopened = try await fixture.reopened()
        #expect(try await reopened.loadFolded("round-trip") == loaded)
        let tail = try await reopened.events(runID: "round-trip", fromSequence: 5, limit: 3)
        #expect(tail == Array(log[4..<7]))
        #expect(try await reopened.events(runID: "round-trip", fromSequence: 1, limit: nil) == log)
    }

    @Test(
        "a second non-superseded (run, kind, step) is refused and nothing is half-written",
        arguments: StoreKind.allCases)
    func uniqueStep(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("unique")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        let first = gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (afterFirst, _) = try await store.appendApplying([first], to: created)

        // Another payload for gradients of step 1, at the right version: the policy is bypassed on purpose.
        let second = gradients(1, [[2, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (state, decision) = try policy.apply(second, to: created.state)
        let error = await #expect(throws: RunStoreError.self) {
            try await store.appendEvent(
                second, decision: decision, state: state, runID: "unique", expectedVersion: afterFirst.version)
        }
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "step")
        // The runs row was updated first inside the transaction; the rollback undid it.
        #expect(try await store.loadFolded("unique") == afterFirst)
        #expect(try await store.events(runID: "unique", fromSequence: 1, limit: nil).count == 2)

        // Scalarize summaries are exempt: several per step.
        let (withSummaries, _) = try await store.appendApplying(
            [summary(1, mean: 0.1), summary(1, mean: 0.2)], to: afterFirst)
        #expect(withSummaries.eventCount == 4)
        let summaries = try await store.activeEvents(runID: "unique", kind: .scalarizeSummary, step: 1)
        #expect(summaries.map(\.sequence) == [3, 4])
        #expect(try await store.activeEvents(runID: "unique", kind: .gradients, step: 1).map(\.event) == [first])
        #expect(try await store.activeEvents(runID: "unique", kind: .gradients, step: 2).isEmpty)
    }

    @Test("a write at a stale version is a conflict and changes nothing", arguments: StoreKind.allCases)
    func versionConflict(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("conflict")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        let (current, _) = try await store.appendApplying(
            [gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])], to: created)

        let event = gradients(2, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (state, decision) = try policy.apply(event, to: current.state)
        let error = await #expect(throws: RunStoreError.self) {
            try await store.appendEvent(event, decision: decision, state: state, runID: "conflict", expectedVersion: 1)
        }
        #expect(error?.code == .conflict)
        #expect(error?.field == "version")
        let resumeError = await #expect(throws: RunStoreError.self) {
            try await store.resume(runID: "conflict", fromStep: 0, state: created.state, expectedVersion: 1)
        }
        #expect(resumeError?.code == .conflict)
        #expect(try await store.loadFolded("conflict") == current)
        // The version alone is the stored run's, after each kind of write.
        let key = RunKey(runID: "conflict")
        #expect(try await store.version(of: key) == current.version)
        let (next, _) = try await store.appendApplying(
            [gradients(2, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), summary(2)], to: current)
        #expect(try await store.version(of: key) == next.version)
        #expect(next.version == current.version + 2)
        _ = try await store.resume(runID: "conflict", fromStep: 1, state: current.state, expectedVersion: next.version)
        #expect(try await store.version(of: key) == (try await store.loadRun(key)).version)
        #expect(try await store.version(of: key) == next.version + 1)
        _ = try await store.archiveRun("conflict", archival: try RunArchival(step: 1, reason: "done"))
        #expect(try await store.version(of: key) == next.version + 2)
    }

    @Test("an unknown run is notFound naming run_id", arguments: StoreKind.allCases)
    func unknownRun(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("ghost")
        let initial = WeightingPolicy(config: config).initialState
        let event = summary(0)
        let decision = try WeightingPolicy(config: config).apply(event, to: initial).decision
        let failures: [RunStoreError?] = [
            await #expect(throws: RunStoreError.self) { try await store.loadRun("ghost") },
            await #expect(throws: RunStoreError.self) { try await store.version(of: RunKey(runID: "ghost")) },
            await #expect(throws: RunStoreError.self) {
                try await store.events(runID: "ghost", fromSequence: 1, limit: nil)
            },
            await #expect(throws: RunStoreError.self) {
                try await store.appendEvent(
                    event, decision: decision, state: initial, runID: "ghost", expectedVersion: 1)
            },
            await #expect(throws: RunStoreError.self) {
                try await store.resume(runID: "ghost", fromStep: 0, state: initial, expectedVersion: 1)
            },
            await #expect(throws: RunStoreError.self) { try await store.archiveRun("ghost") },
        ]
        for error in failures {
            #expect(error?.code == .notFound)
            #expect(error?.field == "run_id")
            #expect(error?.message.contains("'ghost'") == true)
        }
    }

    @Test(
        "resume marks later events superseded and keeps them readable", arguments: StoreKind.allCases,
        snapshotPolicies)
    func resumeSupersedes(kind: StoreKind, snapshotPolicy: StateSnapshotPolicy) async throws {
        let fixture = try await StoreFixture(kind, snapshotPolicy: snapshotPolicy)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("resume")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        let events = mixedEvents(steps: 1...6, seed: 3)
        let (before, _) = try await store.appendApplying(events, to: created)

        let rewound = try policy.resume(events, fromStep: 3)
        let count = try await store.resume(
            runID: "resume", fromStep: 3, state: rewound, expectedVersion: before.version)
        let later = events.filter { $0.step > 3 }
        #expect(count == later.count)

        let after = try await store.loadFolded("resume")
        #expect(after.state == rewound)
        #expect(after.version == before.version + 1)
        #expect(after.eventCount == 1 + events.count + 1)
        #expect(after.supersededEventCount == later.count)
        let stored = try await store.events(runID: "resume", fromSequence: 1, limit: nil)
        // The rewind is logged after the events it superseded, with their count and the rewound weights.
        let resumption = try RunResumption(
            fromStep: 3, supersededEvents: later.count, weights: rewound.weights, metaReward: rewound.metaReward)
        #expect(stored.map(\.event) == [.created(RunCreation(config: config))] + events + [.resumed(resumption)])
        #expect(stored.last?.decision == .resumed(resumption))
        #expect(stored.last?.sequence == events.count + 2 && stored.last?.step == 3)
        #expect(stored.map(\.isSuperseded) == [false] + events.map { $0.step > 3 } + [false])
        #expect(try await store.activeEvents(runID: "resume", kind: .gradients, step: 4).isEmpty)
        #expect(try await store.loadRun("resume").pendingEvents.isEmpty)

        // The superseded step can be applied again; sequence numbers continue.
        let replacement = gradients(4, [[3, 0, 0], [0, 1, 0], [0, 0, 1]])
        let (resumed, _) = try await store.appendApplying([replacement], to: after)
        #expect(resumed.eventCount == events.count + 3)
        let active = try await store.activeEvents(runID: "resume", kind: .gradients, step: 4)
        #expect(active.map(\.sequence) == [events.count + 3])
        #expect(resumed.state == (try policy.replay(events.filter { $0.step <= 3 } + [replacement])))

        // A second resume leaves the already-superseded events as they were, and supersedes the first
        // resume's event (its step, 3, is after 2) with the replacement and the step-3 events.
        let again = try await store.resume(
            runID: "resume", fromStep: 2, state: try policy.resume(events, fromStep: 2),
            expectedVersion: resumed.version)
        #expect(again == 1 + 1 + events.filter { $0.step == 3 }.count)
        let final = try await store.events(runID: "resume", fromSequence: 1, limit: nil)
        let inEffect = final.filter { !$0.isSuperseded }
        #expect(inEffect.map(\.event).dropFirst().dropLast() == ArraySlice(events.filter { $0.step <= 2 }))
        #expect(inEffect.first?.kind == .created && inEffect.last?.kind == .resumed && inEffect.last?.step == 2)

        // A resume whose count does not match the log is a conflict and changes nothing.
        let current = try await store.loadFolded("resume")
        let miscounted = try RunResumption(
            fromStep: 1, supersededEvents: 99, weights: rewound.weights, metaReward: rewound.metaReward)
        let error = await #expect(throws: RunStoreError.self) {
            try await store.resume(
                runID: "resume", resumption: miscounted, state: try policy.resume(events, fromStep: 1),
                expectedVersion: current.version)
        }
        #expect(error?.code == .conflict)
        #expect(try await store.loadFolded("resume") == current)
        #expect(try await store.events(runID: "resume", fromSequence: 1, limit: nil) == final)
    }

    @Test("archiving keeps the run readable and is idempotent", arguments: StoreKind.allCases)
    func archive(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("archive")
        let created = try await store.createRun(config, initialState: WeightingPolicy(config: config).initialState)
        let archival = try RunArchival(step: 0, reason: "finished")
        let (archivedRun, event) = try await store.archiveRun("archive", archival: archival)
        let archived = try RunReplay.run(from: archivedRun)
        #expect(archived.status == .archived)
        #expect(archived.version == created.version + 1)
        #expect(archived.state == created.state)
        #expect(archived.eventCount == 2)
        // The archive is logged with its reason, as the run's last event.
        #expect(event?.event == .archived(archival) && event?.decision == .archived(archival))
        #expect(event?.sequence == 2)
        let log = try await store.events(runID: "archive", fromSequence: 1, limit: nil)
        #expect(log.map(\.kind) == [.created, .archived])
        #expect(log.last == event)
        // Archiving again changes nothing and logs nothing.
        let again = try await store.archiveRun("archive", archival: try RunArchival(step: 0, reason: "again"))
        #expect(again.event == nil)
        #expect(try RunReplay.run(from: again.run) == archived)
        #expect(try await store.loadFolded("archive") == archived)
        #expect(try await store.events(runID: "archive", fromSequence: 1, limit: nil) == log)
    }

    @Test(
        "runs are listed a page at a time, by id or by creation", arguments: StoreKind.allCases, [1, 2, 3, 7, 10])
    func paging(kind: StoreKind, pageSize: Int) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        let ids = ["m", "c", "x", "a", "k", "b", "z"]
        for id in ids {
            let config = gradientConfig(id)
            _ = try await store.createRun(config, initialState: WeightingPolicy(config: config).initialState)
        }
        _ = try await store.archiveFolded("k")
        for (order, expected) in [(RunListOrder.runID, ids.sorted()), (.creation, ids)] {
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await store.listRuns(pageSize: pageSize, pageToken: token, order: order)
                #expect(page.runs.count <= pageSize)
                seen += page.runs.map(\.runID)
                token = page.nextPageToken
                pages += 1
            } while token != nil && pages <= ids.count
            #expect(seen == expected)
            #expect(pages == max(1, (ids.count + pageSize - 1) / pageSize))
        }
        let all = try await store.listRuns(pageSize: 100, pageToken: nil, order: .runID)
        #expect(all.runs.first { $0.runID == "k" }?.status == .archived)
        #expect(all.nextPageToken == nil)
    }

    @Test("foreign page tokens and sizes below 1 are invalid arguments", arguments: StoreKind.allCases)
    func invalidPaging(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        for id in ["a", "b"] {
            let config = gradientConfig(id)
            _ = try await store.createRun(config, initialState: WeightingPolicy(config: config).initialState)
        }
        let page = try await store.listRuns(pageSize: 1, pageToken: nil, order: .runID)
        let token = try #require(page.nextPageToken)
        let failures: [(RunStoreError?, String)] = [
            (
                await #expect(throws: RunStoreError.self) {
                    try await store.listRuns(pageSize: 1, pageToken: token, order: .creation)
                }, "page_token"
            ),
            (
                await #expect(throws: RunStoreError.self) {
                    try await store.listRuns(pageSize: 1, pageToken: "not a token", order: .runID)
                }, "page_token"
            ),
            (
                await #expect(throws: RunStoreError.self) {
                    try await store.listRuns(pageSize: 0, pageToken: nil, order: .runID)
                }, "page_size"
            ),
        ]
        for (error, field) in failures {
            #expect(error?.code == .invalidArgument)
            #expect(error?.field == field)
        }
    }

    @Test("a batch of events is appended in one transaction: all or none", arguments: StoreKind.allCases)
    func appendEventsIsAtomic(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("batch")
        let policy = WeightingPolicy(config: config)
        let created = try await store.createRun(config, initialState: policy.initialState)
        var state = created.state
        var batch: [(event: RunEvent, decision: Decision, state: RunState)] = []
        for event in [summary(1), summary(1, mean: 0.7), summary(2)] {
            let next = try policy.apply(event, to: state)
            state = next.state
            batch.append((event, next.decision, next.state))
        }
        let stored = try await store.appendEvents(batch, runID: "batch", expectedVersion: created.version)
        #expect(stored.map(\.sequence) == [2, 3, 4])
        #expect(stored.map(\.event) == batch.map(\.event))
        // One read for several steps' look-ups, in sequence order; unknown steps have none.
        let atSteps = try await store.activeEvents(runID: "batch", kind: .scalarizeSummary, steps: [2, 1, 5, 1])
        #expect(atSteps == stored)
        #expect(try await store.activeEvents(runID: "batch", kind: .gradients, steps: [1, 2]).isEmpty)
        #expect(try await store.activeEvents(runID: "batch", kind: .scalarizeSummary, steps: []).isEmpty)
        let loaded = try await store.loadFolded("batch")
        #expect(loaded.version == created.version + 3)
        #expect(loaded.state == state)

        // A batch whose second event repeats an applied (kind, step) writes nothing at all.
        let first = try policy.apply(gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), to: state)
        let repeated = try policy.apply(gradients(2, [[2, 0, 0], [0, 1, 0], [0, 0, 1]]), to: first.state)
        let clash: [(event: RunEvent, decision: Decision, state: RunState)] = [
            (gradients(1, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), first.decision, first.state),
            (gradients(1, [[2, 0, 0], [0, 1, 0], [0, 0, 1]]), repeated.decision, repeated.state),
        ]
        let error = await #expect(throws: RunStoreError.self) {
            try await store.appendEvents(clash, runID: "batch", expectedVersion: loaded.version)
        }
        #expect(error?.code == .alreadyExists)
        #expect(try await store.loadFolded("batch") == loaded)
        #expect(try await store.events(runID: "batch", fromSequence: 1, limit: nil).count == 4)
        #expect(try await store.appendEvents([], runID: "batch", expectedVersion: loaded.version).isEmpty)
    }

    @Test("the state is written every few events and the rest replayed on load", arguments: StoreKind.allCases)
    func snapshotsEveryFewEvents(kind: StoreKind) async throws {
        let snapshotPolicy = StateSnapshotPolicy(minimumInterval: 3, maximumInterval: 5, divisor: 4)
        let fixture = try await StoreFixture(kind, snapshotPolicy: snapshotPolicy)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("snapshots", accumulationSteps: 2)
        let policy = WeightingPolicy(config: config)
        var snapshot = try await store.createRun(config, initialState: policy.initialState)
        let events = mixedEvents(steps: 1...15, seed: 5)
        // The creation (sequence 1) is in the first snapshot.
        var expectedSnapshotSequence = 1
        for (index, event) in events.enumerated() {
            (snapshot, _) = try await store.appendApplying([event], to: snapshot)
            let sequence = index + 2
            if snapshotPolicy.writesSnapshot(atSequence: sequence, lastSnapshotSequence: expectedSnapshotSequence) {
                expectedSnapshotSequence = sequence
            }
            // What the store holds: the state after `snapshotSequence` events and the events after it, which the
            // service folds.
            let stored = try await store.loadRun("snapshots")
            #expect(stored.snapshotSequence == expectedSnapshotSequence)
            #expect(stored.stateSnapshot == (try policy.replay(events.prefix(stored.snapshotSequence - 1))))
            #expect(stored.pendingEvents.map(\.sequence) == Array(stored.snapshotSequence..<sequence).map { $0 + 1 })
            #expect(snapshot.state == (try policy.replay(events.prefix(sequence - 1))))
            #expect(try await store.loadFolded("snapshots") == snapshot)
        }
        #expect(expectedSnapshotSequence > 1 && expectedSnapshotSequence < events.count + 1)
        // The interval grows with the log, between its bounds.
        #expect(!snapshotPolicy.writesSnapshot(atSequence: 2, lastSnapshotSequence: 0))
        #expect(snapshotPolicy.writesSnapshot(atSequence: 3, lastSnapshotSequence: 0))
        #expect(!snapshotPolicy.writesSnapshot(atSequence: 19, lastSnapshotSequence: 16))
        #expect(snapshotPolicy.writesSnapshot(atSequence: 20, lastSnapshotSequence: 15))
        #expect(snapshotPolicy.writesSnapshot(atSequence: 105, lastSnapshotSequence: 100))
    }

    @Test("the filter is applied in the store, so every page but the last is full", arguments: StoreKind.allCases)
    func filteredPagesAreFull(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        // 12 runs, every third archived; gradient runs and fixed runs alternate.
        for index in 0..<12 {
            let id = String(format: "run-%02d", index)
            let config = index.isMultiple(of: 2) ? gradientConfig(id) : fixedConfig(id)
            _ = try await store.createRun(config, initialState: WeightingPolicy(config: config).initialState)
            if index.isMultiple(of: 3) { _ = try await store.archiveRun(id) }
        }
        let cases: [(RunFilter, [String])] = [
            (
                RunFilter(status: .active),
                (0..<12).filter { !$0.isMultiple(of: 3) }.map { String(format: "run-%02d", $0) }
            ),
            (RunFilter(status: .archived), [0, 3, 6, 9].map { String(format: "run-%02d", $0) }),
            (
                RunFilter(method: .gradient),
                (0..<12).filter { $0.isMultiple(of: 2) }.map { String(format: "run-%02d", $0) }
            ),
            (
                RunFilter(status: .active, method: .fixed),
                [1, 5, 7, 11].map { String(format: "run-%02d", $0) }
            ),
            (RunFilter(tenant: RunStoreDefaults.tenant), (0..<12).map { String(format: "run-%02d", $0) }),
            (RunFilter(tenant: "someone-else"), []),
        ]
        for (filter, expected) in cases {
            var seen: [String] = []
            var token: String?
            repeat {
                let page = try await store.listRuns(pageSize: 3, pageToken: token, order: .runID, filter: filter)
                token = page.nextPageToken
                if token != nil { #expect(page.runs.count == 3, "a short page with more to come: \(filter)") }
                seen += page.runs.map(\.runID)
            } while token != nil
            #expect(seen == expected, "\(filter)")
        }
        // A token is valid only with the filter it was issued for.
        let first = try await store.listRuns(
            pageSize: 1, pageToken: nil, order: .runID, filter: RunFilter(status: .active))
        let error = await #expect(throws: RunStoreError.self) {
            try await store.listRuns(
                pageSize: 1, pageToken: first.nextPageToken, order: .runID, filter: RunFilter(status: .archived))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.field == "page_token")
    }

    @Test("a run keeps the tenant it was created for", arguments: StoreKind.allCases)
    func tenant(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let config = gradientConfig("owned")
        let created = try await fixture.store.createRun(
            config, tenant: "team-a", initialState: WeightingPolicy(config: config).initialState)
        #expect(created.tenant == "team-a")
        #expect(created.key == RunKey(tenant: "team-a", runID: "owned"))
        #expect(try await fixture.store.loadRun(RunKey(tenant: "team-a", runID: "owned")).tenant == "team-a")
        // In another tenant (the default one here) there is no such run.
        let error = await #expect(throws: RunStoreError.self) { try await fixture.store.loadRun("owned") }
        #expect(error?.code == .notFound)
    }

    @Test("run ids are unique per tenant: two tenants' runs of one id are independent", arguments: StoreKind.allCases)
    func runIDsArePerTenant(kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.remove() }
        let store = fixture.store
        let config = gradientConfig("shared")
        let initial = WeightingPolicy(config: config).initialState
        let a = RunKey(tenant: "team-a", runID: "shared")
        let b = RunKey(tenant: "team-b", runID: "shared")
        _ = try await store.createRun(config, tenant: a.tenant, initialState: initial)
        _ = try await store.createRun(config, tenant: b.tenant, initialState: initial)
        let duplicate = await #expect(throws: RunStoreError.self) {
            try await store.createRun(config, tenant: a.tenant, initialState: initial)
        }
        #expect(duplicate?.code == .alreadyExists)

        // The same step in both: each tenant's log takes it once.
        let policy = WeightingPolicy(config: config)
        let report = gradients(1, [[1, 0, 0], [0, 2, 0], [0, 0, 3]])
        let (state, decision) = try policy.apply(report, to: initial)
        for key in [a, b] {
            _ = try await store.appendEvents([(report, decision, state)], run: key, expectedVersion: 1)
        }
        let again = await #expect(throws: RunStoreError.self) {
            try await store.appendEvents([(report, decision, state)], run: a, expectedVersion: 2)
        }
        #expect(again?.code == .alreadyExists)
        #expect(try await store.activeEvents(run: b, kind: .gradients, steps: [1]).count == 1)

        // Archiving and resuming one leaves the other as it was.
        _ = try await store.archiveRun(a, archival: try RunArchival(step: 1, reason: "done"))
        #expect(try await store.loadRun(a).status == .archived)
        let other = try await store.loadRun(b)
        #expect(other.status == .active)
        #expect(other.version == 2)
        #expect(try await store.events(run: b, fromSequence: 1, limit: nil).map(\.kind) == [.created, .gradients])

        // Listing: one tenant's runs, or every tenant's in (run id, tenant) order, a page of one at a time.
        _ = try await store.createRun(gradientConfig("alone"), tenant: b.tenant, initialState: initial)
        // Counted per tenant, archived runs included.
        #expect(try await store.countRuns(tenant: "team-a") == 1)
        #expect(try await store.countRuns(tenant: "team-b") == 2)
        #expect(try await store.countRuns(tenant: "team-c") == 0)
        let teamA = try await store.listRuns(
            pageSize: 10, pageToken: nil, order: .runID, filter: RunFilter(tenant: "team-a"))
        #expect(teamA.runs.map(\.key) == [a])
        var keys: [RunKey] = []
        var token: String?
        repeat {
            let page = try await store.listRuns(pageSize: 1, pageToken: token, order: .runID, filter: .all)
            keys += page.runs.map(\.key)
            token = page.nextPageToken
        } while token != nil
        #expect(keys == [RunKey(tenant: "team-b", runID: "alone"), a, b])
    }
}
