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
        let n = points.count
        self.dimension = k
        let reference = reference.values
        var storage: [Double] = []
        // Written in place: a row is copied shifted, and kept by moving the write positions past it.
        self.originalIndex = [Int](unsafeUninitializedCapacity: n) { indices, keptRows in
            storage = [Double](unsafeUninitializedCapacity: n * k) { rows, keptValues in
                points.storage.withUnsafeBufferPointer { values in
                    reference.withUnsafeBufferPointer { reference in
                        var write = 0
                        var kept = 0
                        for i in 0..<n {
                            var strictlyBetter = true
                            for j in 0..<k {
                                let d = values[i &* k &+ j] - reference[j]
                                strictlyBetter = strictlyBetter && d > 0
                                rows[write &+ j] = d
                            }
                            indices[kept] = i
                            if strictlyBetter {
                                write &+= k
                                kept &+= 1
                            }
                        }
                        keptValues = write
                        keptRows = kept
                    }
                }
            }
        }
        self.storage = storage
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
