/// An input that a kernel or a value type refused, with the field (and, for matrices, the row and column)
/// that is wrong.
///
/// Modelled on grpc-swift's `RPCError`: one struct with an extensible ``Code`` rather than a growing enum,
/// so that callers can switch on the kind of problem while transports map it to a status code.
public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case nonFinite, dimensionMismatch, empty, outOfRange, notSymmetric, unknownName
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A value is NaN or ±∞.
        public static let nonFinite = Code(.nonFinite)
        /// A vector or matrix has the wrong number of objectives (K) or a ragged shape.
        public static let dimensionMismatch = Code(.dimensionMismatch)
        /// Something that must not be empty is empty.
        public static let empty = Code(.empty)
        /// A value is outside its allowed range (a negative weight, weights summing to 0, a step below 0…).
        public static let outOfRange = Code(.outOfRange)
        /// A Gram matrix is not symmetric.
        public static let notSymmetric = Code(.notSymmetric)
        /// A name (schedule, meta-reward, direction) is not one of the known names.
        public static let unknownName = Code(.unknownName)

        public var description: String { "\(self.wrapped)" }
    }

    /// The kind of problem.
    public var code: Code
    /// The offending field, e.g. `points` or `weights`.
    public var field: String
    /// The offending row, for matrix inputs.
    public var row: Int?
    /// The offending column (objective index), for vector and matrix inputs.
    public var column: Int?
    /// Why the field was refused, without the field's name (e.g. `is nan; every value must be finite`):
    /// transports report the field separately (gRPC's `BadRequest` field violations) and in ``message``.
    public var reason: String

    /// Creates an error.
    public init(code: Code, field: String, row: Int? = nil, column: Int? = nil, reason: String) {
        self.code = code
        self.field = field
        self.row = row
        self.column = column
        self.reason = reason
    }

    /// The field and the reason: `field: reason`.
    public var message: String { "\(self.field): \(self.reason)" }

    /// The message: `field: reason`.
    public var description: String { self.message }
}
