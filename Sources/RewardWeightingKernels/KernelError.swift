import RewardWeightingCore

/// A kernel that did not produce a result: its input was refused, or the backend could not run it.
///
/// One struct with an extensible ``Code``, as the other layers' errors; the service maps it to its own error
/// (``Code/invalidArgument`` to `INVALID_ARGUMENT` naming ``field``, ``Code/unavailable`` to `UNAVAILABLE`, …).
public struct KernelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidArgument, unavailable, deadlineExceeded, resourceExhausted, `internal`
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The input was refused by the kernel (``KernelError/cause`` says why: an inner product that overflows,
        /// points of different K).
        public static let invalidArgument = Code(.invalidArgument)
        /// The backend could not be reached (a worker process that is down). Nothing was computed.
        public static let unavailable = Code(.unavailable)
        /// The kernel did not finish within its deadline.
        public static let deadlineExceeded = Code(.deadlineExceeded)
        /// The input is larger than the backend accepts.
        public static let resourceExhausted = Code(.resourceExhausted)
        /// A bug in the backend.
        public static let `internal` = Code(.internal)

        /// The code's name, e.g. `invalidArgument`.
        public var description: String { "\(self.wrapped)" }
    }

    /// The kind of failure.
    public var code: Code
    /// The input the failure is about, e.g. `gradients`.
    public var field: String
    /// Why the field was refused, without the field's name (e.g. `is nan; every value must be finite`):
    /// transports report the field separately (gRPC's `BadRequest` field violations) and in ``message``.
    public var reason: String
    /// The validation error behind an ``Code/invalidArgument``, if any.
    public var cause: ValidationError?

    /// Creates an error.
    public init(code: Code, field: String, reason: String, cause: ValidationError? = nil) {
        self.code = code
        self.field = field
        self.reason = reason
        self.cause = cause
    }

    /// A kernel's refusal of its input, keeping the validation error's field and message.
    public init(_ error: ValidationError) {
        self.init(code: .invalidArgument, field: error.field, reason: error.reason, cause: error)
    }

    /// The field and the reason: `field: reason`.
    public var message: String { "\(self.field): \(self.reason)" }

    /// The message: `field: reason`.
    public var description: String { self.message }
}
