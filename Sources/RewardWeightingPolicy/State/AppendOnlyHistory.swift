/// A run's history of decisions (``RunState/weightHistory``, ``RunState/checkpoints``): an append-only sequence
/// kept in chunks of ``chunkSize`` elements.
///
/// The policy folds a copy of the actor's state, so an append always lands on a shared copy. A plain array
/// then copies every element (and retains each one's arrays): `O(n)` per update, the dominant cost of a run's
/// steps after a few thousand (perf, docs/performance.md "Long runs"). Here the copy is the list of chunks and
/// the last chunk: `O(n / chunkSize + chunkSize)`. Encoded as one flat JSON array, as before.
public struct AppendOnlyHistory<Element: Codable & Hashable & Sendable>: RandomAccessCollection, Codable, Hashable,
    Sendable
{
    /// How many elements a chunk holds.
    public static var chunkSize: Int { 64 }

    /// Full chunks, then the last one (never empty).
    private var chunks: [[Element]] = []
    /// The number of elements.
    public private(set) var count = 0

    /// An empty history.
    public init() {}

    /// A history of `elements`, in order.
    public init(_ elements: some Sequence<Element>) {
        for element in elements { self.append(element) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { self.count }

    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < self.count, "index \(position) out of 0..<\(self.count)")
        return self.chunks[position / Self.chunkSize][position % Self.chunkSize]
    }

    /// Adds `element` at the end.
    public mutating func append(_ element: Element) {
        if self.count % Self.chunkSize == 0 {
            self.chunks.append([element])
        } else {
            self.chunks[self.chunks.count - 1].append(element)
        }
        self.count += 1
    }

    /// Decodes a flat array.
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([Element].self))
    }

    /// Encodes a flat array.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Array(self))
    }
}
