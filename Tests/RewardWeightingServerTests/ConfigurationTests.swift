import Configuration
import Foundation
import RewardWeightingServer
import RewardWeightingStore
import Testing

/// `rw-server`'s configuration: one table of keys (`ServerConfigurationKey.all`) that `docs/configuration.md`
/// repeats, read with swift-configuration in the precedence flags → environment → file → default.
@Suite struct ConfigurationTests {
    @Test("docs/configuration.md lists exactly the keys of the code, with their flags, variables and defaults")
    func docsTableMatchesTheCode() throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/configuration.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let header = "| key | flag | variable | default | meaning |"
        let lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: header)) + 2
        let rows = lines[start...].prefix { $0.hasPrefix("|") }.map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let expected = ServerConfigurationKey.all.map { key in
            ["`\(key.key)`", "`\(key.flag)`", "`\(key.variable)`", "`\(key.defaultValue)`", key.meaning]
        }
        #expect(rows == expected)
    }

    @Test("with nothing set, every key has the design's default")
    func defaults() async throws {
        let reader = try await ServerConfigurationReader.make(flags: [:], environment: [:])
        let configuration = try RewardWeightingServer.Configuration(reading: reader)
        #expect(configuration.host == "127.0.0.1" && configuration.port == 50051)
        #expect(configuration.databasePath == SQLiteRunStore.defaultPath)
        #expect(configuration.databaseURL == nil)
        #expect(configuration.maxReceiveMessageBytes == 16 * 1024 * 1024)
        #expect(configuration.logLevel == .info && configuration.portFile == nil)
        #expect(!configuration.enableBenchmarkService)
    }

    @Test("a flag beats its variable, which beats the config file")
    func precedence() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let file = directory.url.appendingPathComponent("rw.json")
        try Data(
            #"{"port": 7000, "host": "::1", "logLevel": "debug", "maxMessageBytes": 1000, "database": "file.db"}"#
                .utf8
        ).write(to: file)
        let reader = try await ServerConfigurationReader.make(
            flags: [.port: .int(9000), .config: .string(file.path)],
            environment: ["RW_PORT": "8000", "RW_HOST": "0.0.0.0", "RW_ENABLE_BENCHMARK_SERVICE": "yes"])
        let configuration = try RewardWeightingServer.Configuration(reading: reader)
        #expect(configuration.port == 9000)  // flag
        #expect(configuration.host == "0.0.0.0")  // variable over file
        #expect(configuration.logLevel == .debug)  // file
        #expect(configuration.maxReceiveMessageBytes == 1000)
        #expect(configuration.databasePath == "file.db")
        #expect(configuration.enableBenchmarkService)
        let postgres = try RewardWeightingServer.Configuration(
            reading: try await ServerConfigurationReader.make(
                flags: [:], environment: ["RW_DATABASE_URL": "postgres://rw@127.0.0.1:5433/runs"]))
        #expect(postgres.databaseURL == "postgres://rw@127.0.0.1:5433/runs")
    }

    @Test("a value of the wrong type or out of range names its key, flag and variable")
    func invalidValues() async throws {
        let cases: [([String: String], String)] = [
            (["RW_PORT": "abc"], "port (--port, RW_PORT): 'abc' is not an integer"),
            (["RW_PORT": "70000"], "port (--port, RW_PORT): is 70000; expected 0 to 65535"),
            (["RW_LOG_LEVEL": "loud"], "logLevel (--log-level, RW_LOG_LEVEL): 'loud' is not one of"),
            (["RW_MAX_MESSAGE_BYTES": "0"], "maxMessageBytes (--max-message-bytes, RW_MAX_MESSAGE_BYTES): is 0"),
            (["RW_ENABLE_BENCHMARK_SERVICE": "maybe"], "RW_ENABLE_BENCHMARK_SERVICE): 'maybe' is not a boolean"),
            (
                ["RW_DATABASE_URL": "mysql://db/runs"],
                "databaseUrl (--database-url, RW_DATABASE_URL): is not a postgres://"
            ),
            (
                ["RW_DATABASE_URL": "postgres://rw@db/runs?sslmode=sometimes"],
                "databaseUrl (--database-url, RW_DATABASE_URL): has sslmode=sometimes",
            ),
        ]
        for (environment, message) in cases {
            let reader = try await ServerConfigurationReader.make(flags: [:], environment: environment)
            let error = #expect(throws: ConfigurationError.self) {
                try RewardWeightingServer.Configuration(reading: reader)
            }
            #expect(error.map { "\($0)".contains(message) } == true, "\(String(describing: error))")
        }
    }
}
