import CoreMetrics
import Foundation
import Logging
import RewardWeightingWorker
import ServiceLifecycle
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Spawns the kernel worker (`<executable> worker --socket PATH --parent-pid <this process>`) as a child,
/// waits for its ready line, restarts it with backoff whenever it dies, and stops it (SIGTERM, then SIGKILL
/// after 5 s) when the server shuts down. The worker stops by itself if the server dies first.
///
/// ``state`` says whether a worker is serving; when the first start fails (the executable has no worker), the
/// supervisor gives up, logs it once, and the server's kernels fall back to in-process (``SupervisedKernels``).
public struct WorkerSupervisor: Service {
    /// Whether a worker serves, and whether the supervisor gave up.
    public final class State: Sendable {
        private struct Value {
            var ready = false
            var everReady = false
            var gaveUp = false
            var pid: Int32?
        }
        private let value = Mutex(Value())

        init() {}

        /// A worker has announced it is ready.
        public var isReady: Bool { self.value.withLock { $0.ready } }
        /// The first start failed: kernels run in-process.
        public var gaveUp: Bool { self.value.withLock { $0.gaveUp } }
        /// The running worker's process id.
        public var processID: Int32? { self.value.withLock { $0.pid } }

        /// Whether a worker was ever ready.
        var everReady: Bool { self.value.withLock { $0.everReady } }

        func set(ready: Bool, pid: Int32?) {
            self.value.withLock { value in
                (value.ready, value.pid) = (ready, pid)
                if ready { value.everReady = true }
            }
        }
        func giveUp() { self.value.withLock { ($0.gaveUp, $0.ready) = (true, false) } }

        /// Waits until a worker is ready or the supervisor gave up, at most `timeout`.
        func waitUntilSettled(timeout: Duration) async {
            let deadline = ContinuousClock.now + timeout
            while !self.isReady && !self.gaveUp && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// The executable to spawn with `worker` (`rw-server` itself).
    public let executable: String
    /// The socket the worker listens on.
    public let socketPath: String
    /// The worker's log level.
    public let logLevel: Logger.Level
    /// Shared with the kernels and readiness checks.
    public let state = State()
    private let logger: Logger
    private let restarts: Counter

    /// A supervisor of `executable worker` on `socketPath`.
    public init(
        executable: String, socketPath: String, logLevel: Logger.Level, logger: Logger,
        metricsFactory: any MetricsFactory
    ) {
        self.executable = executable
        self.socketPath = socketPath
        self.logLevel = logLevel
        self.logger = logger
        self.restarts = Counter(label: "rw_worker_restarts_total", dimensions: [], factory: metricsFactory)
    }

    public func run() async throws {
        // Graceful shutdown cancels the loop; the running worker then gets Subprocess's teardown (SIGTERM).
        await cancelWhenGracefulShutdown {
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                let started = ContinuousClock.now
                let status: String
                do {
                    status = try await self.runOnce()
                } catch is CancellationError {
                    break
                } catch {
                    status = "could not start: \(error)"
                }
                self.state.set(ready: false, pid: nil)
                if Task.isCancelled { break }
                // A worker that never got ready (an executable without the worker subcommand): give up once.
                if !self.hasEverBeenReady {
                    self.state.giveUp()
                    self.logger.error(
                        "the kernel worker did not start (\(status)); kernels run in-process",
                        metadata: ["executable": "\(self.executable)"])
                    return
                }
                self.restarts.increment()
                self.logger.warning(
                    "the kernel worker stopped (\(status)); restarting", metadata: ["backoff": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = started.duration(to: .now) > .seconds(30) ? .milliseconds(100) : min(backoff * 2, .seconds(5))
            }
        }
    }

    private var hasEverBeenReady: Bool { self.state.everReady }

    /// Runs one worker until it exits; returns how it ended.
    private func runOnce() async throws -> String {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))]
        let arguments = [
            "worker", "--socket", self.socketPath, "--parent-pid", "\(getpid())", "--log-level", self.logLevel.rawValue,
        ]
        let result = try await Subprocess.run(
            .path(FilePath(self.executable)), arguments: Arguments(arguments), platformOptions: options,
            input: .none, output: .sequence, error: .currentStandardError
        ) { execution in
            for try await line in execution.standardOutput.strings() {
                if line.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix(KernelWorkerProcess.readyLine) {
                    self.state.set(ready: true, pid: execution.processIdentifier.value)
                    self.logger.info(
                        "kernel worker ready",
                        metadata: ["pid": "\(execution.processIdentifier.value)", "socket": "\(self.socketPath)"])
                }
            }
        }
        return "\(result.terminationStatus)"
    }
}
