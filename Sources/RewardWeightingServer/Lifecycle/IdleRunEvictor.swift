import RewardWeightingService
import ServiceLifecycle

/// Drops the runs that nobody has called for ``timeout`` from the server's memory
/// (``RunCoordinator/evictIdleRuns(after:every:)``), until graceful shutdown; they are loaded again on their next
/// call. ``ServerConfigurationKey/runIdleTimeout``.
struct IdleRunEvictor: Service {
    let coordinator: RunCoordinator
    let timeout: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.coordinator.evictIdleRuns(after: self.timeout)
        }
    }
}
