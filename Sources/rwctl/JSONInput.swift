import Foundation

/// A JSON input that `rwctl` decodes with Foundation's `JSONDecoder` (``JSONInput/decode(_:from:source:fieldContext:)``).
protocol JSONDocument: Decodable {
    /// What the whole text must be, for the message when it is something else, e.g. `a JSON object with keys …`.
    static var expectation: String { get }
    /// The field that a top-level array stands for (messages name it), or `nil` when the text is an object.
    static var rootArrayField: String? { get }
}

extension JSONDocument {
    static var rootArrayField: String? { nil }
}

/// The fields of a JSON object, decoded by the synthesised `Decodable`; ``StrictObject`` refuses other keys.
protocol JSONFields: Decodable {
    /// Every key the object may have.
    static var keys: [String] { get }
}

/// A JSON object whose keys must all be ``JSONFields/keys`` of `Fields` (so a misspelt key is not ignored).
struct StrictObject<Fields: JSONFields>: JSONDocument {
    static var expectation: String {
        "a JSON object with keys among " + Fields.keys.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    var fields: Fields

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !Fields.keys.contains($0) }) {
            throw JSONInput.UnknownKey(key: unknown, allowed: Fields.keys)
        }
        self.fields = try Fields(from: decoder)
    }
}

/// A JSON number as a `Double`.
///
/// `JSONDecoder` converts a number's text only when it is decoded, and reports a literal outside a `Double`'s
/// range (`1e999`, `1e-400`) as malformed JSON with no location; this type reports it at its coding path, so that
/// the message names its row and column. Every value decoded is finite.
struct JSONNumber: Decodable {
    var value: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            self.value = try container.decode(Double.self)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: JSONInput.outOfRange)
        }
    }
}

/// Any key of a JSON object.
struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Decoding JSON input, and turning `JSONDecoder`'s errors into ``InputError``s that name the field, row and
/// column (from the error's coding path).
enum JSONInput {
    /// Fields whose value is an array of rows: messages call an index into them "row i" and an index into a row
    /// "column j". An index into any other array is "entry i".
    static let matrixFields: Set<String> = ["points", "gram", "gradients"]

    /// Why a number that is valid JSON was refused.
    static let outOfRange = "the number is outside the range of a Double"

    /// A key that the object may not have.
    struct UnknownKey: Error {
        var key: String
        var allowed: [String]
    }

    /// Decodes one JSON value; only whitespace may follow it.
    /// - Parameters:
    ///   - source: how messages name the text, e.g. the file name or `--gram line 3`.
    ///   - fieldContext: a prefix for messages about a field (e.g. `--gram line 3`), or `nil` to start them with
    ///     the field's name.
    static func decode<T: JSONDocument>(
        _ type: T.Type, from bytes: some Collection<UInt8>, source: String, fieldContext: String? = nil
    ) throws(InputError) -> T {
        let data = Data(bytes)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as UnknownKey {
            let keys = error.allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            throw InputError("\(source): unknown key \"\(error.key)\"; expected one of \(keys)")
        } catch let error as DecodingError {
            throw Self.inputError(error, type: T.self, data: data, source: source, fieldContext: fieldContext)
        } catch {
            throw InputError("\(source): \(error)")
        }
    }

    private static func inputError<T: JSONDocument>(
        _ error: DecodingError, type: T.Type, data: Data, source: String, fieldContext: String?
    ) -> InputError {
        func at(_ path: [any CodingKey], _ message: String) -> InputError {
            let field = Self.location(path, rootArrayField: T.rootArrayField)
            return InputError([fieldContext, field].compactMap { $0 }.joined(separator: ": ") + ": " + message)
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // JSONDecoder's own error says only that the text is not JSON (on Linux it has no underlying error);
            // JSONSerialization's says what and where (a byte offset).
            let reason = Self.syntaxError(in: data) ?? context.debugDescription
            return InputError("\(source): malformed JSON: \(reason)")
        case .dataCorrupted(let context):
            return at(context.codingPath, context.debugDescription)
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return InputError(
                "\(source): expected \(T.expectation)" + (Self.found(context).map { ", \($0)" } ?? ""))
        case .typeMismatch(let type, let context):
            return at(context.codingPath, "expected \(Self.kind(type))" + (Self.found(context).map { ", \($0)" } ?? ""))
        case .valueNotFound(let type, let context):
            return at(context.codingPath, "expected \(Self.kind(type)), found null")
        case .keyNotFound(let key, let context):
            return at(context.codingPath + [key], "missing")
        @unknown default:
            return InputError("\(source): \(error)")
        }
    }

    /// A coding path as messages name it: `points: row 3, column 1`, `maximize: entry 0`, `lr`.
    static func location(_ path: [any CodingKey], rootArrayField: String?) -> String? {
        var names: [String] = []
        var indices: [String] = []
        var field = rootArrayField
        for key in path {
            if let index = key.intValue {
                let isMatrix = field.map(Self.matrixFields.contains) ?? false
                let word = !isMatrix ? "entry" : indices.isEmpty ? "row" : "column"
                indices.append("\(word) \(index)")
            } else {
                names.append(key.stringValue)
                field = key.stringValue
                indices = []
            }
        }
        if names.isEmpty, let rootArrayField { names = [rootArrayField] }
        let name = names.joined(separator: ".")
        if indices.isEmpty { return name.isEmpty ? nil : name }
        return (name.isEmpty ? "" : name + ": ") + indices.joined(separator: ", ")
    }

    /// What a decoder expected, for messages.
    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is [String: Any].Type: "an object"
        case is [Any].Type: "an array"
        default: "\(type)"
        }
    }

    /// "found a string" from JSONDecoder's "Expected to decode Double but found a string instead.", if it says.
    static func found(_ context: DecodingError.Context) -> String? {
        let text = context.debugDescription
        guard let start = text.range(of: "but found "),
            let end = text.range(of: " instead", range: start.upperBound..<text.endIndex)
        else { return nil }
        let kind = String(text[start.upperBound..<end.lowerBound])
        let names = ["number": "a number", "bool": "a boolean", "a dictionary": "an object", "null value": "null"]
        return "found " + (names[kind] ?? kind)
    }

    /// Foundation's description of why the text is not JSON, when JSONSerialization finds it too.
    private static func syntaxError(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }
}
