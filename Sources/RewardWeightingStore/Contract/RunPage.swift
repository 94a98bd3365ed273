/// One page of ``RunStore/listRuns(pageSize:pageToken:order:)``.
public struct RunPage: Hashable, Sendable {
    /// The runs of the page, in the requested order.
    public let runs: [StoredRun]
    /// The token of the next page, or `nil` when this is the last one. Opaque: pass it back unchanged, with the
    /// same order.
    public let nextPageToken: String?

    /// Creates a page.
    public init(runs: [StoredRun], nextPageToken: String?) {
        self.runs = runs
        self.nextPageToken = nextPageToken
    }
}
