import GRPCCore
import RewardWeightingCore
import RewardWeightingService

/// Errors ⇄ gRPC statuses: the only place where the lower layers' errors become `RPCError`s (design §4).
///
/// | source | status |
/// |---|---|
/// | ``ValidationError`` raised while mapping a request (any code) | `INVALID_ARGUMENT` |
/// | `ServiceError` | the status of the same name, one to one (see ``rpcCode(for:)``) |
///
/// Every message starts with the offending field's path in the request (`config.initial_weights`,
/// `rewards.values[17]`, `gram.values`, `run_id`), as the API contract promises.
enum ErrorMapping {
    /// `INVALID_ARGUMENT` with `message`, which must start with the field path.
    static func invalidArgument(_ message: String) -> RPCError {
        RPCError(code: .invalidArgument, message: message)
    }

    /// A validation error raised by a core or policy initialiser, reported as `INVALID_ARGUMENT` for the field
    /// at `prefix.field` (or `field` alone when `prefix` is empty). The message's leading `field:` is rewritten
    /// to the full path.
    static func rpcError(_ error: ValidationError, under prefix: String = "") -> RPCError {
        let path = prefix.isEmpty ? error.field : "\(prefix).\(error.field)"
        return RPCError(code: .invalidArgument, message: Self.message(error.message, field: error.field, path: path))
    }

    /// A service error as the status of the same name; the message (which starts with the field) is kept.
    /// - Parameter fieldPaths: the request paths of domain field names that differ in the request (e.g.
    ///   `initial_weights` → `config.initial_weights`); the message's leading field is rewritten when it matches.
    static func rpcError(_ error: ServiceError, fieldPaths: [String: String] = [:]) -> RPCError {
        var message = error.message
        if let path = fieldPaths[error.field] {
            message = Self.message(message, field: error.field, path: path)
        }
        return RPCError(code: Self.rpcCode(for: error.code), message: message)
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
        default: .internalError
        }
    }

    /// `message` with its leading `field:` replaced by `path:`; `path: message` when it does not start so.
    private static func message(_ message: String, field: String, path: String) -> String {
        guard path != field else { return message }
        let prefix = "\(field):"
        if message.hasPrefix(prefix) {
            return path + ":" + message.dropFirst(prefix.count)
        }
        return "\(path): \(message)"
    }
}
