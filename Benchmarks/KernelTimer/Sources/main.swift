// kernel-timer: times one hypervolume kernel on a point set read from a file, kernel only.
//
//     kernel-timer FILE --kernel volume|contributions [--repeats R] [--max-seconds S] [--json]
//                  [--write-contributions OUT]
//
// FILE is the binary point-set format written by compare_moocore.py (all integers and doubles little-endian):
//
//     bytes 0..<8    magic "RWPSET01"
//     UInt64         K, the number of objectives
//     UInt64         n, the number of points
//     K × Float64    the reference point
//     n·K × Float64  the points, row-major
//
// Values are in the MAXIMISATION convention (the library's). Parsing and validation happen once, before
// timing; each of the R runs times only the `Hypervolume.volume` / `Hypervolume.contributions` call with
// `ContinuousClock`. The minimum and the median are printed with the result (the hypervolume, or the sum of
// the contributions) so that a caller can check it against another implementation.
// `--max-seconds S` stops after the run that brings the total kernel time past S seconds (at least one run).
// `--write-contributions OUT` writes the contributions of the last run as n raw little-endian Float64s.

import Foundation
import RewardWeightingCore

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum Kernel: String { case volume, contributions }

struct Options {
    var file = ""
    var kernel = Kernel.volume
    var repeats = 5
    var maxSeconds = Double.infinity
    var json = false
    var contributionsOutput: String?

    static let usage =
        "usage: kernel-timer FILE --kernel volume|contributions [--repeats R] [--max-seconds S] [--json] "
        + "[--write-contributions OUT]"

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        var file: String?
        while let argument = rest.popFirst() {
            switch argument {
            case "--kernel":
                guard let value = rest.popFirst(), let kernel = Kernel(rawValue: value) else {
                    throw Failure("--kernel needs volume or contributions\n\(Self.usage)")
                }
                self.kernel = kernel
            case "--repeats":
                guard let value = rest.popFirst(), let repeats = Int(value), repeats >= 1 else {
                    throw Failure("--repeats needs a positive integer\n\(Self.usage)")
                }
                self.repeats = repeats
            case "--max-seconds":
                guard let value = rest.popFirst(), let seconds = Double(value), seconds > 0 else {
                    throw Failure("--max-seconds needs a positive number\n\(Self.usage)")
                }
                self.maxSeconds = seconds
            case "--json":
                self.json = true
            case "--write-contributions":
                guard let value = rest.popFirst() else { throw Failure("--write-contributions needs a path") }
                self.contributionsOutput = value
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default:
                guard file == nil, !argument.hasPrefix("-") else { throw Failure("unexpected \(argument)\n\(Self.usage)") }
                file = argument
            }
        }
        guard let file else { throw Failure("no point-set file given\n\(Self.usage)") }
        self.file = file
    }
}

struct PointSetFile {
    let points: ObjectiveMatrix
    let reference: ObjectiveVector

    static let magic = Array("RWPSET01".utf8)

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read \(path)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 24, Array(bytes[0..<8]) == Self.magic else {
            throw Failure("\(path): not a point-set file (bad magic)")
        }
        func uint64(at offset: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        }
        func doubles(at offset: Int, count: Int) -> [Double] {
            (0..<count).map { Double(bitPattern: uint64(at: offset + 8 * $0)) }
        }
        let k = Int(uint64(at: 8))
        let n = Int(uint64(at: 16))
        guard k >= 1, bytes.count == 24 + 8 * k + 8 * n * k else {
            throw Failure("\(path): size \(bytes.count) does not match K = \(k), n = \(n)")
        }
        self.reference = try ObjectiveVector(doubles(at: 24, count: k), field: "reference")
        self.points = try ObjectiveMatrix(rowMajor: doubles(at: 24 + 8 * k, count: n * k), dimension: k)
    }
}

func seconds(_ duration: Duration) -> Double {
    let (s, attoseconds) = duration.components
    return Double(s) + Double(attoseconds) * 1e-18
}

func run() throws {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let input = try PointSetFile(path: options.file)
    let clock = ContinuousClock()
    var times: [Double] = []
    var result = 0.0
    var contributions: [Double] = []
    var total = 0.0
    for _ in 0..<options.repeats where total <= options.maxSeconds {
        switch options.kernel {
        case .volume:
            let start = clock.now
            let value = try Hypervolume.volume(of: input.points, reference: input.reference)
            times.append(seconds(clock.now - start))
            result = value
        case .contributions:
            let start = clock.now
            let values = try Hypervolume.contributions(of: input.points, reference: input.reference)
            times.append(seconds(clock.now - start))
            contributions = values
            result = values.reduce(0, +)
        }
        total += times[times.count - 1]
    }
    times.sort()
    let minimum = times[0] * 1e3
    let median =
        times.count % 2 == 1
        ? times[times.count / 2] * 1e3 : (times[times.count / 2 - 1] + times[times.count / 2]) / 2 * 1e3

    if let path = options.contributionsOutput, options.kernel == .contributions {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 * contributions.count)
        for value in contributions {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw Failure("cannot write \(path)")
        }
    }

    let k = input.points.dimension
    let n = input.points.count
    if options.json {
        // Double's description is the shortest string that round-trips, so the result is exact.
        print(
            "{\"kernel\": \"\(options.kernel.rawValue)\", \"K\": \(k), \"n\": \(n), \"repeats\": \(times.count), "
                + "\"min_ms\": \(minimum), \"median_ms\": \(median), \"result\": \(result)}")
    } else {
        let what = options.kernel == .volume ? "hypervolume" : "sum of contributions"
        print("\(options.kernel.rawValue) K=\(k) n=\(n) repeats=\(times.count)")
        print("min \(String(format: "%.3f", minimum)) ms, median \(String(format: "%.3f", median)) ms")
        print("\(what) \(result)")
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("kernel-timer: \(error)\n".utf8))
    exit(1)
}
