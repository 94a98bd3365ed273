import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Hummingbird
import Logging
import Prometheus
import RewardWeightingHTTP
import RewardWeightingKernels
import RewardWeightingService
import RewardWeightingStore
import RewardWeightingWorker
import ServiceLifecycle

/// The RewardWeighting server: the SQLite run store, the ``RunCoordinator`` over it, the gRPC `TrainerService`
/// on HTTP/2 and the HTTP/JSON read API (``OpsRoutes``, Hummingbird) on its own port, run as one
/// swift-service-lifecycle `ServiceGroup`: both edges share the coordinator.
///
/// `rw-server` builds one from its flags and calls ``run()``; tests start one in-process on port 0 and read the
/// bound address from ``listeningAddress``:
///
///     let server = try RewardWeightingServer(
///         configuration: .init(port: 0, httpPort: 0, databasePath: path), logger: logger)
///     async let serving: Void = server.run()
///     let port = try await server.listeningAddress.ipv4!.port
///     …
///     await server.beginGracefulShutdown()
///     try await serving
///
/// **Shutdown** (a configured signal, or ``beginGracefulShutdown()``): the transport stops accepting calls, the
/// calls in flight finish (each store write is one transaction, so nothing is half-written), `WatchRun`
/// streams end with `UNAVAILABLE`, then the database is closed and ``run()`` returns. Calls still running
/// after ``maximumGracefulShutdownDuration`` are cancelled.
///
/// Kernels run in-process, or in a kernel worker (``KernelPlacement``). With `authTokensPath` every call needs a
/// bearer token (``Authenticator``, reloaded on SIGHUP by ``AccessTokenReloader``); without it the server is
/// open, binds loopback addresses only (unless `insecureNoAuth`) and logs a warning at start.
public struct RewardWeightingServer: Sendable {
    /// How long a graceful shutdown waits for the calls in flight before it cancels them: 30 s.
    public static let maximumGracefulShutdownDuration = Duration.seconds(30)

    /// The configuration the server was built with.
    public let configuration: Configuration
    private let store: ServerStore
    private let transport: HTTP2ServerTransport.Posix
    private let httpPort = BoundPort()
    private let group: ServiceGroup
    private let logger: Logger
    private let authenticator: Authenticator

    /// Opens (creating if needed) the database and builds the gRPC server; nothing listens before ``run()``.
    /// - Throws: ``ConfigurationError`` for a token file that does not load, or an open server asked to bind a
    ///   non-loopback address; `RunStoreError` when the database cannot be opened or migrated.
    public init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let authenticator = try Self.authenticator(for: configuration)
        self.authenticator = authenticator
        let tls = try ServerTLS(configuration: configuration, logger: logger)
        self.store = try ServerStore(configuration: configuration, logger: logger)
        // One registry per server (not the process-wide MetricsSystem), so in-process servers in tests stay apart.
        let registry = PrometheusCollectorRegistry()
        let metricsFactory = PrometheusMetricsFactory(registry: registry)
        var kernels: any KernelBackend
        var workerNotReady: @Sendable () -> String? = { nil }
        var workerServices: [ServiceGroupConfiguration.ServiceConfiguration] = []
        switch configuration.kernels {
        case .inProcess:
            kernels = InProcessKernels()
        case .unixSocket(let path):
            // A worker listening there; while it is unreachable, a call that needs a kernel fails UNAVAILABLE.
            let client = GRPCClient(
                transport: try HTTP2ClientTransport.Posix(
                    target: .unixDomainSocket(path: path), transportSecurity: .plaintext,
                    config: WorkerTransport.clientConfig))
            kernels = WorkerKernels(client: client)
            workerServices.append(.init(service: GRPCClientService(client: client)))
        case .tcpWorkers(let endpoints):
            var workers: [any KernelBackend] = []
            for endpoint in endpoints {
                let client = GRPCClient(
                    transport: try HTTP2ClientTransport.Posix(
                        target: .dns(host: endpoint.host, port: endpoint.port), transportSecurity: .plaintext,
                        config: WorkerTransport.clientConfig))
                workers.append(WorkerKernels(client: client))
                workerServices.append(.init(service: GRPCClientService(client: client)))
            }
            kernels = PooledKernels(workers)
        case .spawn(let executable):
            let socket = FileManager.default.temporaryDirectory
                .appendingPathComponent("rw-worker-\(getpid())-\(UUID().uuidString.prefix(8)).sock").path
            let supervisor = WorkerSupervisor(
                executable: executable ?? Self.ownExecutable, socketPath: socket, logLevel: configuration.logLevel,
                logger: logger, metricsFactory: metricsFactory)
            let client = GRPCClient(
                transport: try HTTP2ClientTransport.Posix(
                    target: .unixDomainSocket(path: socket), transportSecurity: .plaintext,
                    config: WorkerTransport.clientConfig))
            kernels = SupervisedKernels(
                worker: WorkerKernels(client: client, waitForReady: true), state: supervisor.state)
            let state = supervisor.state
            workerNotReady = { state.isReady || state.gaveUp ? nil : "the kernel worker is (re)starting" }
            // Stopped last (a group stops its services in reverse order): the worker outlives the client.
            workerServices.append(.init(service: supervisor))
            workerServices.append(.init(service: GRPCClientService(client: client)))
        }
        if configuration.kernelsFallbackInProcess && configuration.kernels != .inProcess {
            kernels = FallbackKernels(primary: kernels, logger: logger)
        }
        let coordinator = RunCoordinator(
            store: self.store.runStore, kernels: kernels, logger: logger,
            metrics: ServiceMetrics(factory: metricsFactory), limits: configuration.limits)
        let rateLimiter = TenantRateLimiter(
            rate: Double(configuration.tenantRequestRate), burst: Double(configuration.tenantRequestBurst))
        let address: GRPCNIOTransportHTTP2Posix.SocketAddress =
            configuration.host.contains(":")
            ? .ipv6(host: configuration.host, port: configuration.port)
            : .ipv4(host: configuration.host, port: configuration.port)
        self.transport = HTTP2ServerTransport.Posix(
            address: address,
            transportSecurity: try tls?.grpcSecurity() ?? .plaintext,
            config: .defaults { $0.rpc.maxRequestPayloadSize = configuration.transportMessageLimit })
        let service = TrainerServiceImplementation(
            coordinator: coordinator, logger: logger, maxRequestMessageBytes: configuration.maxReceiveMessageBytes,
            authenticator: authenticator, rateLimiter: rateLimiter)
        var services: [any RegistrableRPCService] = [service]
        if configuration.enableBenchmarkService {
            services.append(BenchmarkEchoService(maxRequestMessageBytes: configuration.maxReceiveMessageBytes))
        }
        // Deadlines as event-loop timers: grpc-swift's own keep ≈ 1 KB per call until the deadline passes.
        let server = GRPCServer(
            transport: ScheduledDeadlineTransport(wrapping: self.transport), services: services,
            interceptors: [RequestMetricsInterceptor(factory: metricsFactory)])
        let httpPort = self.httpPort
        let dashboard = DashboardAssets(chartJSPath: configuration.dashboardChartJsPath)
        if !dashboard.hasPage {
            logger.warning("the dashboard's files are not installed next to the executable; / answers 404")
        } else if !dashboard.hasChartJS {
            logger.notice(
                "Chart.js not found; the dashboard shows tables instead of charts (install libjs-chart.js or set dashboardChartJs)",
                metadata: ["path": "\(configuration.dashboardChartJsPath ?? "(none)")"])
        }
        let http = Application(
            router: OpsRoutes(
                coordinator: coordinator, metricsFactory: metricsFactory,
                metricsExposition: { registry.emitToString() }, dashboard: dashboard,
                workerNotReady: workerNotReady, authenticator: authenticator, rateLimiter: rateLimiter
            ).router(),
            server: try tls?.httpServer() ?? .http1(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.httpHost, port: configuration.httpPort),
                serverName: "rw-server"),
            onServerRunning: { channel in
                guard let port = channel.localAddress?.port else { return }
                httpPort.bind(port)
                logger.info("HTTP server listening", metadata: ["address": "\(channel.localAddress!)"])
                if let file = configuration.httpPortFile {
                    do {
                        try PortFile.write(port, to: file)
                    } catch {
                        logger.error(
                            "cannot write the HTTP port file", metadata: ["file": "\(file)", "error": "\(error)"])
                    }
                }
            },
            logger: logger)
        // The worker's client comes first: a group stops its services in reverse order, so the calls still
        // running at shutdown keep their kernels until the gRPC and HTTP servers have drained.
        var reloads: [@Sendable () -> Void] = []
        if let path = configuration.authTokensPath {
            let tokens = AccessTokenReloader(path: path, authenticator: authenticator, logger: logger)
            reloads.append { tokens.reload() }
        }
        if let tls {
            reloads.append {
                do {
                    try tls.reload()
                    logger.notice("reloaded the TLS certificate and key", metadata: ["file": "\(tls.certificatePath)"])
                } catch {
                    logger.error(
                        "the TLS certificate and key did not reload; the previous ones stay in use",
                        metadata: ["file": "\(tls.certificatePath)", "error": "\(error)"])
                }
            }
        }
        let reloader: [ServiceGroupConfiguration.ServiceConfiguration] =
            reloads.isEmpty ? [] : [.init(service: HangupReloads(reloads: reloads))]
        let evictor: [ServiceGroupConfiguration.ServiceConfiguration] =
            configuration.runIdleTimeoutSeconds == 0
            ? []
            : [
                .init(
                    service: IdleRunEvictor(
                        coordinator: coordinator, timeout: .seconds(configuration.runIdleTimeoutSeconds)))
            ]
        var group = ServiceGroupConfiguration(
            services: workerServices + self.store.followers(coordinator) + reloader + evictor + [
                .init(service: GRPCServerService(server: server)),
                .init(service: http),
                .init(
                    service: ListeningAnnouncement(
                        transport: self.transport, portFile: configuration.portFile, logger: logger),
                    successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: configuration.gracefulShutdownSignals,
            logger: logger)
        // A call that has not finished by then is cancelled; its store write, if any, is one transaction that
        // either committed or did not happen.
        group.maximumGracefulShutdownDuration = Self.maximumGracefulShutdownDuration
        self.group = ServiceGroup(configuration: group)
    }

    /// Serves until graceful shutdown (or cancellation), then closes the database. Call it once.
    public func run() async throws {
        if self.authenticator.requiresTokens {
            self.logger.info(
                "bearer tokens required",
                metadata: [
                    "auth_tokens": "\(self.configuration.authTokensPath ?? "")",
                    "tokens": "\(self.authenticator.tokenCount)",
                ])
        } else {
            self.logger.warning(
                "no authentication: every client that reaches this address can read and change every run",
                metadata: [
                    "host": "\(self.configuration.host)", "http_host": "\(self.configuration.httpHost)",
                    "advice": "set authTokens (--auth-tokens) before binding anything but loopback",
                ])
        }
        self.logger.info(
            "starting",
            metadata: [
                "database": "\(self.store)", "kernels": "\(self.configuration.kernels)",
                "max_receive_message_bytes": "\(self.configuration.maxReceiveMessageBytes)",
                "benchmark_service": "\(self.configuration.enableBenchmarkService)",
            ])
        defer { self.httpPort.close() }
        try await self.store.serving { try await self.group.run() }
        self.logger.info("stopped")
    }

    /// The authenticator of `configuration`: its token file's tokens, or open.
    /// - Throws: ``ConfigurationError`` for a token file that does not load, and for an open server asked to
    ///   bind a non-loopback address without `insecureNoAuth`.
    static func authenticator(for configuration: Configuration) throws(ConfigurationError) -> Authenticator {
        if let path = configuration.authTokensPath {
            return Authenticator(tokens: try AccessTokenFile.load(path))
        }
        guard configuration.insecureNoAuth else {
            for (key, host) in [(ServerConfigurationKey.host, configuration.host), (.httpHost, configuration.httpHost)]
            where !Self.isLoopback(host) {
                throw ConfigurationError(
                    key: key,
                    reason: "is \(host), not a loopback address, and the server has no authTokens: anyone who reaches "
                        + "it could read and change every run; set authTokens (--auth-tokens), or insecureNoAuth "
                        + "(--insecure-no-auth) behind a proxy that authenticates")
            }
            return .open
        }
        return .open
    }

    /// Whether `host` is a loopback address or name: `127.0.0.0/8`, `::1`, `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// This process's executable (`/proc/self/exe` on Linux), which `rw-server worker` re-executes.
    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    /// The address the server is bound to; waits until it is listening.
    /// - Throws: when binding failed or the server has stopped.
    public var listeningAddress: GRPCNIOTransportHTTP2Posix.SocketAddress {
        get async throws { try await self.transport.listeningAddress }
    }

    /// The port the HTTP/JSON side is bound to; waits until it is listening.
    /// - Throws: ``ListenerNotBound`` when the server stopped, or failed to start, before binding it.
    public var httpListeningPort: Int {
        get async throws { try await self.httpPort.port }
    }

    /// Starts a graceful shutdown, as SIGTERM does: no new calls; those in flight finish; ``run()`` returns.
    public func beginGracefulShutdown() async {
        await self.group.triggerGracefulShutdown()
    }
}
