import Foundation
import RewardWeightingFuzzing
import Synchronization

/// `rw-fuzz`: the coverage-guided fuzzer of the server's request path (``FuzzHarness``), and its corpus tools.
///
/// - `rw-fuzz seeds DIR` writes the seed corpus (``SeedScripts``) into DIR.
/// - Built by `Scripts/fuzz.sh` (`RW_FUZZ=1`: AddressSanitizer, libFuzzer's coverage instrumentation and its
///   driver), every other invocation is libFuzzer's: `rw-fuzz [libFuzzer flags] CORPUS_DIR…` fuzzes, and
///   `rw-fuzz FILE…` runs the given inputs once. An input that breaks an invariant prints the violation and
///   aborts, which libFuzzer reports as a crash and saves.
/// - In a normal build, `rw-fuzz FILE|DIR…` runs each input through the harness once and exits 1 on the first
///   violation: how a saved crash is reproduced under the debugger (`RW_FUZZ_VERBOSE=1` prints each call's
///   answer).
///
/// At exit it prints how the calls were answered, per method and status (`RW_FUZZ_SUMMARY=PATH` also writes
/// them as JSON).
@main
struct FuzzCommand {
    static func main() {
        if arguments.first == "seeds" {
            guard arguments.count == 2 else { fail("usage: rw-fuzz seeds DIR") }
            writeSeeds(into: URL(fileURLWithPath: arguments[1]))
            return
        }
        atexit { printSummary() }
        #if LIBFUZZER
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(llvmFuzzerRunDriver(&argc, &argv, fuzzOne))
        #else
            exit(replay(arguments))
        #endif
    }
}

#if LIBFUZZER
    /// libFuzzer's entry point when the program has its own `main` (`libclang_rt.fuzzer_no_main`).
    @_silgen_name("LLVMFuzzerRunDriver")
    private func llvmFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    private func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        if case .failure(let violation) = runBlocking(FuzzScript(bytes: bytes)) {
            FileHandle.standardError.write(Data("rw-fuzz: invariant broken: \(violation)\n".utf8))
            abort()
        }
        return 0
    }
#endif

/// The arguments after the program's name. A global, so that LeakSanitizer sees it referenced while libFuzzer runs
/// (a local of `main`, which never returns, may live only in a register it has reused).
private let arguments = Array(CommandLine.arguments.dropFirst())
private let harness = FuzzHarness()
private let totals = Mutex(FuzzOutcome())
private let inputCount = Atomic<Int>(0)

/// Runs `script` on the harness and waits for it: libFuzzer calls its callback synchronously.
private func runBlocking(_ script: FuzzScript) -> Result<FuzzOutcome, FuzzViolation> {
    let result = Mutex<Result<FuzzOutcome, FuzzViolation>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let outcome: Result<FuzzOutcome, FuzzViolation>
        do throws(FuzzViolation) {
            outcome = .success(try await harness.run(script))
        } catch {
            outcome = .failure(error)
        }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    let outcome = result.withLock { $0! }
    inputCount.add(1, ordering: .relaxed)
    if case .success(let counts) = outcome { totals.withLock { $0.add(counts) } }
    return outcome
}

/// Runs every input file (directories: their files) once; 1 on the first violation.
private func replay(_ paths: [String]) -> Int32 {
    let files = paths.flatMap { path -> [URL] in
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            fail("no such file: \(path)")
        }
        guard isDirectory.boolValue else { return [url] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { url.appendingPathComponent($0) }
    }
    guard !files.isEmpty else { fail("usage: rw-fuzz FILE|DIR… (or rw-fuzz seeds DIR)") }
    for file in files {
        guard let data = FileManager.default.contents(atPath: file.path) else { fail("cannot read \(file.path)") }
        switch runBlocking(FuzzScript(bytes: data)) {
        case .failure(let violation):
            print("\(file.lastPathComponent): invariant broken: \(violation)")
            return 1
        case .success(let outcome):
            if ProcessInfo.processInfo.environment["RW_FUZZ_VERBOSE"] == "1" {
                print(file.lastPathComponent)
                for (index, line) in outcome.transcript.enumerated() { print("  \(index): \(line)") }
            }
        }
    }
    print("rw-fuzz: \(files.count) inputs, every invariant held")
    return 0
}

private func writeSeeds(into directory: URL) {
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, script) in SeedScripts.all {
            try Data(script.encoded).write(to: directory.appendingPathComponent(name))
        }
    } catch {
        fail("cannot write the seeds into \(directory.path): \(error)")
    }
    print("rw-fuzz: \(SeedScripts.all.count) seeds in \(directory.path)")
}

private func printSummary() {
    let outcome = totals.withLock { $0 }
    let inputs = inputCount.load(ordering: .relaxed)
    guard inputs > 0 else { return }
    let calls = outcome.answers.values.reduce(0, +)
    var lines = ["rw-fuzz: \(inputs) inputs, \(calls) calls, \(outcome.retries) retries of recorded calls"]
    for (answer, count) in outcome.answers.sorted(by: { $0.key < $1.key }) {
        lines.append("  \(answer): \(count)")
    }
    FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    if let path = ProcessInfo.processInfo.environment["RW_FUZZ_SUMMARY"] {
        let document: [String: Any] = [
            "inputs": inputs, "calls": calls, "retries": outcome.retries, "answers": outcome.answers,
        ]
        if let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted]) {
            try? data.write(to: URL(fileURLWithPath: path))
        }
    }
}

private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("rw-fuzz: \(message)\n".utf8))
    exit(2)
}
