/// K objective weights: finite, non-negative, summing to 1.
///
/// The initialiser accepts any finite, non-negative vector with a positive sum and stores it normalised,
///
///     w_k = v_k / Σ_j v_j,
///
/// so `[2, 1, 1]` and `[0.5, 0.25, 0.25]` are the same weights. The paper's baseline configurations are
/// accuracy-focused `[0.5, 0.25, 0.25]`, balanced `[0.334, 0.333, 0.333]` and efficiency-focused
/// `[0.25, 0.375, 0.375]`; the default for a run is ``uniform(count:)`` (§5.2 of the paper).
///
/// Individual weights may be 0 (an objective switched off). The sum of the stored values is 1 up to rounding
/// (within a few ulps), not necessarily bit-exactly.
public struct WeightVector: Hashable, Sendable {
    /// The normalised weights, `values[k]` for objective `k`.
    public let values: [Double]

    /// Validates and normalises `values`: `w_k = v_k / Σ_j v_j`. O(K).
    ///
    /// - Parameter field: the input's name in error messages (`weights`, `initial_weights`, …).
    /// - Throws: ``ValidationError`` with code `empty` (no entries), `nonFinite` (NaN or ±∞, naming the entry),
    ///   or `outOfRange` (a negative entry, or all entries 0).
    public init(_ values: [Double], field: String = "weights") throws(ValidationError) {
        guard !values.isEmpty else {
            throw ValidationError(code: .empty, field: field, reason: "must have at least one weight")
        }
        for (k, value) in values.enumerated() {
            guard value.isFinite else {
                throw ValidationError(
                    code: .nonFinite, field: field, column: k,
                    reason: "entry \(k) is \(value); weights must be finite")
            }
            guard value >= 0 else {
                throw ValidationError(
                    code: .outOfRange, field: field, column: k,
                    reason: "entry \(k) is \(value); weights must be non-negative")
            }
        }
        var sum = values.reduce(0, +)
        var scaled = values
        if !sum.isFinite {
            // Every entry is finite but the sum overflowed: divide by the largest entry first (exact scale
            // invariance of the normalisation makes this the same weights).
            let largest = values.max()!
            scaled = values.map { $0 / largest }
            sum = scaled.reduce(0, +)
        }
        guard sum > 0 else {
            throw ValidationError(
                code: .outOfRange, field: field,
                reason: "entries sum to \(sum); weights must have a positive sum")
        }
        self.values = scaled.map { $0 / sum }
    }

    /// Validates weights that are already normalised and keeps them **exactly** as given (no division), so a
    /// weight vector sent to another process and back is the same bit for bit. O(K).
    ///
    /// - Throws: ``ValidationError``: as ``init(_:field:)`` for empty, non-finite or negative entries;
    ///   `outOfRange` when the entries do not sum to 1 within `1e-12·K`.
    public init(normalized values: [Double], field: String = "weights") throws(ValidationError) {
        _ = try WeightVector(values, field: field)
        let sum = values.reduce(0, +)
        guard abs(sum - 1) <= 1e-12 * Double(values.count) else {
            throw ValidationError(
                code: .outOfRange, field: field, reason: "entries sum to \(sum); normalised weights sum to 1")
        }
        self.values = values
    }

    /// Wraps values already known to be finite, non-negative and summing to 1.
    init(uncheckedNormalized values: [Double]) {
        self.values = values
    }

    /// The uniform weights `w_k = 1/K` (the paper's default initialisation). O(K).
    /// - Precondition: `count ≥ 1`.
    public static func uniform(count: Int) -> WeightVector {
        precondition(count >= 1, "WeightVector.uniform(count:) needs count >= 1, got \(count)")
        return WeightVector(uncheckedNormalized: Array(repeating: 1 / Double(count), count: count))
    }

    /// K, the number of objectives.
    public var dimension: Int { self.values.count }

    /// Weight `k`.
    public subscript(k: Int) -> Double { self.values[k] }
}
