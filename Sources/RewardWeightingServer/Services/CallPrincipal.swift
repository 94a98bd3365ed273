import GRPCCore
import RewardWeightingService

/// The ``Principal`` of the gRPC call being handled: set around each handler (and the body of a streamed
/// response) by ``TrainerServiceImplementation/registerMethods(with:)`` from the call's `authorization` and
/// `rw-tenant` metadata.
enum CallPrincipal {
    @TaskLocal static var current: Principal?

    /// Runs `handler` with the principal of `request`'s metadata, and the body of the response it returns too.
    /// - Throws: `UNAUTHENTICATED`, `PERMISSION_DENIED` or `INVALID_ARGUMENT` (naming `authorization` or
    ///   `rw-tenant`) before the handler runs, when the credentials do not authenticate.
    /// - Throws: also `RESOURCE_EXHAUSTED` (naming `tenant`) when the principal's tenant is over its request rate.
    static func authenticating<Input, Output>(
        _ request: StreamingServerRequest<Input>, with authenticator: Authenticator, limiter: TenantRateLimiter,
        _ handler: () async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let principal: Principal
        do throws(ServiceError) {
            principal = try authenticator.principal(
                authorization: request.metadata[stringValues: "authorization"].first { _ in true },
                tenant: request.metadata[stringValues: Authenticator.tenantHeader].first { _ in true })
            try limiter.admit(principal.tenant)
        } catch {
            throw ErrorMapping.rpcError(error)
        }
        var response = try await Self.$current.withValue(principal) { try await handler() }
        if case .success(var contents) = response.accepted {
            let producer = contents.producer
            contents.producer = { writer in
                try await Self.$current.withValue(principal) { try await producer(writer) }
            }
            response.accepted = .success(contents)
        }
        return response
    }
}
