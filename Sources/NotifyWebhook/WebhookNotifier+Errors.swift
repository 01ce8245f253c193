import Foundation
import PlugboardKernel

extension WebhookNotifier {
    /// The one place a failed POST becomes a `PlugboardError`: the status
    /// decides the code (`Retry-After` kept), and the message names only
    /// `scheme://host`, never the path or query of the secret URL.
    func error(_ response: HTTPResponse, now: Date = Date()) -> PlugboardError {
        var said = String(response.text.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
        said = redact(said)
        let detail = said.isEmpty ? "" : ": \(said)"
        return PlugboardError(httpStatus: response.status, message: "webhook POST to \(shownEndpoint) failed (HTTP \(response.status))\(detail)",
                              adapter: WebhookNotifier.adapter, headers: response.headers, now: now)
    }

    /// A transport error with the URL and the token masked.
    func redacted(_ e: PlugboardError) -> PlugboardError {
        var e = e
        e.message = redact(e.message)
        e.cause = e.cause.map(redact)
        return e
    }

    func redact(_ s: String) -> String {
        var out = s.replacingOccurrences(of: configuration.url, with: shownEndpoint + "/***")
        if let parts = URLParts(configuration.url), parts.path.count > 1 { out = out.replacingOccurrences(of: parts.path, with: "/***") }
        if let token = configuration.token, !token.isEmpty { out = out.replacingOccurrences(of: token, with: "***") }
        return out
    }
}
