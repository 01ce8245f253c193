import Foundation
import NotifySMTP
import PlugboardConformance
import PlugboardKernel
import Testing

/// The smtp notifier against the capture server: what was delivered is read
/// back from its maildir by Python's `email` package.
struct SMTPNotifierHarness: NotifierHarness {
    func open() async throws -> any Notifier {
        try SMTPNotifierHarness.notifier(port: SMTPServer.port)
    }

    static func notifier(port: Int) throws -> SMTPNotifier {
        guard SMTPServer.reachable else { throw SMTPServer.NotConfigured() }
        return SMTPNotifier(.init(host: SMTPServer.host, port: port, security: .none, from: "Plugboard <support@example.com>",
                                  to: ["team@example.com"], timeout: .seconds(10)))
    }

    func delivered(_ notifier: any Notifier, subjectContaining marker: String, expected: Int) async throws -> [DeliveredNotification] {
        guard let maildir = SMTPServer.maildir else { throw SMTPServer.NotConfigured() }
        let deadline = ContinuousClock.now + .seconds(5)
        var paths: [String] = []
        while true {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []).sorted()
            paths = names.filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.map { maildir + "/" + $0 }.filter { path in
                FileManager.default.contents(atPath: path).map { SMTPNotifierHarness.subject(of: $0).contains(marker) } ?? false
            }
            if paths.count >= expected || ContinuousClock.now > deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        var found: [DeliveredNotification] = []
        for path in paths {
            let m = try await SMTPServer.parseOffPool(path)
            let headers = m.headers.sorted { $0.key < $1.key }.flatMap { k, vs in vs.map { "\(k): \($0)" } }
            var text = m.body.replacingOccurrences(of: "\r\n", with: "\n")
            while text.hasSuffix("\n") { text.removeLast() }
            found.append(DeliveredNotification(subject: m.header("Subject") ?? "", text: text, ticketId: m.header("X-Plugboard-Ticket"),
                                               raw: (headers + ["", m.body]).joined(separator: "\n")))
        }
        return found
    }

    /// The Subject header, unfolded, its RFC 2047 `=?UTF-8?B?…?=` words decoded: enough
    /// to find a marker without running the full parser on every message in the maildir.
    static func subject(of raw: Data) -> String {
        let text = String(decoding: raw, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n").first ?? text
        var value: String?
        for line in head.components(separatedBy: "\r\n") {
            if var v = value {
                guard line.hasPrefix(" ") || line.hasPrefix("\t") else { break }
                v += line
                value = v
            } else if line.lowercased().hasPrefix("subject:") {
                value = String(line.dropFirst("subject:".count))
            }
        }
        guard let folded = value else { return "" }
        var out = ""
        for word in folded.split(separator: " ") {
            if word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
               let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) {
                out += String(decoding: data, as: UTF8.self)
            } else {
                out += (out.isEmpty ? "" : " ") + word
            }
        }
        return out
    }

    /// The adapter logs at debug level only, naming no URL: what reaches the server is all there is.
    func recorded(_ notifier: any Notifier) async throws -> String { "" }

    /// One key gives one Message-ID, but the server keeps both copies (receivers may drop them).
    var deduplicatesByKey: Bool { false }

    /// A port that was just bound and closed: connections are refused. Nothing to count.
    func openUnreachable() async throws -> UnreachableNotifier {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        close(listener)
        return UnreachableNotifier(try SMTPNotifierHarness.notifier(port: Int(UInt16(bigEndian: addr.sin_port))), attempts: { nil })
    }
}

@Suite("smtp notifier conformance against a real SMTP server", .enabled(if: SMTPServer.reachable || SMTPServer.required))
struct SMTPNotifierConformanceTests {
    @Test(arguments: NotifierConformance.cases)
    func conformance(_ c: NotifierConformance.Case) async throws {
        try await c.run(SMTPNotifierHarness())
    }
}
