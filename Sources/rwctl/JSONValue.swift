/// A parsed JSON value (RFC 8259). Numbers are `Double`s, correctly rounded from their text; a literal too
/// large for a `Double` (such as `1e999`) becomes ±∞ so that the validation of the field it belongs to can
/// name its row and column.
enum JSONValue {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The kind of value with its article, for messages ("found a string").
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The numbers of an array of numbers.
    /// - Parameter field: how messages name the value, e.g. `reference` or `points: row 3`.
    func numbers(field: String) throws(InputError) -> [Double] {
        guard case .array(let elements) = self else {
            throw InputError("\(field): expected an array of numbers, found \(self.kind)")
        }
        var result: [Double] = []
        result.reserveCapacity(elements.count)
        for (column, element) in elements.enumerated() {
            guard case .number(let value) = element else {
                throw InputError("\(field), column \(column): expected a number, found \(element.kind)")
            }
            result.append(value)
        }
        return result
    }

    /// The rows of an array of arrays of numbers (rows may differ in length; the core checks the shape).
    /// - Parameter field: how messages name the value, e.g. `points` or `gram`.
    func numberRows(field: String) throws(InputError) -> [[Double]] {
        guard case .array(let rows) = self else {
            throw InputError("\(field): expected an array of arrays of numbers, found \(self.kind)")
        }
        var result: [[Double]] = []
        result.reserveCapacity(rows.count)
        for (row, element) in rows.enumerated() {
            result.append(try element.numbers(field: "\(field): row \(row)"))
        }
        return result
    }

    /// The members of an object whose keys must all be in `allowed`.
    /// - Parameter field: how messages name the value, e.g. the file name.
    func members(allowed: [String], field: String) throws(InputError) -> [String: JSONValue] {
        guard case .object(let members) = self else {
            let keys = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            throw InputError("\(field): expected a JSON object with keys among \(keys), found \(self.kind)")
        }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            let keys = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            throw InputError("\(field): unknown key \"\(unknown)\"; expected one of \(keys)")
        }
        return members
    }
}
