import RewardWeightingService
import RewardWeightingStore
import Testing

/// ``Authenticator``: credentials → ``Principal``, and what the coordinator lets each principal do.
@Suite struct AuthenticatorTests {
    static func tokens() throws -> [AccessToken] {
        [
            try AccessToken(
                name: "a", sha256Hex: AccessToken.sha256Hex(of: "trainer-a"), tenant: "team-a", role: .trainer,
                field: "tokens[0]"),
            try AccessToken(
                name: "v", sha256Hex: AccessToken.sha256Hex(of: "viewer-a"), tenant: "team-a", role: .viewer,
                field: "tokens[1]"),
            try AccessToken(
                name: "ops", sha256Hex: AccessToken.sha256Hex(of: "admin"), tenant: "ops", role: .admin,
                field: "tokens[2]"),
        ]
    }

    @Test("a known bearer token is its principal, in any case of the scheme; anything else is unauthenticated")
    func bearerTokens() throws {
        let authenticator = Authenticator(tokens: try Self.tokens())
        #expect(authenticator.requiresTokens && authenticator.tokenCount == 3)
        for header in ["Bearer trainer-a", "bearer trainer-a", "BEARER  trainer-a"] {
            #expect(
                try authenticator.principal(authorization: header, tenant: nil)
                    == Principal(tenant: "team-a", role: .trainer))
        }
        for header in [nil, "", "Bearer", "Bearer ", "Basic dHJhaW5lci1h", "trainer-a", "Bearer trainer-b"] {
            let error = #expect(throws: ServiceError.self, "\(header ?? "nil")") {
                try authenticator.principal(authorization: header, tenant: nil)
            }
            #expect(error?.code == .unauthenticated)
            #expect(error?.field == "authorization")
        }
    }

    @Test("rw-tenant: an admin acts in the tenant it names (and lists every tenant without one); others may not")
    func tenantHeader() throws {
        let authenticator = Authenticator(tokens: try Self.tokens())
        let admin = try authenticator.principal(authorization: "Bearer admin", tenant: nil)
        #expect(admin.tenant == "ops" && admin.role == .admin && admin.listsEveryTenant)
        let acting = try authenticator.principal(authorization: "Bearer admin", tenant: "team-b")
        #expect(acting == Principal(tenant: "team-b", role: .admin))
        #expect(!acting.listsEveryTenant)
        #expect(try authenticator.principal(authorization: "Bearer viewer-a", tenant: "team-a").tenant == "team-a")
        let denied = #expect(throws: ServiceError.self) {
            try authenticator.principal(authorization: "Bearer viewer-a", tenant: "team-b")
        }
        #expect(denied?.code == .permissionDenied && denied?.field == "rw-tenant")
        let malformed = #expect(throws: ServiceError.self) {
            try authenticator.principal(authorization: "Bearer admin", tenant: "team/b")
        }
        #expect(malformed?.code == .invalidArgument && malformed?.field == "rw-tenant")
        // A trainer's or viewer's principal never lists other tenants, whatever it asks.
        #expect(!Principal(tenant: "x", role: .trainer, listsEveryTenant: true).listsEveryTenant)
    }

    @Test("open: every caller is the default tenant's admin; replaced tokens apply to the next call")
    func openAndReplaced() throws {
        let open = Authenticator.open
        #expect(!open.requiresTokens)
        #expect(try open.principal(authorization: nil, tenant: nil) == .open)
        #expect(try open.principal(authorization: "Bearer whatever", tenant: "team-a").tenant == "team-a")
        let authenticator = Authenticator(tokens: try Self.tokens())
        authenticator.replaceTokens([try Self.tokens()[1]])
        #expect(throws: ServiceError.self) { try authenticator.principal(authorization: "Bearer admin", tenant: nil) }
        #expect(try authenticator.principal(authorization: "Bearer viewer-a", tenant: nil).role == .viewer)
    }

    @Test("a token entry's hash must be 64 hex digits and its tenant a valid name")
    func entries() throws {
        #expect(AccessToken.sha256Hex(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let upper = try AccessToken(
            name: "u", sha256Hex: AccessToken.sha256Hex(of: "abc").uppercased(), tenant: "t", role: .viewer, field: "e")
        #expect(upper.sha256 == Array(SHA256Vector.abc))
        for (hex, tenant, field) in [
            ("abc", "t", "e.sha256"), (String(repeating: "g", count: 64), "t", "e.sha256"),
            (AccessToken.sha256Hex(of: "abc"), "", "e.tenant"), (AccessToken.sha256Hex(of: "abc"), "-t", "e.tenant"),
        ] {
            let error = #expect(throws: ServiceError.self) {
                try AccessToken(name: "x", sha256Hex: hex, tenant: tenant, role: .viewer, field: "e")
            }
            #expect(error?.field == field)
        }
    }

    @Test("the coordinator: a viewer reads but does not write, and a tenant does not see another's run")
    func coordinatorRules() async throws {
        let coordinator = RunCoordinator(store: InMemoryRunStore(), logger: quietLogger)
        let trainerA = Principal(tenant: "team-a", role: .trainer)
        let viewerA = Principal(tenant: "team-a", role: .viewer)
        let trainerB = Principal(tenant: "team-b", role: .trainer)
        _ = try await coordinator.createRun(gradientConfig("exp"), as: trainerA)
        #expect(try await coordinator.getRun("exp", as: viewerA).tenant == "team-a")
        let denied = await #expect(throws: ServiceError.self) {
            try await coordinator.createRun(gradientConfig("other"), as: viewerA)
        }
        #expect(denied?.code == .permissionDenied)
        let archive = await #expect(throws: ServiceError.self) {
            try await coordinator.archive(runID: "exp", as: viewerA)
        }
        #expect(archive?.code == .permissionDenied)
        let hidden = await #expect(throws: ServiceError.self) { try await coordinator.getRun("exp", as: trainerB) }
        #expect(hidden?.code == .notFound)
        // Team B's run of the same id is its own.
        #expect(try await coordinator.createRun(gradientConfig("exp"), as: trainerB).created)
        #expect(
            try await coordinator.listRuns(pageSize: 0, pageToken: nil, as: trainerB).runs.map(\.tenant) == ["team-b"])
        #expect(try await coordinator.listRuns(pageSize: 0, pageToken: nil, as: .open).runs.count == 2)
    }
}

/// SHA-256("abc"), FIPS 180-2 appendix B.1, as bytes.
private enum SHA256Vector {
    static let abc: [UInt8] = [
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
    ]
}
