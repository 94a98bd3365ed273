import ArgumentParser
import Foundation
import RewardWeightingCore

/// The options every `rwctl runs` command shares: which server, with which token (and, for an admin, in which
/// tenant), how long to wait, and how to print the answer.
struct ServerOptions: ParsableArguments {
    /// The default server address.
    static let defaultServer = "127.0.0.1:50051"

    @Option(help: "The rw-server gRPC address, host:port (RW_SERVER; default \(Self.defaultServer)).")
    var server: String?

    @Option(help: "A bearer token sent with every call (RW_TOKEN).")
    var token: String?

    @Option(help: "For an admin token: the tenant to act in, sent as rw-tenant (RW_TENANT).")
    var tenant: String?

    @Option(help: "Connect with TLS, trusting the PEM CA certificates in this file (RW_TLS_CA).")
    var tlsCa: String?

    @Option(help: "With --tls-ca, a PEM client certificate chain for mutual TLS (RW_TLS_CLIENT_CERT).")
    var tlsClientCert: String?

    @Option(help: "The PEM private key of --tls-client-cert (RW_TLS_CLIENT_KEY).")
    var tlsClientKey: String?

    @Option(help: "Seconds to wait for each call (default 10).")
    var timeout: Double = 10

    @Option(help: "table, json or csv (default: table on a terminal, json otherwise).")
    var output: OutputFormat?

    /// The address to connect to: `--server`, else `RW_SERVER`, else the default.
    /// - Throws: ``InputError`` naming `--server` for an address that is not `host:port`.
    func address() throws(InputError) -> ServerAddress {
        let text = self.server ?? ProcessInfo.processInfo.environment["RW_SERVER"] ?? Self.defaultServer
        return try ServerAddress(parsing: text, option: self.server == nil ? "RW_SERVER" : "--server")
    }

    /// The token to send: `--token`, else `RW_TOKEN`, else none.
    var bearerToken: String? {
        let token = self.token ?? ProcessInfo.processInfo.environment["RW_TOKEN"]
        return token?.isEmpty == false ? token : nil
    }

    /// The tenant to act in: `--tenant`, else `RW_TENANT`, else none (the token's).
    var actingTenant: String? {
        let tenant = self.tenant ?? ProcessInfo.processInfo.environment["RW_TENANT"]
        return tenant?.isEmpty == false ? tenant : nil
    }

    /// The TLS to connect with: `--tls-ca` (else `RW_TLS_CA`) and, for mutual TLS, the client's certificate and
    /// key; `nil` for plaintext.
    /// - Throws: ``InputError`` for a client certificate without its key, or either without a CA.
    func tls() throws(InputError) -> (ca: String, clientCertificate: String?, clientKey: String?)? {
        let environment = ProcessInfo.processInfo.environment
        let ca = self.tlsCa ?? environment["RW_TLS_CA"]
        let certificate = self.tlsClientCert ?? environment["RW_TLS_CLIENT_CERT"]
        let key = self.tlsClientKey ?? environment["RW_TLS_CLIENT_KEY"]
        guard let ca, !ca.isEmpty else {
            if certificate != nil || key != nil {
                throw InputError("--tls-client-cert, --tls-client-key: need --tls-ca (the server's CA)")
            }
            return nil
        }
        guard (certificate == nil) == (key == nil) else {
            throw InputError("--tls-client-cert and --tls-client-key go together; one is missing")
        }
        return (ca, certificate, key)
    }

    /// The format to print in: `--output`, else a table on a terminal and JSON otherwise.
    var format: OutputFormat {
        self.output ?? (isatty(STDOUT_FILENO) == 1 ? .table : .json)
    }

    mutating func validate() throws {
        guard self.timeout.isFinite, self.timeout > 0 else {
            throw ValidationError("--timeout: is \(self.timeout); it must be a positive number of seconds")
        }
    }
}

/// A server's `host:port` (IPv6 hosts in brackets: `[::1]:50051`).
struct ServerAddress: Hashable, Sendable, CustomStringConvertible {
    let host: String
    let port: Int

    init(parsing text: String, option: String) throws(InputError) {
        var host = Substring(text)
        var portText: Substring = ""
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            portText = host[host.index(after: close)...].drop { $0 == ":" }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
            throw InputError("\(option): \(quoted(text)) is not host:port (e.g. \(ServerOptions.defaultServer))")
        }
        self.host = String(host)
        self.port = port
    }

    var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}
