import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingAPI
import Testing

/// The `rw-server` executable itself: flags and environment, the port file, SIGTERM.
@Suite struct ExecutableTests {
    /// The built `rw-server` next to the test bundle (`swift build --build-tests` builds it), if any.
    static let executable: URL? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("rw-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// Started with `--port 0 --port-file` and `RW_DATABASE`, the server writes its port, serves, and exits 0
    /// on SIGTERM; started again over the same database it has the run.
    @Test(.enabled(if: ExecutableTests.executable != nil, "rw-server is not built"))
    func servesFromFlagsAndEnvironmentAndStopsOnSigterm() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let database = directory.database()

        for round in 0..<2 {
            let portFile = directory.url.appendingPathComponent("port-\(round)").path
            let process = Process()
            guard let executable = Self.executable else { return }
            process.executableURL = executable
            process.arguments = ["--port", "0", "--port-file", portFile, "--http-port", "0", "--log-level", "warning"]
            process.environment = ProcessInfo.processInfo.environment.merging(["RW_DATABASE": database]) { $1 }
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            var port: Int?
            for _ in 0..<200 where port == nil {
                if let text = try? String(contentsOfFile: portFile, encoding: .utf8) {
                    port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let boundPort = try #require(port, "rw-server wrote no port file")

            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: boundPort), transportSecurity: .plaintext)
            let created = try await withGRPCClient(transport: transport) { client in
                try await Trainer(wrapping: client).createRun(hypervolumeRun("executable")).created
            }
            #expect(created == (round == 0))

            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!process.isRunning, "rw-server did not stop on SIGTERM")
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        }
    }
}
