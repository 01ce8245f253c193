import PlugboardKernel

/// `plugboard doctor`: `GET /v2/user` (the token's user), then `GET /v2/list/{list_id}`
/// (the configured list exists and the token may see it). Read-only.
extension ClickUpTaskTracker: HealthChecking {
    public func check() async -> HealthCheck {
        let host = URLParts.authority(of: client.baseURL)
        let list = configuration.listId
        var user = "?"
        do {
            let me = try await client.json(.get, "/v2/user", what: "read the token's user")
            user = me["user"]?["username"]?.stringValue ?? me["user"]?["id"].map { $0.stringValue ?? $0.serialized() } ?? "?"
            let found = try await client.json(.get, "/v2/list/\(ClickUpClient.segment(list))", what: "read list \(list)")
            let name = found["name"]?.stringValue.map { " (\($0))" } ?? ""
            return .passed("GET /v2/user and /v2/list/\(list) at \(host): token of \(user) accepted; list \(list)\(name) readable")
        } catch {
            return .failed(PlugboardError.wrap(error, adapter: Self.adapter), hints: [
                .unauthenticated: "token rejected: set tasks.token or CLICKUP_TOKEN to a valid personal token (pk_…)",
                .permissionDenied: "the token's user (\(user)) may not open list \(list): share the list or its space with them",
                .notFound: "list \(list) does not exist: set tasks.list_id to the id in the list's URL",
                .rateLimited: "rate limited by ClickUp: try again later",
            ], otherwise: "is ClickUp reachable at \(host)? check base_url")
        }
    }
}
