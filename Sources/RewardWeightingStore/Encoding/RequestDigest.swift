import Crypto
import RewardWeightingPolicy

/// The digest stored with every event (`run_events.request_digest`): SHA-256, as 64 lowercase hex digits, of
/// the event's ``CanonicalJSON`` (the `payload` column's exact text).
///
/// Equal events have equal digests. The service decides whether a request is a retry by comparing the decoded
/// events (robust to a future change of the JSON's spelling); the digest makes the log auditable and lets
/// another store implementation or a tool compare requests without decoding them.
public enum RequestDigest {
    /// The digest of an event.
    public static func of(_ event: RunEvent) throws -> String {
        self.of(canonicalJSON: try CanonicalJSON.encode(event))
    }

    /// The digest of an event's canonical JSON text.
    public static func of(canonicalJSON text: String) -> String {
        self.sha256Hex(of: text)
    }

    /// SHA-256 of a text's UTF-8 bytes, as 64 lowercase hex digits (also the form of an access token's hash).
    public static func sha256Hex(of text: String) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(2 * SHA256.byteCount)
        for byte in SHA256.hash(data: Array(text.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
