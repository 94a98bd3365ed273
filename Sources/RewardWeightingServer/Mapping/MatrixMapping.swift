import GRPCCore
import RewardWeightingAPI
import RewardWeightingCore

/// The matrices trainers send (`RewardMatrix`, `GramMatrix`, `ProjectedGradients`, row-major with their K) ⇄
/// the core's validated types, which cannot hold a NaN, an infinity or a ragged row.
///
/// The checks that need only the message happen here, each naming its field: K at least 1, a value count that
/// fits K (`N·K`, `K·K`, `K·D`), at least one row, every value finite (the first offending index is named,
/// `rewards.values[17]`), a symmetric Gram matrix. Whether K is the run's K is the policy's check.
enum MatrixMapping {
    /// The N×K rewards of a `Scalarize` call (`field` is `rewards`).
    /// - Throws: `RPCError` `INVALID_ARGUMENT`: `rewards` (missing), `rewards.num_objectives` (below 1),
    ///   `rewards.values` (empty batch, a count that is not a multiple of K), `rewards.values[i]` (NaN/∞).
    static func rewards(
        _ proto: Rewardweighting_V1_RewardMatrix, isSet: Bool, field: String = "rewards"
    ) throws(RPCError) -> ObjectiveMatrix {
        guard isSet else {
            throw ErrorMapping.invalidArgument(
                field: "\(field)", reason: "is required (an N×K matrix, N ≥ 1)")
        }
        let k = try Self.dimension(proto.numObjectives, field: "\(field).num_objectives")
        let values = proto.values
        guard !values.isEmpty else {
            throw ErrorMapping.invalidArgument(
                field: "\(field).values", reason: "the batch is empty (N = 0); send at least one row")
        }
        guard values.count % k == 0 else {
            throw ErrorMapping.invalidArgument(
                field: "\(field).values",
                reason: "has \(values.count) values, not a multiple of \(field).num_objectives = \(k)")
        }
        try Self.checkFinite(values, columns: k, field: "\(field).values", rowName: "response", columnName: "objective")
        do throws(ValidationError) {
            return try ObjectiveMatrix(rowMajor: values, dimension: k, field: "\(field).values")
        } catch {
            throw ErrorMapping.rpcError(error)
        }
    }

    /// The K×K Gram matrix of a `ReportGradients` call.
    /// - Throws: `RPCError` `INVALID_ARGUMENT`: `gram.num_objectives` (below 1), `gram.values` (not K·K values,
    ///   not symmetric), `gram.values[i]` (NaN/∞).
    static func gram(_ proto: Rewardweighting_V1_GramMatrix) throws(RPCError) -> GramMatrix {
        let k = try Self.dimension(proto.numObjectives, field: "gram.num_objectives")
        guard proto.values.count == k * k else {
            throw ErrorMapping.invalidArgument(
                field: "gram.values",
                reason: "has \(proto.values.count) values; a K×K matrix with gram.num_objectives = \(k) needs "
                    + "\(k * k)")
        }
        try Self.checkFinite(proto.values, columns: k, field: "gram.values", rowName: "row", columnName: "column")
        do throws(ValidationError) {
            return try GramMatrix(rowMajor: proto.values, dimension: k, field: "gram.values")
        } catch {
            throw ErrorMapping.rpcError(error)
        }
    }

    /// A Gram matrix on the wire (row-major values).
    static func proto(_ gram: GramMatrix) -> Rewardweighting_V1_GramMatrix {
        var proto = Rewardweighting_V1_GramMatrix()
        proto.numObjectives = Int32(gram.dimension)
        proto.values = gram.entries
        return proto
    }

    /// The K projected gradient vectors of a `ReportGradients` call, as the rows of a K×D matrix (the service
    /// computes their Gram matrix on its kernel backend).
    /// - Throws: `RPCError` `INVALID_ARGUMENT`: `projected.num_objectives`, `projected.dimension` (below 1),
    ///   `projected.values` (not K·D values), `projected.values[i]` (NaN/∞).
    static func projectedGradients(_ proto: Rewardweighting_V1_ProjectedGradients) throws(RPCError) -> ObjectiveMatrix {
        let k = try Self.dimension(proto.numObjectives, field: "projected.num_objectives")
        let d = try Self.dimension(proto.dimension, field: "projected.dimension")
        guard proto.values.count == k * d else {
            throw ErrorMapping.invalidArgument(
                field: "projected.values",
                reason: "has \(proto.values.count) values; K = \(k) vectors of dimension D = \(d) need "
                    + "\(k * d)")
        }
        try Self.checkFinite(
            proto.values, columns: d, field: "projected.values", rowName: "objective", columnName: "component")
        do throws(ValidationError) {
            return try ObjectiveMatrix(rowMajor: proto.values, dimension: d, field: "projected.values")
        } catch {
            throw ErrorMapping.rpcError(error)
        }
    }

    private static func dimension(_ value: Int32, field: String) throws(RPCError) -> Int {
        guard value >= 1 else {
            throw ErrorMapping.invalidArgument(
                field: "\(field)", reason: "is \(value); it must be at least 1")
        }
        return Int(value)
    }

    /// Refuses the first NaN/∞, naming its index and its (row, column).
    private static func checkFinite(
        _ values: [Double], columns: Int, field: String, rowName: String, columnName: String
    ) throws(RPCError) {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw ErrorMapping.invalidArgument(
            field: "\(field)[\(index)]",
            reason: "is \(values[index]) (\(rowName) \(index / columns), \(columnName) "
                + "\(index % columns)); every value must be finite")
    }
}
