import Foundation

/// The JSON the store writes: object keys sorted, so that equal values give equal bytes (the request digest
/// is taken over them) and a row reads the same on every machine. Doubles are written in the shortest form that
/// reads back as the same value, so decoding gives the stored values bit for bit.
public enum CanonicalJSON {
    /// Encodes a value as canonical JSON text.
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes a value from JSON text.
    public static func decode<Value: Decodable>(_ type: Value.Type, from text: String) throws -> Value {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
