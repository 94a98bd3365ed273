import Foundation

/// One-line JSON output whose numbers round-trip exactly.
///
/// A `Double` is written with Swift's `description`, the shortest text that parses back to the same value
/// (`0.1`, `1e-06`, `6.0`); that text is always a valid JSON number for a finite value. Callers make sure
/// every number is finite first (``InputError/requireFinite(_:field:)``): JSON cannot hold ±∞ or NaN.
///
/// Foundation's `JSONEncoder` is not used: it writes `3.0` as `3` and `-0.0` as `-0`, and does not keep the
/// keys in the order given.
enum JSONText {
    /// A finite `Double`.
    static func number(_ value: Double) -> String {
        precondition(value.isFinite, "JSON cannot hold \(value)")
        return value.description
    }

    /// An array of finite `Double`s: `[1.0, 2.5]`.
    static func array(_ values: [Double]) -> String {
        "[" + values.map(Self.number).joined(separator: ", ") + "]"
    }

    /// An array of integers: `[0, 2]`.
    static func array(_ values: [Int]) -> String {
        "[" + values.map(String.init).joined(separator: ", ") + "]"
    }

    /// An array of arrays of finite `Double`s: `[[1.0, 2.0], [3.0, 4.0]]`.
    static func rows(_ rows: [[Double]]) -> String {
        "[" + rows.map(Self.array).joined(separator: ", ") + "]"
    }

    /// A string literal, escaped as JSON requires.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// An array of already-encoded values: `[{…}, {…}]`.
    static func array(encoded values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }

    /// An object from keys and already-encoded values, in the given order: `{"a": 1, "b": [2.0]}`.
    /// - Precondition: the keys are plain ASCII names that need no escaping.
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}
