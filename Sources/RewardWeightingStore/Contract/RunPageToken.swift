import Foundation

/// The position a ``RunPage/nextPageToken`` stands for: the order, the filter it was issued for and the key of
/// the last run returned (the run id, or the row's insertion rank for ``RunListOrder/creation``). Sent to
/// clients as base64url JSON; opaque to them. A token is valid only with the order and filter it was issued
/// for.
package struct RunPageToken: Codable, Hashable, Sendable {
    var order: String
    var filter: String
    package var after: String
    /// With ``RunListOrder/runID``: the tenant of the last run returned, as runs of several tenants may share an
    /// id (the order is by run id, then tenant).
    package var afterTenant: String?

    /// The token as text.
    package var encoded: String {
        let json = (try? CanonicalJSON.encode(self)) ?? "{}"
        return Data(json.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package init(order: RunListOrder, filter: RunFilter, after: String, afterTenant: String? = nil) {
        self.order = order.rawValue
        self.filter = Self.key(of: filter)
        self.after = after
        self.afterTenant = afterTenant
    }

    /// Parses a token issued for `order` and `filter`.
    package init(parsing text: String, order: RunListOrder, filter: RunFilter) throws(RunStoreError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let token = try? JSONDecoder().decode(RunPageToken.self, from: data)
        else {
            throw RunStoreError(
                code: .invalidArgument, field: "page_token",
                reason: "is not a token returned by ListRuns")
        }
        guard token.order == order.rawValue else {
            throw RunStoreError(
                code: .invalidArgument, field: "page_token",
                reason: "was issued for order '\(token.order)', not '\(order.rawValue)'")
        }
        guard token.filter == Self.key(of: filter) else {
            throw RunStoreError(
                code: .invalidArgument, field: "page_token",
                reason: "was issued for another filter; a token is valid only with the same filter")
        }
        self = token
    }

    /// The filter as the token records it.
    private static func key(of filter: RunFilter) -> String {
        [filter.status?.rawValue, filter.method?.rawValue, filter.tenant].map { $0 ?? "*" }.joined(separator: "/")
    }
}
