import PlugboardKernel

/// `plugboard doctor`: `GET /v1/users/me` (the integration's bot user), then the
/// contacts, tickets and templates databases (shared with the integration, columns read). Read-only.
extension NotionCRM: HealthChecking {
    public func check() async -> HealthCheck {
        let host = URLParts.authority(of: client.baseURL)
        var database: String?
        do {
            let me = try await client.json(.get, "/v1/users/me", what: "read the integration's user")
            let bot = me["name"]?.stringValue ?? me["id"]?.stringValue ?? "?"
            for id in [configuration.contactsDatabase, configuration.ticketsDatabase] + (configuration.templatesDatabase.map { [$0] } ?? []) {
                database = id
                _ = try await source(id)
            }
            return .passed("GET /v1/users/me at \(host): integration \(bot) accepted; \(configuration.templatesDatabase == nil ? "contacts and tickets" : "contacts, tickets and templates") databases readable")
        } catch {
            let e = PlugboardError.wrap(error, adapter: Self.adapter)
            return .failed(e, hints: [
                .unauthenticated: "token rejected: set crm.token or NOTION_TOKEN to the integration's secret",
                .permissionDenied: "give the integration read, update and insert content capabilities",
                .notFound: "share database \(database ?? "?") with the integration (… → Connections), or fix its id",
                .rateLimited: "rate limited by Notion: try again later",
                .invalidConfiguration: "fix the crm section: \(e.message)",
            ], otherwise: "is Notion reachable at \(host)? check base_url")
        }
    }
}
