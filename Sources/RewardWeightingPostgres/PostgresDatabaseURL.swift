import Foundation
import NIOSSL
import PostgresNIO
import RewardWeightingStore

/// A PostgreSQL connection URL as libpq writes them, parsed into a postgres-nio client configuration:
///
///     postgres://USER[:PASSWORD]@HOST[:PORT][/DATABASE][?sslmode=…&sslrootcert=…&host=/socket/dir&application_name=…]
///
/// - the scheme is `postgres` or `postgresql`; the port defaults to 5432, the user to `postgres`, the database
///   to the user's name; user and password are percent-decoded;
/// - `sslmode` as libpq reads it: `disable`; `prefer` (the default: TLS if the server offers it, unverified);
///   `require` (TLS, unverified); `verify-ca` (the chain against `sslrootcert` or the system's roots);
///   `verify-full` (the chain and the host name);
/// - `host=/a/directory` connects to the Unix socket `/a/directory/.s.PGSQL.PORT` instead of TCP.
///
/// ``redacted`` is the URL without its password, for logs.
public struct PostgresDatabaseURL: Sendable, CustomStringConvertible {
    /// The client configuration the URL describes.
    public var configuration: PostgresClient.Configuration
    /// The URL with its password replaced by `***`.
    public let redacted: String

    /// Parses `text`.
    /// - Throws: ``RunStoreError/Code/invalidArgument`` (field `database_url`) naming what is wrong.
    public init(_ text: String) throws(RunStoreError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw Self.invalid("is not a postgres:// URL (postgres://user:password@host:port/database)")
        }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let database = components.path.isEmpty ? user : String(components.path.dropFirst())
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw Self.invalid("has the port \(port); it must be 1…65535") }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }

        let tls: PostgresClient.Configuration.TLS
        switch parameters["sslmode"] ?? "prefer" {
        case "disable":
            tls = .disable
        case "allow", "prefer":
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            tls = .prefer(unverified)
        case "require":
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            tls = .require(unverified)
        case let mode where mode == "verify-ca" || mode == "verify-full":
            var verified = TLSConfiguration.makeClientConfiguration()
            verified.certificateVerification = mode == "verify-ca" ? .noHostnameVerification : .fullVerification
            if let roots = parameters["sslrootcert"] { verified.trustRoots = .file(roots) }
            tls = .require(verified)
        case let mode:
            throw Self.invalid(
                "has sslmode=\(mode); use disable, allow, prefer, require, verify-ca or verify-full")
        }

        var configuration: PostgresClient.Configuration
        if let socketDirectory = parameters["host"], socketDirectory.hasPrefix("/") {
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw Self.invalid("names no host") }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        if let name = parameters["application_name"] {
            configuration.options.additionalStartupParameters.append(("application_name", name))
        }
        self.configuration = configuration

        var shown = components
        if shown.password != nil { shown.password = "***" }
        self.redacted = shown.string ?? "postgres://…"
    }

    /// The redacted URL.
    public var description: String { self.redacted }

    private static func invalid(_ reason: String) -> RunStoreError {
        RunStoreError(code: .invalidArgument, field: "database_url", reason: reason)
    }
}
