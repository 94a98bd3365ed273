import Foundation
import GRPCCore
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingPolicy

/// A run's configuration on the wire (`rewardweighting.v1.RunConfig`) ⇄ ``RunConfig``.
///
/// Proto3 gives every field a default, so "not set" is read as the contract says: an unset direction,
/// meta-reward or normalization takes its documented default; an unset (`*_UNSPECIFIED`) method or schedule
/// kind, and any value this server does not know (`UNRECOGNIZED`), is `INVALID_ARGUMENT` naming the field.
/// Every other check is ``RunConfig``'s own, with its field reported under `config.` (`run_id` stays at the top
/// level, where the request has it).
enum ConfigMapping {
    /// The policy configuration of `CreateRun(run_id, config)`.
    /// - Throws: `RPCError` `INVALID_ARGUMENT` naming the field (`config.method`,
    ///   `config.gradient.schedule.kind`, `config.initial_weights`, …).
    static func runConfig(runID: String, _ proto: Rewardweighting_V1_RunConfig) throws(RPCError) -> RunConfig {
        let objectives = try proto.objectives.enumerated().map { (i, objective) throws(RPCError) in
            Objective(
                name: objective.name,
                direction: try Self.direction(objective.direction, field: "config.objectives[\(i)].direction"))
        }
        let method = try Self.method(proto)
        let normalization: RewardNormalization
        switch proto.normalization {
        case .unspecified, .none: normalization = .disabled
        case .group: normalization = .group
        case .UNRECOGNIZED(let value):
            throw Self.unknownEnumValue(value, field: "config.normalization")
        }
        let kind: ScalarizationSettings.Kind
        switch proto.scalarization {
        case .unspecified, .linear: kind = .linear
        case .tchebycheff: kind = .tchebycheff
        case .smoothTchebycheff: kind = .smoothTchebycheff
        case .UNRECOGNIZED(let value):
            throw Self.unknownEnumValue(value, field: "config.scalarization")
        }
        do throws(ValidationError) {
            let scalarization = try ScalarizationSettings(
                kind: kind, smoothing: proto.hasSmoothing ? proto.smoothing : nil,
                idealPoint: proto.idealPoint.isEmpty ? nil : proto.idealPoint)
            return try RunConfig(
                runID: runID,
                objectives: objectives,
                method: method,
                initialWeights: proto.initialWeights.isEmpty ? nil : proto.initialWeights,
                normalization: normalization,
                normalizationEpsilon: proto.hasNormalizationEpsilon
                    ? proto.normalizationEpsilon : RunConfig.defaultNormalizationEpsilon,
                scalarization: scalarization)
        } catch {
            throw ErrorMapping.rpcError(error, under: error.field == "run_id" ? "" : "config")
        }
    }

    /// The wire form of a configuration, as `CreateRun` received it: `initial_weights` as given (empty for the
    /// uniform default), schedule parameters and weight bounds as stored.
    static func proto(_ config: RunConfig) -> Rewardweighting_V1_RunConfig {
        var proto = Rewardweighting_V1_RunConfig()
        proto.objectives = config.objectives.map { objective in
            var wire = Rewardweighting_V1_Objective()
            wire.name = objective.name
            wire.direction = objective.direction == .minimize ? .minimize : .maximize
            return wire
        }
        switch config.method {
        case .fixed:
            proto.method = .fixed
        case .hypervolume(let settings):
            proto.method = .hypervolume
            proto.hypervolume = Self.proto(settings)
        case .gradient(let settings):
            proto.method = .gradient
            proto.gradient = Self.proto(settings)
        }
        proto.initialWeights = Self.givenInitialWeights(of: config) ?? []
        proto.normalization = config.normalization == .group ? .group : .none
        proto.normalizationEpsilon = config.normalizationEpsilon
        switch config.scalarization.kind {
        case .linear: break  // unset, as configs from before Tchebycheff read back
        case .tchebycheff: proto.scalarization = .tchebycheff
        case .smoothTchebycheff: proto.scalarization = .smoothTchebycheff
        }
        if let smoothing = config.scalarization.smoothing { proto.smoothing = smoothing }
        proto.idealPoint = config.scalarization.idealPoint ?? []
        return proto
    }

    // MARK: - Wire → policy

    private static func method(_ proto: Rewardweighting_V1_RunConfig) throws(RPCError) -> WeightingMethod {
        let name: WeightingMethod.Name
        switch proto.method {
        case .fixed: name = .fixed
        case .hypervolume: name = .hypervolume
        case .gradient: name = .gradient
        case .unspecified:
            throw ErrorMapping.invalidArgument(
                field: "config.method",
                reason: "is not set; expected WEIGHTING_METHOD_FIXED, WEIGHTING_METHOD_HYPERVOLUME or "
                    + "WEIGHTING_METHOD_GRADIENT")
        case .UNRECOGNIZED(let value):
            throw Self.unknownEnumValue(value, field: "config.method")
        }
        if proto.hasHypervolume && name != .hypervolume {
            throw ErrorMapping.invalidArgument(
                field: "config.hypervolume",
                reason: "settings of the hypervolume method are not allowed with method '\(name.rawValue)'")
        }
        if proto.hasGradient && name != .gradient {
            throw ErrorMapping.invalidArgument(
                field: "config.gradient",
                reason: "settings of the gradient method are not allowed with method '\(name.rawValue)'")
        }
        switch name {
        case .fixed:
            return .fixed
        case .hypervolume:
            return .hypervolume(try Self.hypervolumeSettings(proto.hypervolume))
        case .gradient:
            guard proto.hasGradient else {
                throw ErrorMapping.invalidArgument(
                    field: "config.gradient",
                    reason: "is required with method 'gradient' (at least learning_rate and mu)")
            }
            return .gradient(try Self.gradientSettings(proto.gradient))
        }
    }

    private static func hypervolumeSettings(
        _ proto: Rewardweighting_V1_HypervolumeSettings
    ) throws(RPCError) -> HypervolumeSettings {
        let metaReward: MetaReward
        switch proto.metaReward {
        case .unspecified, .tanh: metaReward = .tanh
        case .tanh3: metaReward = .tanh3
        case .sigmoidPlusOne: metaReward = .sigmoidPlusOne
        case .twoSigmoid: metaReward = .twoSigmoid
        case .UNRECOGNIZED(let value):
            throw Self.unknownEnumValue(value, field: "config.hypervolume.meta_reward")
        }
        let scaleName: HypervolumeScale.Name
        switch proto.scale {
        case .unspecified, .raw: scaleName = .raw
        case .referenceBox: scaleName = .referenceBox
        case .relative: scaleName = .relative
        case .UNRECOGNIZED(let value): throw Self.unknownEnumValue(value, field: "config.hypervolume.scale")
        }
        do throws(ValidationError) {
            return try HypervolumeSettings(
                metaReward: metaReward, referencePoint: proto.referencePoint.isEmpty ? nil : proto.referencePoint,
                scale: try HypervolumeScale(
                    name: scaleName.rawValue, ranges: proto.objectiveRanges.isEmpty ? nil : proto.objectiveRanges))
        } catch {
            throw ErrorMapping.rpcError(error, under: "config")
        }
    }

    private static func gradientSettings(
        _ proto: Rewardweighting_V1_GradientSettings
    ) throws(RPCError) -> GradientSettings {
        let schedule = proto.hasSchedule ? try Self.schedule(proto.schedule) : nil
        let updateName: String
        switch proto.update {
        case .unspecified, .mirrorDescent: updateName = GradientUpdate.mirrorDescentName
        case .mgda: updateName = GramianWeighting.Name.mgda.rawValue
        case .upgrad: updateName = GramianWeighting.Name.upgrad.rawValue
        case .dualproj: updateName = GramianWeighting.Name.dualproj.rawValue
        case .imtlG: updateName = GramianWeighting.Name.imtlG.rawValue
        case .alignedMtl: updateName = GramianWeighting.Name.alignedMTL.rawValue
        case .cagrad: updateName = GramianWeighting.Name.cagrad.rawValue
        case .pcgrad: updateName = GramianWeighting.Name.pcgrad.rawValue
        case .UNRECOGNIZED(let value): throw Self.unknownEnumValue(value, field: "config.gradient.update")
        }
        let scale: GramianWeighting.AlignedMTLScale?
        switch proto.alignedMtlScale {
        case .unspecified: scale = nil
        case .min: scale = .min
        case .median: scale = .median
        case .rmse: scale = .rmse
        case .UNRECOGNIZED(let value):
            throw Self.unknownEnumValue(value, field: "config.gradient.aligned_mtl_scale")
        }
        do throws(ValidationError) {
            return try GradientSettings(
                learningRate: proto.learningRate,
                mu: proto.mu,
                schedule: schedule,
                accumulationSteps: proto.accumulationSteps == 0 ? 1 : Int(proto.accumulationSteps),
                minWeight: proto.hasMinWeight ? proto.minWeight : nil,
                maxWeight: proto.hasMaxWeight ? proto.maxWeight : nil,
                update: try GradientUpdate(
                    name: updateName, regularization: proto.hasRegularization ? proto.regularization : nil,
                    alignedMTLScale: scale, conflictAversion: proto.hasCagradC ? proto.cagradC : nil))
        } catch {
            throw ErrorMapping.rpcError(error, under: "config")
        }
    }

    private static func schedule(
        _ proto: Rewardweighting_V1_LearningRateSchedule
    ) throws(RPCError) -> LearningRateSchedule {
        let kind: LearningRateSchedule.Kind
        switch proto.kind {
        case .constant: kind = .constant
        case .polynomial: kind = .polynomial
        case .cosine: kind = .cosine
        case .exponential: kind = .exponential
        case .unspecified:
            throw ErrorMapping.invalidArgument(
                field: "config.gradient.schedule.kind",
                reason: "is not set; expected SCHEDULE_KIND_CONSTANT, "
                    + "SCHEDULE_KIND_POLYNOMIAL, SCHEDULE_KIND_COSINE or SCHEDULE_KIND_EXPONENTIAL")
        case .UNRECOGNIZED(let value):
            throw Self.unknownEnumValue(value, field: "config.gradient.schedule.kind")
        }
        do throws(ValidationError) {
            return try LearningRateSchedule(
                kind: kind,
                totalSteps: Int(clamping: proto.totalSteps),
                warmupSteps: Int(clamping: proto.warmupSteps),
                power: proto.hasPower ? proto.power : LearningRateSchedule.defaultPower,
                gamma: proto.hasGamma ? proto.gamma : LearningRateSchedule.defaultGamma,
                minRatio: proto.hasMinLrRatio ? proto.minLrRatio : LearningRateSchedule.defaultMinRatio,
                cycles: proto.hasNumCycles ? proto.numCycles : LearningRateSchedule.defaultCycles)
        } catch {
            throw ErrorMapping.rpcError(error, under: "config.gradient.schedule")
        }
    }

    private static func direction(
        _ proto: Rewardweighting_V1_ObjectiveDirection, field: String
    ) throws(RPCError) -> ObjectiveDirection {
        switch proto {
        case .unspecified, .maximize: return .maximize
        case .minimize: return .minimize
        case .UNRECOGNIZED(let value): throw Self.unknownEnumValue(value, field: field)
        }
    }

    /// `INVALID_ARGUMENT` for an enum number this server's contract does not define.
    static func unknownEnumValue(_ value: Int, field: String) -> RPCError {
        ErrorMapping.invalidArgument(
            field: "\(field)", reason: "unknown enum value \(value)")
    }

    // MARK: - Policy → wire

    private static func proto(_ settings: HypervolumeSettings) -> Rewardweighting_V1_HypervolumeSettings {
        var proto = Rewardweighting_V1_HypervolumeSettings()
        switch settings.metaReward {
        case .tanh: proto.metaReward = .tanh
        case .tanh3: proto.metaReward = .tanh3
        case .sigmoidPlusOne: proto.metaReward = .sigmoidPlusOne
        case .twoSigmoid: proto.metaReward = .twoSigmoid
        }
        proto.referencePoint = settings.referencePoint ?? []
        switch settings.scale {
        case .raw: proto.scale = .raw
        case .referenceBox(let ranges):
            proto.scale = .referenceBox
            proto.objectiveRanges = ranges ?? []
        case .relative: proto.scale = .relative
        }
        return proto
    }

    private static func proto(_ settings: GradientSettings) -> Rewardweighting_V1_GradientSettings {
        var proto = Rewardweighting_V1_GradientSettings()
        proto.learningRate = settings.learningRate
        proto.mu = settings.mu
        proto.accumulationSteps = Int32(clamping: settings.accumulationSteps)
        if let minWeight = settings.mirrorDescent.minWeight { proto.minWeight = minWeight }
        if let maxWeight = settings.mirrorDescent.maxWeight { proto.maxWeight = maxWeight }
        switch settings.update {
        case .mirrorDescent: proto.update = .mirrorDescent
        case .gramian(.mgda): proto.update = .mgda
        case .gramian(.upgrad): proto.update = .upgrad
        case .gramian(.dualProj): proto.update = .dualproj
        case .gramian(.imtlG): proto.update = .imtlG
        case .gramian(.alignedMTL(let scale)):
            proto.update = .alignedMtl
            switch scale {
            case .min: proto.alignedMtlScale = .min
            case .median: proto.alignedMtlScale = .median
            case .rmse: proto.alignedMtlScale = .rmse
            }
        case .gramian(.cagrad(let c)):
            proto.update = .cagrad
            proto.cagradC = c
        case .gramian(.pcgrad):
            proto.update = .pcgrad
        }
        if let epsilon = settings.update.regularization { proto.regularization = epsilon }
        if let schedule = settings.schedule {
            var wire = Rewardweighting_V1_LearningRateSchedule()
            switch schedule.kind {
            case .constant: wire.kind = .constant
            case .polynomial: wire.kind = .polynomial
            case .cosine: wire.kind = .cosine
            case .exponential: wire.kind = .exponential
            }
            wire.totalSteps = Int64(schedule.totalSteps)
            wire.warmupSteps = Int64(schedule.warmupSteps)
            wire.power = schedule.power
            wire.gamma = schedule.gamma
            wire.minLrRatio = schedule.minRatio
            wire.numCycles = schedule.cycles
            proto.schedule = wire
        }
        return proto
    }

    /// The initial weights as `CreateRun` gave them (``RunConfig`` keeps them only in its encoded form, which
    /// is what its equality, and so `CreateRun`'s idempotency, compares).
    private static func givenInitialWeights(of config: RunConfig) -> [Double]? {
        struct GivenWeights: Decodable {
            let initialWeights: [Double]?
            enum CodingKeys: String, CodingKey { case initialWeights = "initial_weights" }
        }
        guard let json = try? JSONEncoder().encode(config) else { return config.initialWeights.values }
        return (try? JSONDecoder().decode(GivenWeights.self, from: json))?.initialWeights
    }
}
