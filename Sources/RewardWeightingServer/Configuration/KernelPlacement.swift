/// Where the server's kernels run (the `kernels` configuration key).
public enum KernelPlacement: Hashable, Sendable, CustomStringConvertible {
    /// In the server's own process (``RewardWeightingKernels/InProcessKernels``).
    case inProcess
    /// In a worker the server spawns and supervises (``WorkerSupervisor``): `executable worker`, where `nil` is
    /// the server's own executable (`rw-server`, whose `worker` subcommand is the worker).
    case spawn(executable: String?)
    /// In a kernel worker already listening on this Unix domain socket (`rw-server worker --socket PATH`).
    case unixSocket(path: String)

    /// The default of the configuration key (and so of `rw-server`): spawn a worker.
    public static let `default` = KernelPlacement.spawn(executable: nil)

    /// Parses `spawn`, `in-process` or `unix:PATH` (also `unix://PATH`, `unix:///abs/path`).
    /// - Throws: the reason, for a value that is neither.
    public init(parsing text: String) throws(ConfigurationError) {
        if text == "in-process" {
            self = .inProcess
            return
        }
        if text == "spawn" {
            self = .spawn(executable: nil)
            return
        }
        for prefix in ["unix://", "unix:"] where text.hasPrefix(prefix) {
            let path = String(text.dropFirst(prefix.count))
            guard !path.isEmpty else { break }
            self = .unixSocket(path: path)
            return
        }
        throw ConfigurationError(
            key: .kernels, reason: "'\(text)' is not spawn, in-process or unix:PATH (a kernel worker's socket)")
    }

    /// The text of the key: `spawn`, `in-process` or `unix:PATH`.
    public var description: String {
        switch self {
        case .inProcess: "in-process"
        case .spawn(let executable): executable.map { "spawn (\($0))" } ?? "spawn"
        case .unixSocket(let path): "unix:\(path)"
        }
    }
}
