import PostgresNIO
import RewardWeightingCore
import RewardWeightingStore

extension RunStoreError {
    /// Maps an error raised inside a PostgreSQL access.
    ///
    /// - a ``RunStoreError`` thrown by the access itself passes through (also out of a rolled-back transaction);
    /// - a serialization failure or a deadlock (SQLSTATE class 40) is ``Code/conflict``: another writer got there
    ///   first, reload and try again;
    /// - any other constraint violation (class 23) is a bug or a corrupt database, ``Code/corrupt`` (the accesses
    ///   check what callers can get wrong first, and map the idempotency index themselves);
    /// - everything else (the server unreachable, restarting or shutting down, a lost connection, the operation's
    ///   deadline, cancellation) is ``Code/unavailable``: nothing was acknowledged, and a retry is safe.
    init(mappingPostgres error: any Error, runID: String?, operation: String) {
        if let transaction = error as? PostgresTransactionError {
            let inner = transaction.closureError ?? transaction.commitError ?? transaction.beginError
            if let inner {
                self.init(mappingPostgres: inner, runID: runID, operation: operation)
                return
            }
        }
        switch error {
        case let error as RunStoreError:
            self = error
        case let error as PSQLError where error.code == .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            if state.hasPrefix("40") {
                self.init(
                    code: .conflict, field: "version", runID: runID,
                    reason: "\(operation) conflicted with another writer (SQLSTATE \(state): \(message))", cause: error)
            } else if state.hasPrefix("23") {
                self.init(
                    code: .corrupt, field: "database", runID: runID,
                    reason: "\(operation) violated a constraint (SQLSTATE \(state): \(message))", cause: error)
            } else {
                self.init(
                    code: .unavailable, field: "database", runID: runID,
                    reason: "\(operation) failed (SQLSTATE \(state): \(message))", cause: error)
            }
        case let error as PSQLError:
            self.init(
                code: .unavailable, field: "database", runID: runID,
                reason: "\(operation) failed: PostgreSQL is unreachable (\(error.code))", cause: error)
        case let error as PostgresOperationTimeout:
            self.init(
                code: .unavailable, field: "database", runID: runID,
                reason: "\(operation) failed: PostgreSQL did not answer within \(error.timeout)", cause: error)
        case is CancellationError:
            self.init(
                code: .unavailable, field: "database", runID: runID, reason: "\(operation) was cancelled",
                cause: error)
        default:
            self.init(
                code: .unavailable, field: "database", runID: runID, reason: "\(operation) failed: \(error)",
                cause: error)
        }
    }

    /// Whether the error is a PostgreSQL unique violation of `constraint`.
    static func isUniqueViolation(_ error: any Error, of constraint: String) -> Bool {
        var error = error
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError {
            error = inner
        }
        guard let error = error as? PSQLError, error.code == .server else { return false }
        return error.serverInfo?[.sqlState] == "23505" && error.serverInfo?[.constraintName] == constraint
    }
}

/// A store operation that PostgreSQL did not complete in time (the pool found no connection: the server is
/// down or unreachable).
struct PostgresOperationTimeout: Error, Sendable {
    let timeout: Duration
}
