import CoreMetrics
import Hummingbird

/// Counts and times every HTTP request through swift-metrics with an explicit factory:
/// `rw_http_requests_total{method, route, status}` and `rw_http_request_duration_seconds{method, route}` (a
/// histogram). `route` is the matched pattern (`/v1/runs/{id}`), so run ids do not explode the label set;
/// unmatched paths count as `unmatched`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            self.record(request, context: context, status: response.status.code, since: start)
            return response
        } catch let error as any HTTPResponseError {
            self.record(request, context: context, status: error.status.code, since: start)
            throw error
        } catch {
            self.record(request, context: context, status: 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        Counter(
            label: "rw_http_requests_total",
            dimensions: [("method", method), ("route", route), ("status", "\(status)")],
            factory: self.factory
        ).increment()
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        Timer(
            label: "rw_http_request_duration_seconds", dimensions: [("method", method), ("route", route)],
            factory: self.factory
        ).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
