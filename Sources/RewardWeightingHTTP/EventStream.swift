import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RewardWeightingService
import RewardWeightingStore
import ServiceLifecycle

/// `GET /v1/runs/{id}/watch`: the `WatchRun` stream as server-sent events (the HTML Living Standard's
/// `text/event-stream`), for a browser's `EventSource` or `curl -N`.
///
/// Each event of the run's log is one message, `id` its sequence number and `data` its ``EventDocument``:
///
///     id: 7
///     data: {"decision":{…},"kind":"gradients","recorded_at":"…","sequence":7,"step":3,"superseded":false}
///
/// Where to start: the `Last-Event-ID` header (a reconnecting `EventSource` sends it) resumes after that
/// sequence number; else `from_sequence` (0 or absent: only events recorded from now on; n ≥ 1: the log
/// from n, then live). The stream ends after the run's archived event. When the watcher falls too far behind,
/// or at the server's graceful shutdown, the stream ends after a `problem` event (an RFC 9457 document naming
/// `from_sequence`); the browser reconnects with `Last-Event-ID` and misses nothing.
struct EventStream {
    /// How long a client waits before reconnecting, sent as the stream's `retry` field: 1 s.
    static let reconnectionMilliseconds = 1000

    let coordinator: RunCoordinator

    func response(runID: String, request: Request, as principal: Principal) async throws -> Response {
        let fromSequence = try Self.startSequence(of: request)
        let stream: AsyncThrowingStream<StoredEvent, any Error>
        do {
            stream = try await self.coordinator.watch(
                runID: runID, fromSequence: fromSequence == 0 ? nil : fromSequence, as: principal)
        } catch {
            throw HTTPProblem(error)
        }
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: \(Self.reconnectionMilliseconds)\n\n"))
            var next = fromSequence
            do {
                for try await event in stream.cancelOnGracefulShutdown() {
                    try await writer.write(ByteBuffer(string: try Self.message(event)))
                    next = event.sequence + 1
                }
                if (try? await self.coordinator.getRun(runID, as: principal).status) != .archived {
                    // Shutdown: tell the client where to resume (its Last-Event-ID does the same).
                    let problem = HTTPProblem(
                        status: .serviceUnavailable, code: "UNAVAILABLE", field: "from_sequence",
                        reason: "the server is shutting down; watch again from sequence \(max(next, 1))")
                    try await writer.write(ByteBuffer(string: try Self.problemMessage(problem)))
                }
            } catch let error as ServiceError {
                try await writer.write(ByteBuffer(string: try Self.problemMessage(HTTPProblem(error))))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body)
    }

    /// The first sequence number to send: after `Last-Event-ID`, else `from_sequence`, else 0 (live only).
    static func startSequence(of request: Request) throws(HTTPProblem) -> Int {
        if let lastEventID = request.headers[OpsRoutes.lastEventID], !lastEventID.isEmpty {
            guard let last = Int(lastEventID), last >= 0 else {
                throw HTTPProblem.invalidArgument(
                    field: "Last-Event-ID", reason: "is not a sequence number this server sent")
            }
            return last + 1
        }
        let fromSequence = try QueryParameters(request: request).integer("from_sequence") ?? 0
        guard fromSequence >= 0 else {
            throw HTTPProblem.invalidArgument(
                field: "from_sequence", reason: "is \(fromSequence); it must be at least 0")
        }
        return fromSequence
    }

    /// One event as a message: its sequence number as `id`, its document as `data` (one line of JSON).
    static func message(_ event: StoredEvent) throws -> String {
        "id: \(event.sequence)\ndata: \(try JSONBody.text(of: EventDocument(event)))\n\n"
    }

    private static func problemMessage(_ problem: HTTPProblem) throws -> String {
        "event: problem\ndata: \(try JSONBody.text(of: problem.document))\n\n"
    }
}
