import CoreMetrics
import GRPCCore

/// Counts and times every gRPC call through swift-metrics with an explicit factory:
/// `rw_grpc_requests_total{method, code}` (`code` the status name, `OK` included) and
/// `rw_grpc_request_duration_seconds{method}` (a histogram; for `WatchRun`, how long the stream stayed open).
/// `method` is the full name, e.g. `rewardweighting.v1.TrainerService/Scalarize`.
struct RequestMetricsInterceptor: ServerInterceptor {
    let factory: any MetricsFactory

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let method = context.descriptor.fullyQualifiedMethod
        let start = ContinuousClock.now
        let record: @Sendable (RPCError.Code?) -> Void = { code in
            Counter(
                label: "rw_grpc_requests_total", dimensions: [("method", method), ("code", Self.name(of: code))],
                factory: self.factory
            ).increment()
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            Timer(label: "rw_grpc_request_duration_seconds", dimensions: [("method", method)], factory: self.factory)
                .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
        var response: StreamingServerResponse<Output>
        do {
            response = try await next(request, context)
        } catch {
            record((error as? RPCError)?.code ?? .unknown)
            throw error
        }
        switch response.accepted {
        case .success(var contents):
            // The call ends when its body has been produced: measure until then.
            let producer = contents.producer
            contents.producer = { writer in
                do {
                    let metadata = try await producer(writer)
                    record(nil)
                    return metadata
                } catch {
                    record((error as? RPCError)?.code ?? .unknown)
                    throw error
                }
            }
            response.accepted = .success(contents)
        case .failure(let error):
            record(error.code)
        }
        return response
    }

    /// The canonical status name (`OK`, `INVALID_ARGUMENT`, …) of `code`; `nil` is `OK`.
    static func name(of code: RPCError.Code?) -> String {
        guard let code else { return "OK" }
        var name = ""
        for character in String(describing: code) {
            if character.isUppercase { name += "_" }
            name += character.uppercased()
        }
        return name
    }
}
