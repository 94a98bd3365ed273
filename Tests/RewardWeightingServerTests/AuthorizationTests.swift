import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingAPI
import RewardWeightingService
import Testing

@testable import RewardWeightingServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Tenants and bearer tokens against a live server (real gRPC and HTTP clients): every RPC and every HTTP
/// route × {no token, a bad token, a viewer, a trainer of another tenant, the run's trainer, an admin}.
@Suite("Authorization")
struct AuthorizationTests {
    /// The callers of the matrix; the runs belong to `team-a`.
    enum Caller: String, CaseIterable, CustomStringConvertible {
        case none, badToken, viewer, otherTenant, trainer, admin

        var token: String? {
            switch self {
            case .none: nil
            case .badToken: "not-a-token-of-this-server"
            case .viewer: "viewer-a-token"
            case .otherTenant: "trainer-b-token"
            case .trainer: "trainer-a-token"
            case .admin: "admin-token"
            }
        }

        /// What the caller sends: its token, and for the admin the tenant it acts in.
        var metadata: Metadata {
            var metadata: Metadata = [:]
            if let token { metadata.addString("Bearer \(token)", forKey: "authorization") }
            if self == .admin { metadata.addString("team-a", forKey: "rw-tenant") }
            return metadata
        }

        var description: String { self.rawValue }
    }

    /// What a call answers.
    enum Outcome: String, Equatable, CustomStringConvertible {
        case ok, unauthenticated, permissionDenied, notFound

        var description: String { self.rawValue }

        var httpStatus: Int {
            switch self {
            case .ok: 200
            case .unauthenticated: 401
            case .permissionDenied: 403
            case .notFound: 404
            }
        }
    }

    static let tokenFile = """
        tokens:
          - {name: viewer-a, sha256: \(AccessToken.sha256Hex(of: "viewer-a-token")), tenant: team-a, role: viewer}
          - {name: trainer-a, sha256: \(AccessToken.sha256Hex(of: "trainer-a-token")), tenant: team-a, role: trainer}
          - {name: trainer-b, sha256: \(AccessToken.sha256Hex(of: "trainer-b-token")), tenant: team-b, role: trainer}
          - {name: ops, sha256: \(AccessToken.sha256Hex(of: "admin-token")), tenant: ops, role: admin}
        """

    /// The expected outcome of a call that reads a run (`write: false`) or changes one, for each caller.
    static func expected(_ caller: Caller, write: Bool) -> Outcome {
        switch caller {
        case .none, .badToken: .unauthenticated
        case .viewer: write ? .permissionDenied : .ok
        case .otherTenant: .notFound
        case .trainer, .admin: .ok
        }
    }

    @Test("every RPC × every caller: 401-like, 403-like or 404 where the token does not allow it, else OK")
    func grpcMatrix() async throws {
        try await withAuthenticatedServer { trainer, _ in
            let owner = Caller.trainer.metadata
            for rpc in RPC.allCases {
                for caller in Caller.allCases {
                    // A fresh run of team-a per cell, so that one cell's write does not change another's.
                    let runID = "\(rpc)-\(caller)"
                    _ = try await trainer.createRun(
                        request: ClientRequest(message: gradientRun(runID), metadata: owner))
                    var expected = Self.expected(caller, write: rpc.writes)
                    // Creating and listing name no existing run: another tenant's trainer creates and lists its own.
                    if rpc == .createRun || rpc == .listRuns, expected == .notFound { expected = .ok }
                    let outcome = await Self.outcome { try await rpc.call(trainer, runID: runID, as: caller) }
                    #expect(outcome == expected, "\(rpc) as \(caller)")
                }
            }
        }
    }

    @Test("every HTTP route × every caller: 401, 403 or 404 where the token does not allow it, else 200")
    func httpMatrix() async throws {
        try await withAuthenticatedServer { trainer, httpPort in
            let runID = "read-by-http"
            _ = try await trainer.createRun(
                request: ClientRequest(message: gradientRun(runID), metadata: Caller.trainer.metadata))
            _ = try await trainer.reportGradients(
                request: ClientRequest(
                    message: gramRequest(runID, step: 1, gram: [1, 0, 0, 0, 2, 0, 0, 0, 3]),
                    metadata: Caller.trainer.metadata))
            // Archived, so that its event stream ends after the archive event (an open one never would).
            var archive = Rewardweighting_V1_ArchiveRunRequest()
            archive.runID = runID
            _ = try await trainer.archiveRun(
                request: ClientRequest(message: archive, metadata: Caller.trainer.metadata))
            let routes = [
                "/v1/runs", "/v1/runs/\(runID)", "/v1/runs/\(runID)/history", "/v1/runs/\(runID)/front",
                "/v1/runs/\(runID)/events", "/v1/runs/\(runID)/watch?from_sequence=1",
            ]
            for route in routes {
                for caller in Caller.allCases {
                    var expected = Self.expected(caller, write: false)
                    // Another tenant lists its own runs: fine, just not these.
                    if route == "/v1/runs" && expected == .notFound { expected = .ok }
                    let (status, body, headers) = try await Self.get(route, port: httpPort, as: caller)
                    #expect(status == expected.httpStatus, "GET \(route) as \(caller): \(body)")
                    if status == 401 {
                        #expect(headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
                        #expect(body.contains("\"field\":\"authorization\""))
                    }
                    if route == "/v1/runs" && caller == .otherTenant { #expect(!body.contains(runID)) }
                    if route.contains("/watch") && status == 200 {
                        #expect(body.contains("\"kind\":\"created\"") && body.contains("\"kind\":\"archived\""))
                    }
                }
            }
            // A browser's EventSource cannot set headers: the token may come as access_token.
            let (status, _, _) = try await Self.get(
                "/v1/runs/\(runID)?access_token=viewer-a-token", port: httpPort, as: .none)
            #expect(status == 200)
            // Health, readiness and metrics hold no run data and need no token.
            for open in ["/healthz", "/readyz", "/metrics"] {
                #expect(try await Self.get(open, port: httpPort, as: .none).status == 200, "\(open)")
            }
        }
    }

    @Test("run ids are unique per tenant; an admin lists every tenant unless it names one; a trainer cannot")
    func tenants() async throws {
        try await withAuthenticatedServer { trainer, _ in
            // Both tenants create "exp-1": two runs, neither sees the other's reports.
            let a = Caller.trainer.metadata
            let b = Caller.otherTenant.metadata
            #expect(
                try await trainer.createRun(request: ClientRequest(message: gradientRun("exp-1"), metadata: a)).created)
            #expect(
                try await trainer.createRun(request: ClientRequest(message: gradientRun("exp-1"), metadata: b)).created)
            _ = try await trainer.reportGradients(
                request: ClientRequest(
                    message: gramRequest("exp-1", step: 1, gram: [1, 0, 0, 0, 2, 0, 0, 0, 3]), metadata: a))
            var get = Rewardweighting_V1_GetRunRequest()
            get.runID = "exp-1"
            let runA = try await trainer.getRun(request: ClientRequest(message: get, metadata: a)).run
            let runB = try await trainer.getRun(request: ClientRequest(message: get, metadata: b)).run
            #expect(runA.tenant == "team-a" && runB.tenant == "team-b")
            #expect(runA.state.lastGradientsStep == 1 && !runB.state.hasLastGradientsStep)

            // The admin without rw-tenant lists both; naming a tenant, that tenant's only.
            var admin: Metadata = [:]
            admin.addString("Bearer admin-token", forKey: "authorization")
            let all = try await trainer.listRuns(
                request: ClientRequest(message: Rewardweighting_V1_ListRunsRequest(), metadata: admin)
            ).runs
            #expect(all.map { "\($0.tenant)/\($0.runID)" } == ["team-a/exp-1", "team-b/exp-1"])
            admin.addString("team-b", forKey: "rw-tenant")
            let teamB = try await trainer.listRuns(
                request: ClientRequest(message: Rewardweighting_V1_ListRunsRequest(), metadata: admin)
            ).runs
            #expect(teamB.map(\.tenant) == ["team-b"])

            // A trainer cannot act in another tenant by naming it.
            var sneaky = a
            sneaky.addString("team-b", forKey: "rw-tenant")
            await expectStatus(.permissionDenied, naming: "rw-tenant") {
                _ = try await trainer.getRun(request: ClientRequest(message: get, metadata: sneaky))
            }
            await expectStatus(.unauthenticated, naming: "authorization") {
                _ = try await trainer.getRun(request: ClientRequest(message: get, metadata: [:]))
            }
        }
    }

    @Test("SIGHUP's reload: a new token works and a removed one stops, without restarting; a bad file changes nothing")
    func reload() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("tokens.yaml").path
        try Self.tokenFile.write(toFile: file, atomically: true, encoding: .utf8)
        let tokens = try AccessTokenFile.load(file)
        let authenticator = Authenticator(tokens: tokens)
        #expect(try authenticator.principal(authorization: "Bearer trainer-a-token", tenant: nil).tenant == "team-a")

        try """
        tokens:
          - {name: new, sha256: \(AccessToken.sha256Hex(of: "new-token")), tenant: team-c, role: viewer}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        AccessTokenReloader(path: file, authenticator: authenticator, logger: quietLogger).reload()
        #expect(try authenticator.principal(authorization: "Bearer new-token", tenant: nil).role == .viewer)
        #expect(throws: ServiceError.self) {
            try authenticator.principal(authorization: "Bearer trainer-a-token", tenant: nil)
        }
        try "tokens: [{sha256: nothex, tenant: x, role: viewer}]".write(toFile: file, atomically: true, encoding: .utf8)
        AccessTokenReloader(path: file, authenticator: authenticator, logger: quietLogger).reload()
        #expect(try authenticator.principal(authorization: "Bearer new-token", tenant: nil).tenant == "team-c")
    }

    @Test("token files: each malformed entry is refused naming it; an open server refuses a non-loopback address")
    func configuration() throws {
        let valid = AccessToken.sha256Hex(of: "t")
        let cases: [(String, String)] = [
            ("tokens: [{sha256: abc, tenant: a, role: viewer}]", "tokens[0].sha256"),
            ("tokens: [{sha256: \(valid), tenant: 'a/b', role: viewer}]", "tokens[0].tenant"),
            ("tokens: [{sha256: \(valid), tenant: a, role: owner}]", "tokens[0].role"),
            (
                "tokens: [{sha256: \(valid), tenant: a, role: viewer}, {sha256: \(valid), tenant: b, role: admin}]",
                "tokens[1].sha256"
            ),
            ("[1, 2]", "not a token file"),
        ]
        for (text, named) in cases {
            let error = #expect(throws: ConfigurationError.self) { try AccessTokenFile.parse(text, source: "f") }
            #expect(error?.key == .authTokens)
            #expect(error.map { "\($0)" }?.contains(named) == true, "\(error.map { "\($0)" } ?? "") names \(named)")
        }
        // JSON is accepted too.
        let json = #"{"tokens": [{"sha256": "\#(valid)", "tenant": "a", "role": "trainer"}]}"#
        #expect(try AccessTokenFile.parse(json, source: "f").first?.principal == Principal(tenant: "a", role: .trainer))

        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: ConfigurationError.self) {
            try RewardWeightingServer(
                configuration: .init(host: "0.0.0.0", port: 0, httpPort: 0, databasePath: directory.database()),
                logger: quietLogger)
        }
        #expect(error?.key == .host)
        let httpError = #expect(throws: ConfigurationError.self) {
            try RewardWeightingServer(
                configuration: .init(port: 0, httpHost: "10.1.2.3", httpPort: 0, databasePath: directory.database()),
                logger: quietLogger)
        }
        #expect(httpError?.key == .httpHost)
        // Explicitly insecure, it starts (nothing is bound before run()).
        _ = try RewardWeightingServer(
            configuration: .init(
                host: "0.0.0.0", port: 0, httpPort: 0, databasePath: directory.database(), insecureNoAuth: true),
            logger: quietLogger)
    }

    // MARK: - The RPCs

    enum RPC: String, CaseIterable, CustomStringConvertible {
        case createRun, getRun, listRuns, scalarize, reportGradients, reportProjectedGradients, reportCheckpoint
        case resumeRun, archiveRun, watchRun

        var description: String { self.rawValue }

        var writes: Bool { ![.getRun, .listRuns, .watchRun].contains(self) }

        /// Calls the RPC on a fresh gradient run `runID` of team-a as `caller`.
        func call(_ trainer: Trainer, runID: String, as caller: Caller) async throws {
            let metadata = caller.metadata
            switch self {
            case .createRun:
                _ = try await trainer.createRun(
                    request: ClientRequest(message: gradientRun(runID + "-new"), metadata: metadata))
            case .getRun:
                var request = Rewardweighting_V1_GetRunRequest()
                request.runID = runID
                _ = try await trainer.getRun(request: ClientRequest(message: request, metadata: metadata))
            case .listRuns:
                let runs = try await trainer.listRuns(
                    request: ClientRequest(message: Rewardweighting_V1_ListRunsRequest(), metadata: metadata)
                ).runs
                // Whoever lists sees its own tenant's runs only.
                if caller == .otherTenant { #expect(!runs.contains { $0.tenant == "team-a" }) }
                if caller == .viewer || caller == .trainer || caller == .admin {
                    #expect(runs.contains { $0.runID == runID })
                }
            case .scalarize:
                _ = try await trainer.scalarize(
                    request: ClientRequest(
                        message: scalarizeRequest(runID, step: 1, rewards: [1, 2, 3]), metadata: metadata))
            case .reportGradients:
                _ = try await trainer.reportGradients(
                    request: ClientRequest(
                        message: gramRequest(runID, step: 1, gram: [1, 0, 0, 0, 2, 0, 0, 0, 3]), metadata: metadata))
            case .reportProjectedGradients:
                let request = StreamingClientRequest<Rewardweighting_V1_ReportProjectedGradientsRequest>(
                    metadata: metadata
                ) { writer in
                    var header = Rewardweighting_V1_ReportProjectedGradientsRequest()
                    header.header.runID = runID
                    header.header.step = 1
                    header.header.numObjectives = 3
                    header.header.dimension = 2
                    try await writer.write(header)
                    var slice = Rewardweighting_V1_ReportProjectedGradientsRequest()
                    slice.slice.offset = 0
                    let values: [Float] = [1, 0, 0, 2, 1, 1]
                    slice.slice.float32Values = Data(
                        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
                    try await writer.write(slice)
                }
                _ = try await trainer.reportProjectedGradients(request: request)
            case .reportCheckpoint:
                _ = try await trainer.reportCheckpoint(
                    request: ClientRequest(
                        message: checkpointRequest(runID, step: 1, scores: [0.5, 500, 0.3]), metadata: metadata))
            case .resumeRun:
                var request = Rewardweighting_V1_ResumeRunRequest()
                request.runID = runID
                request.fromStep = 0
                _ = try await trainer.resumeRun(request: ClientRequest(message: request, metadata: metadata))
            case .archiveRun:
                var request = Rewardweighting_V1_ArchiveRunRequest()
                request.runID = runID
                _ = try await trainer.archiveRun(request: ClientRequest(message: request, metadata: metadata))
            case .watchRun:
                var request = Rewardweighting_V1_WatchRunRequest()
                request.runID = runID
                request.fromSequence = 1
                let first = try await trainer.watchRun(request: ClientRequest(message: request, metadata: metadata)) {
                    response -> Rewardweighting_V1_EventKind? in
                    for try await event in response.messages { return event.kind }
                    return nil
                }
                #expect(first == .created)
            }
        }
    }

    // MARK: - Helpers

    static func outcome(_ body: () async throws -> Void) async -> Outcome? {
        do {
            try await body()
            return .ok
        } catch let error as RPCError {
            switch error.code {
            case .unauthenticated: return .unauthenticated
            case .permissionDenied: return .permissionDenied
            case .notFound: return .notFound
            default:
                Issue.record("unexpected status: \(error)")
                return nil
            }
        } catch {
            Issue.record("unexpected error: \(error)")
            return nil
        }
    }

    /// A GET as `caller` (its token as `Authorization`, the admin's tenant as `rw-tenant`).
    static func get(
        _ path: String, port: Int, as caller: Caller
    ) async throws -> (status: Int, body: String, headers: [String: String]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.timeoutInterval = 10
        if let token = caller.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if caller == .admin { request.setValue("team-a", forHTTPHeaderField: "rw-tenant") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, String(decoding: data, as: UTF8.self), Self.headers(http))
    }

    private static func headers(_ response: HTTPURLResponse) -> [String: String] {
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key] = value }
        }
        return headers
    }

    /// A live server with ``tokenFile``, its gRPC client and its HTTP port.
    func withAuthenticatedServer(_ body: (Trainer, Int) async throws -> Void) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("tokens.yaml").path
        try Self.tokenFile.write(toFile: file, atomically: true, encoding: .utf8)
        try await withServerClient(
            configuration: .init(
                host: "127.0.0.1", port: 0, httpPort: 0, databasePath: directory.database(), authTokensPath: file)
        ) { client, httpPort in try await body(Trainer(wrapping: client), httpPort) }
    }
}
