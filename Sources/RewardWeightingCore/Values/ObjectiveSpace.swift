/// The K objectives of a problem, each with its direction, and the map into the maximisation convention
/// that every kernel uses: a minimised objective's coordinate `x` becomes `−x` (as the paper's reference
/// code does; no normalisation).
public struct ObjectiveSpace: Hashable, Sendable {
    /// One direction per objective.
    public let directions: [ObjectiveDirection]

    /// Creates a space. `directions` must not be empty.
    public init(directions: [ObjectiveDirection]) throws(ValidationError) {
        guard !directions.isEmpty else {
            throw ValidationError(
                code: .empty, field: "maximize", reason: "at least one objective is needed")
        }
        self.directions = directions
    }

    /// A space of `dimension` maximised objectives.
    public static func maximizing(dimension: Int) -> ObjectiveSpace {
        try! ObjectiveSpace(directions: Array(repeating: .maximize, count: max(dimension, 1)))
    }

    /// K, the number of objectives.
    public var dimension: Int { self.directions.count }

    /// Maps a vector into the maximisation convention.
    public func toMaximization(_ vector: ObjectiveVector) throws(ValidationError) -> ObjectiveVector {
        guard vector.dimension == self.dimension else {
            throw ValidationError(
                code: .dimensionMismatch, field: "reference",
                reason: "has \(vector.dimension) objectives, expected K = \(self.dimension)")
        }
        var values = vector.values
        for k in 0..<self.dimension where self.directions[k] == .minimize { values[k] = -values[k] }
        return ObjectiveVector(uncheckedFinite: values)
    }

    /// Maps every row of a matrix into the maximisation convention.
    public func toMaximization(_ matrix: ObjectiveMatrix) throws(ValidationError) -> ObjectiveMatrix {
        guard matrix.dimension == self.dimension else {
            throw ValidationError(
                code: .dimensionMismatch, field: "points",
                reason: "have \(matrix.dimension) objectives, expected K = \(self.dimension)")
        }
        var storage = matrix.storage
        let k = self.dimension
        for i in 0..<matrix.count {
            for j in 0..<k where self.directions[j] == .minimize { storage[i * k + j] = -storage[i * k + j] }
        }
        return ObjectiveMatrix(uncheckedFinite: storage, dimension: k)
    }
}
