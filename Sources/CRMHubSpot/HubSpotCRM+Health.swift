import PlugboardKernel

/// `plugboard doctor`: two cheap authenticated reads, a one-result list of tickets
/// and of contacts (`GET /crm/v3/objects/{type}?limit=1`), which need the token
/// and the read scopes the adapter uses.
extension HubSpotCRM: HealthChecking {
    public func check() async -> HealthCheck {
        let host = URLParts.authority(of: client.baseURL)
        for (type, scope) in [("tickets", "tickets"), ("contacts", "crm.objects.contacts.read")] {
            do {
                _ = try await client.json(.get, "/crm/v3/objects/\(type)", query: [("limit", "1")], what: "list \(type)")
            } catch {
                return .failed(PlugboardError.wrap(error, adapter: Self.adapter), hints: [
                    .unauthenticated: "token rejected: set crm.token or HUBSPOT_TOKEN to a valid private-app token",
                    .permissionDenied: "give the private app the \(scope) scope (and its write scope)",
                    .rateLimited: "rate limited by HubSpot: try again later",
                ], otherwise: "is HubSpot reachable at \(host)? check base_url")
            }
        }
        return .passed("GET /crm/v3/objects/{tickets,contacts}?limit=1 at \(host): token accepted, both readable")
    }
}
