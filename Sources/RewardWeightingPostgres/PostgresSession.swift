import Logging
import NIOCore
import PostgresNIO

/// A leased connection inside one of the store's transactions: every statement's answer, collected, or an error
/// as soon as the connection closes (``PostgresConnectionWatch``): the transaction then fails `unavailable`, its
/// lease goes back to the pool (which drops the closed connection), and nothing waits.
///
/// Statements are either a `PostgresQuery` (parsed and planned by PostgreSQL each time, for the statements whose
/// text varies or that run rarely) or one of ``PostgresStatements`` (named prepared statements, for the hot paths).
struct PostgresSession: Sendable {
    let connection: PostgresConnection
    let watch: PostgresConnectionWatch
    let logger: Logger

    /// The rows of `query`.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let connection = self.connection
        let logger = self.logger
        return try await self.answer(of: [PostgresRow].self) { answered in
            connection.query(query, logger: logger).map(\.rows).cascade(to: answered)
        }
    }

    /// Runs `query`, ignoring its rows.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await self.rows(query)
    }

    /// The decoded rows of the prepared statement `statement`; the connection prepares it on its first use.
    func rows<Statement: PostgresPreparedStatement>(
        _ statement: Statement
    ) async throws -> [Statement.Row] where Statement.Row: Sendable {
        let connection = self.connection
        let logger = self.logger
        return try await self.answer(of: [Statement.Row].self) { answered in
            // postgres-nio runs prepared statements only as async calls. If the connection closes before this one
            // is answered, the watch fails `answered` and this task is left waiting for an answer that never
            // comes: one suspended task per statement in flight on a lost connection.
            Task {
                do {
                    var rows: [Statement.Row] = []
                    for try await row in try await connection.execute(statement, logger: logger) {
                        rows.append(row)
                    }
                    answered.succeed(rows)
                } catch {
                    answered.fail(error)
                }
            }
        }
    }

    /// What `start` completes `answered` with, unless the connection closes first.
    private func answer<Value: Sendable>(
        of type: Value.Type, _ start: (EventLoopPromise<Value>) -> Void
    ) async throws -> Value {
        let answered = self.connection.eventLoop.makePromise(of: Value.self)
        // A second completion of the promise is ignored, so whichever comes first wins.
        guard let token = self.watch.waiting({ answered.fail($0) }) else {
            answered.fail(PostgresConnectionLost())
            throw PostgresConnectionLost()
        }
        defer { self.watch.finished(token) }
        start(answered)
        return try await answered.futureResult.get()
    }
}

extension PostgresClient {
    /// `body` inside `BEGIN` … `COMMIT` on a leased connection (`ROLLBACK` when it throws), with every statement
    /// a ``PostgresSession``'s: a connection that closes fails the transaction instead of stalling it.
    func withSessionTransaction<Result: Sendable>(
        watches: PostgresConnectionWatches, logger: Logger, readOnly: Bool,
        _ body: (PostgresSession) async throws -> Result
    ) async throws -> Result {
        try await self.withConnection { connection in
            let session = PostgresSession(connection: connection, watch: watches.watch(of: connection), logger: logger)
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
