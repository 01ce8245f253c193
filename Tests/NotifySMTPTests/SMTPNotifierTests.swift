import Foundation
@testable import NotifySMTP
import PlugboardKernel
import Synchronization
import Testing

/// Against the real SMTP server the test script starts (aiosmtpd keeping every message).
@Suite("smtp notifier against a real SMTP server", .enabled(if: SMTPServer.reachable || SMTPServer.required))
struct SMTPNotifierServerTests {
    func notifier(username: String? = nil, password: String? = nil, from: String = "Plugboard <support@example.com>",
                  to: [String] = ["team@example.com"], port: Int? = nil) throws -> SMTPNotifier {
        guard SMTPServer.reachable else { throw SMTPServer.NotConfigured() }
        return SMTPNotifier(.init(host: SMTPServer.host, port: port ?? SMTPServer.port, security: .none, username: username,
                                  password: password, from: from, to: to, timeout: .seconds(10)))
    }

    static func tag() -> String { String(UInt64.random(in: 0..<UInt64.max), radix: 36) }

    @Test("the message arrives with the right envelope, headers and body")
    func delivered() async throws {
        let tag = SMTPNotifierServerTests.tag()
        let n = try notifier(to: ["team@example.com", "Second Person <second@example.org>"])
        let text = "Alice <alice@example.com> via email\nCategory: refund\n\n.leading dot line\nFin."
        try await n.send(TeamNotification(subject: "New ticket T-\(tag): colis", text: text, ticketId: "T-\(tag)",
                                          url: "https://crm.example/tickets/T-\(tag)", key: "job-\(tag)"))
        let got = try await SMTPServer.waitFor("T-\(tag)")
        try #require(got.count == 1)
        let m = got[0]
        #expect(m.mailFrom == "support@example.com")
        #expect(m.rcptTos == ["team@example.com", "second@example.org"])
        #expect(m.header("From") == "Plugboard <support@example.com>")
        #expect(m.header("To") == "team@example.com, Second Person <second@example.org>")
        #expect(m.header("Subject") == "New ticket T-\(tag): colis")
        #expect(m.header("Message-ID") == SMTPMessage.messageID(key: "job-\(tag)", from: "support@example.com"))
        #expect(m.header("Message-ID")?.hasSuffix("@example.com>") == true)
        #expect(m.header("MIME-Version") == "1.0")
        #expect(m.header("X-Plugboard-Ticket") == "T-\(tag)")
        #expect(m.contentType == "text/plain")
        #expect(m.charset == "utf-8")
        #expect(m.header("Content-Transfer-Encoding") == "base64")
        let date = try #require(m.header("Date"))
        #expect(date.hasSuffix("+0000"))
        #expect(m.body.replacingOccurrences(of: "\r\n", with: "\n")
                == text + "\n\nhttps://crm.example/tickets/T-\(tag)" + (m.body.hasSuffix("\n") ? "\n" : ""))
        #expect(m.login == nil, "no login without a username")
    }

    @Test("a UTF-8 subject is RFC 2047-encoded and decodes back; so is a non-ASCII sender name")
    func unicodeSubject() async throws {
        let tag = SMTPNotifierServerTests.tag()
        let subject = "Réclamation été 🎫 « urgent » — 日本語のテキストがとても長い件名になります \(tag)"
        let n = try notifier(from: "Équipe Support <support@example.com>")
        try await n.send(TeamNotification(subject: subject, text: "Corps du message : ça marche ✓ 🎉", key: "k-\(tag)"))
        let got = try await SMTPServer.waitFor(SMTPMessage.messageID(key: "k-\(tag)", from: "support@example.com"))
        try #require(got.count == 1)
        let m = got[0]
        #expect(m.header("Subject") == subject)
        let raw = try #require(m.rawHeaders["subject"]?.first)
        #expect(raw.hasPrefix("=?UTF-8?B?"), "encoded words on the wire: \(raw)")
        #expect(m.raw.split(separator: "\r\n").allSatisfy { $0.count <= 78 }, "every line within 78 characters")
        #expect(m.header("From") == "Équipe Support <support@example.com>")
        #expect(m.body.trimmingCharacters(in: .newlines) == "Corps du message : ça marche ✓ 🎉")
    }

    @Test("with a username, the client logs in (the server records the login name)")
    func login() async throws {
        let tag = SMTPNotifierServerTests.tag()
        try await notifier(username: "plugboard", password: "pw-\(tag)").send(TeamNotification(subject: "Login \(tag)", text: "x"))
        let got = try await SMTPServer.waitFor("Login \(tag)")
        #expect(got.first?.login == "plugboard")
        #expect(got.first.map { !$0.raw.contains("pw-\(tag)") } == true)
    }

    @Test("one key gives one Message-ID: a resend is a duplicate receivers can drop (at least once)")
    func resend() async throws {
        let tag = SMTPNotifierServerTests.tag()
        let n = try notifier()
        let note = TeamNotification(subject: "Resend \(tag)", text: "same", key: "job-\(tag)")
        try await n.send(note)
        try await n.send(note)
        try await n.send(TeamNotification(subject: "Resend \(tag)", text: "other", key: "job-other-\(tag)"))
        var got = try await SMTPServer.waitFor("Resend \(tag)")
        for _ in 0..<40 where got.count < 3 {
            try await Task.sleep(for: .milliseconds(50))
            got = try await SMTPServer.waitFor("Resend \(tag)")
        }
        #expect(got.count == 3)
        #expect(Set(got.compactMap { $0.header("Message-ID") }).count == 2)
    }

    @Test("a CR or LF in the subject, sender or a recipient is refused and nothing is sent")
    func headerInjection() async throws {
        let tag = SMTPNotifierServerTests.tag()
        let cases: [(SMTPNotifier, TeamNotification)] = [
            (try notifier(), TeamNotification(subject: "Hi \(tag)\r\nBcc: victim@example.com", text: "x")),
            (try notifier(), TeamNotification(subject: "Hi \(tag)\nBcc: victim@example.com", text: "x")),
            (try notifier(), TeamNotification(subject: "Hi \(tag)\rX: y", text: "x")),
            (try notifier(from: "support@example.com\nBcc: victim@example.com"), TeamNotification(subject: "Hi \(tag)", text: "x")),
            (try notifier(to: ["team@example.com\r\nBcc: victim@example.com"]), TeamNotification(subject: "Hi \(tag)", text: "x")),
            (try notifier(), TeamNotification(subject: "Hi \(tag)", text: "x", ticketId: "T1\r\nBcc: victim@example.com")),
        ]
        for (n, note) in cases {
            await #expect(throws: PlugboardError.self) { try await n.send(note) }
            do { try await n.send(note) } catch let e as PlugboardError {
                #expect(e.code == .invalidInput)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(SMTPServer.count("Hi \(tag)") == 0)
    }

    @Test("nothing listening is .unavailable and retryable; the password is in no message")
    func unreachable() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        close(listener)  // the port is now closed: connections are refused
        let n = try notifier(username: "u", password: "very-secret-password", port: port)
        do {
            try await n.send(TeamNotification(subject: "x", text: "y"))
            Issue.record("sent to a closed port")
        } catch let e as PlugboardError {
            #expect(e.code == .unavailable)
            #expect(e.isRetryable)
            #expect(!"\(e)".contains("very-secret-password"))
            #expect("\(e)".contains("127.0.0.1:\(port)"))
        }
    }
}

/// Offline: message building and configuration.
@Suite("smtp message and configuration")
struct SMTPMessageTests {
    @Test("encoded words stay within 75 characters and never split a character")
    func encodedWords() throws {
        let subject = String(repeating: "é🎫", count: 40)
        let encoded = SMTPMessage.encodedText(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = ""
        for w in words {
            #expect(w.count <= 75)
            #expect(w.hasPrefix("=?UTF-8?B?") && w.hasSuffix("?="))
            let b64 = String(w.dropFirst(10).dropLast(2))
            let data = try #require(Data(base64Encoded: b64))
            decoded += try #require(String(data: data, encoding: .utf8), "each word is whole UTF-8")
        }
        #expect(decoded == subject)
        #expect(SMTPMessage.encodedText("Plain ASCII subject") == "Plain ASCII subject")
        #expect(SMTPMessage.encodedText("looks =?like?= a word").hasPrefix("=?UTF-8?B?"))
    }

    @Test("the Date header is RFC 5322 in UTC")
    func date() {
        #expect(SMTPMessage.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(SMTPMessage.rfc5322Date(Date(timeIntervalSince1970: 1_732_171_800)) == "Thu, 21 Nov 2024 06:50:00 +0000")
    }

    @Test("configuration: ports follow security, SMTP_PASSWORD fills the password, which is redacted")
    func configuration() throws {
        let loader = ConfigLoader(registry: Registry([SMTPNotifier.registryEntry]), environment: ["SMTP_PASSWORD": "pw-from-env"])
        let s = try loader.settings(port: .notify, section: [
            "adapter": "smtp", "host": "smtp.example.com", "security": "tls", "username": "bot", "from": "bot@example.com", "to": ["a@example.com"],
        ])
        let c = try SMTPNotifier.configuration(from: s)
        #expect(c.port == 465 && c.security == .tls && c.password == "pw-from-env")
        #expect(!s.redacted.serialized().contains("pw-from-env"))
        let bad = try loader.settings(port: .notify, section: [
            "adapter": "smtp", "host": "smtp.example.com", "from": "not an address", "to": ["a@example.com"],
        ])
        #expect(throws: PlugboardError.self) { try SMTPNotifier.configuration(from: bad) }
    }
}
