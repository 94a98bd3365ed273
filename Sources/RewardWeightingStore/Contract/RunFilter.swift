import RewardWeightingPolicy

/// Which runs ``RunStore/listRuns(pageSize:pageToken:order:filter:)`` returns: the store applies it in its
/// query, so every page but the last is full.
public struct RunFilter: Hashable, Sendable {
    /// Only runs with this status, or any.
    public var status: RunStatus?
    /// Only runs of this method, or any.
    public var method: WeightingMethod.Name?
    /// Only runs of this tenant, or any.
    public var tenant: String?

    /// A filter; `nil` matches any value.
    public init(status: RunStatus? = nil, method: WeightingMethod.Name? = nil, tenant: String? = nil) {
        self.status = status
        self.method = method
        self.tenant = tenant
    }

    /// Every run.
    public static let all = RunFilter()

    /// Whether `run` passes the filter.
    public func matches(_ run: StoredRun) -> Bool {
        (self.status.map { $0 == run.status } ?? true)
            && (self.method.map { $0 == run.config.method.name } ?? true)
            && (self.tenant.map { $0 == run.tenant } ?? true)
    }
}
