/// Where the server's kernels run (the `kernels` configuration key).
public enum KernelPlacement: Hashable, Sendable, CustomStringConvertible {
    /// In the server's own process (``RewardWeightingKernels/InProcessKernels``).
    case inProcess
    /// In a kernel worker already listening on this Unix domain socket (`rw-server worker --socket PATH`).
    case unixSocket(path: String)

    /// The key's default.
    public static let `default` = KernelPlacement.inProcess

    /// Parses `in-process` or `unix:PATH` (also `unix://PATH`, `unix:///abs/path`).
    /// - Throws: the reason, for a value that is neither.
    public init(parsing text: String) throws(ConfigurationError) {
        if text == "in-process" {
            self = .inProcess
            return
        }
        for prefix in ["unix://", "unix:"] where text.hasPrefix(prefix) {
            let path = String(text.dropFirst(prefix.count))
            guard !path.isEmpty else { break }
            self = .unixSocket(path: path)
            return
        }
        throw ConfigurationError(
            key: .kernels, reason: "'\(text)' is not in-process or unix:PATH (a kernel worker's socket)")
    }

    /// The text of the key: `in-process` or `unix:PATH`.
    public var description: String {
        switch self {
        case .inProcess: "in-process"
        case .unixSocket(let path): "unix:\(path)"
        }
    }
}
