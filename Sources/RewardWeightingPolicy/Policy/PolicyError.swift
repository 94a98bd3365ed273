import RewardWeightingCore

/// A report that a run refused: it does not fit the run's configuration or state.
///
/// Input that is malformed on its own (a NaN, a negative weight, an unknown name) is a ``ValidationError``,
/// raised where the value is built (``RunConfig``, ``GradientReport``, ``CheckpointReport``,
/// ``ScalarizeSummary``). A `PolicyError` is what ``WeightingPolicy`` raises when a valid value meets a run it
/// does not fit. Like ``ValidationError`` (and grpc-swift's `RPCError`) it is one struct with an extensible
/// ``Code``; the transport maps the code to a status:
///
/// | code | meaning | gRPC status |
/// |---|---|---|
/// | ``Code/invalidArgument`` | the report does not fit the run (wrong K, an update that overflows, missing group ids) | `INVALID_ARGUMENT` |
/// | ``Code/wrongMethod`` | the run's method takes no report of this kind (gradients for a `fixed` or `hypervolume` run) | `FAILED_PRECONDITION` |
/// | ``Code/stepOutOfOrder`` | the step is below the last applied step of the same kind | `FAILED_PRECONDITION` |
/// | ``Code/duplicateStep`` | the step equals the last applied step of the same kind | `ALREADY_EXISTS` |
/// | ``Code/inconsistentState`` | a stored state does not fit the run's configuration (corruption, not the caller's fault) | `INTERNAL` |
///
/// Every message starts with the field it is about (`step: …`, `gram: …`).
public struct PolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidArgument, wrongMethod, stepOutOfOrder, duplicateStep, inconsistentState
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The report does not fit the run's configuration: wrong K, a weight update that would overflow,
        /// group ids missing for a run that normalises within groups. ``PolicyError/cause`` holds the
        /// underlying ``ValidationError`` when there is one.
        public static let invalidArgument = Code(.invalidArgument)
        /// The run's method does not take reports of this kind.
        public static let wrongMethod = Code(.wrongMethod)
        /// The step is below the last step of the same kind that the run has applied.
        public static let stepOutOfOrder = Code(.stepOutOfOrder)
        /// The step equals the last step of the same kind that the run has applied. An identical retry is
        /// answered by the store from the event log before it reaches the policy, so reaching the policy means
        /// a different payload for an applied step.
        public static let duplicateStep = Code(.duplicateStep)
        /// A stored state does not fit the run's configuration (wrong K, corrupt values).
        public static let inconsistentState = Code(.inconsistentState)

        /// The code's name, e.g. `stepOutOfOrder`.
        public var description: String { "\(self.wrapped)" }
    }

    /// The kind of problem.
    public var code: Code
    /// The offending field, e.g. `step` or `gram`.
    public var field: String
    /// Why the field was refused, without the field's name (e.g. `is nan; every value must be finite`):
    /// transports report the field separately (gRPC's `BadRequest` field violations) and in ``message``.
    public var reason: String
    /// The validation error behind an ``Code/invalidArgument`` or ``Code/inconsistentState``, if any.
    public var cause: ValidationError?

    /// Creates an error.
    public init(code: Code, field: String, reason: String, cause: ValidationError? = nil) {
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

extension PolicyError {
    /// Wraps a validation error raised while applying a report, keeping its field and message.
    init(_ code: Code, wrapping error: ValidationError) {
        self.init(code: code, field: error.field, reason: error.reason, cause: error)
    }
}
