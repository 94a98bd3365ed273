import GRPCCore
import GRPCProtobuf

/// A call to `rw-server` that did not succeed: the server answered with an error status (exit status 1), or it
/// could not be reached or did not answer in time (exit status 3).
///
/// ``RewardWeightingControl/main()`` prints ``message`` on standard error and exits with ``exitStatus``.
struct ServerError: Error, CustomStringConvertible {
    /// The exit status when the server answered with an error.
    static let failedStatus: Int32 = 1
    /// The exit status when the server could not be reached.
    static let unreachableStatus: Int32 = 3

    /// What the user reads: the gRPC status name and the server's message, which names the field.
    let message: String
    /// ``failedStatus`` or ``unreachableStatus``.
    let exitStatus: Int32
    /// The call's gRPC status.
    let code: RPCError.Code

    var description: String { self.message }

    /// An error with its own message.
    init(message: String, exitStatus: Int32, code: RPCError.Code) {
        self.message = message
        self.exitStatus = exitStatus
        self.code = code
    }

    /// The error of a failed call to `address`.
    ///
    /// A status the server sent carries its `google.rpc.Status` details (every error of `rw-server` does); an
    /// `UNAVAILABLE` or `DEADLINE_EXCEEDED` without them comes from the client's own transport: the server is
    /// not reachable, or did not answer within the timeout.
    init(_ error: RPCError, address: ServerAddress, timeout: Double) {
        let fromServer = (try? error.unpackGoogleRPCStatus()) != nil
        let name = Self.statusName(error.code)
        self.code = error.code
        if !fromServer && error.code == .unavailable {
            self.message = "cannot reach rw-server at \(address) (\(name): \(error.message))"
            self.exitStatus = Self.unreachableStatus
        } else if !fromServer && error.code == .deadlineExceeded {
            self.message = "rw-server at \(address) did not answer within \(timeout) s (--timeout)"
            self.exitStatus = Self.unreachableStatus
        } else {
            self.message = "\(name): \(error.message)"
            self.exitStatus = Self.failedStatus
        }
    }

    /// The canonical name of a gRPC status code (`NOT_FOUND`), as the API documents and the Python client
    /// print them.
    static func statusName(_ code: RPCError.Code) -> String {
        switch code {
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internalError: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        default: "\(code)"
        }
    }
}
