import Logging
import RewardWeightingService

/// Reloads the `--auth-tokens` file (on every SIGHUP: ``HangupReloads``), without dropping a connection or a
/// call: a call that started before the reload was authenticated with the old tokens, every later one with the
/// new. A file that does not load (missing, malformed) is logged and changes nothing: the tokens in use stay.
struct AccessTokenReloader: Sendable {
    let path: String
    let authenticator: Authenticator
    let logger: Logger

    /// Loads the file and, if it loads, replaces the tokens.
    func reload() {
        do throws(ConfigurationError) {
            let tokens = try AccessTokenFile.load(self.path)
            self.authenticator.replaceTokens(tokens)
            self.logger.notice(
                "reloaded the access tokens", metadata: ["file": "\(self.path)", "tokens": "\(tokens.count)"])
        } catch {
            self.logger.error(
                "the access tokens did not reload; the previous ones stay in use",
                metadata: ["file": "\(self.path)", "error": "\(error)"])
        }
    }
}
