import RewardWeightingCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

private func close(_ a: Double, _ b: Double, relative: Double = 1e-14, absolute: Double = 1e-15) -> Bool {
    abs(a - b) <= Swift.max(absolute, relative * Swift.max(abs(a), abs(b)))
}

@Suite("LearningRateSchedule")
struct LearningRateScheduleTests {
    // MARK: The paper's schedule

    /// `(t, η_t)` for polynomial decay, lr 1e-6, T = 360, power 1.03, computed by running the reference Python
    /// (notes/reference-code.md, "Test vectors").
    static let referenceRates: [(Int, Double)] = [
        (1, 1e-6),
        (2, 9.971390082090695e-7),
        (90, 7.463916870621472e-7),
        (180, 4.925126121902027e-7),
        (270, 2.4256104685406497e-7),
        (360, 2.3281364171592475e-9),
    ]

    @Test("reference η_t table (polynomial, lr 1e-6, T = 360, power 1.03)", arguments: referenceRates)
    func referenceTable(step: Int, expected: Double) throws {
        let schedule = try LearningRateSchedule(kind: .polynomial, totalSteps: 360)
        #expect(schedule.power == 1.03)
        #expect(schedule.warmupSteps == 0)
        let rate = schedule.learningRate(base: 1e-6, atTrainerStep: step)
        #expect(close(rate, expected))
        // Independently: η_t = lr·(1 − (t − 1)/T)^1.03.
        #expect(close(rate, 1e-6 * pow(1 - Double(step - 1) / 360, 1.03)))
    }

    // MARK: End points, warmup boundary and mid-point of every kind (T = 100, W = 10)

    @Test("constant: s/W during warmup, then 1")
    func constant() throws {
        let s = try LearningRateSchedule(kind: .constant, totalSteps: 100, warmupSteps: 10)
        #expect(s.multiplier(atStep: 0) == 0)
        #expect(s.multiplier(atStep: 5) == 0.5)
        #expect(s.multiplier(atStep: 9) == 0.9)
        #expect(s.multiplier(atStep: 10) == 1)
        #expect(s.multiplier(atStep: 55) == 1)
        #expect(s.multiplier(atStep: 100) == 1)
        #expect(s.multiplier(atStep: 1000) == 1)
    }

    @Test("polynomial: (1 − p)^power after warmup, 0 at and beyond T")
    func polynomial() throws {
        let s = try LearningRateSchedule(kind: .polynomial, totalSteps: 100, warmupSteps: 10, power: 2)
        #expect(s.multiplier(atStep: 0) == 0)
        #expect(s.multiplier(atStep: 5) == 0.5)
        #expect(s.multiplier(atStep: 10) == 1)
        // p = (55 − 10)/90 = 0.5 → 0.25; p = (32.5 − 10)/90 = 0.25 is not an integer step, use s = 28: p = 0.2.
        #expect(s.multiplier(atStep: 55) == 0.25)
        #expect(close(s.multiplier(atStep: 28), 0.64))
        #expect(s.multiplier(atStep: 100) == 0)
        #expect(s.multiplier(atStep: 150) == 0)
    }

    @Test("polynomial with the paper's defaults: no warmup, power 1.03")
    func polynomialDefaults() throws {
        let s = try LearningRateSchedule(kind: .polynomial, totalSteps: 360)
        #expect(s.multiplier(atStep: 0) == 1)
        #expect(close(s.multiplier(atStep: 180), 0.4897101487934634))  // 0.5^1.03
        #expect(s.multiplier(atStep: 360) == 0)
        #expect(s.multiplier(atStep: 361) == 0)
    }

    @Test("cosine: m + (1 − m)·s/W during warmup, then max(m, (1+m)/2 + (1−m)/2·cos(2π·cycles·p))")
    func cosine() throws {
        let s = try LearningRateSchedule(kind: .cosine, totalSteps: 100, warmupSteps: 10, minRatio: 0.1)
        #expect(s.cycles == 0.5)
        #expect(s.multiplier(atStep: 0) == 0.1)
        #expect(close(s.multiplier(atStep: 5), 0.55))
        #expect(close(s.multiplier(atStep: 9), 0.91))
        #expect(s.multiplier(atStep: 10) == 1)
        // p = 0.5 → cos(π/2) = 0 → 0.55.
        #expect(close(s.multiplier(atStep: 55), 0.55))
        // p = 1 → cos(π) = −1 → 0.1.
        #expect(close(s.multiplier(atStep: 100), 0.1))
        // Beyond T verl's formula continues: p = 1.5 → cos(1.5π) = 0 → 0.55.
        #expect(close(s.multiplier(atStep: 145), 0.55))
    }

    @Test("cosine with verl's defaults: 0.5·(1 + cos(π·p))")
    func cosineDefaults() throws {
        let s = try LearningRateSchedule(kind: .cosine, totalSteps: 10)
        #expect(s.multiplier(atStep: 0) == 1)
        #expect(close(s.multiplier(atStep: 5), 0.5))
        #expect(s.multiplier(atStep: 10) == 0)
        for step in 0...10 {
            let p = Double(step) / 10
            #expect(close(s.multiplier(atStep: step), 0.5 * (1 + cos(Double.pi * p))))
        }
    }

    @Test("cosine with a full cycle returns to 1 at T")
    func cosineFullCycle() throws {
        let s = try LearningRateSchedule(kind: .cosine, totalSteps: 8, cycles: 1)
        #expect(close(s.multiplier(atStep: 4), 0))
        #expect(close(s.multiplier(atStep: 8), 1))
    }

    @Test("exponential: s/W during warmup, then gamma^(s − W)")
    func exponential() throws {
        let s = try LearningRateSchedule(kind: .exponential, totalSteps: 100, warmupSteps: 10, gamma: 0.5)
        #expect(s.multiplier(atStep: 0) == 0)
        #expect(s.multiplier(atStep: 5) == 0.5)
        #expect(s.multiplier(atStep: 10) == 1)
        #expect(s.multiplier(atStep: 12) == 0.25)
        #expect(s.multiplier(atStep: 55) == 0x1p-45)
        #expect(s.multiplier(atStep: 100) == 0x1p-90)
        let defaults = try LearningRateSchedule(kind: .exponential, totalSteps: 100)
        #expect(defaults.gamma == 0.96)
        #expect(close(defaults.multiplier(atStep: 2), 0.9216))
    }

    @Test("every kind at its end points agrees with the formula", arguments: LearningRateSchedule.Kind.allCases)
    func allKindsIndependently(kind: LearningRateSchedule.Kind) throws {
        let total = 50
        let warmup = 7
        let s = try LearningRateSchedule(
            kind: kind, totalSteps: total, warmupSteps: warmup, power: 1.5, gamma: 0.9, minRatio: 0.2, cycles: 0.5)
        for step in [0, 1, warmup - 1, warmup, (warmup + total) / 2, total - 1, total] {
            let expected: Double
            if step < warmup {
                let ramp = Double(step) / Double(warmup)
                expected = kind == .cosine ? 0.2 + 0.8 * ramp : ramp
            } else {
                let p = Double(step - warmup) / Double(total - warmup)
                switch kind {
                case .constant: expected = 1
                case .polynomial: expected = pow(1 - p, 1.5)
                case .cosine: expected = Swift.max(0.2, 0.6 + 0.4 * cos(Double.pi * p))
                case .exponential: expected = pow(0.9, Double(step - warmup))
                }
            }
            #expect(close(s.multiplier(atStep: step), expected), "step \(step)")
        }
    }

    @Test("negative steps are treated as step 0; trainer step t uses λ(t − 1)")
    func stepConventions() throws {
        let s = try LearningRateSchedule(kind: .polynomial, totalSteps: 4)
        #expect(s.multiplier(atStep: -3) == s.multiplier(atStep: 0))
        #expect(s.learningRate(base: 2, atTrainerStep: 0) == 2)
        #expect(s.learningRate(base: 2, atTrainerStep: 1) == 2)
        #expect(close(s.learningRate(base: 2, atTrainerStep: 3), 2 * pow(0.5, 1.03)))
        #expect(s.learningRate(base: 2, atTrainerStep: 5) == 0)
    }

    // MARK: Names

    @Test("kinds parse from their names", arguments: LearningRateSchedule.Kind.allCases)
    func names(kind: LearningRateSchedule.Kind) throws {
        let s = try LearningRateSchedule(name: kind.rawValue, totalSteps: 10)
        #expect(s.kind == kind)
        #expect(try LearningRateSchedule(name: kind.rawValue.uppercased(), totalSteps: 10).kind == kind)
    }

    @Test("an unknown schedule name is rejected and the valid names are listed")
    func unknownName() {
        let error = #expect(throws: ValidationError.self) { try LearningRateSchedule(name: "linear", totalSteps: 10) }
        #expect(error?.code == .unknownName)
        #expect(error?.field == "schedule")
        #expect(error?.message.hasPrefix("schedule:") == true)
        for kind in LearningRateSchedule.Kind.allCases {
            #expect(error?.message.contains("'\(kind.rawValue)'") == true)
        }
    }

    // MARK: Validation

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var field: String
        var code: ValidationError.Code
        var make: @Sendable () throws(ValidationError) -> LearningRateSchedule
        var testDescription: String { self.field }
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(field: "total_steps", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .constant, totalSteps: 0)
        },
        InvalidCase(field: "warmup_steps", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .constant, totalSteps: 10, warmupSteps: -1)
        },
        InvalidCase(field: "warmup_steps", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .polynomial, totalSteps: 10, warmupSteps: 10)
        },
        InvalidCase(field: "power", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .polynomial, totalSteps: 10, power: 0)
        },
        InvalidCase(field: "power", code: .nonFinite) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .polynomial, totalSteps: 10, power: .nan)
        },
        InvalidCase(field: "gamma", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .exponential, totalSteps: 10, gamma: 0)
        },
        InvalidCase(field: "gamma", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .exponential, totalSteps: 10, gamma: 1.5)
        },
        InvalidCase(field: "gamma", code: .nonFinite) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .exponential, totalSteps: 10, gamma: .infinity)
        },
        InvalidCase(field: "min_lr_ratio", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .cosine, totalSteps: 10, minRatio: 1.5)
        },
        InvalidCase(field: "min_lr_ratio", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .cosine, totalSteps: 10, minRatio: -0.1)
        },
        InvalidCase(field: "num_cycles", code: .outOfRange) { () throws(ValidationError) in
            try LearningRateSchedule(kind: .cosine, totalSteps: 10, cycles: -1)
        },
    ]

    @Test("invalid parameters are rejected, naming the field", arguments: invalidCases)
    func invalid(testCase: InvalidCase) {
        let error = #expect(throws: ValidationError.self) { _ = try testCase.make() }
        #expect(error?.code == testCase.code)
        #expect(error?.field == testCase.field)
        #expect(error?.message.hasPrefix("\(testCase.field):") == true)
    }

    @Test("kind raw values are verl's warmup_style names")
    func rawValues() {
        #expect(
            LearningRateSchedule.Kind.allCases.map(\.rawValue) == ["constant", "polynomial", "cosine", "exponential"])
    }
}
