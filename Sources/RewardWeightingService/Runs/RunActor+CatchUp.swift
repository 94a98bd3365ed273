import RewardWeightingStore

extension RunActor {
    /// Brings the run up to a write another process committed (``RunChangeFeed``): when the store's run is
    /// ahead of this actor's, or may be (`version` `nil`, after a gap in the feed), the events this actor has not
    /// seen are read from the log and published to its watchers, in order, and the run is reloaded. A write this
    /// actor made itself, or one it has already caught up with, changes nothing.
    ///
    /// Under the serialisation lock, so that the caught-up events reach the watchers in log order with the
    /// actor's own.
    func catchUp(toVersion version: Int?) async {
        // Most announcements are this process's own writes: no need to wait for the lock for those.
        if let version, version <= self.run.version { return }
        await self.serialized { () async throws(ServiceError) in
            if let version, version <= self.run.version { return }
            // The run first, then exactly the events up to it: a write committed in between is the next
            // announcement's, so the watchers get every event once, in order.
            let seen = self.run.eventCount
            try await self.reloadFromStore()
            let missed =
                self.run.eventCount > seen
                ? try await self.mappingStoreErrors { () async throws(RunStoreError) in
                    try await self.store.events(
                        runID: self.runID, fromSequence: seen + 1, limit: self.run.eventCount - seen)
                } : []
            for event in missed { self.publishToWatchers(event) }
            if self.run.status == .archived { self.finishWatchers() }
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
