import GRPCNIOTransportHTTP2Posix
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCertificateReloading
import NIOSSL

/// TLS for both edges (`tlsCert`, `tlsKey`, optionally `tlsClientCa` for mutual TLS), with swift-nio-ssl: one
/// certificate reloader serves the gRPC transport and the HTTP server, so ``reload()`` (on SIGHUP) gives every
/// new connection of either the files' current certificate and key; connections already open keep theirs.
struct ServerTLS: Sendable {
    let certificatePath: String
    let clientCAPath: String?
    private let reloader: TimedCertificateReloader

    /// The TLS of `configuration`, or `nil` without `tlsCert`.
    /// - Throws: ``ConfigurationError`` (`tlsCert`) when the certificate or the key does not load.
    init?(configuration: RewardWeightingServer.Configuration, logger: Logger) throws(ConfigurationError) {
        guard let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath else { return nil }
        self.certificatePath = certificate
        self.clientCAPath = configuration.tlsClientCAPath
        // Reloaded on SIGHUP only: the refresh interval of run() is not used.
        self.reloader = TimedCertificateReloader(
            refreshInterval: .seconds(3600),
            certificateSource: .init(location: .file(path: certificate), format: .pem),
            privateKeySource: .init(location: .file(path: key), format: .pem), logger: logger)
        do {
            try self.reloader.reload()
        } catch {
            throw ConfigurationError(key: .tlsCert, reason: "\(certificate) and \(key) do not load: \(error)")
        }
        if let ca = self.clientCAPath {
            do {
                _ = try NIOSSLCertificate.fromPEMFile(ca)
            } catch {
                throw ConfigurationError(key: .tlsClientCa, reason: "\(ca) does not load: \(error)")
            }
        }
    }

    /// Reads the certificate and the key again.
    /// - Throws: when they do not load; the previous ones stay in use.
    func reload() throws {
        try self.reloader.reload()
    }

    /// The gRPC transport's security: TLS, and mTLS with a client CA.
    func grpcSecurity() throws -> HTTP2ServerTransport.Posix.TransportSecurity {
        try .tls(certificateReloader: self.reloader) { config in
            if let ca = self.clientCAPath {
                config.clientCertificateVerification = .noHostnameVerification
                config.trustRoots = .certificates([.file(path: ca, format: .pem)])
            }
        }
    }

    /// The HTTP server: HTTP/1.1 over TLS, and mTLS with a client CA.
    func httpServer() throws -> HTTPServerBuilder {
        var tls: TLSConfiguration
        if let ca = self.clientCAPath {
            tls = try .makeServerConfigurationWithMTLS(certificateReloader: self.reloader, trustRoots: .file(ca))
        } else {
            tls = try .makeServerConfiguration(certificateReloader: self.reloader)
        }
        tls.applicationProtocols = ["http/1.1"]
        return try .tls(.http1(), tlsConfiguration: tls)
    }
}
