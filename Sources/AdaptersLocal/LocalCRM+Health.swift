import PlugboardKernel

/// `plugboard doctor`: the CRM is the configured store's `tickets` and `contacts`:
/// one read of a missing ticket shows the store answers.
extension LocalCRM: HealthChecking {
    public func check() async -> HealthCheck {
        do {
            _ = try await store.get(.tickets, id: "plugboard-doctor-check")
            return .passed("tickets and contacts kept in the configured store, which answered a read")
        } catch {
            let e = PlugboardError.wrap(error, adapter: "local")
            return .failed(e.message, hint: "the local crm keeps its data in the storage adapter: fix the storage line first")
        }
    }
}
