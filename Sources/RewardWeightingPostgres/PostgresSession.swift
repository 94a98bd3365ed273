import Logging
import NIOCore
import PostgresNIO

/// A leased connection inside one of the store's transactions: every statement's answer, collected, or an error
/// as soon as the connection closes.
///
/// postgres-nio (1.33) writes a query to the channel without a write promise, so a query issued on a
/// connection that PostgreSQL has just dropped (a restart) is never answered and its task never ends. Each
/// statement here therefore also fails when the connection's close future completes: the transaction fails
/// `unavailable`, its lease goes back to the pool (which drops the closed connection), and nothing waits.
struct PostgresSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// The rows of `query`.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let answered = self.connection.closeFuture.eventLoop.makePromise(of: PostgresQueryResult.self)
        self.connection.query(query, logger: self.logger).cascade(to: answered)
        // A second completion of the promise is ignored, so whichever comes first wins.
        self.connection.closeFuture.whenComplete { _ in
            answered.fail(PostgresConnectionLost())
        }
        return try await answered.futureResult.get().rows
    }

    /// Runs `query`, ignoring its rows.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await self.rows(query)
    }
}

extension PostgresClient {
    /// `body` inside `BEGIN` … `COMMIT` on a leased connection (`ROLLBACK` when it throws), with every statement
    /// a ``PostgresSession``'s: a connection that closes fails the transaction instead of stalling it.
    func withSessionTransaction<Result: Sendable>(
        logger: Logger, readOnly: Bool, _ body: (PostgresSession) async throws -> Result
    ) async throws -> Result {
        try await self.withConnection { connection in
            let session = PostgresSession(connection: connection, logger: logger)
            try await session.execute(
                readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN")
            let value: Result
            do {
                value = try await body(session)
            } catch {
                if !connection.isClosed { try? await session.execute("ROLLBACK") }
                throw error
            }
            try await session.execute("COMMIT")
            return value
        }
    }
}

/// A statement's connection closed before it was answered (PostgreSQL restarted, or the network dropped it).
struct PostgresConnectionLost: Error, Sendable {}
