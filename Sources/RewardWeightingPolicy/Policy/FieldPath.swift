import RewardWeightingCore

extension ValidationError {
    /// The same error with its field moved under `path` (`total_steps` → `gradient.schedule.total_steps`),
    /// so that an error from a core type names the field as it appears in a run's configuration.
    func nested(under path: String) -> ValidationError {
        self.renamed(to: "\(path).\(self.field)")
    }

    /// The same error reported for `newField` instead of its own field; the reason stays.
    func renamed(to newField: String) -> ValidationError {
        ValidationError(code: self.code, field: newField, row: self.row, column: self.column, reason: self.reason)
    }
}

/// Runs `body`, reporting any validation error under `path` (see ``ValidationError/nested(under:)``).
func validating<T>(under path: String, _ body: () throws(ValidationError) -> T) throws(ValidationError) -> T {
    do throws(ValidationError) {
        return try body()
    } catch {
        throw error.nested(under: path)
    }
}

/// A coding path written as a field name: `objectives[1].direction`.
func fieldPath(_ codingPath: [any CodingKey]) -> String {
    var path = ""
    for key in codingPath {
        if let index = key.intValue {
            path += "[\(index)]"
        } else {
            path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return path
}
