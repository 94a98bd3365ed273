import Crypto
import RewardWeightingStore

/// One bearer token a server accepts: the SHA-256 of the token (never the token itself), and the principal it
/// authenticates. An `--auth-tokens` file holds a list of them.
public struct AccessToken: Hashable, Sendable {
    /// A name for logs and audits, e.g. `team-a-trainer` (never the token).
    public let name: String
    /// SHA-256 of the token's UTF-8 bytes.
    public let sha256: [UInt8]
    /// Who presents it.
    public let principal: Principal

    /// A token entry.
    /// - Parameters:
    ///   - sha256Hex: the 64 hexadecimal digits of SHA-256 of the token (`rwctl tokens hash`, or
    ///     `printf %s "$TOKEN" | sha256sum`).
    ///   - field: where the entry is in its file, e.g. `tokens[2]`, for the errors.
    /// - Throws: ``ServiceError/Code/invalidArgument`` naming `field.sha256` or `field.tenant`.
    public init(name: String, sha256Hex: String, tenant: String, role: Principal.Role, field: String)
        throws(ServiceError)
    {
        guard let digest = Self.bytes(hex: sha256Hex), digest.count == SHA256.byteCount else {
            throw ServiceError(
                code: .invalidArgument, field: "\(field).sha256",
                reason: "is not 64 hexadecimal digits (the SHA-256 of the token: rwctl tokens hash)")
        }
        try Principal.checkTenant(tenant, field: "\(field).tenant")
        self.name = name
        self.sha256 = digest
        self.principal = Principal(tenant: tenant, role: role)
    }

    /// SHA-256 of `token`, as stored in a token file: 64 lowercase hexadecimal digits.
    public static func sha256Hex(of token: String) -> String {
        RequestDigest.sha256Hex(of: token)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
