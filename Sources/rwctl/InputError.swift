import RewardWeightingCore

/// Input that `rwctl` refuses: a file it cannot read, text that is not the expected JSON or CSV, a value the
/// core rejects, or a result that does not fit in a `Double`.
///
/// With ``ServerError`` (a failed call to `rw-server`), the tool's error types. ``RewardWeightingControl/main()``
/// prints ``message`` on standard error and exits with status ``exitStatus``; nothing else in the tool decides
/// exit codes.
struct InputError: Error, CustomStringConvertible {
    /// The exit status for every input or usage error.
    static let exitStatus: Int32 = 2

    /// A human-readable explanation that names the offending field, option, row or column.
    var message: String
    /// The core's error, when the core refused the input.
    var cause: ValidationError?

    /// An error with its own message.
    init(_ message: String) {
        self.message = message
        self.cause = nil
    }

    /// Wraps a core error, keeping its message (which names the field, row and column).
    /// - Parameters:
    ///   - context: a prefix naming where the input came from (e.g. `--gram line 3`), or `nil`.
    ///   - note: a suffix that helps the user find the value (e.g. the CSV line number), or `nil`.
    init(_ cause: ValidationError, context: String? = nil, note: String? = nil) {
        var message = cause.message
        if let context { message = "\(context): \(message)" }
        if let note { message += " (\(note))" }
        self.message = message
        self.cause = cause
    }

    var description: String { self.message }

    /// Runs `body` (a call into the core), turning the core's ``ValidationError`` into an ``InputError``
    /// with the given context.
    ///
    /// `body` is untyped because Swift 6 does not infer a closure's typed `throws` from its contents.
    static func checking<T>(context: String? = nil, _ body: () throws -> T) throws(InputError) -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            throw InputError(error, context: context)
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(context.map { "\($0): \(error)" } ?? "\(error)")
        }
    }

    /// Refuses a result that does not fit in a `Double` (JSON cannot hold ±∞ or NaN).
    static func requireFinite(_ values: [Double], field: String) throws(InputError) {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            let position = values.count == 1 ? "" : " entry \(index)"
            throw InputError(
                "\(field):\(position) is \(values[index]); the result overflows a Double, rescale the objectives")
        }
    }
}
