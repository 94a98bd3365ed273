import Foundation
import Testing

/// `rwctl tokens`: what goes into an `rw-server --auth-tokens` file.
@Suite struct TokensCommandTests {
    @Test("hash prints the SHA-256 of the token on standard input, or its file entry")
    func hash() async throws {
        // SHA-256("abc"), FIPS 180-2 appendix B.1; the trailing newline of `echo` is not part of the token.
        let plain = try await RwctlRun.run(["tokens", "hash"], stdin: "abc\n")
        #expect(plain.status == 0)
        #expect(plain.stdout == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n")
        let entry = try await RwctlRun.run(
            ["tokens", "hash", "--tenant", "team-a", "--role", "viewer", "--name", "dash"], stdin: "abc")
        #expect(
            entry.stdout == """
                  - name: dash
                    sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
                    tenant: team-a
                    role: viewer

                """)
        let empty = try await RwctlRun.run(["tokens", "hash"], stdin: "")
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("standard input"))
        let badRole = try await RwctlRun.run(["tokens", "hash", "--tenant", "a", "--role", "owner"], stdin: "x")
        #expect(badRole.status == 2)
        #expect(badRole.stderr.contains("--role"))
    }

    @Test("new prints a fresh token once, on standard error, and the entry of its hash on standard output")
    func new() async throws {
        let first = try await RwctlRun.run(["tokens", "new", "--tenant", "team-b", "--role", "trainer"])
        let second = try await RwctlRun.run(["tokens", "new", "--tenant", "team-b", "--role", "trainer"])
        #expect(first.status == 0)
        let token = try #require(first.stderr.split(separator: " ").last.map { $0.trimmingCharacters(in: .newlines) })
        #expect(token.hasPrefix("rw_") && token.count == 3 + 43)
        #expect(!first.stdout.contains(token))
        #expect(second.stderr != first.stderr)
        // The entry's hash is the token's, as `tokens hash` computes it.
        let hash = try await RwctlRun.run(["tokens", "hash"], stdin: token).stdout
        #expect(first.stdout.contains("sha256: \(hash)"))
        #expect(first.stdout.contains("tenant: team-b") && first.stdout.contains("role: trainer"))
        let badTenant = try await RwctlRun.run(["tokens", "new", "--tenant", "a b", "--role", "trainer"])
        #expect(badTenant.status == 2)
        #expect(badTenant.stderr.contains("--tenant"))
    }
}
