import GRPCCore
import RewardWeightingAPI

/// `ListRuns`' page token: the store's token, bound to the status filter it was issued for.
///
/// The contract says a token is valid only with the same `status` filter. The store pages over every run, so
/// the filter is applied to each page here (a filtered page may hold fewer runs than `page_size`, even none,
/// while `next_page_token` is not empty, as AIP-158 allows), and the token carries the filter it was issued
/// with: `<status number>~<store token>`.
struct ListRunsPageToken: Hashable, Sendable {
    /// The filter the token was issued with (`RUN_STATUS_UNSPECIFIED`: every status).
    let status: Rewardweighting_V1_RunStatus
    /// The store's opaque token.
    let storeToken: String

    /// Wraps a store token for a filter.
    init(status: Rewardweighting_V1_RunStatus, storeToken: String) {
        self.status = status
        self.storeToken = storeToken
    }

    /// Parses a request's `page_token` and checks it was issued for `status`.
    /// - Throws: `RPCError` `INVALID_ARGUMENT` (field `page_token`) for a token this server did not issue or one
    ///   issued for another filter.
    init(parsing text: String, status: Rewardweighting_V1_RunStatus) throws(RPCError) {
        guard let separator = text.firstIndex(of: "~"), let number = Int(text[..<separator]) else {
            throw ErrorMapping.invalidArgument("page_token: is not a token this server issued")
        }
        guard number == status.rawValue else {
            throw ErrorMapping.invalidArgument(
                "page_token: was issued for another status filter; a token is valid only with the same filter")
        }
        self.init(status: status, storeToken: String(text[text.index(after: separator)...]))
    }

    /// The text sent as `next_page_token`.
    var text: String { "\(self.status.rawValue)~\(self.storeToken)" }
}
