import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingPolicy
import RewardWeightingStore

extension ServiceError {
    /// An input refused where it was built: ``Code/invalidArgument``, keeping the field and message.
    public init(_ error: ValidationError) {
        self.init(code: .invalidArgument, field: error.field, reason: error.reason, cause: error)
    }

    /// A report the policy refused, keeping the field and message (see the table on ``ServiceError``).
    public init(_ error: PolicyError) {
        let code: Code
        switch error.code {
        case .wrongMethod, .stepOutOfOrder: code = .failedPrecondition
        case .duplicateStep: code = .alreadyExists
        case .inconsistentState: code = .internal
        default: code = .invalidArgument
        }
        self.init(code: code, field: error.field, reason: error.reason, cause: error)
    }

    /// A store failure, keeping the field and message (see the table on ``ServiceError``).
    public init(_ error: RunStoreError) {
        let code: Code
        switch error.code {
        case .notFound: code = .notFound
        case .alreadyExists: code = .alreadyExists
        case .invalidArgument: code = .invalidArgument
        case .conflict: code = .aborted
        case .unavailable: code = .unavailable
        default: code = .internal
        }
        self.init(code: code, field: error.field, reason: error.reason, cause: error)
    }

    /// A kernel that produced no result: its input refused (``Code/invalidArgument``), the backend down or slow
    /// (``Code/unavailable``, also for a missed deadline: nothing was applied, retrying is safe), its input too
    /// large (``Code/resourceExhausted``), or a bug (``Code/internal``).
    public init(_ error: KernelError) {
        let code: Code
        switch error.code {
        case .invalidArgument: code = .invalidArgument
        case .unavailable, .deadlineExceeded: code = .unavailable
        case .resourceExhausted: code = .resourceExhausted
        default: code = .internal
        }
        self.init(code: code, field: error.field, reason: error.reason, cause: error)
    }

    /// Whether a store write failed because the run changed under it (the version moved, or another writer
    /// stored the same step): reload the run and try again.
    var isStaleWrite: Bool {
        guard let cause = self.cause as? RunStoreError else { return false }
        return cause.code == .conflict || cause.code == .alreadyExists
    }
}
