import Foundation
@testable import NotifyWebhook
import PlugboardKernel
import Synchronization
@testable import VendorFakes
import Testing

@Suite("webhook notifier")
struct WebhookNotifierTests {
    static let secretPath = "/services/T000/B000/XXXXsecretXXXX"
    static let url = "https://hooks.slack.test" + secretPath

    func notifier(_ format: WebhookNotifier.Format = .slack, token: String? = nil, timeout: Duration = .seconds(5),
                  url: String = WebhookNotifierTests.url, logger: Logger = Logger(label: "plugboard.webhook"),
                  _ handler: @escaping FakeHTTPTransport.Handler) throws -> (WebhookNotifier, FakeHTTPTransport) {
        let http = FakeHTTPTransport(handler)
        return (try WebhookNotifier(.init(url: url, format: format, token: token, timeout: timeout), transport: http, logger: logger), http)
    }

    func error(_ body: () async throws -> Void) async -> PlugboardError? {
        do { try await body() } catch let e as PlugboardError { return e } catch { Issue.record("not a PlugboardError: \(error)") }
        return nil
    }

    static let note = TeamNotification(subject: "New ticket TKT-1: colis <urgent> & co", text: "Alice <alice@example.com> via email\nCatégorie : refund 🎫",
                                       ticketId: "TKT-1", url: "https://crm.example/t/1", key: "job-42")

    @Test("slack: one POST of {\"text\"} with the Idempotency-Key header")
    func slack() async throws {
        let (n, http) = try notifier { _ in HTTPResponse(status: 200, body: Data("ok".utf8)) }
        try await n.send(WebhookNotifierTests.note)
        let r = try #require(http.requests.first)
        #expect(http.requests.count == 1)
        #expect(r.method == .post)
        #expect(r.url == WebhookNotifierTests.url)
        #expect(r.headers["Content-Type"] == "application/json")
        #expect(r.headers["Idempotency-Key"] == "job-42")
        #expect(r.headers["Authorization"] == nil)
        let body = try JSONParser.parse(r.body)
        #expect(body.objectValue?.keys.sorted() == ["text"])
        #expect(body["text"]?.stringValue
                == "New ticket TKT-1: colis &lt;urgent&gt; &amp; co\nAlice &lt;alice@example.com&gt; via email\nCatégorie : refund 🎫\nhttps://crm.example/t/1")
    }

    @Test("json: Slack-compatible text plus the fields, and a bearer token")
    func json() async throws {
        let (n, http) = try notifier(.json, token: "whk-token-1") { _ in HTTPResponse(status: 204) }
        try await n.send(WebhookNotifierTests.note)
        let r = try #require(http.requests.first)
        #expect(r.headers["Authorization"] == "Bearer whk-token-1")
        let body = try JSONParser.parse(r.body)
        #expect(body["subject"]?.stringValue == WebhookNotifierTests.note.subject)
        #expect(body["body"]?.stringValue == WebhookNotifierTests.note.text)
        #expect(body["ticket_id"]?.stringValue == "TKT-1")
        #expect(body["url"]?.stringValue == "https://crm.example/t/1")
        #expect(body["key"]?.stringValue == "job-42")
        #expect(body["text"]?.stringValue?.hasPrefix("New ticket TKT-1") == true)
        try await n.send(TeamNotification(subject: "s", text: "t"))
        #expect(http.requests.last?.headers["Idempotency-Key"] == nil)
        #expect(try JSONParser.parse(http.requests.last!.body)["ticket_id"] == .null)
    }

    @Test("statuses: 404 .notFound, 403 .permissionDenied, 429 with Retry-After, 5xx .unavailable; the secret path never shows")
    func errors() async throws {
        let script = Mutex<[HTTPResponse]>([
            HTTPResponse(status: 404, body: Data("no_service".utf8)),
            HTTPResponse(status: 403, body: Data("invalid_token for \(WebhookNotifierTests.secretPath)".utf8)),
            HTTPResponse(status: 429, headers: ["Retry-After": "30"], body: Data("rate_limited".utf8)),
            HTTPResponse(status: 500, body: Data("rollup_error".utf8)),
        ])
        let (n, _) = try notifier(token: "tok-secret") { _ in script.withLock { $0.removeFirst() } }
        var seen: [PlugboardError] = []
        for _ in 0..<4 { if let e = await error({ try await n.send(WebhookNotifierTests.note) }) { seen.append(e) } }
        #expect(seen.map(\.code) == [.notFound, .permissionDenied, .rateLimited, .unavailable])
        #expect(seen[2].retryAfter == .seconds(30))
        #expect(seen[3].isRetryable)
        for e in seen {
            #expect(!"\(e)".contains("XXXXsecretXXXX"), "leaked: \(e)")
            #expect("\(e)".contains("https://hooks.slack.test"))
        }
    }

    @Test("a stalled endpoint is .unavailable at the timeout, without the secret path")
    func stalled() async throws {
        let (n, _) = try notifier(timeout: .milliseconds(200)) { _ in
            try await Task.sleep(for: .seconds(120))
            return HTTPResponse(status: 200)
        }
        let started = ContinuousClock.now
        let e = await error { try await n.send(WebhookNotifierTests.note) }
        #expect(e?.code == .unavailable)
        #expect(e?.isRetryable == true)
        #expect(ContinuousClock.now - started < .seconds(60), "well before the 120-second stall ends")
        #expect(e.map { !"\($0)".contains("XXXXsecretXXXX") } == true)
    }

    @Test("through libcurl to a closed port: .unavailable, and no log line or error shows the secret path or token")
    func closedPortLogs() async throws {
        let label = "webhook-secret-test-\(UInt32.random(in: 0...UInt32.max))"
        let (e, logged) = try await LogCapture.run(label: label) {
            // Port 9 on loopback (discard): nothing listens there in a test container.
            let n = try WebhookNotifier(.init(url: "http://127.0.0.1:9" + WebhookNotifierTests.secretPath, token: "tok-secret-2", timeout: .seconds(5)),
                                        logger: Logger(label: label))
            return await error { try await n.send(WebhookNotifierTests.note) }
        }
        #expect(e?.code == .unavailable)
        #expect(!logged.isEmpty, "the transport logged the request")
        for text in logged + [e.map { "\($0)" } ?? ""] {
            #expect(!text.contains("XXXXsecretXXXX") && !text.contains("tok-secret-2"), "leaked: \(text)")
        }
    }

    @Test("configuration: WEBHOOK_URL fills the url, which is redacted; errors do not show it")
    func configuration() throws {
        let loader = ConfigLoader(registry: Registry([WebhookNotifier.registryEntry]), environment: ["WEBHOOK_URL": WebhookNotifierTests.url])
        let s = try loader.settings(port: .notify, section: ["adapter": "webhook", "format": "json"])
        let c = try WebhookNotifier.configuration(from: s)
        #expect(c.url == WebhookNotifierTests.url && c.format == .json)
        #expect(!s.redacted.serialized().contains("XXXXsecretXXXX"))
        let bad = try loader.settings(port: .notify, section: ["adapter": "webhook", "url": "ftp://x/secret-path"])
        do {
            _ = try WebhookNotifier.configuration(from: bad)
            Issue.record("an ftp URL was accepted")
        } catch {
            #expect(!"\(error)".contains("secret-path"))
        }
    }
}
