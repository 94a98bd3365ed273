import Logging
import RewardWeightingHTTP
import RewardWeightingService
import RewardWeightingStore

/// Every configuration key of `rw-server`: its name in a config file, its command-line flag, its environment
/// variable, its default and what it means. The one table of them: `docs/configuration.md` lists the same rows
/// (a test compares the two), `rw-server --help` prints them, and
/// ``RewardWeightingServer/Configuration/init(reading:)`` reads exactly these keys.
///
/// Precedence: a flag, then the environment variable, then the config file (`--config`), then the default.
public struct ServerConfigurationKey: Hashable, Sendable {
    /// The key as `swift-configuration` reads it, and its name in a JSON config file (`{"maxMessageBytes": 1024}`).
    public let key: String
    /// The command-line flag.
    public let flag: String
    /// The environment variable: `RW_` and the key in upper snake case.
    public var variable: String {
        var name = "RW_"
        for character in self.key {
            if character.isUppercase { name += "_" }
            name += character.uppercased()
        }
        return name
    }
    /// The default, as written in the docs.
    public let defaultValue: String
    /// What the key means.
    public let meaning: String

    /// The address to bind.
    public static let host = Self(
        key: "host", flag: "--host", defaultValue: RewardWeightingServer.Configuration.defaultHost,
        meaning: "The address the gRPC API binds, IPv4 or IPv6; a non-loopback address needs authTokens (or "
            + "insecureNoAuth).")
    /// The gRPC port.
    public static let port = Self(
        key: "port", flag: "--port", defaultValue: "\(RewardWeightingServer.Configuration.defaultPort)",
        meaning: "The gRPC TCP port; 0 binds an ephemeral port (see portFile).")
    /// The address the HTTP/JSON side binds.
    public static let httpHost = Self(
        key: "httpHost", flag: "--http-host", defaultValue: RewardWeightingServer.Configuration.defaultHost,
        meaning: "The address the HTTP/JSON read API and health checks bind, IPv4 or IPv6; a non-loopback "
            + "address needs authTokens (or insecureNoAuth).")
    /// The HTTP port.
    public static let httpPort = Self(
        key: "httpPort", flag: "--http-port", defaultValue: "\(RewardWeightingServer.Configuration.defaultHTTPPort)",
        meaning: "The HTTP TCP port (/v1/runs…, /healthz, /readyz); 0 binds an ephemeral port (see httpPortFile).")
    /// Where to write the bound HTTP port.
    public static let httpPortFile = Self(
        key: "httpPortFile", flag: "--http-port-file", defaultValue: "(none)",
        meaning: "A file to write the bound HTTP port to, once listening.")
    /// Where the dashboard finds Chart.js.
    public static let dashboardChartJs = Self(
        key: "dashboardChartJs", flag: "--dashboard-chart-js", defaultValue: DashboardAssets.defaultChartJSPath,
        meaning: "Chart.js (UMD build) for the dashboard at /, as Debian's libjs-chart.js installs it; when the "
            + "file is missing the dashboard shows tables instead of charts.")
    /// Where the kernels run.
    public static let kernels = Self(
        key: "kernels", flag: "--kernels", defaultValue: "spawn",
        meaning: "Where the kernels run: spawn (a worker process the server starts, restarts and stops: "
            + "rw-server worker), in-process, unix:PATH for a worker listening there, or "
            + "dns:///HOST:PORT[,HOST:PORT…] for workers on TCP (rw-server worker --listen), calls spread across them.")
    /// What a call does when no kernel worker is reachable.
    public static let kernelsFallback = Self(
        key: "kernelsFallback", flag: "--kernels-fallback", defaultValue: "none",
        meaning: "none: a call that needs an unreachable kernel worker fails UNAVAILABLE (trainers retry it); "
            + "in-process: it runs the kernel in the server instead (the same results).")
    /// The SQLite database file.
    public static let database = Self(
        key: "database", flag: "--database", defaultValue: SQLiteRunStore.defaultPath,
        meaning: "The SQLite database file, created with its directory when missing; unused when databaseUrl is set.")
    /// The PostgreSQL database, instead of SQLite.
    public static let databaseUrl = Self(
        key: "databaseUrl", flag: "--database-url", defaultValue: "(none)",
        meaning: "A PostgreSQL database to keep the runs in instead of the SQLite file, as a libpq URL "
            + "(postgres://USER:PASSWORD@HOST:PORT/DATABASE; sslmode is disable, prefer, require, verify-ca or verify-full); "
            + "any number of servers may share it. The schema is migrated at start.")
    /// The log level.
    public static let logLevel = Self(
        key: "logLevel", flag: "--log-level",
        defaultValue: RewardWeightingServer.Configuration.defaultLogLevel.rawValue,
        meaning: "trace, debug, info, notice, warning, error or critical; logs go to standard error.")
    /// The largest request message.
    public static let maxMessageBytes = Self(
        key: "maxMessageBytes", flag: "--max-message-bytes",
        defaultValue: "\(RewardWeightingServer.Configuration.defaultMaxReceiveMessageBytes)",
        meaning: "The largest request message accepted, in bytes; a larger one is answered RESOURCE_EXHAUSTED.")
    /// The TLS certificate chain.
    public static let tlsCert = Self(
        key: "tlsCert", flag: "--tls-cert", defaultValue: "(none)",
        meaning: "A PEM certificate chain (the server's first): gRPC and HTTP then take TLS only. With tlsKey; both "
            + "files are read again on SIGHUP.")
    /// The TLS private key.
    public static let tlsKey = Self(
        key: "tlsKey", flag: "--tls-key", defaultValue: "(none)",
        meaning: "The PEM private key of tlsCert's first certificate.")
    /// The CA of client certificates (mTLS).
    public static let tlsClientCa = Self(
        key: "tlsClientCa", flag: "--tls-client-ca", defaultValue: "(none)",
        meaning: "PEM certificates of the CAs whose client certificates are accepted: with it, every connection "
            + "must present one (mutual TLS). Needs tlsCert.")
    /// The most objectives a run may have.
    public static let maxObjectives = Self(
        key: "maxObjectives", flag: "--max-objectives", defaultValue: "\(ServiceLimits.default.maxObjectives)",
        meaning: "The most objectives (K) a run may have; CreateRun with more is RESOURCE_EXHAUSTED.")
    /// The most reward values in one Scalarize call.
    public static let maxBatchValues = Self(
        key: "maxBatchValues", flag: "--max-batch-values", defaultValue: "\(ServiceLimits.default.maxBatchValues)",
        meaning: "The most reward values (N×K) one Scalarize call may carry; more is RESOURCE_EXHAUSTED.")
    /// The most points of a run's Pareto buffer.
    public static let maxBufferSize = Self(
        key: "maxBufferSize", flag: "--max-buffer-size", defaultValue: "\(ServiceLimits.default.maxBufferSize)",
        meaning: "The most points a run's Pareto buffer may hold; a checkpoint that would grow it beyond is "
            + "RESOURCE_EXHAUSTED (and not stored).")
    /// The most runs of one tenant.
    public static let maxRunsPerTenant = Self(
        key: "maxRunsPerTenant", flag: "--max-runs-per-tenant",
        defaultValue: "\(ServiceLimits.default.maxRunsPerTenant)",
        meaning: "The most runs (active and archived) one tenant may have; CreateRun beyond is RESOURCE_EXHAUSTED.")
    /// Each tenant's request rate.
    public static let tenantRequestRate = Self(
        key: "tenantRequestRate", flag: "--tenant-request-rate",
        defaultValue: "\(RewardWeightingServer.Configuration.defaultTenantRequestRate)",
        meaning: "Calls a second each tenant may make (gRPC and HTTP /v1 together, a token bucket); over it a call "
            + "is RESOURCE_EXHAUSTED / 429. 0: no limit.")
    /// Each tenant's burst.
    public static let tenantRequestBurst = Self(
        key: "tenantRequestBurst", flag: "--tenant-request-burst",
        defaultValue: "\(RewardWeightingServer.Configuration.defaultTenantRequestBurst)",
        meaning: "The most calls a tenant may make at once after being idle (the token bucket's size).")
    /// How long a run stays in memory without calls.
    public static let runIdleTimeout = Self(
        key: "runIdleTimeout", flag: "--run-idle-timeout",
        defaultValue: "\(RewardWeightingServer.Configuration.defaultRunIdleTimeoutSeconds)",
        meaning: "Seconds after which a run that no call has used and no stream watches is dropped from memory; "
            + "its next call loads it from the store again (as after a restart). 0: runs stay in memory.")
    /// Where to write the bound port.
    public static let portFile = Self(
        key: "portFile", flag: "--port-file", defaultValue: "(none)",
        meaning: "A file to write the bound gRPC port to, once listening.")
    /// Whether to serve the benchmark-only Echo service.
    public static let enableBenchmarkService = Self(
        key: "enableBenchmarkService", flag: "--enable-benchmark-service", defaultValue: "false",
        meaning: "Also serve the benchmark-only BenchmarkService (an Echo RPC), for Benchmarks/load-test.sh; "
            + "not part of the API. Booleans: true/false, yes/no, 1/0.")
    /// The bearer tokens the server accepts.
    public static let authTokens = Self(
        key: "authTokens", flag: "--auth-tokens", defaultValue: "(none)",
        meaning: "A YAML or JSON file of the bearer tokens accepted, as SHA-256 hashes, each with a tenant and a "
            + "role (trainer, viewer, admin): docs/security.md. Reloaded on SIGHUP. Without it the server is open: "
            + "every caller is the admin of the tenant default, and it binds loopback addresses only.")
    /// Whether an open server may bind a non-loopback address.
    public static let insecureNoAuth = Self(
        key: "insecureNoAuth", flag: "--insecure-no-auth", defaultValue: "false",
        meaning: "Let a server without authTokens bind a non-loopback address (anyone who reaches it can read and "
            + "change every run); only behind a proxy that authenticates.")
    /// The config file.
    public static let config = Self(
        key: "config", flag: "--config", defaultValue: "(none)",
        meaning: "A JSON file of these keys (e.g. {\"port\": 50052, \"logLevel\": \"debug\"}), read at start.")

    /// Every key, in the order the docs list them.
    public static let all: [Self] = [
        .host, .port, .httpHost, .httpPort, .httpPortFile, .dashboardChartJs, .kernels, .kernelsFallback, .database,
        .databaseUrl, .authTokens, .insecureNoAuth, .tlsCert, .tlsKey, .tlsClientCa, .logLevel,
        .maxMessageBytes, .maxObjectives, .maxBatchValues, .maxBufferSize, .maxRunsPerTenant, .tenantRequestRate,
        .tenantRequestBurst, .runIdleTimeout,
        .portFile,
        .enableBenchmarkService, .config,
    ]
}
