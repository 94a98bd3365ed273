import Foundation

/// Parses a comma-separated list of numbers given on the command line, e.g. `--reference 0,700,0.25`.
///
/// - Parameter option: how messages name the option, e.g. `--reference`.
/// - Throws: ``InputError`` naming the entry that is empty, not a number, or not finite.
func parseNumberList(_ text: String, option: String) throws(InputError) -> [Double] {
    var values: [Double] = []
    for (index, field) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed) else {
            let shown = trimmed.isEmpty ? "empty" : "'\(trimmed)', not a number"
            throw InputError("\(option): entry \(index) is \(shown); expected comma-separated numbers")
        }
        guard value.isFinite else {
            throw InputError("\(option): entry \(index) is \(value); every value must be finite")
        }
        values.append(value)
    }
    return values
}
