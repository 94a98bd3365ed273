import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingAPI
import RewardWeightingServer
import RewardWeightingService
import RewardWeightingStore
import Testing

/// `TrainerServiceImplementation.registerMethods(with:)` is written by hand (to give every method a size-limited
/// deserializer), so a new RPC in the proto must not be left out of it silently: it would answer UNIMPLEMENTED.
@Suite struct MethodRegistrationTests {
    @Test("every method of the generated TrainerService has a handler")
    func everyGeneratedMethodIsRegistered() {
        let service = TrainerServiceImplementation(
            coordinator: RunCoordinator(store: InMemoryRunStore(), logger: quietLogger), logger: quietLogger)
        var router = RPCRouter<HTTP2ServerTransport.Posix>()
        service.registerMethods(with: &router)
        let generated = Rewardweighting_V1_TrainerService.Method.descriptors
        #expect(!generated.isEmpty)
        for descriptor in generated {
            #expect(router.hasHandler(forMethod: descriptor), "\(descriptor) has no handler")
        }
        #expect(Set(router.methods) == Set(generated))
    }
}
