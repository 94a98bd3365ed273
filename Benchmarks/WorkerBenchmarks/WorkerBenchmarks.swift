// ordo-one/benchmark suite for the companion kernel worker: the cost of running a kernel through
// `rw-server worker` over a Unix domain socket against running it in-process, and the float32 Gram kernel's
// throughput against the memory bandwidth of summing the same bytes.
//
//     swift build -c release --product rw-server                          # from the repository root
//     .build/release/rw-server worker --socket /tmp/rw-bench.sock &
//     cd Benchmarks && RW_WORKER_SOCKET=/tmp/rw-bench.sock \
//         swift package --allow-writing-to-package-directory benchmark --target WorkerBenchmarks
//
// Without RW_WORKER_SOCKET only the in-process and Gram benchmarks run. Every input is generated once, from a
// fixed seed, when the suite is registered.

import Benchmark
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingWorker

/// SplitMix64 (Steele, Lea & Flood 2014), as in the hypervolume suite.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }
}

/// n points uniform in (0, 1)^K.
func uniformPoints(_ n: Int, dimension k: Int, seed: UInt64) -> ObjectiveMatrix {
    var rng = SplitMix64(seed: seed)
    return try! ObjectiveMatrix(rowMajor: (0..<(n * k)).map { _ in rng.openUnit() }, dimension: k)
}

/// n points on the positive unit sphere: mutually non-dominated (a full Pareto buffer).
func spherePoints(_ n: Int, dimension k: Int, seed: UInt64) -> ObjectiveMatrix {
    var rng = SplitMix64(seed: seed)
    var storage: [Double] = []
    for _ in 0..<n {
        let row = (0..<k).map { _ in 0.05 + rng.openUnit() }
        let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
        storage.append(contentsOf: row.map { $0 / norm })
    }
    return try! ObjectiveMatrix(rowMajor: storage, dimension: k)
}

/// A client of the worker at `path`, its connections run by a background task for the life of the process.
func workerKernels(socket path: String, timeout: Duration? = .seconds(30)) -> WorkerKernels<HTTP2ClientTransport.Posix> {
    let client = GRPCClient(
        transport: try! HTTP2ClientTransport.Posix(
            target: .unixDomainSocket(path: path), transportSecurity: .plaintext, config: WorkerTransport.clientConfig))
    Task.detached { try await client.runConnections() }
    return WorkerKernels(client: client, timeout: timeout)
}

/// K = 3 float32 vectors of D = 2²⁴ components, objective-major, cut into 1 MiB slices (as the Python client
/// sends them): 192 MiB.
let gramObjectives = 3
let gramDimension = 1 << 24
let gramSliceComponents = (1 << 20) / (4 * gramObjectives) / 8 * 8
let gramSlices: [Float32GradientSlice] = {
    var rng = SplitMix64(seed: 0x6_7A4D)
    var vectors = [[Float]]()
    for _ in 0..<gramObjectives {
        vectors.append((0..<gramDimension).map { _ in Float(rng.openUnit() - 0.5) })
    }
    return stride(from: 0, to: gramDimension, by: gramSliceComponents).map { offset in
        let end = min(gramDimension, offset + gramSliceComponents)
        var bytes = [UInt8]()
        bytes.reserveCapacity(4 * gramObjectives * (end - offset))
        for vector in vectors {
            vector[offset..<end].withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        return Float32GradientSlice(offset: offset, float32LittleEndian: bytes)
    }
}()

/// The memory-bandwidth baseline: a SIMD sum of every float32 of the slices (the same bytes the Gram kernel
/// reads, each once).
func sumOfSlices() -> Float {
    var total = SIMD8<Float>()
    for slice in gramSlices {
        slice.float32LittleEndian.withUnsafeBytes { bytes in
            var c = 0
            var a = SIMD8<Float>()
            var b = SIMD8<Float>()
            while c + 64 <= bytes.count {
                a += bytes.loadUnaligned(fromByteOffset: c, as: SIMD8<Float>.self)
                b += bytes.loadUnaligned(fromByteOffset: c + 32, as: SIMD8<Float>.self)
                c += 64
            }
            total += a + b
        }
    }
    return total.sum()
}

/// The in-process Gram of the slices, fed as the server feeds them, with the given inner loop.
func gramOfSlices(kernel: Float32GramAccumulator.Kernel = .fastest) -> GramMatrix {
    var accumulator = try! Float32GramAccumulator(
        objectives: gramObjectives, dimension: gramDimension, kernel: kernel)
    for slice in gramSlices {
        slice.float32LittleEndian.withUnsafeBytes { bytes in
            try! accumulator.append(offset: slice.offset, float32LittleEndian: bytes)
        }
    }
    return try! accumulator.gram()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(3),
        maxIterations: 2000
    )
    let inProcess = InProcessKernels()
    let worker = ProcessInfo.processInfo.environment["RW_WORKER_SOCKET"].map { workerKernels(socket: $0) }
    let untimed = ProcessInfo.processInfo.environment["RW_WORKER_SOCKET"].map { workerKernels(socket: $0, timeout: nil) }
    let backends: [(String, any KernelBackend)] =
        [("in-process", inProcess)] + (worker.map { [("worker", $0)] } ?? [])
        + (untimed.map { [("worker without a deadline", $0)] } ?? [])

    // Small: ΔHV of a checkpoint against a Pareto buffer of 50 (K = 3), the call ReportCheckpoint makes.
    let buffer = spherePoints(50, dimension: 3, seed: 1)
    let candidate = try! ObjectiveVector([0.6, 0.6, 0.6])
    let reference3 = try! ObjectiveVector([0, 0, 0])
    // Large: the hypervolume of 2000 points at K = 5 (80 KB of input).
    let large = uniformPoints(2000, dimension: 5, seed: 2)
    let reference5 = try! ObjectiveVector([0, 0, 0, 0, 0])
    for (name, backend) in backends {
        Benchmark("small ΔHV K=3 n=50 \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(
                    try await backend.hypervolumeImprovement(adding: candidate, to: buffer, reference: reference3))
            }
        }
        // A kernel of about 100 ns: through the worker, this is the transport's round trip alone.
        let weights = try! WeightVector([0.2, 0.3, 0.5])
        let influence = [0.1, -0.2, 0.05]
        let rule = try! MirrorDescent()
        Benchmark("trivial mirror-descent step K=3 \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(
                    try await backend.mirrorDescentStep(from: weights, influence: influence, stepSize: 0.3, rule: rule))
            }
        }
        Benchmark("large HV K=5 n=2000 \(name)", configuration: .init(maxIterations: 200)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try await backend.hypervolume(of: large, reference: reference5))
            }
        }
    }

    // The float32 Gram kernel against the bandwidth of reading the same 192 MiB once.
    let gramConfiguration = Benchmark.Configuration(
        metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 1, maxDuration: .seconds(10),
        maxIterations: 20)
    Benchmark("bandwidth baseline: sum 192 MiB float32", configuration: gramConfiguration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(sumOfSlices()) }
    }
    Benchmark("float32 Gram K=3 D=2^24 in-process", configuration: gramConfiguration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(gramOfSlices()) }
    }
    // The portable Swift loop, for the speed-up of the vector kernel the line above uses where the CPU has it.
    if Float32GramAccumulator.Kernel.fastest != .portable {
        Benchmark("float32 Gram K=3 D=2^24 in-process, portable loop", configuration: gramConfiguration) {
            benchmark in
            for _ in benchmark.scaledIterations { blackHole(gramOfSlices(kernel: .portable)) }
        }
    }
    if let worker {
        Benchmark("float32 Gram K=3 D=2^24 streamed to the worker", configuration: gramConfiguration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(
                    try await worker.gram(ofFloat32Gradients: gramObjectives, dimension: gramDimension) {
                        writer throws(KernelError) in
                        for slice in gramSlices { try await writer.write(slice) }
                    })
            }
        }
    }
}
