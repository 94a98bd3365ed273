import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// A protobuf deserializer that refuses a request message larger than a limit with `RESOURCE_EXHAUSTED`.
///
/// grpc-swift-nio-transport enforces its own payload limit by resetting the stream (the client sees
/// `UNAVAILABLE`/`CANCELLED`, not a status), so the contract's `RESOURCE_EXHAUSTED` for oversized messages is
/// given here, where the size of each message is known before it is decoded. The transport's limit stays as a
/// backstop above this one (see ``RewardWeightingServer/Configuration/maxReceiveMessageBytes``).
package struct SizeLimitedDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
    /// The largest accepted message, in bytes.
    package let limit: Int
    private let base = ProtobufDeserializer<Message>()

    package init(limit: Int) {
        self.limit = limit
    }

    package func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        guard serializedMessageBytes.count <= self.limit else {
            throw ErrorMapping.rpcError(
                code: .resourceExhausted, field: "request",
                reason: "the message has \(serializedMessageBytes.count) bytes; this server accepts at "
                    + "most \(self.limit) (rw-server --max-message-bytes); split the batch")
        }
        return try self.base.deserialize(serializedMessageBytes)
    }
}
