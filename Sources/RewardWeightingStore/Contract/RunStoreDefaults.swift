/// Defaults of the stores, each defined once.
public enum RunStoreDefaults {
    /// The tenant of every run while the server runs without tenants (the single open principal's).
    public static let tenant = "default"
}
