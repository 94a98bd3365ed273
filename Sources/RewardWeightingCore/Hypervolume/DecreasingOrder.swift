/// The order in which a sweep visits points: indices by decreasing value of one column, ties in increasing
/// index — exactly the order of a stable sort with `>`, so a sweep's result does not depend on which of the
/// two produced it.
///
/// An LSD radix sort on the values' bit patterns (8-bit digits; a digit every key shares is skipped), O(n)
/// and far cheaper than a comparison sort on the large sets the kernels sweep; a comparison sort below
/// ``radixThreshold`` points.
enum DecreasingOrder {
    /// The set size from which the radix sort is used.
    static let radixThreshold = 64

    /// The indices `0..<n` of the rows of `s` (row-major, `dimension` columns; finite values) by decreasing
    /// `s[dimension·i + column]`, ties in increasing `i`.
    static func of(_ s: [Double], column: Int, dimension: Int) -> [Int] {
        s.withUnsafeBufferPointer { s in
            Self.of(count: s.count / dimension) { s[dimension &* $0 &+ column] }
        }
    }

    /// ``of(count:key:)`` into `order`, whose storage is reused: below ``radixThreshold`` points an insertion
    /// sort in place (the same order: it moves a point only past larger-indexed points with smaller keys).
    @inline(__always)
    static func of(count n: Int, key value: (Int) -> Double, into order: inout [Int]) {
        guard n < Self.radixThreshold else {
            order = Self.of(count: n, key: value)
            return
        }
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: 0..<n)
        order.withUnsafeMutableBufferPointer { order in
            for next in 1..<max(n, 1) {
                let index = order[next]
                let key = value(index)
                var position = next
                while position > 0 && value(order[position &- 1]) < key {
                    order[position] = order[position &- 1]
                    position &-= 1
                }
                order[position] = index
            }
        }
    }

    /// The indices `0..<count` by decreasing `key(i)` (finite values), ties in increasing `i`.
    @inline(__always)
    static func of(count n: Int, key value: (Int) -> Double) -> [Int] {
        guard n >= Self.radixThreshold else {
            return (0..<n).sorted { value($0) > value($1) }
        }
        // A key whose unsigned order is the values' decreasing order: the usual order-preserving map of an
        // IEEE double (flip every bit of a negative, the sign bit of a positive), complemented. −0 is read as
        // +0, so that the two compare equal as they do for `>`.
        var keys = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 8 * 256)
        keys.withUnsafeMutableBufferPointer { keys in
            counts.withUnsafeMutableBufferPointer { counts in
                for i in 0..<n {
                    let bits = (value(i) + 0).bitPattern
                    let ascending = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
                    let key = ~ascending
                    keys[i] = key
                    for digit in 0..<8 {
                        counts[digit &<< 8 &+ Int(truncatingIfNeeded: (key &>> UInt64(8 &* digit)) & 0xff)] &+= 1
                    }
                }
            }
        }
        var order = Array(0..<n)
        var otherKeys = [UInt64](repeating: 0, count: n)
        var otherOrder = [Int](repeating: 0, count: n)
        for digit in 0..<8 {
            let shift = UInt64(8 * digit)
            let first = Int(truncatingIfNeeded: (keys[0] &>> shift) & 0xff)
            if counts[digit << 8 + first] == n { continue }
            var start = [Int](repeating: 0, count: 256)
            var total = 0
            for bucket in 0..<256 {
                start[bucket] = total
                total &+= counts[digit << 8 + bucket]
            }
            keys.withUnsafeBufferPointer { keys in
                order.withUnsafeBufferPointer { order in
                    otherKeys.withUnsafeMutableBufferPointer { otherKeys in
                        otherOrder.withUnsafeMutableBufferPointer { otherOrder in
                            start.withUnsafeMutableBufferPointer { start in
                                for i in 0..<n {
                                    let key = keys[i]
                                    let bucket = Int(truncatingIfNeeded: (key &>> shift) & 0xff)
                                    let target = start[bucket]
                                    start[bucket] = target &+ 1
                                    otherKeys[target] = key
                                    otherOrder[target] = order[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &otherKeys)
            swap(&order, &otherOrder)
        }
        return order
    }
}
