import SwiftProtobuf

/// A reply as `--output json` prints it: proto3 JSON with the proto's own field names (`run_id`, not `runId`)
/// and 64-bit integers as JSON numbers.
enum ProtoJSON {
    static let options: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        options.alwaysPrintInt64sAsNumbers = true
        return options
    }()

    /// The message's JSON text.
    static func text(_ message: some SwiftProtobuf.Message) throws -> String {
        try message.jsonString(options: Self.options)
    }
}
