import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingStore

/// Who is calling: the tenant whose runs a call may see and the role that says what it may do. Every
/// ``RunCoordinator`` call takes one; the transports build it from the caller's credentials.
///
/// Until tokens are configured, every caller is ``open``: the default tenant with every right. The service
/// records the tenant on each run it creates, and a call names a run within its principal's tenant: run ids are
/// unique per tenant, so another tenant's run is simply not found. An admin acts in the tenant its credentials
/// name, or in any other the transport lets it choose.
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
    /// Whether `ListRuns` shows every tenant's runs (an admin that chose no tenant) rather than ``tenant``'s.
    public let listsEveryTenant: Bool

    /// A principal.
    /// - Parameter listsEveryTenant: only for an admin: `ListRuns` shows every tenant's runs.
    public init(tenant: String, role: Role, listsEveryTenant: Bool = false) {
        self.tenant = tenant
        self.role = role
        self.listsEveryTenant = listsEveryTenant && role == .admin
    }

    /// The caller of a server without authentication: the default tenant, admin, listing every tenant's runs.
    public static let open = Principal(tenant: RunStoreDefaults.tenant, role: .admin, listsEveryTenant: true)

    /// Whether the role may change runs (create, report, resume, archive): trainers and admins.
    public var mayWrite: Bool { self.role != .viewer }

    /// The principal acting in another tenant (an admin choosing the tenant it works on): its runs, and only
    /// its runs in `ListRuns`.
    public func acting(in tenant: String) -> Principal { Principal(tenant: tenant, role: self.role) }

    /// The key of the run `runID` within the principal's tenant.
    public func key(of runID: String) -> RunKey { RunKey(tenant: self.tenant, runID: runID) }

    /// Checks that the role may change runs.
    /// - Throws: ``ServiceError/Code/permissionDenied`` (field `authorization`) for a viewer.
    public func checkMayWrite() throws(ServiceError) {
        guard self.mayWrite else {
            throw ServiceError(
                code: .permissionDenied, field: "authorization",
                reason: "a \(self.role.rawValue) token may read runs but not change them")
        }
    }

    /// Checks a tenant name: the syntax of a run id (``RunConfig/checkRunID(_:)``: A–Z, a–z, 0–9, '.', '_' and
    /// '-', starting with a letter or digit), so that neither holds the separators of `tenant/run_id`.
    /// - Throws: ``ServiceError/Code/invalidArgument`` naming `field`.
    public static func checkTenant(_ tenant: String, field: String = "tenant") throws(ServiceError) {
        do throws(ValidationError) {
            try RunConfig.checkRunID(tenant)
        } catch {
            throw ServiceError(code: .invalidArgument, field: field, reason: error.reason, cause: error)
        }
    }
}
