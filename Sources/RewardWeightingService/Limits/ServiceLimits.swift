/// The limits that keep one caller from taking a shared server's memory or CPU: each a configuration key of
/// `rw-server` (docs/configuration.md) with the default here. A request over one is
/// ``ServiceError/Code/resourceExhausted`` with a message that names the limit and its value; nothing is stored.
public struct ServiceLimits: Hashable, Sendable {
    /// The most objectives (K) a run may have (`CreateRun`): 16. The hypervolume kernels' cost grows fast with K.
    public var maxObjectives: Int
    /// The most reward values (N×K) one `Scalarize` call may carry: 2²¹ (16 MiB of doubles, the default message
    /// limit).
    public var maxBatchValues: Int
    /// The most points a run's Pareto buffer may hold: 4096. A checkpoint that would grow it beyond is refused.
    public var maxBufferSize: Int
    /// The most runs (active and archived) one tenant may have: 10 000.
    public var maxRunsPerTenant: Int

    /// Limits; every parameter has its default.
    public init(
        maxObjectives: Int = 16, maxBatchValues: Int = 1 << 21, maxBufferSize: Int = 4096,
        maxRunsPerTenant: Int = 10_000
    ) {
        self.maxObjectives = maxObjectives
        self.maxBatchValues = maxBatchValues
        self.maxBufferSize = maxBufferSize
        self.maxRunsPerTenant = maxRunsPerTenant
    }

    /// The defaults.
    public static let `default` = ServiceLimits()

    /// The error of a request over a limit: `field: reason (limit key = value)`.
    static func exceeded(field: String, _ what: String, key: String, value: Int) -> ServiceError {
        ServiceError(
            code: .resourceExhausted, field: field, reason: "\(what); the limit \(key) is \(value)")
    }
}
