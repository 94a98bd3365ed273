import CoreMetrics
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore

/// The HTTP/JSON read side of the service, for dashboards and scripts: thin routes over the same
/// ``RunCoordinator`` functions as the gRPC calls (no logic here but parsing the request and encoding the
/// answer). Every error is an RFC 9457 problem (``HTTPProblem``).
///
/// | Route | Answer |
/// |---|---|
/// | `GET /v1/runs?status=&method=&page_size=&page_token=` | ``RunPageDocument`` (filtered in the store: full pages) |
/// | `GET /v1/runs/{id}` | ``RunDocument`` |
/// | `GET /v1/runs/{id}/history?from=&to=&format=json\|csv` | ``HistoryDocument`` |
/// | `GET /v1/runs/{id}/front` | ``FrontDocument`` |
/// | `GET /v1/runs/{id}/events?from_sequence=&limit=` | ``EventPageDocument`` |
/// | `GET /v1/runs/{id}/watch?from_sequence=` | server-sent events of `WatchRun` (``EventStream``) |
/// | `GET /openapi.json` | this table as an OpenAPI 3.1 document (``OpenAPIDocument``) |
/// | `GET /metrics` | the Prometheus text exposition, when the server gave one (``metricsExposition``) |
/// | `GET /` | the live dashboard page, when the server gave its files (``DashboardAssets``) |
/// | `GET /dashboard/{file}` | the page's script and style; `/dashboard/chart.js` is Chart.js (404 without it) |
/// | `GET /healthz` | 200 while the process serves |
/// | `GET /readyz` | 200 when the store answers (and the spawned kernel worker is ready), else 503 |
///
/// **Credentials.** The `/v1/runs…` routes act for the ``Principal`` of the request (``Authenticator``): the
/// `Authorization: Bearer TOKEN` header, or the `access_token` query parameter (RFC 6750 §2.3, for a browser's
/// `EventSource`, which cannot set headers), and the `rw-tenant` header or query parameter. A server with
/// tokens answers 401 without a known token, 403 for a role or tenant the token does not allow, and 404 for
/// another tenant's run. The other routes (health, readiness, metrics, the OpenAPI document, the dashboard's
/// files) hold no run data and need no token.
public struct OpsRoutes: Sendable {
    /// The most runs or events one page holds.
    public static let maximumPageSize = 1000
    /// The header a reconnecting `EventSource` sends: the last sequence number it got from `/watch`.
    public static let lastEventID = HTTPField.Name("Last-Event-ID")!
    /// Events per page when `limit` is not given.
    public static let defaultEventLimit = 100

    let coordinator: RunCoordinator
    /// Where request metrics go (``RequestMetricsMiddleware``).
    let metricsFactory: any MetricsFactory
    /// The text `/metrics` answers (the Prometheus exposition of the server's registry); `nil`: no such route.
    let metricsExposition: (@Sendable () -> String)?
    /// The dashboard's files; `nil`: no `/` and `/dashboard/…` routes.
    let dashboard: DashboardAssets?
    /// Why the kernel worker is not ready (`nil` when it is, or when there is none): part of `/readyz`.
    let workerNotReady: @Sendable () -> String?
    /// Who may read runs.
    let authenticator: Authenticator
    /// Each tenant's request rate, checked right after authentication.
    let rateLimiter: TenantRateLimiter

    /// Routes over `coordinator`.
    /// - Parameters:
    ///   - metricsFactory: where the request counts and latencies go; nowhere by default.
    ///   - metricsExposition: the text of `/metrics`, or `nil` for no such route.
    ///   - dashboard: the dashboard page's files, or `nil` for no page.
    ///   - workerNotReady: why the kernel worker cannot take calls now, or `nil` (`/readyz` answers 503 then).
    ///   - authenticator: who may read runs; open (every caller the default tenant's admin) by default.
    ///   - rateLimiter: each tenant's request rate (429 over it); no limit by default.
    public init(
        coordinator: RunCoordinator, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        metricsExposition: (@Sendable () -> String)? = nil, dashboard: DashboardAssets? = nil,
        workerNotReady: @escaping @Sendable () -> String? = { nil }, authenticator: Authenticator = .open,
        rateLimiter: TenantRateLimiter = .unlimited
    ) {
        self.authenticator = authenticator
        self.rateLimiter = rateLimiter
        self.workerNotReady = workerNotReady
        self.coordinator = coordinator
        self.metricsFactory = metricsFactory
        self.metricsExposition = metricsExposition
        self.dashboard = dashboard
    }

    /// A router with every route.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        self.register(on: router)
        return router
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.middlewares.add(RequestMetricsMiddleware(factory: self.metricsFactory))
        if let exposition = self.metricsExposition {
            router.get("/metrics") { _, _ in
                JSONBody.text(exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
            }
        }
        router.get("/openapi.json") { _, _ in
            guard let document = OpenAPIDocument.contents else {
                throw HTTPProblem(
                    status: .notFound, code: "NOT_FOUND", field: "path",
                    reason: "the OpenAPI document's resource bundle is not installed next to the executable")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        }
        if let dashboard = self.dashboard {
            router.get("/") { _, _ in try Self.file(dashboard.files["index.html"], name: "index.html") }
            router.get("/dashboard/chart.js") { _, _ in
                guard let chartJS = dashboard.chartJS else {
                    throw HTTPProblem(
                        status: .notFound, code: "NOT_FOUND", field: "path",
                        reason: "Chart.js is not at \(dashboard.chartJSPath ?? "(none)"); install libjs-chart.js or "
                            + "set dashboardChartJs (the dashboard shows tables meanwhile)")
                }
                return try Self.file(chartJS, name: "chart.js")
            }
            router.get("/dashboard/:file") { _, context in
                let name = context.parameters.get("file") ?? ""
                return try Self.file(dashboard.files[name], name: name)
            }
        }
        router.get("/healthz") { _, _ in JSONBody.text("ok\n", contentType: "text/plain; charset=utf-8") }
        router.get("/readyz") { _, _ in try await self.readiness() }
        let runs = router.group("/v1/runs")
        runs.get { request, _ in
            try await self.listRuns(QueryParameters(request: request), as: try self.principal(of: request))
        }
        runs.get(":id") { request, context in
            try await self.run(try Self.runID(context), as: try self.principal(of: request))
        }
        runs.get(":id/history") { request, context in
            try await self.history(
                try Self.runID(context), QueryParameters(request: request), as: try self.principal(of: request))
        }
        runs.get(":id/front") { request, context in
            try await self.front(try Self.runID(context), as: try self.principal(of: request))
        }
        runs.get(":id/events") { request, context in
            try await self.events(
                try Self.runID(context), QueryParameters(request: request), as: try self.principal(of: request))
        }
        runs.get(":id/watch") { request, context in
            try await EventStream(coordinator: self.coordinator).response(
                runID: try Self.runID(context), request: request, as: try self.principal(of: request))
        }
    }

    // MARK: - Handlers

    private static func file(_ file: DashboardAssets.File?, name: String) throws -> Response {
        guard let file else {
            throw HTTPProblem(
                status: .notFound, code: "NOT_FOUND", field: "path",
                reason: "the dashboard has no file \(name) (its resource bundle may be missing next to the executable)")
        }
        return Response(
            status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.contents)))
    }

    private func readiness() async throws -> Response {
        // One read of the store: a page of one run.
        _ = try await self.serving { try await self.coordinator.listRuns(pageSize: 1, pageToken: nil) }
        if let reason = self.workerNotReady() {
            throw HTTPProblem(status: .serviceUnavailable, code: "UNAVAILABLE", field: "kernels", reason: reason)
        }
        return JSONBody.text("ready\n", contentType: "text/plain; charset=utf-8")
    }

    private func listRuns(_ query: QueryParameters, as principal: Principal) async throws -> Response {
        var filter = RunFilter()
        filter.status = try query.choice("status", of: RunStatus.allCases.map(\.rawValue)).flatMap(RunStatus.init)
        filter.method = try query.choice("method", of: WeightingMethod.Name.allCases.map(\.rawValue))
            .flatMap(WeightingMethod.Name.init)
        let pageSize = try query.integer("page_size") ?? 0
        let token = query.string("page_token")
        let page = try await self.serving {
            try await self.coordinator.listRuns(pageSize: pageSize, pageToken: token, filter: filter, as: principal)
        }
        return try JSONBody.response(
            RunPageDocument(runs: page.runs.map(RunDocument.init), nextPageToken: page.nextPageToken))
    }

    private func run(_ runID: String, as principal: Principal) async throws -> Response {
        let run = try await self.serving { try await self.coordinator.getRun(runID, as: principal) }
        return try JSONBody.response(RunDocument(run))
    }

    private func history(_ runID: String, _ query: QueryParameters, as principal: Principal) async throws -> Response {
        let from = try query.integer("from")
        let to = try query.integer("to")
        let format = try query.choice("format", of: ["json", "csv"]) ?? "json"
        let run = try await self.serving { try await self.coordinator.getRun(runID, as: principal) }
        let document = HistoryDocument(try await self.coordinator.history(of: run, from: from, to: to), of: run)
        if format == "csv" { return JSONBody.text(document.csv, contentType: "text/csv; charset=utf-8") }
        return try JSONBody.response(document)
    }

    private func front(_ runID: String, as principal: Principal) async throws -> Response {
        let run = try await self.serving { try await self.coordinator.getRun(runID, as: principal) }
        let front = try await self.serving { try await self.coordinator.front(of: run, contributions: true) }
        return try JSONBody.response(FrontDocument(front, of: run))
    }

    private func events(_ runID: String, _ query: QueryParameters, as principal: Principal) async throws -> Response {
        let fromSequence = try query.integer("from_sequence") ?? 1
        let limit = try query.integer("limit") ?? Self.defaultEventLimit
        guard (1...Self.maximumPageSize).contains(limit) else {
            throw HTTPProblem.invalidArgument(
                field: "limit", reason: "is \(limit); it must be from 1 to \(Self.maximumPageSize)")
        }
        let events = try await self.serving {
            try await self.coordinator.events(
                runID: runID, fromSequence: fromSequence, limit: limit, as: principal)
        }
        let next = events.count == limit ? events.last.map { $0.sequence + 1 } : nil
        return try JSONBody.response(
            EventPageDocument(runID: runID, events: events.map(EventDocument.init), nextFromSequence: next))
    }

    // MARK: - Helpers

    private static func runID(_ context: some RequestContext) throws -> String {
        try context.parameters.require("id")
    }

    /// The principal of a request: `Authorization` (or `access_token`) and `rw-tenant` (header or query).
    private func principal(of request: Request) throws -> Principal {
        let query = QueryParameters(request: request)
        let authorization =
            request.headers[.authorization] ?? query.string("access_token").map { "Bearer \($0)" }
        let tenant = request.headers[Self.tenantHeader] ?? query.string(Authenticator.tenantHeader)
        do throws(ServiceError) {
            let principal = try self.authenticator.principal(authorization: authorization, tenant: tenant)
            try self.rateLimiter.admit(principal.tenant)
            return principal
        } catch {
            throw HTTPProblem(error)
        }
    }

    /// The header in which an admin names the tenant it reads (``Authenticator/tenantHeader``).
    static let tenantHeader = HTTPField.Name(Authenticator.tenantHeader)!

    /// Runs a coordinator call, turning its ``ServiceError`` into the problem of the same status.
    private func serving<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ServiceError {
            throw HTTPProblem(error)
        }
    }
}
