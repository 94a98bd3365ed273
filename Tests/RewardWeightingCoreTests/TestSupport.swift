import Foundation
import RewardWeightingCore
import RewardWeightingTestSupport

enum Fixtures {
    /// The test target's `Fixtures` folder.
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    static func json(_ relativePath: String) throws -> Any {
        let data = try Data(contentsOf: directory.appendingPathComponent(relativePath))
        return try JSONSerialization.jsonObject(with: data)
    }
}

/// `|actual − expected| ≤ tolerance·max(|expected|, scale)`.
func isClose(_ actual: Double, _ expected: Double, relative tolerance: Double = 1e-12, scale: Double = 1) -> Bool {
    abs(actual - expected) <= tolerance * max(abs(expected), scale)
}

extension ObjectiveMatrix {
    /// Builds a matrix from test data known to be valid.
    static func rows(_ rows: [[Double]], dimension: Int) -> ObjectiveMatrix {
        try! ObjectiveMatrix(rows: rows, dimension: dimension)
    }
}

/// An exhaustive-grid oracle, independent of the kernels: the coordinates of the points and the reference
/// cut space into cells; a cell is covered by a point when its upper corner lies in the point's box. The
/// hypervolume is the compensated sum of covered cells, and a point's exclusive contribution the sum of the
/// cells that exactly one element of the list covers. Exponential in K; for small n only.
struct GridOracle {
    let hypervolume: Double
    let contributions: [Double]

    init(points: [[Double]], reference: [Double]) {
        let k = reference.count
        let n = points.count
        // Per dimension, the sorted distinct coordinates above the reference.
        var cuts: [[Double]] = []
        for j in 0..<k {
            let values = Set(points.map { $0[j] }.filter { $0 > reference[j] })
            cuts.append([reference[j]] + values.sorted())
        }
        var total = CompensatedSum()
        var exclusive = [CompensatedSum](repeating: CompensatedSum(), count: n)
        if cuts.allSatisfy({ $0.count > 1 }) {
            var index = [Int](repeating: 1, count: k)
            outer: while true {
                var volume = 1.0
                for j in 0..<k { volume *= cuts[j][index[j]] - cuts[j][index[j] - 1] }
                var coveringCount = 0
                var coveringPoint = -1
                for (i, p) in points.enumerated() {
                    var covers = true
                    for j in 0..<k where p[j] < cuts[j][index[j]] {
                        covers = false
                        break
                    }
                    if covers {
                        coveringCount += 1
                        coveringPoint = i
                    }
                }
                if coveringCount > 0 { total.add(volume) }
                if coveringCount == 1 { exclusive[coveringPoint].add(volume) }
                var j = 0
                while true {
                    if j == k { break outer }
                    index[j] += 1
                    if index[j] < cuts[j].count { break }
                    index[j] = 1
                    j += 1
                }
            }
        }
        self.hypervolume = total.value
        self.contributions = exclusive.map(\.value)
    }
}

/// Neumaier's compensated summation.
struct CompensatedSum {
    private var sum = 0.0
    private var compensation = 0.0
    mutating func add(_ value: Double) {
        let t = self.sum + value
        if abs(self.sum) >= abs(value) {
            self.compensation += (self.sum - t) + value
        } else {
            self.compensation += (value - t) + self.sum
        }
        self.sum = t
    }
    var value: Double { self.sum + self.compensation }
}
