import ArgumentParser
import Foundation
import RewardWeightingAPI
import SwiftProtobuf
import Yams

/// `rwctl runs create`: creates a run from flags, or from a JSON or YAML file.
struct RunsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a run from flags or from a JSON/YAML file (idempotent: the same id and config again is OK).",
        discussion: """
            A file holds a CreateRunRequest in proto3 JSON (or the same in YAML), e.g. \
            {"run_id": "r1", "config": {"objectives": [{"name": "accuracy", "direction": \
            "OBJECTIVE_DIRECTION_MAXIMIZE"}], "method": "WEIGHTING_METHOD_FIXED"}}; --id replaces its run_id. \
            The server validates the configuration and names the refused field (exit 1). JSON output: the \
            CreateRunResponse, {\"run\": Run, \"created\": true|false}.
            """)

    enum Method: String, CaseIterable, ExpressibleByArgument { case fixed, hypervolume, gradient }
    enum Schedule: String, CaseIterable, ExpressibleByArgument { case constant, polynomial, cosine, exponential }
    enum MetaReward: String, CaseIterable, ExpressibleByArgument {
        case tanh, tanh3
        case sigmoidPlusOne = "sigmoid-plus-one"
        case twoSigmoid = "two-sigmoid"
    }
    enum Normalization: String, CaseIterable, ExpressibleByArgument { case none, group }
    enum Scalarization: String, CaseIterable, ExpressibleByArgument {
        case linear, tchebycheff
        case smoothTchebycheff = "smooth-tchebycheff"
    }
    enum Update: String, CaseIterable, ExpressibleByArgument {
        case mirrorDescent = "mirror-descent"
        case mgda, upgrad, dualproj
        case imtlG = "imtl-g"
        case alignedMTL = "aligned-mtl"
        case cagrad, pcgrad
    }
    enum AlignedMTLScale: String, CaseIterable, ExpressibleByArgument { case min, median, rmse }
    enum HypervolumeScale: String, CaseIterable, ExpressibleByArgument {
        case raw
        case referenceBox = "reference-box"
        case relative
    }

    @OptionGroup var server: ServerOptions

    @Option(name: .customLong("id"), help: "The run's id (A–Z a–z 0–9 . _ -, at most 128 characters).")
    var runID: String?

    @Option(help: "A JSON or YAML file with the CreateRunRequest (instead of the flags below).")
    var fromFile: String?

    @Option(help: "The objectives, name:max or name:min, comma-separated (e.g. accuracy:max,length:min).")
    var objectives: String?

    @Option(help: "fixed, hypervolume or gradient (default fixed).")
    var method: Method?

    @Option(help: "The initial weights, K comma-separated non-negative numbers (default: uniform).")
    var weights: String?

    @Option(
        help: """
            Gradient method: how the weights follow the Gram matrices: mirror-descent (the paper's, the default),             or a Gramian weighting: mgda, upgrad, dualproj, imtl-g, aligned-mtl, cagrad or pcgrad.
            """)
    var update: Update?

    @Option(help: "Gradient method, --update upgrad or dualproj: the ε added to G/trace(G) (default 1e-4).")
    var regularization: Double?

    @Option(help: "Gradient method, --update aligned-mtl: the eigenvalue that sets the scale: min, median or rmse.")
    var alignedMTLScale: AlignedMTLScale?

    @Option(
        help: "Gradient method, --update cagrad: c, the ball's radius as a fraction of the mean gradient (default 0.5)."
    )
    var cagradC: Double?

    @Option(help: "Gradient method: the weight learning rate η (mirror descent only).")
    var eta: Double?

    @Option(help: "Gradient method: the mirror-descent temperature μ (mirror descent only).")
    var mu: Double?

    @Option(help: "Gradient method: the schedule of η_t: constant, polynomial, cosine or exponential.")
    var schedule: Schedule?

    @Option(help: "Gradient method: the schedule's total steps.")
    var totalSteps: Int64?

    @Option(help: "Gradient method: the schedule's warm-up steps.")
    var warmupSteps: Int64?

    @Option(help: "Gradient method: the polynomial schedule's power.")
    var power: Double?

    @Option(help: "Gradient method: the exponential schedule's γ.")
    var gamma: Double?

    @Option(help: "Gradient method: the cosine schedule's floor, a fraction of η.")
    var minLRRatio: Double?

    @Option(help: "Gradient method: the cosine schedule's number of cycles.")
    var numCycles: Double?

    @Option(help: "Gradient method: update the weights every N gradient reports (default 1).")
    var accumulationSteps: Int32?

    @Option(help: "Gradient method: the smallest weight a weight is clipped to.")
    var minWeight: Double?

    @Option(help: "Gradient method: the largest weight a weight is clipped to.")
    var maxWeight: Double?

    @Option(help: "Hypervolume method: the meta-reward of ΔHV: tanh, tanh3, sigmoid-plus-one or two-sigmoid.")
    var metaReward: MetaReward?

    @Option(
        help:
            "Hypervolume method: the reference point, K numbers in the objectives' units (default: the first checkpoint)."
    )
    var referencePoint: String?

    @Option(
        help: """
            Hypervolume method: how ΔHV is measured before the meta-reward: raw (the paper's, the default),             reference-box (a fraction of the box of --objective-ranges, or of the observed spread) or relative             (the share of the front's hypervolume a checkpoint adds).
            """)
    var hypervolumeScale: HypervolumeScale?

    @Option(help: "Hypervolume method, --hypervolume-scale reference-box: the box's sides, K positive numbers.")
    var objectiveRanges: String?

    @Option(help: "What Scalarize does before weighting: none or group (GRPO-style, per group id).")
    var normalization: Normalization?

    @Option(help: "The ε of group normalisation.")
    var normalizationEpsilon: Double?

    @Option(
        help: """
            How Scalarize combines the K rewards: linear (Σ w·r, the paper's, the default), tchebycheff             (−max_k w_k·(z*_k − r_k)) or smooth-tchebycheff (−μ·log Σ exp(w_k·(z*_k − r_k)/μ)).
            """)
    var scalarization: Scalarization?

    @Option(help: "--scalarization smooth-tchebycheff: μ, in the rewards' units (default 0.1).")
    var smoothing: Double?

    @Option(
        help:
            "Tchebycheff scalarizations: a declared ideal point z*, K numbers in the rewards' units (default: tracked from the batches)."
    )
    var idealPoint: String?

    func run() async throws {
        let request = try self.request()
        let response = try await ServerConnection.with(self.server) { connection in
            try await connection.trainer.createRun(request, metadata: connection.metadata, options: connection.options)
        }
        switch self.server.format {
        case .json:
            // `created` written out also when false (proto3 JSON would omit it).
            print(JSONText.object([("run", try ProtoJSON.text(response.run)), ("created", "\(response.created)")]))
        case .table, .csv:
            var table = TextTable(header: ["run_id", "created", "method", "objectives", "weights"])
            let run = response.run
            table.rows = [
                [
                    run.runID, response.created ? "yes" : "no (it existed with this config)",
                    RunText.method(run.config.method),
                    run.config.objectives.map(RunText.objective).joined(separator: " "),
                    self.server.format == .csv
                        ? RunText.exactNumbers(run.state.weights) : RunText.numbers(run.state.weights),
                ]
            ]
            print(self.server.format == .csv ? table.csv : table.rendered, terminator: "")
        }
    }

    /// The request the flags or the file describe.
    /// - Throws: ``InputError`` naming the flag, or the file and its field.
    func request() throws(InputError) -> Rewardweighting_V1_CreateRunRequest {
        if let file = self.fromFile {
            let flagsGiven =
                self.objectives != nil || self.method != nil || self.weights != nil || self.eta != nil
                || self.mu != nil || self.schedule != nil || self.totalSteps != nil || self.referencePoint != nil
            guard !flagsGiven else {
                throw InputError("--from-file: give the configuration in the file or as flags, not both")
            }
            var request = try Self.read(file)
            if let runID = self.runID { request.runID = runID }
            guard !request.runID.isEmpty else {
                throw InputError("--from-file: \(file) has no run_id; add one or pass --id")
            }
            return request
        }
        guard let runID = self.runID else { throw InputError("--id: missing; every run needs an id") }
        guard let objectives = self.objectives else {
            throw InputError("--objectives: missing; e.g. --objectives accuracy:max,length:min")
        }
        var config = Rewardweighting_V1_RunConfig()
        config.objectives = try Self.objectives(objectives)
        if let weights = self.weights { config.initialWeights = try parseNumberList(weights, option: "--weights") }
        let method = self.method ?? .fixed
        switch method {
        case .fixed: config.method = .fixed
        case .hypervolume: config.method = .hypervolume
        case .gradient: config.method = .gradient
        }
        try self.refuseSettings(
            of: method == .gradient ? nil : "gradient",
            [
                ("--eta", self.eta != nil), ("--mu", self.mu != nil), ("--schedule", self.schedule != nil),
                ("--total-steps", self.totalSteps != nil), ("--warmup-steps", self.warmupSteps != nil),
                ("--power", self.power != nil), ("--gamma", self.gamma != nil),
                ("--min-lr-ratio", self.minLRRatio != nil),
                ("--num-cycles", self.numCycles != nil), ("--accumulation-steps", self.accumulationSteps != nil),
                ("--min-weight", self.minWeight != nil), ("--max-weight", self.maxWeight != nil),
                ("--update", self.update != nil), ("--regularization", self.regularization != nil),
                ("--aligned-mtl-scale", self.alignedMTLScale != nil), ("--cagrad-c", self.cagradC != nil),
            ])
        try self.refuseSettings(
            of: method == .hypervolume ? nil : "hypervolume",
            [
                ("--meta-reward", self.metaReward != nil), ("--reference-point", self.referencePoint != nil),
                ("--hypervolume-scale", self.hypervolumeScale != nil),
                ("--objective-ranges", self.objectiveRanges != nil),
            ])
        if method == .gradient {
            let update = self.update ?? .mirrorDescent
            var gradient = Rewardweighting_V1_GradientSettings()
            if update == .mirrorDescent {
                guard let eta = self.eta else { throw InputError("--eta: missing; mirror descent needs η") }
                guard let mu = self.mu else { throw InputError("--mu: missing; mirror descent needs μ") }
                gradient.learningRate = eta
                gradient.mu = mu
            } else {
                if let eta = self.eta { gradient.learningRate = eta }
                if let mu = self.mu { gradient.mu = mu }
            }
            switch update {
            case .mirrorDescent: gradient.update = .mirrorDescent
            case .mgda: gradient.update = .mgda
            case .upgrad: gradient.update = .upgrad
            case .dualproj: gradient.update = .dualproj
            case .imtlG: gradient.update = .imtlG
            case .alignedMTL: gradient.update = .alignedMtl
            case .cagrad: gradient.update = .cagrad
            case .pcgrad: gradient.update = .pcgrad
            }
            if let c = self.cagradC { gradient.cagradC = c }
            // The server refuses a setting the update does not use, naming it.
            if let epsilon = self.regularization { gradient.regularization = epsilon }
            switch self.alignedMTLScale {
            case .min?: gradient.alignedMtlScale = .min
            case .median?: gradient.alignedMtlScale = .median
            case .rmse?: gradient.alignedMtlScale = .rmse
            case nil: break
            }
            // A Gramian update uses no learning rate, so it needs no schedule unless one is asked for.
            if update == .mirrorDescent || self.schedule != nil || self.totalSteps != nil {
                var schedule = Rewardweighting_V1_LearningRateSchedule()
                switch self.schedule ?? .constant {
                case .constant: schedule.kind = .constant
                case .polynomial: schedule.kind = .polynomial
                case .cosine: schedule.kind = .cosine
                case .exponential: schedule.kind = .exponential
                }
                schedule.totalSteps = self.totalSteps ?? 0
                schedule.warmupSteps = self.warmupSteps ?? 0
                if let power = self.power { schedule.power = power }
                if let gamma = self.gamma { schedule.gamma = gamma }
                if let ratio = self.minLRRatio { schedule.minLrRatio = ratio }
                if let cycles = self.numCycles { schedule.numCycles = cycles }
                gradient.schedule = schedule
            }
            gradient.accumulationSteps = self.accumulationSteps ?? 1
            if let minWeight = self.minWeight { gradient.minWeight = minWeight }
            if let maxWeight = self.maxWeight { gradient.maxWeight = maxWeight }
            config.gradient = gradient
        }
        if method == .hypervolume {
            var hypervolume = Rewardweighting_V1_HypervolumeSettings()
            switch self.metaReward ?? .tanh {
            case .tanh: hypervolume.metaReward = .tanh
            case .tanh3: hypervolume.metaReward = .tanh3
            case .sigmoidPlusOne: hypervolume.metaReward = .sigmoidPlusOne
            case .twoSigmoid: hypervolume.metaReward = .twoSigmoid
            }
            if let reference = self.referencePoint {
                hypervolume.referencePoint = try parseNumberList(reference, option: "--reference-point")
            }
            switch self.hypervolumeScale {
            case .raw?: hypervolume.scale = .raw
            case .referenceBox?: hypervolume.scale = .referenceBox
            case .relative?: hypervolume.scale = .relative
            case nil: break
            }
            // The server refuses ranges with another scale, naming the field.
            if let ranges = self.objectiveRanges {
                hypervolume.objectiveRanges = try parseNumberList(ranges, option: "--objective-ranges")
            }
            config.hypervolume = hypervolume
        }
        switch self.normalization {
        case .none?: config.normalization = .none
        case .group?: config.normalization = .group
        case nil: break
        }
        if let epsilon = self.normalizationEpsilon { config.normalizationEpsilon = epsilon }
        switch self.scalarization {
        case .linear?: config.scalarization = .linear
        case .tchebycheff?: config.scalarization = .tchebycheff
        case .smoothTchebycheff?: config.scalarization = .smoothTchebycheff
        case nil: break
        }
        // The server refuses μ or z* with a function that does not use them, naming the field.
        if let smoothing = self.smoothing { config.smoothing = smoothing }
        if let ideal = self.idealPoint { config.idealPoint = try parseNumberList(ideal, option: "--ideal-point") }
        var request = Rewardweighting_V1_CreateRunRequest()
        request.runID = runID
        request.config = config
        return request
    }

    private func refuseSettings(of method: String?, _ flags: [(String, Bool)]) throws(InputError) {
        guard let method, let flag = flags.first(where: \.1)?.0 else { return }
        throw InputError("\(flag): applies to --method \(method) only")
    }

    /// `accuracy:max,length:min` as objectives.
    static func objectives(_ text: String) throws(InputError) -> [Rewardweighting_V1_Objective] {
        var objectives: [Rewardweighting_V1_Objective] = []
        for (index, item) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2, !parts[0].isEmpty, ["max", "min"].contains(parts[1].lowercased()) else {
                throw InputError(
                    "--objectives: entry \(index) is '\(item)'; expected name:max or name:min (e.g. accuracy:max)")
            }
            var objective = Rewardweighting_V1_Objective()
            objective.name = parts[0]
            objective.direction = parts[1].lowercased() == "max" ? .maximize : .minimize
            objectives.append(objective)
        }
        return objectives
    }

    /// A CreateRunRequest from a `.json`, `.yaml` or `.yml` file (YAML is read as the JSON it stands for).
    static func read(_ path: String) throws(InputError) -> Rewardweighting_V1_CreateRunRequest {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputError("--from-file: cannot read \(path): \(error.localizedDescription)")
        }
        var json = text
        if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
            do {
                guard let object = try Yams.load(yaml: text), JSONSerialization.isValidJSONObject(object) else {
                    throw InputError("--from-file: \(path) is not a YAML mapping")
                }
                json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            } catch let error as InputError {
                throw error
            } catch {
                throw InputError("--from-file: \(path) is not valid YAML: \(error)")
            }
        }
        do {
            return try Rewardweighting_V1_CreateRunRequest(jsonString: json)
        } catch {
            throw InputError("--from-file: \(path) is not a CreateRunRequest in proto3 JSON: \(error)")
        }
    }
}
