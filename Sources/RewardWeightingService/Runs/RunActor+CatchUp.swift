import RewardWeightingStore

extension RunActor {
    /// Brings the run up to a write another process committed (``RunChangeFeed``): when the store's run is
    /// ahead of this actor's, or may be (`version` `nil`, after a gap in the feed), ``refresh()`` folds in the
    /// events this actor has not seen and sends them to its watchers, in order. A write this actor made itself,
    /// or one it has already caught up with, changes nothing.
    ///
    /// Under the serialisation lock, so that the caught-up events reach the watchers in log order with the
    /// actor's own.
    func catchUp(toVersion version: Int?) async {
        // Most announcements are this process's own writes: no need to wait for the lock for those.
        if let version, version <= self.run.version { return }
        await self.serialized { () async throws(ServiceError) in
            if let version, version <= self.run.version { return }
            let missed = try await self.refresh()
            if !missed.isEmpty {
                self.logger.debug(
                    "caught up with another process's writes", metadata: ["events": "\(missed.count)"])
            }
        } ifFailing: { error in
            // The next call or notification tries again; a watcher misses nothing meanwhile (it gets the events
            // when the run next catches up).
            self.logger.notice("could not catch up with the store", metadata: ["error": "\(error)"])
        }
    }
}
