import Foundation

/// Where the server's kernels run (the `kernels` configuration key).
public enum KernelPlacement: Hashable, Sendable, CustomStringConvertible {
    /// In the server's own process (``RewardWeightingKernels/InProcessKernels``).
    case inProcess
    /// In a worker the server spawns and supervises (``WorkerSupervisor``): `executable worker`, where `nil` is
    /// the server's own executable (`rw-server`, whose `worker` subcommand is the worker).
    case spawn(executable: String?)
    /// In a kernel worker already listening on this Unix domain socket (`rw-server worker --socket PATH`).
    case unixSocket(path: String)
    /// In kernel workers listening on TCP (`rw-server worker --listen HOST:PORT`), calls spread across them.
    case tcpWorkers([Endpoint])

    /// A worker's host and port.
    public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        /// The host name or address.
        public let host: String
        /// The port.
        public let port: Int

        /// Parses `HOST:PORT` (`[v6::addr]:PORT` too), ports in `allowedPorts`; `nil` for anything else.
        public init?(parsing text: String, allowedPorts: ClosedRange<Int> = 1...65535) {
            guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
                let port = Int(text[text.index(after: colon)...]), allowedPorts.contains(port)
            else { return nil }
            self.host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            self.port = port
        }

        public var description: String {
            self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
        }
    }

    /// The default of the configuration key (and so of `rw-server`): spawn a worker.
    public static let `default` = KernelPlacement.spawn(executable: nil)

    /// Parses `spawn`, `in-process`, `unix:PATH` (also `unix://PATH`, `unix:///abs/path`) or
    /// `dns:///HOST:PORT[,HOST:PORT…]` (also `dns:HOST:PORT,…`).
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
        for prefix in ["dns:///", "dns:"] where text.hasPrefix(prefix) {
            var endpoints: [Endpoint] = []
            for item in text.dropFirst(prefix.count).split(separator: ",", omittingEmptySubsequences: false) {
                let entry = item.trimmingCharacters(in: .whitespaces)
                guard let endpoint = Endpoint(parsing: entry) else {
                    throw ConfigurationError(
                        key: .kernels, reason: "'\(entry)' in '\(text)' is not HOST:PORT (e.g. dns:///10.0.0.5:50061)")
                }
                endpoints.append(endpoint)
            }
            self = .tcpWorkers(endpoints)
            return
        }
        for prefix in ["unix://", "unix:"] where text.hasPrefix(prefix) {
            let path = String(text.dropFirst(prefix.count))
            guard !path.isEmpty else { break }
            self = .unixSocket(path: path)
            return
        }
        throw ConfigurationError(
            key: .kernels,
            reason: "'\(text)' is not spawn, in-process, unix:PATH or dns:///HOST:PORT[,HOST:PORT…] (kernel workers)")
    }

    /// The text of the key: `spawn`, `in-process` or `unix:PATH`.
    public var description: String {
        switch self {
        case .inProcess: "in-process"
        case .spawn(let executable): executable.map { "spawn (\($0))" } ?? "spawn"
        case .unixSocket(let path): "unix:\(path)"
        case .tcpWorkers(let endpoints): "dns:///" + endpoints.map(\.description).joined(separator: ",")
        }
    }
}
