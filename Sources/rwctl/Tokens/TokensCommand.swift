import ArgumentParser
import Foundation
import RewardWeightingService

/// `rwctl tokens`: the entries of an `rw-server --auth-tokens` file.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Make the entries of an rw-server --auth-tokens file (docs/security.md).",
        subcommands: [TokensNewCommand.self, TokensHashCommand.self])
}

/// The options that turn a hash into a token-file entry.
struct TokenEntryOptions: ParsableArguments {
    @Option(help: "The tenant the token acts for (A–Z a–z 0–9 . _ -).")
    var tenant: String?

    @Option(help: "trainer, viewer or admin.")
    var role: String?

    @Option(help: "A name for logs (default: TENANT-ROLE).")
    var name: String?

    /// The entry for a token of hash `sha256`, as a YAML list item of the `tokens:` list.
    /// - Throws: ``InputError`` for a missing or malformed `--tenant` or `--role`.
    func entry(sha256: String) throws(InputError) -> String {
        guard let tenant, let role else {
            throw InputError("--tenant and --role: both are needed for a token-file entry")
        }
        guard let parsed = Principal.Role(rawValue: role) else {
            throw InputError("--role: '\(role)' is not one of trainer, viewer, admin")
        }
        do throws(ServiceError) {
            _ = try AccessToken(name: "", sha256Hex: sha256, tenant: tenant, role: parsed, field: "--tenant")
        } catch {
            throw InputError("--tenant: \(error.reason)")
        }
        return """
              - name: \(self.name ?? "\(tenant)-\(role)")
                sha256: \(sha256)
                tenant: \(tenant)
                role: \(role)

            """
    }
}

/// `rwctl tokens new`: a new random token, printed once on standard error, and its file entry on standard output.
struct TokensNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Make a random token: the token on standard error (shown once), its file entry on standard output.",
        discussion: """
            The entry holds only the token's SHA-256, so it can go straight into the file:
              rwctl tokens new --tenant team-a --role trainer >> tokens.yaml
            (under a `tokens:` line). 32 random bytes from the system's generator, base64url, prefixed rw_.
            """)

    @OptionGroup var entry: TokenEntryOptions

    func run() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token =
            "rw_"
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let line = try self.entry.entry(sha256: AccessToken.sha256Hex(of: token))
        FileHandle.standardError.write(Data("token (keep it secret; it is not stored): \(token)\n".utf8))
        print(line, terminator: "")
    }
}

/// `rwctl tokens hash`: the SHA-256 of a token read from standard input, or its file entry.
struct TokensHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Hash a token read from standard input (its first line): the hex SHA-256, or with --tenant and "
            + "--role the file entry.",
        discussion: """
            Read from standard input so that the token stays out of the shell's history and the process list:
              printf %s "$TOKEN" | rwctl tokens hash --tenant team-a --role viewer >> tokens.yaml
            """)

    @OptionGroup var entry: TokenEntryOptions

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let token =
            String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .first.map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) } ?? ""
        guard !token.isEmpty else { throw InputError("standard input: no token (its first line is empty)") }
        let hash = AccessToken.sha256Hex(of: token)
        if self.entry.tenant == nil && self.entry.role == nil {
            print(hash)
        } else {
            print(try self.entry.entry(sha256: hash), terminator: "")
        }
    }
}
