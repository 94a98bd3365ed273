/// One page of ``RunCoordinator/listRuns(pageSize:pageToken:order:filter:as:)``: full unless it is the last.
public struct RunListing: Hashable, Sendable {
    /// The runs of the page, in the requested order.
    public let runs: [Run]
    /// The token of the next page, or `nil` when this is the last one. Opaque: pass it back unchanged, with the
    /// same order and filter.
    public let nextPageToken: String?
}
