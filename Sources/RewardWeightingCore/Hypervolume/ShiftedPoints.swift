/// Points translated so that the reference point is the origin, keeping only those strictly better than the
/// reference in every coordinate (the others span boxes of measure zero).
///
/// Every hypervolume kernel works on this form: coordinates are positive, a box's volume is the product of
/// its coordinates.
struct ShiftedPoints {
    /// Row-major positive coordinates.
    var storage: [Double]
    /// K.
    let dimension: Int
    /// For each kept row, its index in the original input.
    var originalIndex: [Int]

    init(_ points: ObjectiveMatrix, reference: ObjectiveVector) {
        let k = reference.dimension
        self.dimension = k
        self.storage = []
        self.originalIndex = []
        self.storage.reserveCapacity(points.storage.count)
        let reference = reference.values
        points.storage.withUnsafeBufferPointer { values in
            var row = [Double](repeating: 0, count: k)
            for i in 0..<points.count {
                var strictlyBetter = true
                for j in 0..<k {
                    let d = values[i * k + j] - reference[j]
                    if !(d > 0) {
                        strictlyBetter = false
                        break
                    }
                    row[j] = d
                }
                if strictlyBetter {
                    self.storage.append(contentsOf: row)
                    self.originalIndex.append(i)
                }
            }
        }
    }

    init(storage: [Double], dimension: Int) {
        self.storage = storage
        self.dimension = dimension
        self.originalIndex = Array(0..<(storage.count / dimension))
    }

    var count: Int { self.storage.count / self.dimension }

    /// The hypervolume of these points against the origin.
    func volume(stop: KernelStop? = nil) -> Double {
        guard self.count > 0 else { return 0 }
        return HypervolumeKernels.volume(self.storage, dimension: self.dimension, stop: stop)
    }
}
