import PlugboardKernel

/// `plugboard doctor`: the tasks are the configured store's `tasks` collection:
/// one read of a missing task shows the store answers.
extension LocalTaskTracker: HealthChecking {
    public func check() async -> HealthCheck {
        do {
            _ = try await store.get(Self.collection, id: "plugboard-doctor-check")
            return .passed("tasks kept in the configured store (collection tasks), which answered a read")
        } catch {
            let e = PlugboardError.wrap(error, adapter: Self.adapter)
            return .failed(e.message, hint: "the local task tracker keeps its data in the storage adapter: fix the storage line first")
        }
    }
}
