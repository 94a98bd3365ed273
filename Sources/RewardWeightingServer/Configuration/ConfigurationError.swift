/// A configuration value `rw-server` cannot use: its key (with the flag and variable that set it) and why.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The key whose value was refused.
    public let key: ServerConfigurationKey
    /// Why.
    public let reason: String

    /// An error for `key`.
    public init(key: ServerConfigurationKey, reason: String) {
        self.key = key
        self.reason = reason
    }

    /// `key (--flag, RW_VARIABLE): reason`.
    public var description: String { "\(self.key.key) (\(self.key.flag), \(self.key.variable)): \(self.reason)" }
}
