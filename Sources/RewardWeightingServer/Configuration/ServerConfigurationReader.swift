import Configuration

/// The `swift-configuration` reader of `rw-server`'s keys (``ServerConfigurationKey``): the command-line flags,
/// then the `RW_*` environment variables, then an optional JSON config file, then the defaults — the way
/// Hummingbird applications read theirs.
public enum ServerConfigurationReader {
    /// A reader over `flags` (the values given on the command line, by key), `environment` (variables named
    /// `RW_` and the key in upper snake case) and the JSON file named by ``ServerConfigurationKey/config`` in
    /// either, if any.
    /// - Throws: when the config file cannot be read or is not JSON.
    public static func make(
        flags: [ServerConfigurationKey: ConfigContent], environment: [String: String]
    ) async throws -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, content) in flags {
            values[AbsoluteConfigKey(stringLiteral: key.key)] = ConfigValue(content, isSecret: false)
        }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: values),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "rw"),
        ]
        let head = ConfigReader(providers: providers)
        if let path = head.string(forKey: ConfigKey(ServerConfigurationKey.config.key)) {
            let location = ConfigReader(
                provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(path), isSecret: false)]))
            providers.append(try await FileProvider<JSONSnapshot>(config: location))
        }
        return ConfigReader(providers: providers)
    }
}
