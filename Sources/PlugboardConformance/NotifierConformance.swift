import PlugboardKernel

/// One notification as the backend received it, read back by a harness.
public struct DeliveredNotification: Sendable, Hashable {
    public var subject: String
    /// The delivered text, line ends as `\n`, without trailing line breaks;
    /// adapters that append the URL to the text (e-mail) deliver it here too.
    public var text: String
    public var ticketId: String?
    /// Everything the backend received for this notification (a JSON line, a
    /// raw e-mail, a request body with its headers): the suite looks for
    /// secrets in it.
    public var raw: String
    public init(subject: String, text: String, ticketId: String?, raw: String) {
        self.subject = subject; self.text = text; self.ticketId = ticketId; self.raw = raw
    }
}

/// A notifier whose backend cannot be reached, and a count of its attempts.
public struct UnreachableNotifier: Sendable {
    public var notifier: any Notifier
    /// How many times the adapter tried the backend so far; nil when the
    /// harness cannot count (a closed port accepts nothing to count).
    public var attempts: @Sendable () -> Int?
    public init(_ notifier: any Notifier, attempts: @escaping @Sendable () -> Int?) {
        self.notifier = notifier; self.attempts = attempts
    }
}

/// Opens notifiers for the notify conformance suite.
public protocol NotifierHarness: Sendable {
    /// A notifier over its backend (a fresh file, the capture server, a fake endpoint).
    func open() async throws -> any Notifier
    /// The notifications delivered so far whose subject contains `marker`,
    /// oldest first. Waits (a few seconds at most) until there are at least
    /// `expected`, then returns all there are: the suite checks the count.
    func delivered(_ notifier: any Notifier, subjectContaining marker: String, expected: Int) async throws -> [DeliveredNotification]
    /// Everything the adapter wrote to the backend and to logs the harness
    /// captures, since `open` (the suite looks for secrets in it).
    func recorded(_ notifier: any Notifier) async throws -> String
    /// Sending one `key` twice delivers once (the adapter deduplicates);
    /// false: it delivers twice (at least once, left to receivers).
    var deduplicatesByKey: Bool { get }
    /// A notifier whose backend is down (a closed port, an endpoint answering
    /// 503, a full disk): every harness must provide one.
    func openUnreachable() async throws -> UnreachableNotifier
}

/// The `notify` port's conformance suite: every notify adapter runs these
/// cases unchanged (`@Test(arguments: NotifierConformance.cases)`).
public enum NotifierConformance {
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        let body: @Sendable (any NotifierHarness, any Notifier, Checker, String) async throws -> Void
        public var description: String { name }

        public func run(_ harness: any NotifierHarness) async throws {
            let tag = String(UInt64.random(in: 0..<UInt64.max), radix: 36)
            let notifier = try await harness.open()
            try await body(harness, notifier, Checker(check: name, suite: "NotifierConformance"), tag)
        }
    }

    /// The single delivered notification whose subject holds `marker`.
    static func one(_ h: any NotifierHarness, _ n: any Notifier, _ marker: String, _ c: Checker,
                    line: Int = #line) async throws -> DeliveredNotification {
        let got = try await h.delivered(n, subjectContaining: marker, expected: 1)
        try c.equal(got.count, 1, "notifications delivered with \"\(marker)\" in the subject", line: line)
        return got[0]
    }

    public static let cases: [Case] = [
        Case(name: "a notification is delivered once with subject, text and ticket id") { h, n, c, tag in
            let subject = "New ticket T-\(tag): colis abîmé"
            let text = "Client: alice@example.com\nCategory: refund"
            try await n.send(TeamNotification(subject: subject, text: text, ticketId: "T-\(tag)"))
            let got = try await one(h, n, tag, c)
            try c.equal(got.subject, subject, "delivered subject")
            try c.equal(got.text, text, "delivered text")
            try c.equal(got.ticketId, "T-\(tag)", "delivered ticket id")
        },
        Case(name: "unicode subject and text arrive intact") { h, n, c, tag in
            let subject = "Réclamation été 🎫👩‍💻🇫🇷 « urgent » — \(tag)"
            // "e\u{301}" is é decomposed: it must not come back normalized (String's == would not see it; scalars do).
            let text = "Bonjour,\nle colis est arrivé abîmé 📦💥 (e\u{301})\n\n« Ça ne va pas » — crème brûlée, 日本語, مرحبا\nFin."
            try await n.send(TeamNotification(subject: subject, text: text, ticketId: "T-\(tag)"))
            let got = try await one(h, n, tag, c)
            try c.equal(Array(got.subject.unicodeScalars), Array(subject.unicodeScalars), "unicode subject, scalar for scalar")
            try c.equal(Array(got.text.unicodeScalars), Array(text.unicodeScalars), "unicode text with line breaks, scalar for scalar")
        },
        Case(name: "a URL's query string is never delivered nor logged") { h, n, c, tag in
            let presigned = "https://bucket.s3.amazonaws.com/att/\(tag).pdf?X-Amz-Credential=AKIDEXAMPLE%2F20261121&X-Amz-Signature=deadbeefcafe\(tag)"
            try await n.send(TeamNotification(subject: "Attachment \(tag)", text: "See \(presigned) (the invoice)",
                                              ticketId: "T-\(tag)", url: presigned))
            let got = try await one(h, n, tag, c)
            let everything = got.raw + "\n" + (try await h.recorded(n))
            for secret in ["AKIDEXAMPLE", "deadbeefcafe\(tag)", "X-Amz-Signature="] {
                try c.expect(!everything.contains(secret), "\(secret) reached the backend or a log: \(everything)")
            }
            try c.expect(got.text.contains("https://bucket.s3.amazonaws.com/att/\(tag).pdf"), "the URL without its query is kept: \(got.text)")
            try c.expect(got.text.contains(" (the invoice)"), "the text around the URL is kept: \(got.text)")
        },
        Case(name: "one key sent twice: once if the adapter deduplicates, else twice") { h, n, c, tag in
            let note = TeamNotification(subject: "Keyed \(tag)", text: "same", ticketId: "T-\(tag)", key: "job-\(tag)")
            try await n.send(note)
            try await n.send(note)
            try await n.send(TeamNotification(subject: "Keyed \(tag) other", text: "other", key: "job-other-\(tag)"))
            let expected = h.deduplicatesByKey ? 2 : 3
            let got = try await h.delivered(n, subjectContaining: "Keyed \(tag)", expected: expected)
            try c.equal(got.count, expected, "deliveries of two sends of one key plus one of another"
                        + (h.deduplicatesByKey ? " (the adapter deduplicates)" : " (the adapter does not deduplicate)"))
            try c.equal(got.filter { $0.text == "same" }.count, h.deduplicatesByKey ? 1 : 2, "deliveries of the repeated key")
            try c.equal(got.filter { $0.text == "other" }.count, 1, "deliveries of the other key")
        },
        Case(name: "an unreachable backend is .unavailable, retryable, after one attempt") { h, _, c, tag in
            let down = try await h.openUnreachable()
            do {
                try await down.notifier.send(TeamNotification(subject: "Down \(tag)", text: "x", ticketId: "T-\(tag)"))
                throw c.failure("the send to an unreachable backend succeeded", line: #line)
            } catch let e as PlugboardError {
                try c.equal(e.code, .unavailable, "error code (\(e.message))")
                try c.expect(e.isRetryable, "the error is retryable: \(e)")
            } catch let e as ConformanceFailure {
                throw e
            } catch {
                throw c.failure("threw a non-Plugboard error \(error)", line: #line)
            }
            if let attempts = down.attempts() {
                try c.equal(attempts, 1, "attempts on the backend (retries belong to the policy layer)")
            }
        },
        Case(name: "20 concurrent sends are all delivered") { h, n, c, tag in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        try await n.send(TeamNotification(subject: "Burst \(tag) #\(i)", text: "n° \(i)", ticketId: "T-\(tag)-\(i)"))
                    }
                }
                try await group.waitForAll()
            }
            let got = try await h.delivered(n, subjectContaining: "Burst \(tag) #", expected: 20)
            try c.equal(got.count, 20, "deliveries of 20 concurrent sends")
            try c.equal(Set(got.map(\.subject)), Set((0..<20).map { "Burst \(tag) #\($0)" }), "the 20 subjects")
            try c.equal(Set(got.compactMap(\.ticketId)), Set((0..<20).map { "T-\(tag)-\($0)" }), "the 20 ticket ids")
        },
    ]
}
