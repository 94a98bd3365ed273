/// A strict JSON parser (RFC 8259) that reports where the text is malformed.
///
/// Foundation's parsers accept trailing commas and reject number literals that overflow a `Double` without
/// saying where they are; this one rejects the former and turns the latter into ±∞ (see ``JSONValue``), so the
/// field that holds the number can report its row and column.
struct JSONParser {
    /// Nesting deeper than this is refused rather than risking the stack.
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var index: Int
    private var depth = 0

    private init(_ bytes: some Collection<UInt8>) {
        self.bytes = Array(bytes)
        self.index = 0
    }

    /// Parses one JSON value; only whitespace may follow it.
    /// - Parameter source: how messages name the text, e.g. the file name or `--gram line 3`.
    static func parse(_ bytes: some Collection<UInt8>, source: String) throws(InputError) -> JSONValue {
        var parser = JSONParser(bytes)
        do throws(SyntaxError) {
            parser.skipWhitespace()
            let value = try parser.parseValue()
            parser.skipWhitespace()
            guard parser.index == parser.bytes.count else {
                throw SyntaxError(offset: parser.index, reason: "unexpected text after the JSON value")
            }
            return value
        } catch {
            throw InputError("\(source): malformed JSON at \(parser.position(of: error.offset)): \(error.reason)")
        }
    }

    private struct SyntaxError: Error {
        var offset: Int
        var reason: String
    }

    /// "line L, column C" (1-based), or only the column when the text is a single line.
    private func position(of offset: Int) -> String {
        var line = 1
        var lineStart = 0
        for i in 0..<Swift.min(offset, self.bytes.count) where self.bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        let column = offset - lineStart + 1
        // A single line (a JSON-lines record, or a document on one line ending in a newline) needs no line number.
        let lastContent = self.bytes.lastIndex { !Self.isWhitespace($0) } ?? 0
        let isSingleLine = !self.bytes[..<lastContent].contains(UInt8(ascii: "\n"))
        return isSingleLine ? "column \(column)" : "line \(line), column \(column)"
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }

    private var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    private func describeCurrent() -> String {
        guard let byte = self.current else { return "the end of the input" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func skipWhitespace() {
        while let byte = self.current, Self.isWhitespace(byte) { self.index += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(SyntaxError) {
        guard self.current == byte else {
            throw SyntaxError(offset: self.index, reason: "expected \(what), found \(self.describeCurrent())")
        }
        self.index += 1
    }

    private mutating func parseValue() throws(SyntaxError) -> JSONValue {
        guard let byte = self.current else {
            throw SyntaxError(offset: self.index, reason: "expected a value, found the end of the input")
        }
        switch byte {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): return try self.parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try self.parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try self.parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try self.parseNumber())
        default:
            throw SyntaxError(offset: self.index, reason: "expected a value, found \(self.describeCurrent())")
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(SyntaxError) -> JSONValue {
        let start = self.index
        for byte in word.utf8 {
            guard self.current == byte else {
                throw SyntaxError(offset: start, reason: "expected a value, found \(self.describeCurrent())")
            }
            self.index += 1
        }
        return value
    }

    private mutating func enter() throws(SyntaxError) {
        self.depth += 1
        guard self.depth <= Self.maximumDepth else {
            throw SyntaxError(offset: self.index, reason: "nested deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func parseArray() throws(SyntaxError) -> JSONValue {
        try self.enter()
        self.index += 1
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.current == UInt8(ascii: "]") {
            self.index += 1
            self.depth -= 1
            return .array(elements)
        }
        while true {
            self.skipWhitespace()
            elements.append(try self.parseValue())
            self.skipWhitespace()
            if self.current == UInt8(ascii: "]") {
                self.index += 1
                self.depth -= 1
                return .array(elements)
            }
            try self.expect(UInt8(ascii: ","), "',' or ']' in an array")
        }
    }

    private mutating func parseObject() throws(SyntaxError) -> JSONValue {
        try self.enter()
        self.index += 1
        var members: [String: JSONValue] = [:]
        self.skipWhitespace()
        if self.current == UInt8(ascii: "}") {
            self.index += 1
            self.depth -= 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            let keyOffset = self.index
            guard self.current == UInt8(ascii: "\"") else {
                throw SyntaxError(
                    offset: self.index, reason: "expected a string key in an object, found \(self.describeCurrent())")
            }
            let key = try self.parseString()
            self.skipWhitespace()
            try self.expect(UInt8(ascii: ":"), "':' after an object key")
            self.skipWhitespace()
            let value = try self.parseValue()
            guard members.updateValue(value, forKey: key) == nil else {
                throw SyntaxError(offset: keyOffset, reason: "duplicate key \"\(key)\"")
            }
            self.skipWhitespace()
            if self.current == UInt8(ascii: "}") {
                self.index += 1
                self.depth -= 1
                return .object(members)
            }
            try self.expect(UInt8(ascii: ","), "',' or '}' in an object")
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, converted with the standard library's correctly
    /// rounded parser.
    private mutating func parseNumber() throws(SyntaxError) -> Double {
        let start = self.index
        if self.current == UInt8(ascii: "-") { self.index += 1 }
        if self.current == UInt8(ascii: "0") {
            self.index += 1
        } else {
            try self.digits(start: start)
        }
        if self.current == UInt8(ascii: ".") {
            self.index += 1
            try self.digits(start: start)
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            self.index += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.index += 1 }
            try self.digits(start: start)
        }
        let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        guard let value = Double(text) else {
            throw SyntaxError(offset: start, reason: "invalid number \(text)")
        }
        return value
    }

    private mutating func digits(start: Int) throws(SyntaxError) {
        let first = self.index
        while let byte = self.current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { self.index += 1 }
        guard self.index > first else {
            throw SyntaxError(
                offset: self.index, reason: "expected a digit in a number, found \(self.describeCurrent())")
        }
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        let start = self.index
        self.index += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = self.current else {
                throw SyntaxError(offset: start, reason: "unterminated string")
            }
            switch byte {
            case UInt8(ascii: "\""):
                self.index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                self.index += 1
                try self.parseEscape(into: &utf8)
            case 0..<0x20:
                throw SyntaxError(offset: self.index, reason: "unescaped control character in a string")
            default:
                utf8.append(byte)
                self.index += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(SyntaxError) {
        guard let byte = self.current else {
            throw SyntaxError(offset: self.index, reason: "unterminated escape in a string")
        }
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try self.hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard self.current == UInt8(ascii: "\\") else {
                    throw SyntaxError(offset: self.index, reason: "unpaired surrogate in a string")
                }
                self.index += 1
                try self.expect(UInt8(ascii: "u"), "a low surrogate escape")
                let low = try self.hexQuad()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw SyntaxError(offset: self.index, reason: "unpaired surrogate in a string")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw SyntaxError(offset: self.index, reason: "unpaired surrogate in a string")
            }
            // Every value left is a valid scalar: surrogates were handled above.
            utf8.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw SyntaxError(offset: self.index - 1, reason: "invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func hexQuad() throws(SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = self.current, let digit = Self.hexValue(byte) else {
                throw SyntaxError(offset: self.index, reason: "expected a hexadecimal digit in a \\u escape")
            }
            value = value << 4 | digit
            self.index += 1
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
