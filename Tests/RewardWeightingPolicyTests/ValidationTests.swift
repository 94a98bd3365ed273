import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import Testing

/// An input that must be refused, and the field its error must name.
struct InvalidInput: Sendable, CustomTestStringConvertible {
    let field: String
    let label: String
    let make: @Sendable () throws -> Void
    var testDescription: String { "\(self.field): \(self.label)" }

    init(_ field: String, _ label: String, _ make: @escaping @Sendable () throws -> Void) {
        self.field = field
        self.label = label
        self.make = make
    }
}

/// A config with one change, for validation cases.
private func config(
    runID: String = "run-1", objectives: [Objective] = mathObjectives, method: WeightingMethod = .fixed,
    initialWeights: [Double]? = nil, normalizationEpsilon: Double = 1e-6
) throws {
    _ = try RunConfig(
        runID: runID, objectives: objectives, method: method, initialWeights: initialWeights,
        normalizationEpsilon: normalizationEpsilon)
}

/// Decodes a config from JSON text.
private func decodeConfig(_ json: String) throws {
    _ = try JSONDecoder().decode(RunConfig.self, from: Data(json.utf8))
}

/// A JSON config of the gradient method with the given `gradient` object.
private func gradientJSON(_ gradient: String) -> String {
    """
    {"run_id": "r", "objectives": [{"name": "a", "direction": "maximize"}, {"name": "b", "direction": "minimize"}],
     "method": "gradient", "gradient": \(gradient)}
    """
}

@Suite("Validation")
struct ValidationTests {
    static let configCases: [InvalidInput] = [
        InvalidInput("run_id", "empty") { try config(runID: "") },
        InvalidInput("run_id", "space") { try config(runID: "a b") },
        InvalidInput("run_id", "leading dash") { try config(runID: "-a") },
        InvalidInput("run_id", "too long") { try config(runID: String(repeating: "x", count: 129)) },
        InvalidInput("objectives", "none") { try config(objectives: []) },
        InvalidInput("objectives[0].name", "empty") { try config(objectives: [Objective(name: "")]) },
        InvalidInput("objectives[1].name", "blank") {
            try config(objectives: [Objective(name: "a"), Objective(name: "  ")])
        },
        InvalidInput("objectives[2].name", "duplicate") {
            try config(objectives: [Objective(name: "a"), Objective(name: "b"), Objective(name: "a")])
        },
        InvalidInput("initial_weights", "wrong K") { try config(initialWeights: [1, 1]) },
        InvalidInput("initial_weights", "NaN") { try config(initialWeights: [1, .nan, 1]) },
        InvalidInput("initial_weights", "negative") { try config(initialWeights: [1, -1, 1]) },
        InvalidInput("initial_weights", "zero sum") { try config(initialWeights: [0, 0, 0]) },
        InvalidInput("normalization_epsilon", "zero") { try config(normalizationEpsilon: 0) },
        InvalidInput("normalization_epsilon", "∞") { try config(normalizationEpsilon: .infinity) },
        InvalidInput("gradient.learning_rate", "zero") { _ = try GradientSettings(learningRate: 0, mu: 1) },
        InvalidInput("gradient.learning_rate", "NaN") { _ = try GradientSettings(learningRate: .nan, mu: 1) },
        InvalidInput("gradient.mu", "negative") { _ = try GradientSettings(learningRate: 1, mu: -1) },
        InvalidInput("gradient.accumulation_steps", "zero") {
            _ = try GradientSettings(learningRate: 1, mu: 1, accumulationSteps: 0)
        },
        InvalidInput("gradient.min_weight", "negative") {
            _ = try GradientSettings(learningRate: 1, mu: 1, minWeight: -1)
        },
        InvalidInput("gradient.max_weight", "∞") {
            _ = try GradientSettings(learningRate: 1, mu: 1, maxWeight: .infinity)
        },
        InvalidInput("gradient.min_weight", "above 1/K") {
            try config(method: .gradient(try GradientSettings(learningRate: 1, mu: 1, minWeight: 0.5)))
        },
        InvalidInput("gradient.max_weight", "below 1/K") {
            try config(method: .gradient(try GradientSettings(learningRate: 1, mu: 1, maxWeight: 0.2)))
        },
        InvalidInput("hypervolume.reference_point", "NaN") {
            _ = try HypervolumeSettings(referencePoint: [0.5, .nan, 0.3])
        },
        InvalidInput("hypervolume.reference_point", "wrong K") {
            try config(method: .hypervolume(try HypervolumeSettings(referencePoint: [0.5, 800])))
        },
    ]

    static let jsonCases: [InvalidInput] = [
        InvalidInput("method", "unknown") {
            try decodeConfig(#"{"run_id": "r", "objectives": [{"name": "a"}], "method": "pareto"}"#)
        },
        InvalidInput("normalization", "unknown") {
            try decodeConfig(
                #"{"run_id": "r", "objectives": [{"name": "a"}], "method": "fixed", "normalization": "batch"}"#)
        },
        InvalidInput("gradient", "settings with another method") {
            try decodeConfig(
                #"{"run_id": "r", "objectives": [{"name": "a"}], "method": "fixed", "gradient": {"learning_rate": 1, "mu": 1}}"#
            )
        },
        InvalidInput("gradient", "missing") {
            try decodeConfig(#"{"run_id": "r", "objectives": [{"name": "a"}], "method": "gradient"}"#)
        },
        InvalidInput("hypervolume.meta_reward", "unknown") {
            try decodeConfig(
                #"{"run_id": "r", "objectives": [{"name": "a"}], "method": "hypervolume", "hypervolume": {"meta_reward": "exp"}}"#
            )
        },
        InvalidInput("gradient.mu", "zero") { try decodeConfig(gradientJSON(#"{"learning_rate": 1, "mu": 0}"#)) },
        InvalidInput("gradient.schedule.name", "unknown") {
            try decodeConfig(
                gradientJSON(#"{"learning_rate": 1, "mu": 1, "schedule": {"name": "linear", "total_steps": 10}}"#))
        },
        InvalidInput("gradient.schedule.total_steps", "zero") {
            try decodeConfig(
                gradientJSON(#"{"learning_rate": 1, "mu": 1, "schedule": {"name": "polynomial", "total_steps": 0}}"#))
        },
        InvalidInput("gradient.schedule.power", "negative") {
            try decodeConfig(
                gradientJSON(
                    #"{"learning_rate": 1, "mu": 1, "schedule": {"name": "polynomial", "total_steps": 9, "power": -1}}"#
                ))
        },
        InvalidInput("gradient.max_weight", "below 1/K") {
            try decodeConfig(gradientJSON(#"{"learning_rate": 1, "mu": 1, "max_weight": 0.3}"#))
        },
        InvalidInput("objectives[1].direction", "unknown") {
            try decodeConfig(
                #"{"run_id": "r", "objectives": [{"name": "a"}, {"name": "b", "direction": "up"}], "method": "fixed"}"#)
        },
        InvalidInput("objectives[1].name", "duplicate") {
            try decodeConfig(#"{"run_id": "r", "objectives": [{"name": "a"}, {"name": "a"}], "method": "fixed"}"#)
        },
    ]

    static let eventCases: [InvalidInput] = [
        InvalidInput("step", "gradients at step 0") {
            _ = try GradientReport(step: 0, gram: try GramMatrix(rows: [[1]]))
        },
        InvalidInput("learning_rate", "negative") {
            _ = try GradientReport(step: 1, gram: try GramMatrix(rows: [[1]]), learningRate: -1)
        },
        InvalidInput("learning_rate", "∞") {
            _ = try GradientReport(step: 1, gram: try GramMatrix(rows: [[1]]), learningRate: .infinity)
        },
        InvalidInput("gram", "not symmetric (decoded)") {
            _ = try JSONDecoder().decode(
                RunEvent.self,
                from: Data(#"{"kind": "gradients", "payload": {"step": 1, "gram": [[1, 2], [3, 4]]}}"#.utf8))
        },
        InvalidInput("step", "checkpoint below 0") { _ = try CheckpointReport(step: -1, scores: [1]) },
        InvalidInput("scores", "empty") { _ = try CheckpointReport(step: 0, scores: []) },
        InvalidInput("scores", "NaN") { _ = try CheckpointReport(step: 0, scores: [1, .nan]) },
        InvalidInput("step", "summary below 0") {
            _ = try ScalarizeSummary(
                step: -1, count: 1, objectiveMeans: [1], meanScalarized: 1, weights: [1], metaReward: 1)
        },
        InvalidInput("count", "zero") {
            _ = try ScalarizeSummary(
                step: 0, count: 0, objectiveMeans: [1], meanScalarized: 1, weights: [1], metaReward: 1)
        },
        InvalidInput("objective_means", "empty") {
            _ = try ScalarizeSummary(
                step: 0, count: 1, objectiveMeans: [], meanScalarized: 1, weights: [], metaReward: 1)
        },
        InvalidInput("mean_scalarized", "NaN") {
            _ = try ScalarizeSummary(
                step: 0, count: 1, objectiveMeans: [1], meanScalarized: .nan, weights: [1], metaReward: 1)
        },
        InvalidInput("objective_standard_deviations", "wrong K") {
            _ = try ScalarizeSummary(
                step: 0, count: 1, objectiveMeans: [1], objectiveStandardDeviations: [0, 0], meanScalarized: 1,
                weights: [1], metaReward: 1)
        },
        InvalidInput("objective_standard_deviations[1]", "negative") {
            _ = try ScalarizeSummary(
                step: 0, count: 1, objectiveMeans: [1, 1], objectiveStandardDeviations: [0, -1], meanScalarized: 1,
                weights: [0.5, 0.5], metaReward: 1)
        },
        InvalidInput("objective_standard_deviations[0]", "infinite") {
            _ = try ScalarizeSummary(
                step: 0, count: 1, objectiveMeans: [1], objectiveStandardDeviations: [.infinity], meanScalarized: 1,
                weights: [1], metaReward: 1)
        },
        InvalidInput("weights", "wrong K") {
            _ = try ScalarizeSummary(
                step: 0, count: 1, objectiveMeans: [1], meanScalarized: 1, weights: [1, 1], metaReward: 1)
        },
        InvalidInput("meta_reward", "zero") {
            _ = try ScalarizeSummary(
                step: 0, count: 1, objectiveMeans: [1], meanScalarized: 1, weights: [1], metaReward: 0)
        },
    ]

    @Test(
        "every refused config, JSON document and event names its field",
        arguments: configCases + jsonCases + eventCases)
    func namesTheField(input: InvalidInput) {
        do {
            try input.make()
            Issue.record("\(input.testDescription) was accepted")
        } catch let error as ValidationError {
            #expect(error.field == input.field)
            #expect(error.message.hasPrefix("\(input.field):"), "\(error.message)")
        } catch {
            Issue.record("\(input.testDescription) threw \(error), not a ValidationError")
        }
    }

    static let policyCases: [InvalidInput] = {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod(), normalization: .group))
        let state = policy.initialState
        return [
            InvalidInput("scores", "checkpoint of the wrong K") {
                _ = try policy.apply(checkpoint(0, [1, 2]), to: state)
            },
            InvalidInput("gram", "Gram matrix of the wrong K") {
                _ = try policy.apply(gradients(1, diagonal([1, 2])), to: state)
            },
            InvalidInput("objective_means", "summary of the wrong K") {
                _ = try policy.apply(summary(0, dimension: 2), to: state)
            },
            InvalidInput("rewards", "rewards of the wrong K") {
                _ = try policy.scalarize(try ObjectiveMatrix(rows: [[1, 2]]), atStep: 0, in: state)
            },
            InvalidInput("rewards", "no responses") {
                _ = try policy.scalarize(
                    try ObjectiveMatrix(rows: [], dimension: 3), groupIDs: [], atStep: 0, in: state)
            },
            InvalidInput("group_ids", "missing") {
                _ = try policy.scalarize(try ObjectiveMatrix(rows: [[1, 2, 3]]), atStep: 0, in: state)
            },
            InvalidInput("step", "Scalarize below step 0") {
                _ = try policy.scalarize(try ObjectiveMatrix(rows: [[1, 2, 3]]), groupIDs: [0], atStep: -1, in: state)
            },
            InvalidInput("from_step", "negative") { _ = try policy.resume([], fromStep: -1) },
        ]
    }()

    @Test("every report the policy refuses is an invalid argument naming its field", arguments: policyCases)
    func policyNamesTheField(input: InvalidInput) {
        do {
            try input.make()
            Issue.record("\(input.testDescription) was accepted")
        } catch let error as PolicyError {
            #expect(error.code == .invalidArgument)
            #expect(error.field == input.field)
            #expect(error.message.hasPrefix("\(input.field):"), "\(error.message)")
        } catch {
            Issue.record("\(input.testDescription) threw \(error), not a PolicyError")
        }
    }

    @Test("configs compare as given and round-trip through JSON")
    func configIdentity() throws {
        let a = try RunConfig(runID: "r", objectives: mathObjectives, method: .fixed, initialWeights: [2, 1, 1])
        let b = try RunConfig(
            runID: "r", objectives: mathObjectives, method: .fixed, initialWeights: [0.5, 0.25, 0.25])
        #expect(a.initialWeights == b.initialWeights)
        #expect(a != b)
        let uniform = makeConfig(.fixed)
        #expect(uniform.initialWeights == WeightVector.uniform(count: 3))
        let json = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(RunConfig.self, from: json) == a)

        let document = """
            {"run_id": "qwen3-math-01",
             "objectives": [{"name": "accuracy", "direction": "maximize"},
                            {"name": "response_length", "direction": "minimize"},
                            {"name": "clarity", "direction": "maximize"}],
             "method": "gradient",
             "gradient": {"learning_rate": 1e-6, "mu": 1e-5,
                          "schedule": {"name": "polynomial", "total_steps": 360}}}
            """
        let decoded = try JSONDecoder().decode(RunConfig.self, from: Data(document.utf8))
        let settings = try #require(decoded.method.gradientSettings)
        #expect(settings.schedule == (try LearningRateSchedule(kind: .polynomial, totalSteps: 360, power: 1.03)))
        #expect(settings.accumulationSteps == 1)
        #expect(decoded.normalization == .disabled)
        #expect(decoded.space.directions == [.maximize, .minimize, .maximize])
        #expect(try JSONDecoder().decode(RunConfig.self, from: try JSONEncoder().encode(decoded)) == decoded)
    }
}
