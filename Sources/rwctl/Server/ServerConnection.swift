import GRPCCore
import GRPCNIOTransportHTTP2
import RewardWeightingAPI
import RewardWeightingService

/// The generated `TrainerService` client over HTTP/2.
typealias TrainerClient = Rewardweighting_V1_TrainerService.Client<HTTP2ClientTransport.Posix>

/// One connection to `rw-server` for the duration of a command: the generated client, and the metadata and
/// options every call sends (the bearer token, the deadline).
struct ServerConnection: Sendable {
    /// The client.
    let trainer: TrainerClient
    /// `authorization: Bearer <token>` when a token was given.
    let metadata: Metadata
    /// The per-call deadline.
    let options: CallOptions

    /// The options of a stream that may stay open for as long as the caller wants (no deadline).
    var streamOptions: CallOptions {
        var options = self.options
        options.timeout = nil
        return options
    }

    /// `GetRun`: the run's configuration and state (with each buffer point's exclusive contribution when
    /// `contributions`).
    func run(_ runID: String, contributions: Bool = false) async throws -> Rewardweighting_V1_Run {
        var request = Rewardweighting_V1_GetRunRequest()
        request.runID = runID
        request.includeContributions = contributions
        return try await self.trainer.getRun(request, metadata: self.metadata, options: self.options).run
    }

    /// Connects to the server of `options`, runs `body` with the connection, and closes it.
    /// - Throws: ``InputError`` for a bad `--server`; ``ServerError`` for a call that failed (exit 1) or a
    ///   server that cannot be reached (exit 3); whatever `body` throws otherwise.
    static func with<Result: Sendable>(
        _ options: ServerOptions, _ body: (ServerConnection) async throws -> Result
    ) async throws -> Result {
        let address = try options.address()
        // An IP literal is an address target, not a name: TLS then checks the certificate's IP address (a name
        // target would send the IP as SNI, which TLS does not allow).
        let isIPv4 =
            address.host.split(separator: ".").count == 4 && address.host.allSatisfy { $0.isNumber || $0 == "." }
        let target: any ResolvableTarget =
            address.host.contains(":")
            ? .ipv6(address: address.host, port: address.port)
            : isIPv4 ? .ipv4(address: address.host, port: address.port) : .dns(host: address.host, port: address.port)
        let security: HTTP2ClientTransport.Posix.TransportSecurity
        if let tls = try options.tls() {
            let roots = TLSConfig.TrustRootsSource.certificates([.file(path: tls.ca, format: .pem)])
            if let certificate = tls.clientCertificate, let key = tls.clientKey {
                security = .mTLS(
                    certificateChain: [.file(path: certificate, format: .pem)],
                    privateKey: .file(path: key, format: .pem)
                ) { $0.trustRoots = roots }
            } else {
                security = .tls { $0.trustRoots = roots }
            }
        } else {
            security = .plaintext
        }
        let transport = try HTTP2ClientTransport.Posix(target: target, transportSecurity: security)
        var metadata = Metadata()
        if let token = options.bearerToken { metadata.addString("Bearer \(token)", forKey: "authorization") }
        if let tenant = options.actingTenant { metadata.addString(tenant, forKey: Authenticator.tenantHeader) }
        var callOptions = CallOptions.defaults
        callOptions.timeout = .milliseconds(Int64((options.timeout * 1000).rounded(.up)))
        do {
            return try await withGRPCClient(transport: transport) { client in
                try await body(
                    ServerConnection(
                        trainer: TrainerClient(wrapping: client), metadata: metadata, options: callOptions))
            }
        } catch let error as RPCError {
            throw ServerError(error, address: address, timeout: options.timeout)
        }
    }
}
