import Foundation
import HTTPTypes
import Hummingbird
import RewardWeightingService

/// An error answered as an RFC 9457 problem document (`application/problem+json`):
///
///     {"type": "about:blank", "title": "Bad Request", "status": 400,
///      "detail": "page_size: is -1; it must not be negative", "code": "INVALID_ARGUMENT", "field": "page_size"}
///
/// `detail` is `field: reason`, as gRPC's messages; `code` is the gRPC status name of the same error, and `field`
/// the request field it names (a query parameter or `run_id` for the path).
public struct HTTPProblem: HTTPResponseError, Sendable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The gRPC status name of the same error (`INVALID_ARGUMENT`, `NOT_FOUND`, …).
    public let code: String
    /// The request field the error names.
    public let field: String
    /// Why the request failed.
    public let reason: String

    /// A problem naming `field`.
    public init(status: HTTPResponse.Status, code: String, field: String, reason: String) {
        self.status = status
        self.code = code
        self.field = field
        self.reason = reason
    }

    /// `400 Bad Request` naming `field`.
    public static func invalidArgument(field: String, reason: String) -> HTTPProblem {
        HTTPProblem(status: .badRequest, code: "INVALID_ARGUMENT", field: field, reason: reason)
    }

    /// The problem of a ``ServiceError``: 400 invalid argument, 401 unauthenticated (with
    /// `WWW-Authenticate: Bearer`), 403 permission denied, 404 not found, 409 already exists, failed
    /// precondition or aborted, 429 resource exhausted, 503 unavailable (the store cannot be read; retry), 500
    /// internal.
    public init(_ error: ServiceError) {
        let (status, code): (HTTPResponse.Status, String) =
            switch error.code {
            case .invalidArgument: (.badRequest, "INVALID_ARGUMENT")
            case .notFound: (.notFound, "NOT_FOUND")
            case .alreadyExists: (.conflict, "ALREADY_EXISTS")
            case .failedPrecondition: (.conflict, "FAILED_PRECONDITION")
            case .aborted: (.conflict, "ABORTED")
            case .resourceExhausted: (.tooManyRequests, "RESOURCE_EXHAUSTED")
            case .unavailable: (.serviceUnavailable, "UNAVAILABLE")
            case .unauthenticated: (.unauthorized, "UNAUTHENTICATED")
            case .permissionDenied: (.forbidden, "PERMISSION_DENIED")
            default: (.internalServerError, "INTERNAL")
            }
        self.init(status: status, code: code, field: error.field, reason: error.reason)
    }

    /// `field: reason`.
    public var detail: String { "\(self.field): \(self.reason)" }

    /// The problem document.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONBody.response(self.document, status: self.status)
        response.headers[.contentType] = "application/problem+json"
        // RFC 6750 §3: a 401 names the scheme it wants.
        if self.status == .unauthorized { response.headers[.wwwAuthenticate] = #"Bearer realm="rewardweighting""# }
        return response
    }

    /// The RFC 9457 document.
    var document: some Encodable {
        Document(
            type: "about:blank", title: self.status.reasonPhrase, status: self.status.code, detail: self.detail,
            code: self.code, field: self.field)
    }

    private struct Document: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let code: String
        let field: String
    }
}
