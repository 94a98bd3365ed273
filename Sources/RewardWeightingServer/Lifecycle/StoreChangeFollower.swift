import RewardWeightingService
import ServiceLifecycle

/// Keeps the coordinator's runs up to date with the writes of the other servers that share the store
/// (``RunCoordinator/followStoreChanges()``), until graceful shutdown. Only for a shared store (PostgreSQL).
struct StoreChangeFollower: Service {
    let coordinator: RunCoordinator

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.coordinator.followStoreChanges()
        }
    }
}
