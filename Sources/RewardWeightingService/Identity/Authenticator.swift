import Crypto
import Synchronization

/// Who is calling: turns a call's credentials (the `authorization` header, and the `rw-tenant` header an admin
/// may send) into a ``Principal``, for every transport alike.
///
/// **Open** (no tokens): every caller is ``Principal/open``, the default tenant's admin; a server runs open only
/// on loopback unless told otherwise. **With tokens** (``AccessToken``s, from an `--auth-tokens` file): a call
/// must carry `authorization: Bearer TOKEN`; the token's SHA-256 is compared, in constant time, with every
/// known hash (the tokens themselves are never stored). The tokens can be replaced while calls run (a reload
/// on SIGHUP): a call sees the set before or after, never a mix.
public final class Authenticator: Sendable {
    /// The header (gRPC metadata key, HTTP header) in which an admin names the tenant it acts in.
    public static let tenantHeader = "rw-tenant"

    private let tokens: Mutex<[AccessToken]?>

    /// An authenticator that accepts `tokens`, or every caller as ``Principal/open`` when `nil`.
    public init(tokens: [AccessToken]?) {
        self.tokens = Mutex(tokens)
    }

    /// Every caller is ``Principal/open``.
    public static var open: Authenticator { Authenticator(tokens: nil) }

    /// Whether calls need a token.
    public var requiresTokens: Bool { self.tokens.withLock { $0 != nil } }

    /// How many tokens are accepted (0 when open).
    public var tokenCount: Int { self.tokens.withLock { $0?.count ?? 0 } }

    /// Accepts `tokens` from now on instead of the current ones (a reload).
    public func replaceTokens(_ tokens: [AccessToken]) {
        self.tokens.withLock { $0 = tokens }
    }

    /// The principal of a call.
    /// - Parameters:
    ///   - authorization: the `authorization` header, `Bearer TOKEN` (the scheme in any case), or `nil`.
    ///   - tenant: the `rw-tenant` header, or `nil`: the tenant an admin acts in (its token's by default, and
    ///     `ListRuns` then lists every tenant's runs). A trainer or viewer may only name its own.
    /// - Throws: ``ServiceError/Code/unauthenticated`` (field `authorization`) for a missing, malformed or unknown
    ///   token; ``ServiceError/Code/permissionDenied`` (field `rw-tenant`) for a trainer or viewer naming another
    ///   tenant; ``ServiceError/Code/invalidArgument`` (field `rw-tenant`) for a malformed tenant.
    public func principal(authorization: String?, tenant: String?) throws(ServiceError) -> Principal {
        let known = self.tokens.withLock { $0 }
        let principal: Principal
        if let known {
            principal = try Self.match(authorization, in: known)
        } else {
            principal = .open
        }
        guard let tenant else { return principal }
        try Principal.checkTenant(tenant, field: Self.tenantHeader)
        if principal.role == .admin { return principal.acting(in: tenant) }
        guard tenant == principal.tenant else {
            throw ServiceError(
                code: .permissionDenied, field: Self.tenantHeader,
                reason: "a \(principal.role.rawValue) token acts only in its own tenant")
        }
        return principal
    }

    /// The principal of the token in `authorization`, comparing its hash with every known one in constant time.
    private static func match(_ authorization: String?, in tokens: [AccessToken]) throws(ServiceError) -> Principal {
        guard let authorization, !authorization.isEmpty else {
            throw ServiceError(
                code: .unauthenticated, field: "authorization",
                reason: "a bearer token is required (authorization: Bearer TOKEN)")
        }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else {
            throw ServiceError(
                code: .unauthenticated, field: "authorization",
                reason: "is not a bearer token (expected: Bearer TOKEN)")
        }
        let token = authorization.dropFirst(scheme.count).drop { $0 == " " }
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        var found: Principal?
        // Every hash is compared in full, whichever matches: the time does not depend on the token.
        for candidate in tokens where Self.constantTimeEqual(candidate.sha256, digest) {
            if found == nil { found = candidate.principal }
        }
        guard let found else {
            throw ServiceError(
                code: .unauthenticated, field: "authorization", reason: "is not a token this server accepts")
        }
        // An admin without a tenant header lists every tenant's runs.
        return Principal(tenant: found.tenant, role: found.role, listsEveryTenant: found.role == .admin)
    }

    /// Whether two digests are equal, in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
