import Foundation
import Subprocess
import Testing

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// One run of the built `rwctl` executable as a subprocess: what a user sees on the terminal.
struct RwctlRun {
    /// The exit status.
    var status: Int32
    /// Everything written to standard output.
    var stdout: String
    /// Everything written to standard error.
    var stderr: String

    /// The `rwctl` built next to this test bundle (SwiftPM puts every product of a build in one directory),
    /// or the path in the `RWCTL_PATH` environment variable.
    static let executableURL: URL? = {
        if let path = ProcessInfo.processInfo.environment["RWCTL_PATH"] { return URL(fileURLWithPath: path) }
        var directories: [URL] = []
        #if os(macOS)
            // Under `swift test` on macOS the process is Xcode's `xctest`; the bundle sits in the build directory.
            for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
                directories.append(bundle.bundleURL.deletingLastPathComponent())
            }
        #endif
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in directories {
            let candidate = directory.appendingPathComponent("rwctl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    /// The package's root directory, for the files under `examples/`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `rwctl arguments…`, with `stdin` as standard input (empty when `nil`).
    ///
    /// Through swift-subprocess, as the server runs its kernel worker: one child-process monitor for the whole
    /// test process (Foundation's `Process` beside it keeps a second one, which can miss an exit). Standard input,
    /// output and error are temporary files, so no pipe can fill up, block or break.
    static func run(_ arguments: [String], stdin: String? = nil) async throws -> RwctlRun {
        let executable = try #require(Self.executableURL, "rwctl is not built next to the test bundle")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try FileDescriptor.open(
            FilePath(try directory.write(stdin ?? "", named: "stdin").path), .readOnly)
        let outputURL = try directory.write("", named: "stdout")
        let errorURL = try directory.write("", named: "stderr")
        let output = try FileDescriptor.open(FilePath(outputURL.path), .writeOnly)
        let error = try FileDescriptor.open(FilePath(errorURL.path), .writeOnly)
        let result = try await Subprocess.run(
            .path(FilePath(executable.path)), arguments: Arguments(arguments),
            input: .fileDescriptor(input, closeAfterSpawningProcess: true),
            output: .fileDescriptor(output, closeAfterSpawningProcess: true),
            error: .fileDescriptor(error, closeAfterSpawningProcess: true))
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return RwctlRun(
            status: status,
            stdout: try String(contentsOf: outputURL, encoding: .utf8),
            stderr: try String(contentsOf: errorURL, encoding: .utf8))
    }

    /// Standard output as exactly one JSON object on exactly one line.
    func jsonObject(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let lines = self.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(
            lines.count == 2 && lines[1].isEmpty, "expected one line, got: \(self.stdout)",
            sourceLocation: sourceLocation)
        return try Self.object(String(lines[0]), sourceLocation: sourceLocation)
    }

    /// Standard output as one JSON object per line.
    func jsonLines(sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        #expect(self.stdout.hasSuffix("\n"), sourceLocation: sourceLocation)
        return try self.stdout.split(separator: "\n").map {
            try Self.object(String($0), sourceLocation: sourceLocation)
        }
    }

    private static func object(_ line: String, sourceLocation: SourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(line)", sourceLocation: sourceLocation)
    }
}

/// A number from parsed JSON (an `NSNumber` on every platform, whatever its text).
func number(_ value: Any?) -> Double? {
    switch value {
    case let value as Double: value
    case let value as Int: Double(value)
    case let value as NSNumber: value.doubleValue
    default: nil
    }
}

/// An array of numbers from parsed JSON.
func numbers(_ value: Any?) -> [Double]? {
    guard let array = value as? [Any] else { return nil }
    let result = array.compactMap(number)
    return result.count == array.count ? result : nil
}

/// A directory under the system's temporary directory, for input files.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        self.url = FileManager.default.temporaryDirectory.appendingPathComponent("rwctl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    /// Writes `text` to a file in the directory and returns its URL.
    func write(_ text: String, named name: String) throws -> URL {
        let file = self.url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    /// Deletes the directory and its files.
    func remove() {
        try? FileManager.default.removeItem(at: self.url)
    }
}
