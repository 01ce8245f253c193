import Foundation
@testable import NotifyWebhook
import PlugboardConformance
import PlugboardKernel
import Testing

/// The webhook notifier (json format) posting to an in-process endpoint that
/// records every request; the broken endpoint answers 503 and counts requests.
struct WebhookNotifierHarness: NotifierHarness {
    static let url = "https://hooks.example.test/services/T000/B000/conformance"

    func open() async throws -> any Notifier {
        try WebhookNotifier(.init(url: WebhookNotifierHarness.url, format: .json, timeout: .seconds(5)),
                            transport: FakeHTTPTransport { _ in HTTPResponse(status: 200, body: Data("ok".utf8)) })
    }

    static func endpoint(_ notifier: any Notifier) -> FakeHTTPTransport {
        (notifier as! WebhookNotifier).transport as! FakeHTTPTransport
    }

    func delivered(_ notifier: any Notifier, subjectContaining marker: String, expected: Int) async throws -> [DeliveredNotification] {
        // The fake records a request before `send` returns: nothing to wait for.
        try WebhookNotifierHarness.endpoint(notifier).requests.compactMap { r in
            let body = try JSONParser.parse(r.body)
            guard let subject = body["subject"]?.stringValue, subject.contains(marker) else { return nil }
            return DeliveredNotification(subject: subject, text: body["body"]?.stringValue ?? "", ticketId: body["ticket_id"]?.stringValue,
                                         raw: "\(r.headers)\n\n" + String(decoding: r.body, as: UTF8.self) + "\n" + body.serialized())
        }
    }

    func recorded(_ notifier: any Notifier) async throws -> String {
        WebhookNotifierHarness.endpoint(notifier).requests.map { "\($0.headers)\n\n" + String(decoding: $0.body, as: UTF8.self) }
            .joined(separator: "\n")
    }

    /// The key goes in an `Idempotency-Key` header; this endpoint, like most, does not honour it.
    var deduplicatesByKey: Bool { false }

    func openUnreachable() async throws -> UnreachableNotifier {
        let http = FakeHTTPTransport { _ in HTTPResponse(status: 503, body: Data("service unavailable".utf8)) }
        let notifier = try WebhookNotifier(.init(url: WebhookNotifierHarness.url, format: .json, timeout: .seconds(5)), transport: http)
        return UnreachableNotifier(notifier, attempts: { http.requests.count })
    }
}

@Suite("webhook notifier conformance")
struct WebhookNotifierConformanceTests {
    @Test(arguments: NotifierConformance.cases)
    func conformance(_ c: NotifierConformance.Case) async throws {
        try await c.run(WebhookNotifierHarness())
    }
}
