/// The latest entries of one of a run's decision histories (``RunState/recentWeightUpdates``,
/// ``RunState/recentCheckpoints``): at most ``capacity`` of them, in step order, and how many the run has had.
///
/// The older entries are in the run's log only (``DecisionHistory`` reads them back), so a run's resident state
/// keeps the same size however long the run goes on, and so does each state snapshot the store writes. The
/// window covers what the live path asks for: the weights and `r_pareto` of a step no older than the window
/// (a trainer scalarises its current step, or one a little behind), and the latest checkpoint. Encoded as
/// `{"count": n, "latest": [...]}`.
public struct RecentHistory<Element: Codable & Hashable & Sendable>: RandomAccessCollection, Codable, Hashable,
    Sendable
{
    /// How many entries are kept.
    public static var capacity: Int { 16 }

    /// The latest entries, at most ``capacity``, in the order they were appended.
    private var latest: [Element]
    /// How many entries the history has had, those no longer kept included.
    public private(set) var totalCount: Int

    /// An empty history.
    public init() {
        self.latest = []
        self.totalCount = 0
    }

    /// The history of `elements`, in order: their last ``capacity`` are kept.
    public init(_ elements: some Sequence<Element>) {
        self.init()
        for element in elements { self.append(element) }
    }

    /// Whether every entry the history has had is still kept (at most ``capacity`` were ever appended).
    public var isComplete: Bool { self.totalCount == self.latest.count }

    public var startIndex: Int { 0 }
    public var endIndex: Int { self.latest.count }
    public subscript(position: Int) -> Element { self.latest[position] }

    /// Adds `element` at the end, dropping the oldest kept entry when ``capacity`` are kept.
    public mutating func append(_ element: Element) {
        if self.latest.count == Self.capacity { self.latest.removeFirst() }
        self.latest.append(element)
        self.totalCount += 1
    }

    /// The last kept entry that satisfies `isBefore`, a predicate that holds on a prefix of the history (steps in
    /// increasing order compared with a bound): ``Lookup/found(_:)``; ``Lookup/none`` when no entry of the whole
    /// history satisfies it; ``Lookup/beforeWindow`` when the answer is one of the entries no longer kept.
    /// O(log ``capacity``).
    public func last(where isBefore: (Element) -> Bool) -> Lookup {
        if let index = indexOfLast(in: self.latest, where: isBefore) { return .found(self.latest[index]) }
        return self.isComplete ? .none : .beforeWindow
    }

    /// What ``last(where:)`` found.
    public enum Lookup {
        /// The entry.
        case found(Element)
        /// The history has no such entry.
        case none
        /// The entry, if any, is older than the kept ones: read it from the run's log (``DecisionHistory``).
        case beforeWindow
    }

    private enum CodingKeys: String, CodingKey {
        case count
        case latest
    }

    /// Decodes `{"count": n, "latest": [...]}`.
    /// - Throws: `DecodingError` when `latest` holds more than ``capacity`` entries or more than `count`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.latest = try container.decode([Element].self, forKey: .latest)
        self.totalCount = try container.decode(Int.self, forKey: .count)
        guard self.latest.count <= Self.capacity, self.latest.count <= self.totalCount else {
            throw DecodingError.dataCorruptedError(
                forKey: .latest, in: container,
                debugDescription: "holds \(self.latest.count) entries of \(self.totalCount), at most \(Self.capacity)")
        }
    }

    /// Encodes `{"count": n, "latest": [...]}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.totalCount, forKey: .count)
        try container.encode(self.latest, forKey: .latest)
    }
}

extension RecentHistory.Lookup: Equatable where Element: Equatable {}

/// The index of the last element that satisfies `isBefore`, for a predicate that holds on a prefix of
/// `elements` (steps sorted in increasing order, compared with a bound). O(log n).
func indexOfLast<Elements: RandomAccessCollection<Element>, Element>(
    in elements: Elements, where isBefore: (Element) -> Bool
) -> Int? where Elements.Index == Int {
    var low = elements.startIndex
    var high = elements.endIndex
    while low < high {
        let middle = (low + high) / 2
        if isBefore(elements[middle]) { low = middle + 1 } else { high = middle }
    }
    return low == elements.startIndex ? nil : low - 1
}
