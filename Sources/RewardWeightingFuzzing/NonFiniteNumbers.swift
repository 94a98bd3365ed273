import Foundation
import SwiftProtobuf

/// The paths of the `double` and `float` fields of a message, nested messages included, whose value is NaN or
/// ±∞: the service must never answer with one (its contract is that such values never enter stored state, and
/// every number it answers comes from stored state or from finite inputs).
///
/// Walks the message with SwiftProtobuf's `Visitor`, so it covers every field of every message type without
/// naming any.
public enum NonFiniteNumbers {
    /// The field paths (field numbers, e.g. `1.2[3]`) of the non-finite numbers in `message`; empty when all
    /// are finite.
    public static func paths(in message: some SwiftProtobuf.Message) -> [String] {
        var finder = Finder(prefix: "")
        try? message.traverse(visitor: &finder)
        return finder.paths
    }
}

private struct Finder: SwiftProtobuf.Visitor {
    let prefix: String
    var paths: [String] = []

    init(prefix: String) { self.prefix = prefix }

    private mutating func check(_ value: Double, _ field: String) {
        if !value.isFinite { self.paths.append(self.prefix + field) }
    }

    private mutating func descend(into message: some SwiftProtobuf.Message, _ field: String) {
        var nested = Finder(prefix: self.prefix + field + ".")
        try? message.traverse(visitor: &nested)
        self.paths += nested.paths
    }

    mutating func visitSingularDoubleField(value: Double, fieldNumber: Int) throws {
        self.check(value, "\(fieldNumber)")
    }

    mutating func visitRepeatedDoubleField(value: [Double], fieldNumber: Int) throws {
        for (index, element) in value.enumerated() { self.check(element, "\(fieldNumber)[\(index)]") }
    }

    mutating func visitPackedDoubleField(value: [Double], fieldNumber: Int) throws {
        try self.visitRepeatedDoubleField(value: value, fieldNumber: fieldNumber)
    }

    mutating func visitRepeatedFloatField(value: [Float], fieldNumber: Int) throws {
        for (index, element) in value.enumerated() { self.check(Double(element), "\(fieldNumber)[\(index)]") }
    }

    mutating func visitPackedFloatField(value: [Float], fieldNumber: Int) throws {
        try self.visitRepeatedFloatField(value: value, fieldNumber: fieldNumber)
    }

    mutating func visitSingularMessageField<M: SwiftProtobuf.Message>(value: M, fieldNumber: Int) throws {
        self.descend(into: value, "\(fieldNumber)")
    }

    mutating func visitRepeatedMessageField<M: SwiftProtobuf.Message>(value: [M], fieldNumber: Int) throws {
        for (index, element) in value.enumerated() { self.descend(into: element, "\(fieldNumber)[\(index)]") }
    }

    // Fields that cannot hold a non-finite number.
    mutating func visitSingularInt64Field(value: Int64, fieldNumber: Int) throws {}
    mutating func visitSingularUInt64Field(value: UInt64, fieldNumber: Int) throws {}
    mutating func visitSingularBoolField(value: Bool, fieldNumber: Int) throws {}
    mutating func visitSingularStringField(value: String, fieldNumber: Int) throws {}
    mutating func visitSingularBytesField(value: Data, fieldNumber: Int) throws {}
    mutating func visitSingularEnumField<E: SwiftProtobuf.Enum>(value: E, fieldNumber: Int) throws {}
    mutating func visitSingularGroupField<G: SwiftProtobuf.Message>(value: G, fieldNumber: Int) throws {
        self.descend(into: value, "\(fieldNumber)")
    }
    mutating func visitMapField<KeyType, ValueType: MapValueType>(
        fieldType: _ProtobufMap<KeyType, ValueType>.Type, value: _ProtobufMap<KeyType, ValueType>.BaseType,
        fieldNumber: Int
    ) throws {}
    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufEnumMap<KeyType, ValueType>.Type, value: _ProtobufEnumMap<KeyType, ValueType>.BaseType,
        fieldNumber: Int
    ) throws where ValueType.RawValue == Int {}
    mutating func visitMapField<KeyType, ValueType>(
        fieldType: _ProtobufMessageMap<KeyType, ValueType>.Type,
        value: _ProtobufMessageMap<KeyType, ValueType>.BaseType, fieldNumber: Int
    ) throws {
        for element in value.values { self.descend(into: element, "\(fieldNumber){}") }
    }
    mutating func visitUnknown(bytes: Data) throws {}
}
