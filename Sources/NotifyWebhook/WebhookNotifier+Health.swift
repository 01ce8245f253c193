import PlugboardKernel

/// `plugboard doctor`: the URL is validated, never called. An incoming webhook has no
/// read-only request (Slack and most receivers answer only POST, and some would take
/// any request as a delivery), so a live check would post a message.
extension WebhookNotifier: HealthChecking {
    public func check() async -> HealthCheck {
        guard let parts = URLParts(configuration.url), !parts.host.isEmpty else {
            return .failed("url is not an http(s) URL", hint: "set notify.url to the webhook's full URL")
        }
        let plain = parts.scheme == "http" && !["127.0.0.1", "localhost", "::1"].contains(parts.host)
        return .passed("URL validated only, not called (no read-only request to send): \(shownEndpoint)"
                       + (plain ? " over plain http; prefer https" : ""))
    }
}
