/// User input as error messages quote it: between single quotes, control characters and quotes escaped, and
/// cut after ``quotedInputLimit`` characters with a note of how much was left out.
///
/// Every message that repeats a caller's string (a run id, an objective name, an unknown enum name) goes
/// through this, so that a message stays small whatever the input: stock gRPC clients refuse trailers over
/// 8 KiB, and would report a 10 KB run id's `NOT_FOUND` as `RESOURCE_EXHAUSTED`.
public func quoted(_ text: String, limit: Int = quotedInputLimit) -> String {
    var result = "'"
    var count = 0
    var consumedBytes = 0
    for character in text {
        if count == limit {
            result += "'… (\(text.utf8.count - consumedBytes) more bytes)"
            return result
        }
        consumedBytes += character.utf8.count
        switch character {
        case "'": result += "\\'"
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            if character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                for scalar in character.unicodeScalars { result += "\\u{\(String(scalar.value, radix: 16))}" }
            } else {
                result.append(character)
            }
        }
        count += 1
    }
    return result + "'"
}

/// How many characters of a caller's string a message quotes: 64.
public let quotedInputLimit = 64
