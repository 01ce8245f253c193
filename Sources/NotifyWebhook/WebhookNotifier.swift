import Foundation
import PlugboardKernel

/// The `webhook` notifier: one JSON POST per notification.
///
/// The body always has a Slack-compatible `text` (subject on the first line,
/// then the text and the URL; `&`, `<`, `>` escaped as Slack requires); the
/// `json` format adds the fields. URLs are sent without user info or query
/// string. The notification's key goes in an `Idempotency-Key` header, so an
/// endpoint that honours it drops the copy a retried send may deliver (at
/// least once otherwise).
///
/// The URL is a secret (incoming-webhook URLs hold their key in the path):
/// errors and logs name only its scheme and host. No retries here.
public final class WebhookNotifier: Notifier {
    public let configuration: Configuration
    let transport: any HTTPTransport
    let logger: Logger
    /// `scheme://host[:port]`: all of the URL that messages show.
    let shownEndpoint: String

    static let adapter = "webhook"

    /// - Parameter transport: defaults to a libcurl transport.
    public init(_ configuration: Configuration, transport: (any HTTPTransport)? = nil,
                logger: Logger = Logger(label: "plugboard.webhook")) throws {
        guard let parts = URLParts(configuration.url) else {
            throw PlugboardError.invalidConfiguration("webhook: url is not an http(s) URL", adapter: WebhookNotifier.adapter)
        }
        self.configuration = configuration
        self.logger = logger
        self.shownEndpoint = "\(parts.scheme)://\(parts.authority)"
        self.transport = transport ?? CurlTransport(.init(timeout: configuration.timeout, logger: logger))
    }

    public func send(_ n: TeamNotification) async throws {
        var request = HTTPRequest(method: .post, url: configuration.url, json: body(n))
        request.pathIsSecret = true
        if let key = n.key {
            guard !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw PlugboardError.invalidInput("webhook: the notification key holds a control character", adapter: WebhookNotifier.adapter)
            }
            request.headers.add("Idempotency-Key", key)
        }
        if let token = configuration.token { request.headers.add("Authorization", "Bearer \(token)") }
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: configuration.timeout, adapter: WebhookNotifier.adapter)
        } catch let e as PlugboardError {
            throw redacted(e)
        } catch {
            throw redacted(PlugboardError.wrap(error, adapter: WebhookNotifier.adapter))
        }
        logger.debug("webhook POST \(shownEndpoint) -> \(response.status) in \((ContinuousClock.now - started).milliseconds) ms")
        guard response.isSuccess else { throw self.error(response) }
    }

    /// The JSON body for a notification.
    /// URLs lose their user info and query string (the port's contract: presigned
    /// URLs carry signatures there, and a chat channel keeps what it is sent).
    public func body(_ n: TeamNotification) -> JSON {
        var n = n
        n.subject = URLRedaction.urls(in: n.subject)
        n.text = URLRedaction.urls(in: n.text)
        n.url = n.url.map(URLRedaction.url)
        var lines = [n.subject]
        if !n.text.isEmpty { lines.append(n.text) }
        if let url = n.url, !url.isEmpty { lines.append(url) }
        let text = WebhookNotifier.slackEscaped(lines.joined(separator: "\n"))
        switch configuration.format {
        case .slack:
            return ["text": .string(text)]
        case .json:
            var o: [String: JSON] = ["text": .string(text), "subject": .string(n.subject), "body": .string(n.text)]
            o["ticket_id"] = n.ticketId.map(JSON.string) ?? .null
            o["url"] = n.url.map(JSON.string) ?? .null
            o["key"] = n.key.map(JSON.string) ?? .null
            return .object(o)
        }
    }

    /// Slack reads `<…>` as links and `&` as an entity: escape the three as its docs say.
    static func slackEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
