import Foundation

/// Points read from CSV: one point per line, comma-separated values.
///
/// Blank lines are skipped. The first non-blank line is a header, and skipped, when none of its fields is a
/// number (so a data line with a typo is reported, not silently dropped). A field may be wrapped in double
/// quotes. Values that parse as numbers but are not finite (`nan`, `inf`, `1e999`) are kept, so that the
/// core's validation names their row and column; ``lineNumbers`` lets messages point at the line.
struct CSVPoints {
    /// The points' values, in file order (rows may differ in length; the core checks the shape).
    var rows: [[Double]] = []
    /// The 1-based line of the file that holds each row.
    var lineNumbers: [Int] = []
    /// The header's names, when the file has a header.
    var header: [String]?

    /// Parses CSV text.
    /// - Parameter source: how messages name the input, e.g. the file name.
    init(parsing bytes: [UInt8], source: String) throws(InputError) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(Self.unquoted)
            if self.rows.isEmpty && self.header == nil && fields.allSatisfy({ Double($0) == nil }) {
                self.header = fields
                continue
            }
            let row = self.rows.count
            var values: [Double] = []
            values.reserveCapacity(fields.count)
            for (column, field) in fields.enumerated() {
                guard let value = Double(field) else {
                    let shown = field.isEmpty ? "empty" : "'\(field)', not a number"
                    throw InputError("points: row \(row), column \(column) is \(shown) (\(source) line \(lineNumber))")
                }
                values.append(value)
            }
            self.rows.append(values)
            self.lineNumbers.append(lineNumber)
        }
        if let header = self.header, let first = self.rows.first, header.count != first.count {
            throw InputError(
                "\(source): the header has \(header.count) names but row 0 (line \(self.lineNumbers[0])) has "
                    + "\(first.count) values")
        }
    }

    /// A field without surrounding whitespace and double quotes.
    private static func unquoted(_ field: Substring) -> String {
        var text = field.trimmingCharacters(in: .whitespaces)
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            text = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        return text
    }
}
