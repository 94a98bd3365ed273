import GRDB

extension RunStoreError {
    /// Maps an error raised inside a database access: a ``RunStoreError`` thrown by the access itself passes
    /// through; a constraint violation is a bug or a corrupt database (the accesses check what callers can get
    /// wrong first); everything else (I/O, busy, cancellation) is ``Code/unavailable``.
    init(mapping error: any Error, runID: String?, operation: String) {
        switch error {
        case let error as RunStoreError:
            self = error
        case let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT:
            self.init(
                code: .corrupt, field: "database", runID: runID,
                reason: "\(operation) violated a constraint: \(error.message ?? "\(error)")", cause: error)
        case is CancellationError:
            self.init(
                code: .unavailable, field: "database", runID: runID,
                reason: "\(operation) was cancelled", cause: error)
        default:
            self.init(
                code: .unavailable, field: "database", runID: runID,
                reason: "\(operation) failed: \(error)", cause: error)
        }
    }
}
