import Hummingbird
import RewardWeightingCore

/// Reading a request's query parameters, each a problem naming it when it is malformed.
struct QueryParameters {
    let request: Request

    /// The parameter as given, `nil` when absent or empty.
    func string(_ name: String) -> String? {
        guard let value = self.request.uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    /// An integer parameter, `nil` when absent.
    /// - Throws: ``HTTPProblem`` 400 naming `name` for a value that is not an integer.
    func integer(_ name: String) throws(HTTPProblem) -> Int? {
        guard let text = self.string(name) else { return nil }
        guard let value = Int(text) else {
            throw HTTPProblem.invalidArgument(
                field: name, reason: "is \(quoted(text)); it must be an integer")
        }
        return value
    }

    /// A parameter that takes one of `values`, `nil` when absent.
    /// - Throws: ``HTTPProblem`` 400 naming `name` for another value.
    func choice(_ name: String, of values: [String]) throws(HTTPProblem) -> String? {
        guard let text = self.string(name) else { return nil }
        guard values.contains(text) else {
            throw HTTPProblem.invalidArgument(
                field: name, reason: "is \(quoted(text)); it must be one of \(values.joined(separator: ", "))")
        }
        return text
    }
}
