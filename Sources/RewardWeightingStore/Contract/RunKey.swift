/// A run's identity in a store: the tenant that owns it and its id. A run id is unique within its tenant, so
/// two tenants may each have a run `exp-1`; every store method that names a run takes both.
public struct RunKey: Hashable, Sendable, CustomStringConvertible {
    /// The tenant that owns the run.
    public let tenant: String
    /// The run's id within its tenant.
    public let runID: String

    /// A key; the tenant defaults to ``RunStoreDefaults/tenant``, the tenant of a server without tokens.
    public init(tenant: String = RunStoreDefaults.tenant, runID: String) {
        self.tenant = tenant
        self.runID = runID
    }

    /// `tenant/run_id`, or the run id alone in the default tenant (how logs name a run).
    public var description: String {
        self.tenant == RunStoreDefaults.tenant ? self.runID : "\(self.tenant)/\(self.runID)"
    }
}
