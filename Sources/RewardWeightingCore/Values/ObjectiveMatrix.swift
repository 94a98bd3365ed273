/// n points of K finite objectives each, stored row-major in one contiguous buffer.
///
/// The kernels read points through this type, so none of them can meet a NaN or an infinity; the
/// initialisers report the first offending row and column.
public struct ObjectiveMatrix: Hashable, Sendable {
    /// Row-major values: point `i`, objective `k` is `storage[i * dimension + k]`.
    public let storage: [Double]
    /// K, the number of objectives.
    public let dimension: Int

    /// Validates a row-major buffer of `storage.count / dimension` points.
    /// - Parameter field: the input's name in error messages (e.g. `points`, `rewards`).
    public init(rowMajor storage: [Double], dimension: Int, field: String = "points") throws(ValidationError) {
        guard dimension >= 1 else {
            throw ValidationError(
                code: .dimensionMismatch, field: field, reason: "K must be at least 1, got \(dimension)")
        }
        guard storage.count % dimension == 0 else {
            throw ValidationError(
                code: .dimensionMismatch, field: field,
                reason: "\(storage.count) values is not a multiple of K = \(dimension)")
        }
        for (index, value) in storage.enumerated() where !value.isFinite {
            let row = index / dimension
            let column = index % dimension
            throw ValidationError(
                code: .nonFinite, field: field, row: row, column: column,
                reason: "row \(row), column \(column) is \(value); every value must be finite")
        }
        self.storage = storage
        self.dimension = dimension
    }

    /// Validates rows of equal length. An empty list needs `dimension` to know K.
    public init(rows: [[Double]], dimension: Int? = nil, field: String = "points") throws(ValidationError) {
        guard let k = dimension ?? rows.first?.count else {
            throw ValidationError(
                code: .empty, field: field, reason: "no rows and no K given, cannot tell the dimension")
        }
        var storage: [Double] = []
        storage.reserveCapacity(rows.count * k)
        for (i, row) in rows.enumerated() {
            guard row.count == k else {
                throw ValidationError(
                    code: .dimensionMismatch, field: field, row: i,
                    reason: "row \(i) has \(row.count) values, expected K = \(k)")
            }
            storage.append(contentsOf: row)
        }
        try self.init(rowMajor: storage, dimension: k, field: field)
    }

    /// Wraps values already known to be finite.
    init(uncheckedFinite storage: [Double], dimension: Int) {
        self.storage = storage
        self.dimension = dimension
    }

    /// n, the number of points.
    @inlinable public var count: Int { self.storage.count / self.dimension }

    /// Whether there are no points.
    @inlinable public var isEmpty: Bool { self.storage.isEmpty }

    /// Objective `column` of point `row`.
    @inlinable public subscript(row: Int, column: Int) -> Double { self.storage[row * self.dimension + column] }

    /// Point `row` as an array.
    public func row(_ row: Int) -> [Double] {
        Array(self.storage[(row * self.dimension)..<((row + 1) * self.dimension)])
    }

    /// The points as an array of rows (for output; kernels use ``storage``).
    public var rows: [[Double]] { (0..<self.count).map { self.row($0) } }

    /// The sub-matrix of the given rows, in the given order.
    public func selecting(rows indices: some Sequence<Int>) -> ObjectiveMatrix {
        var storage: [Double] = []
        for i in indices { storage.append(contentsOf: self.storage[(i * self.dimension)..<((i + 1) * self.dimension)]) }
        return ObjectiveMatrix(uncheckedFinite: storage, dimension: self.dimension)
    }
}
