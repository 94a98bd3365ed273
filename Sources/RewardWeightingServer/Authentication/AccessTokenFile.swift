import Foundation
import RewardWeightingService
import Yams

/// The `--auth-tokens` file: the bearer tokens a server accepts, as SHA-256 hashes (never the tokens), each
/// with the tenant and role it stands for. YAML, or JSON (which YAML reads too):
///
///     tokens:
///       - name: team-a-trainer          # for logs; never the token
///         sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
///         tenant: team-a
///         role: trainer                 # trainer, viewer or admin
///
/// `rwctl tokens hash` (or `printf %s "$TOKEN" | sha256sum`) gives a token's hash.
public enum AccessTokenFile {
    private struct Document: Decodable {
        var tokens: [Entry]
    }

    private struct Entry: Decodable {
        var name: String?
        var sha256: String
        var tenant: String
        var role: String
    }

    /// The tokens of the file at `path`.
    /// - Throws: ``ConfigurationError`` (key `authTokens`) for a file that cannot be read or parsed, an entry
    ///   with a malformed hash, tenant or role (naming it, e.g. `tokens[2].role`), or a hash listed twice.
    public static func load(_ path: String) throws(ConfigurationError) -> [AccessToken] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: .authTokens, reason: "cannot read \(path): \(error.localizedDescription)")
        }
        return try Self.parse(text, source: path)
    }

    /// The tokens of a file's text.
    /// - Parameter source: the file's name, for the errors.
    public static func parse(_ text: String, source: String) throws(ConfigurationError) -> [AccessToken] {
        let document: Document
        do {
            document = try YAMLDecoder().decode(Document.self, from: text)
        } catch {
            throw ConfigurationError(
                key: .authTokens,
                reason: "\(source) is not a token file ({tokens: [{name, sha256, tenant, role}, …]}): \(error)")
        }
        var tokens: [AccessToken] = []
        var seen: [[UInt8]: Int] = [:]
        for (index, entry) in document.tokens.enumerated() {
            let field = "tokens[\(index)]"
            guard let role = Principal.Role(rawValue: entry.role) else {
                let roles = Principal.Role.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(
                    key: .authTokens, reason: "\(source): \(field).role: '\(entry.role)' is not one of \(roles)")
            }
            let token: AccessToken
            do throws(ServiceError) {
                token = try AccessToken(
                    name: entry.name ?? field, sha256Hex: entry.sha256, tenant: entry.tenant, role: role, field: field)
            } catch {
                throw ConfigurationError(key: .authTokens, reason: "\(source): \(error.message)")
            }
            if let first = seen[token.sha256] {
                throw ConfigurationError(
                    key: .authTokens, reason: "\(source): \(field).sha256: is the hash of tokens[\(first)] too")
            }
            seen[token.sha256] = index
            tokens.append(token)
        }
        return tokens
    }
}
