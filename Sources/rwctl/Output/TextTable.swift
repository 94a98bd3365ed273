/// Rows of text cells, printed as aligned columns (``rendered``) or as CSV (``csv``).
struct TextTable: Sendable {
    /// The column titles.
    let header: [String]
    /// The rows, each with one cell per column.
    var rows: [[String]] = []

    /// The table as aligned columns, two spaces apart, with the header first; no trailing spaces.
    var rendered: String {
        let lines = [self.header] + self.rows
        let widths = self.header.indices.map { column in
            lines.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return lines.map { cells in
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padding(toLength: widths[column])
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// The table as CSV (RFC 4180): the header, then one line per row, CRLF line ends.
    var csv: String {
        ([self.header] + self.rows).map(Self.csvLine).joined()
    }

    /// One CSV line of `cells`, ending in CRLF.
    static func csvLine(_ cells: [String]) -> String {
        cells.map(csvField).joined(separator: ",") + "\r\n"
    }
}

extension String {
    /// The string followed by spaces up to `length` characters (unchanged when longer).
    fileprivate func padding(toLength length: Int) -> String {
        self.count >= length ? self : self + String(repeating: " ", count: length - self.count)
    }
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
private func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// A number as a table shows it: up to 6 significant digits (`0.333333`, `1.2e-07`).
func tableNumber(_ value: Double) -> String {
    var text = String(format: "%.6g", value)
    if text == "-0" { text = "0" }
    return text
}

/// A number as CSV and JSON show it: the shortest text that reads back as the same double.
func exactNumber(_ value: Double) -> String { "\(value)" }
