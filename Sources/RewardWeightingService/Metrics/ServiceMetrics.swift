import CoreMetrics
import RewardWeightingPolicy

/// What the service measures about itself, through swift-metrics with an explicit factory (the server's
/// Prometheus registry; `NOOPMetricsHandler` when none is given, e.g. in tests and embedded use):
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `rw_events_applied_total` | counter | `kind`: created, scalarize, gradients, checkpoint, resumed, archived |
/// | `rw_store_commit_seconds` | timer (histogram) | — : one store transaction of appended events |
/// | `rw_group_commit_batch_size` | recorder (histogram) | — : events per store transaction |
/// | `rw_kernel_seconds` | timer (histogram) | `kernel`: hypervolume_improvement, hypervolume, contributions, gram |
/// | `rw_active_runs` | gauge | — : runs whose actor is live in this process |
/// | `rw_runs_evicted_total` | counter | — : idle runs dropped from memory (loaded again on their next call) |
public struct ServiceMetrics: Sendable {
    let factory: any MetricsFactory

    /// Metrics created by `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Metrics that go nowhere.
    public static let disabled = ServiceMetrics(factory: NOOPMetricsHandler.instance)

    /// Counts events that were applied and stored.
    func eventsApplied(_ kind: RunEvent.Kind, count: Int = 1) {
        let name = kind == .scalarizeSummary ? "scalarize" : kind.rawValue
        Counter(label: "rw_events_applied_total", dimensions: [("kind", name)], factory: self.factory)
            .increment(by: count)
    }

    /// Records one store transaction of `events` appended events that took `duration`.
    func storeCommit(events: Int, duration: Duration) {
        Timer(label: "rw_store_commit_seconds", factory: self.factory).recordNanoseconds(duration.nanoseconds)
        Recorder(label: "rw_group_commit_batch_size", factory: self.factory).record(events)
    }

    /// Records one kernel call.
    func kernel(_ name: String, duration: Duration) {
        Timer(label: "rw_kernel_seconds", dimensions: [("kernel", name)], factory: self.factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// Sets the number of live runs.
    func activeRuns(_ count: Int) {
        Gauge(label: "rw_active_runs", factory: self.factory).record(count)
    }

    /// Counts idle runs dropped from memory.
    func runsEvicted(_ count: Int) {
        Counter(label: "rw_runs_evicted_total", factory: self.factory).increment(by: count)
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
