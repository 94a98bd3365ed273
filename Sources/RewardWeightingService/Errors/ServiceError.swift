/// A request the service refused or could not carry out, in terms every transport can map: the gRPC layer
/// turns ``code`` into an `RPCError` status, the HTTP layer into a problem+json status. Nothing else does.
///
/// Like grpc-swift's `RPCError`, one struct with an extensible ``Code``; ``field`` names the offending field
/// and ``message`` starts with it. Built from the lower layers' errors by ``init(_:)-(ValidationError)``,
/// ``init(_:)-(PolicyError)`` and ``init(_:)-(RunStoreError)``:
///
/// | source | code |
/// |---|---|
/// | `ValidationError` (any) | ``Code/invalidArgument`` |
/// | `PolicyError` `invalidArgument` | ``Code/invalidArgument`` |
/// | `PolicyError` `wrongMethod`, `stepOutOfOrder` | ``Code/failedPrecondition`` |
/// | `PolicyError` `duplicateStep` | ``Code/alreadyExists`` |
/// | `PolicyError` `inconsistentState` | ``Code/internal`` |
/// | `RunStoreError` `notFound` / `alreadyExists` / `invalidArgument` | same name |
/// | `RunStoreError` `conflict` | ``Code/aborted`` |
/// | `RunStoreError` `corrupt` | ``Code/internal`` |
/// | `RunStoreError` `unavailable` | ``Code/unavailable`` |
/// | `KernelError` `invalidArgument` / `resourceExhausted` | same name |
/// | `KernelError` `unavailable`, `deadlineExceeded` | ``Code/unavailable`` |
/// | `KernelError` `internal` | ``Code/internal`` |
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; each maps to one gRPC status of the same name.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidArgument, notFound, alreadyExists, failedPrecondition, aborted, resourceExhausted
            case unavailable, `internal`, unauthenticated, permissionDenied
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The request is malformed or does not fit the run (wrong K, NaN, a bad page token). Do not retry.
        public static let invalidArgument = Code(.invalidArgument)
        /// No run has the id (field `run_id`).
        public static let notFound = Code(.notFound)
        /// The run exists with another config (`CreateRun`), or the step's report was applied with a different
        /// payload.
        public static let alreadyExists = Code(.alreadyExists)
        /// The run is not in a state to take the request: it is archived, its method takes no report of this
        /// kind, or the step is below the last applied step of its kind (resume the run first).
        public static let failedPrecondition = Code(.failedPrecondition)
        /// Another writer (another server replica) kept changing the run while the request was being applied;
        /// nothing was changed. Retrying the same request is safe.
        public static let aborted = Code(.aborted)
        /// A limit was exceeded, e.g. a watcher that fell too far behind the live decisions.
        public static let resourceExhausted = Code(.resourceExhausted)
        /// The store could not be reached or the request was cancelled; nothing was acknowledged. Retrying the
        /// same request is safe.
        public static let unavailable = Code(.unavailable)
        /// A bug or corrupt stored data, not the caller's fault.
        public static let `internal` = Code(.internal)
        /// The call carries no credentials, or credentials the server does not know (field `authorization`).
        public static let unauthenticated = Code(.unauthenticated)
        /// The caller's role does not allow the call, e.g. a viewer token on a mutating call (field
        /// `authorization`). Another tenant's run is ``notFound``, not this: its existence is not revealed.
        public static let permissionDenied = Code(.permissionDenied)

        /// The code's name, e.g. `failedPrecondition`.
        public var description: String { "\(self.wrapped)" }
    }

    /// The kind of failure.
    public var code: Code
    /// The offending field, e.g. `run_id`, `step`, `gram`; `database` for store failures.
    public var field: String
    /// Why the field was refused, without the field's name (e.g. `is nan; every value must be finite`):
    /// transports report the field separately (gRPC's `BadRequest` field violations) and in ``message``.
    public var reason: String
    /// The lower layer's error (``ValidationError``, `PolicyError`, `RunStoreError`), if any.
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, field: String, reason: String, cause: (any Error)? = nil) {
        self.code = code
        self.field = field
        self.reason = reason
        self.cause = cause
    }

    /// The field and the reason: `field: reason`.
    public var message: String { "\(self.field): \(self.reason)" }

    /// The message: `field: reason`.
    public var description: String { self.message }
}
