import GRPCCore
import GRPCProtobuf
import RewardWeightingCore
import RewardWeightingService

/// Errors ⇄ gRPC statuses: the only place where the lower layers' errors become `RPCError`s (design §4).
///
/// | source | status |
/// |---|---|
/// | ``ValidationError`` raised while mapping a request (any code) | `INVALID_ARGUMENT` |
/// | `ServiceError` | the status of the same name, one to one (see ``rpcCode(for:)``) |
///
/// The lower layers carry the field and the reason separately; here the field becomes its path in the request
/// (`config.initial_weights`, `rewards.values[17]`, `projected.values`, `run_id`) and the status gets both:
/// - the message `path: reason`, as the API contract promises;
/// - the standard rich error model (`google.rpc.Status` in the `grpc-status-details-bin` trailer): a
///   `google.rpc.ErrorInfo` (reason: the status's canonical name, e.g. `NOT_FOUND`; domain ``errorDomain``, metadata `field`: the path) on
///   every status that names a field, and for `INVALID_ARGUMENT` also a `google.rpc.BadRequest` with one field
///   violation (the path and the reason).
enum ErrorMapping {
    /// The `ErrorInfo.domain` of every error this service returns.
    static let errorDomain = "rewardweighting.v1"

    /// `INVALID_ARGUMENT` for the request field at `field` (its full path).
    static func invalidArgument(field: String, reason: String) -> RPCError {
        Self.rpcError(code: .invalidArgument, field: field, reason: reason)
    }

    /// A validation error raised by a core or policy initialiser, reported as `INVALID_ARGUMENT` for the field
    /// at `prefix.field` (or `field` alone when `prefix` is empty).
    static func rpcError(_ error: ValidationError, under prefix: String = "") -> RPCError {
        Self.invalidArgument(field: prefix.isEmpty ? error.field : "\(prefix).\(error.field)", reason: error.reason)
    }

    /// A service error as the status of the same name.
    /// - Parameter fieldPaths: the request paths of domain field names that differ in the request (e.g.
    ///   `gradients` → `projected.values`).
    static func rpcError(_ error: ServiceError, fieldPaths: [String: String] = [:]) -> RPCError {
        Self.rpcError(
            code: Self.rpcCode(for: error.code), field: fieldPaths[error.field] ?? error.field, reason: error.reason)
    }

    /// A status naming a request field, with its message `field: reason` and its rich error details.
    static func rpcError(code: RPCError.Code, field: String, reason: String) -> RPCError {
        let message = "\(field): \(reason)"
        var details: [ErrorDetails] = [
            .errorInfo(reason: Self.statusName(code), domain: Self.errorDomain, metadata: ["field": field])
        ]
        if code == .invalidArgument {
            details.append(.badRequest(violations: [.init(field: field, description: reason)]))
        }
        let status = GoogleRPCStatus(code: code, message: message, details: details)
        return RPCError(code: code, message: message, metadata: status.rpcErrorMetadata)
    }

    /// The status of a service error code: the one of the same name.
    static func rpcCode(for code: ServiceError.Code) -> RPCError.Code {
        switch code {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .failedPrecondition: .failedPrecondition
        case .aborted: .aborted
        case .resourceExhausted: .resourceExhausted
        case .unavailable: .unavailable
        case .unauthenticated: .unauthenticated
        case .permissionDenied: .permissionDenied
        default: .internalError
        }
    }

    /// The canonical name of a status (`INVALID_ARGUMENT`), as `ErrorInfo.reason` carries it.
    static func statusName(_ code: RPCError.Code) -> String {
        switch code {
        case .invalidArgument: "INVALID_ARGUMENT"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .unavailable: "UNAVAILABLE"
        case .cancelled: "CANCELLED"
        case .unauthenticated: "UNAUTHENTICATED"
        case .permissionDenied: "PERMISSION_DENIED"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        default: "INTERNAL"
        }
    }
}
