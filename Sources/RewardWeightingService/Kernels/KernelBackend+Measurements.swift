import RewardWeightingKernels
import RewardWeightingPolicy

extension KernelBackend {
    /// Runs the policy's kernel query, if any, and returns the measurements to apply the event with.
    /// - Throws: ``ServiceError`` from the backend's ``KernelError``.
    func measure(_ query: KernelQuery?) async throws(ServiceError) -> KernelMeasurements {
        guard let query else { return .none }
        do throws(KernelError) {
            switch query {
            case .hypervolumeImprovement(let candidate, let buffer, let reference):
                return KernelMeasurements(
                    hypervolumeImprovement: try await self.hypervolumeImprovement(
                        adding: candidate, to: buffer, reference: reference))
            }
        } catch {
            throw ServiceError(error)
        }
    }
}
