import Synchronization

/// A token bucket per tenant: each call takes one token; a tenant's bucket holds at most ``burst`` tokens and
/// refills at ``rate`` a second. A call that finds its tenant's bucket empty is refused
/// (``ServiceError/Code/resourceExhausted``, field `tenant`, naming the limit), so one tenant's flood cannot
/// starve the others; an empty bucket refills by itself, and the caller retries later.
public final class TenantRateLimiter: Sendable {
    /// Calls per second per tenant; 0: no limit.
    public let rate: Double
    /// The most calls a tenant may make at once after being idle.
    public let burst: Double
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let buckets = Mutex<[String: Bucket]>([:])

    private struct Bucket {
        var tokens: Double
        var refilled: ContinuousClock.Instant
    }

    /// A limiter of `rate` calls a second per tenant with bursts of `burst` (at least 1); `rate` 0 admits all.
    public init(
        rate: Double, burst: Double,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.rate = max(0, rate)
        self.burst = max(1, burst)
        self.clock = clock
    }

    /// A limiter that admits every call.
    public static var unlimited: TenantRateLimiter { TenantRateLimiter(rate: 0, burst: 1) }

    /// Takes one token of `tenant`'s bucket.
    /// - Throws: ``ServiceError/Code/resourceExhausted`` (field `tenant`) when it is empty.
    public func admit(_ tenant: String) throws(ServiceError) {
        guard self.rate > 0 else { return }
        let now = self.clock()
        let admitted = self.buckets.withLock { buckets in
            var bucket = buckets[tenant] ?? Bucket(tokens: self.burst, refilled: now)
            let elapsed = now - bucket.refilled
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(self.burst, bucket.tokens + seconds * self.rate)
            bucket.refilled = now
            let admitted = bucket.tokens >= 1
            if admitted { bucket.tokens -= 1 }
            buckets[tenant] = bucket
            return admitted
        }
        guard admitted else {
            throw ServiceError(
                code: .resourceExhausted, field: "tenant",
                reason: "tenant \(tenant) is over its request rate; the limit tenantRequestRate is "
                    + "\(Self.format(self.rate)) calls a second (bursts of \(Self.format(self.burst))); retry later")
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
