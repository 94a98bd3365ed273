import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import Testing

/// The policy asks for its kernel results instead of computing them (`measurement(for:in:)` and
/// `apply(_:to:measured:)`), and a recorded log refolds from its decisions without any kernel.
@Suite("Kernel measurements")
struct KernelMeasurementTests {
    private let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod()))
    private let events = [
        checkpoint(0, [0.5, 800, 0.3]), checkpoint(1, [0.52, 780, 0.32]), checkpoint(2, [0.51, 790, 0.31]),
        checkpoint(3, [0.60, 790, 0.31]), checkpoint(4, [0.54, 760, 0.34]),
    ]

    @Test("only a checkpoint after the reference point needs a ΔHV, and it is the kernel's value")
    func whatNeedsMeasuring() throws {
        var state = self.policy.initialState
        #expect(try self.policy.measurement(for: self.events[0], in: state) == nil)
        state = try self.policy.apply(self.events[0], to: state).state
        let query = try #require(try self.policy.measurement(for: self.events[1], in: state))
        guard case .hypervolumeImprovement(let candidate, let buffer, let reference) = query else {
            Issue.record("unexpected query \(query)")
            return
        }
        // In the maximisation convention: the minimised length is negated.
        #expect(candidate.values == [0.52, -780, 0.32])
        #expect(reference.values == [0.5, -800, 0.3] && buffer.count == 0)
        let measured = try Hypervolume.improvement(adding: candidate, to: buffer, reference: reference)
        let applied = try self.policy.apply(
            self.events[1], to: state, measured: KernelMeasurements(hypervolumeImprovement: measured))
        #expect(applied.decision == (try self.policy.apply(self.events[1], to: state)).decision)
        #expect(try self.policy.measurement(for: summary(1), in: state) == nil)
    }

    @Test("a checkpoint applied without its ΔHV is inconsistent; with a non-finite one (an overflow) it is refused")
    func missingMeasurementIsRefused() throws {
        let state = try self.policy.apply(self.events[0], to: self.policy.initialState).state
        let missing = #expect(throws: PolicyError.self) {
            try self.policy.apply(self.events[1], to: state, measured: .none)
        }
        #expect(missing?.code == .inconsistentState)
        #expect(missing?.field == "measurements")
        // Exact kernels give a non-finite ΔHV for finite scores only when the volumes overflow a Double.
        for overflow in [Double.nan, .infinity] {
            let error = #expect(throws: PolicyError.self) {
                try self.policy.apply(
                    self.events[1], to: state, measured: KernelMeasurements(hypervolumeImprovement: overflow))
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.field == "scores")
        }
        let negative = #expect(throws: PolicyError.self) {
            try self.policy.apply(self.events[1], to: state, measured: KernelMeasurements(hypervolumeImprovement: -1))
        }
        #expect(negative?.code == .inconsistentState)
    }

    @Test("refolding a recorded log from its decisions gives the replay's state, bit for bit")
    func refoldFromRecordedDecisions() throws {
        let (state, decisions) = try self.policy.fold(self.events)
        let refolded = try self.policy.refold(
            Array(zip(self.events, decisions)).map { (event: $0.0, decision: $0.1) }, over: self.policy.initialState)
        #expect(refolded == state)
        #expect(try CanonicalJSONText.of(refolded) == CanonicalJSONText.of(state))
        // A recorded ΔHV of 0 (a dominated point) takes the same branch again: step 2 stays out of the buffer.
        guard case .checkpoint(let dominated) = decisions[2] else { return }
        #expect(!dominated.enteredBuffer && dominated.deltaHypervolume == 0)
        #expect(KernelMeasurements.recorded(in: decisions[0]) == .none)
    }
}

/// Bit-exact comparison through Foundation's JSON encoder with sorted keys.
enum CanonicalJSONText {
    static func of(_ state: RunState) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(state), as: UTF8.self)
    }
}
