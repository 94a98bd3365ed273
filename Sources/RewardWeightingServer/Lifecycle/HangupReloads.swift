import ServiceLifecycle
import UnixSignals

/// On every SIGHUP, reloads what the server reads from files while it runs: the access tokens
/// (``AccessTokenReloader``) and the TLS certificate and key (``ServerTLS``), in that order.
struct HangupReloads: Service {
    let reloads: [@Sendable () -> Void]

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            for reload in self.reloads { reload() }
        }
    }
}
