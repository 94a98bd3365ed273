import RewardWeightingCore

/// A run store operation that failed.
///
/// Modelled on grpc-swift's `RPCError`: one struct with an extensible ``Code``. The service layer maps the code
/// to its own error (``Code/notFound`` → `NOT_FOUND`, ``Code/alreadyExists`` → `ALREADY_EXISTS`, …); nothing
/// below it knows about transports.
public struct RunStoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case notFound, alreadyExists, conflict, corrupt, invalidArgument, unavailable
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// No run has the id.
        public static let notFound = Code(.notFound)
        /// A run with the id exists already (``RunStore/createRun(_:tenant:initialState:)``), or a non-superseded
        /// event of the same run, kind and step is stored already (``RunStore/appendEvents(_:run:expectedVersion:)``).
        public static let alreadyExists = Code(.alreadyExists)
        /// The run's `version` is not the expected one: another writer changed the run since it was loaded.
        /// Reload it and try again.
        public static let conflict = Code(.conflict)
        /// A stored row cannot be decoded or breaks an invariant (the message names the run and the column).
        public static let corrupt = Code(.corrupt)
        /// An argument the store interprets itself is malformed (a page token, a page size).
        public static let invalidArgument = Code(.invalidArgument)
        /// The database could not be read or written (I/O error, busy, disk full, the task was cancelled).
        public static let unavailable = Code(.unavailable)

        /// The code's name, e.g. `notFound`.
        public var description: String { "\(self.wrapped)" }
    }

    /// The kind of failure.
    public var code: Code
    /// The field or column the failure is about, e.g. `run_id`, `state`, `page_token`.
    public var field: String
    /// The run concerned, when there is one.
    public var runID: String?
    /// Why the field was refused, without the field's name (e.g. `is nan; every value must be finite`):
    /// transports report the field separately (gRPC's `BadRequest` field violations) and in ``message``.
    public var reason: String
    /// The underlying error (a GRDB `DatabaseError`, a `DecodingError`, …), if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(
        code: Code, field: String, runID: String? = nil, reason: String, cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.field = field
        self.runID = runID
        self.reason = reason
        self.cause = cause
    }

    /// The field and the reason: `field: reason`.
    public var message: String { "\(self.field): \(self.reason)" }

    /// The message: `field: reason`.
    public var description: String { self.message }
}

extension RunStoreError {
    /// No run `runID`.
    package static func runNotFound(_ runID: String) -> RunStoreError {
        RunStoreError(code: .notFound, field: "run_id", runID: runID, reason: "no run \(quoted(runID))")
    }

    /// A stored value of `runID` that cannot be decoded.
    package static func corrupt(_ runID: String, column: String, cause: any Error & Sendable) -> RunStoreError {
        RunStoreError(
            code: .corrupt, field: column, runID: runID,
            reason: "the stored value of run \(quoted(runID)) cannot be decoded: \(cause)", cause: cause)
    }
}
