import RewardWeightingStore

/// Who is calling: the tenant whose runs a call may see and the role that says what it may do. Every
/// ``RunCoordinator`` call takes one; the transports build it from the caller's credentials.
///
/// Until tokens are configured, every caller is ``open``: the default tenant with every right. The service
/// records the tenant on each run it creates.
public struct Principal: Hashable, Sendable {
    /// What a principal may do.
    public enum Role: String, Hashable, Sendable, CaseIterable {
        /// Creates and writes its tenant's runs, and reads them.
        case trainer
        /// Reads its tenant's runs.
        case viewer
        /// Everything, on every tenant's runs.
        case admin
    }

    /// The tenant the principal acts for.
    public let tenant: String
    /// What it may do.
    public let role: Role

    /// A principal.
    public init(tenant: String, role: Role) {
        self.tenant = tenant
        self.role = role
    }

    /// The caller of a server without authentication: the default tenant, admin.
    public static let open = Principal(tenant: RunStoreDefaults.tenant, role: .admin)
}
