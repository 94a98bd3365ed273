import RewardWeightingCore
import Testing

@Suite("WeightVector")
struct WeightVectorTests {
    @Test("normalises to w_k = v_k / Σ v")
    func normalises() throws {
        let w = try WeightVector([2, 1, 1])
        #expect(w.values == [0.5, 0.25, 0.25])
        #expect(w.dimension == 3)
        #expect(w[0] == 0.5)
    }

    @Test(
        "the paper's baseline configurations",
        arguments: [[0.5, 0.25, 0.25], [0.334, 0.333, 0.333], [0.25, 0.375, 0.375]])
    func paperConfigurations(raw: [Double]) throws {
        let w = try WeightVector(raw)
        var sum = 0.0
        for v in raw { sum += v }
        for k in raw.indices {
            #expect(w.values[k] == raw[k] / sum)
        }
        #expect(abs(w.values.reduce(0, +) - 1) <= 4 * Double.ulpOfOne)
    }

    @Test("scaling the input does not change the weights")
    func scaleInvariant() throws {
        #expect(try WeightVector([2, 2]) == WeightVector([1, 1]))
        #expect(try WeightVector([3, 1]).values == [0.75, 0.25])
    }

    @Test("zero entries are allowed when the sum is positive")
    func zeroEntries() throws {
        #expect(try WeightVector([0, 4, 0]).values == [0, 1, 0])
    }

    @Test("a sum that overflows is still normalised")
    func overflowingSum() throws {
        let w = try WeightVector([1e308, 1e308, 1e308])
        for v in w.values {
            #expect(abs(v - 1.0 / 3.0) <= 1e-15)
        }
    }

    @Test("uniform(count:) is 1/K", arguments: [1, 2, 3, 7])
    func uniform(count: Int) {
        let w = WeightVector.uniform(count: count)
        #expect(w.dimension == count)
        #expect(w.values.allSatisfy { $0 == 1 / Double(count) })
    }

    @Test("empty weights are rejected")
    func empty() {
        let error = #expect(throws: ValidationError.self) { try WeightVector([]) }
        #expect(error?.code == .empty)
        #expect(error?.field == "weights")
        #expect(error?.message.hasPrefix("weights:") == true)
    }

    @Test("NaN and infinite weights are rejected", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinite(value: Double) {
        let error = #expect(throws: ValidationError.self) { try WeightVector([0.5, value, 0.25]) }
        #expect(error?.code == .nonFinite)
        #expect(error?.field == "weights")
        #expect(error?.column == 1)
        #expect(error?.message.hasPrefix("weights: entry 1 is") == true)
    }

    @Test("negative weights are rejected")
    func negative() {
        let error = #expect(throws: ValidationError.self) { try WeightVector([1, 1, -0.5]) }
        #expect(error?.code == .outOfRange)
        #expect(error?.column == 2)
        #expect(error?.message == "weights: entry 2 is -0.5; weights must be non-negative")
    }

    @Test("weights summing to 0 are rejected")
    func zeroSum() {
        let error = #expect(throws: ValidationError.self) { try WeightVector([0, 0, 0]) }
        #expect(error?.code == .outOfRange)
        #expect(error?.field == "weights")
        #expect(error?.message.contains("positive sum") == true)
    }

    @Test("the field name is the caller's")
    func customField() {
        let error = #expect(throws: ValidationError.self) {
            try WeightVector([-1], field: "initial_weights")
        }
        #expect(error?.field == "initial_weights")
        #expect(error?.message.hasPrefix("initial_weights: entry 0") == true)
    }
}

@Suite("Quoting user input in messages")
struct QuotingTests {
    @Test("short input is quoted and escaped; long input is cut with the number of bytes left out")
    func quoting() {
        #expect(quoted("run-1") == "'run-1'")
        #expect(quoted("a'b\\c\nd") == #"'a\'b\\c\nd'"#)
        #expect(quoted("\u{7}") == #"'\u{7}'"#)
        let long = String(repeating: "é", count: 1000)
        let cut = quoted(long)
        #expect(cut.hasPrefix("'" + String(repeating: "é", count: quotedInputLimit) + "'… ("))
        #expect(cut.hasSuffix(" more bytes)"))
        #expect(cut.utf8.count < 200)
        #expect(cut.contains("(\(long.utf8.count - quotedInputLimit * 2) more bytes)"))
    }

    @Test("normalised weights are kept exactly; weights that do not sum to 1 are refused")
    func normalizedKeepsTheValues() throws {
        let values = [0.1 + 0.2, 0.7 - 0.2 + 1e-17, 0.2]
        let weights = try WeightVector(normalized: [values[0], values[1], 1 - values[0] - values[1]])
        #expect(weights.values == [values[0], values[1], 1 - values[0] - values[1]])
        let error = #expect(throws: ValidationError.self) { try WeightVector(normalized: [0.5, 0.6]) }
        #expect(error?.field == "weights")
        #expect(throws: ValidationError.self) { try WeightVector(normalized: [1.5, -0.5]) }
    }
}
