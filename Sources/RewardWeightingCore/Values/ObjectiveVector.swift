/// A point in objective space: K finite coordinates. It cannot hold NaN or ±∞.
public struct ObjectiveVector: Hashable, Sendable, RandomAccessCollection {
    /// The coordinates.
    public let values: [Double]

    /// Validates `values`: non-empty and finite. `field` names the input in error messages.
    public init(_ values: [Double], field: String = "vector") throws(ValidationError) {
        guard !values.isEmpty else {
            throw ValidationError(code: .empty, field: field, reason: "must have at least one objective")
        }
        for (k, value) in values.enumerated() where !value.isFinite {
            throw ValidationError(
                code: .nonFinite, field: field, column: k,
                reason: "objective \(k) is \(value); every value must be finite")
        }
        self.values = values
    }

    /// Wraps values already known to be finite.
    init(uncheckedFinite values: [Double]) { self.values = values }

    /// K, the number of objectives.
    public var dimension: Int { self.values.count }

    public var startIndex: Int { 0 }
    public var endIndex: Int { self.values.count }
    public subscript(position: Int) -> Double { self.values[position] }
}
