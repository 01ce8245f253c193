import Foundation
import PlugboardKernel

/// One RFC 5322 message as the SMTP adapter sends it: a `text/plain; charset=utf-8`
/// body in base64 (safe for any text, and no line ever starts with a dot),
/// RFC 2047 encoded words for non-ASCII subjects and display names, CRLF line ends.
///
/// A CR or LF in any header value is refused (`.invalidInput`): it would let
/// the value start a header of its own.
public struct SMTPMessage: Sendable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var body: String
    public var messageID: String
    public var date: Date
    /// More headers (`X-Plugboard-Ticket`), in order.
    public var extraHeaders: [(String, String)]

    public init(from: String, to: [String], subject: String, body: String, messageID: String, date: Date = Date(),
                extraHeaders: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
        self.extraHeaders = extraHeaders
    }

    /// The message bytes, headers then body.
    public func bytes() throws -> [UInt8] {
        // Every value is checked as given, before encoding (encoded words are folded with CRLF on purpose).
        let given = [("From", from), ("Subject", subject), ("Message-ID", messageID)] + to.map { ("To", $0) } + extraHeaders
        for (name, value) in given where value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw PlugboardError.invalidInput("smtp: a line break in the \(name) header is refused (header injection)", adapter: "smtp")
        }
        var lines = [
            "From: " + SMTPMessage.encodedMailbox(from),
            "To: " + to.map(SMTPMessage.encodedMailbox).joined(separator: ", "),
            "Subject: " + SMTPMessage.encodedText(subject),
            "Date: " + SMTPMessage.rfc5322Date(date),
            "Message-ID: " + messageID,
        ]
        for (name, value) in extraHeaders { lines.append("\(name): \(SMTPMessage.encodedText(value))") }
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: text/plain; charset=utf-8")
        lines.append("Content-Transfer-Encoding: base64")
        // Canonical text: CRLF line ends, then base64 in 76-character lines.
        let canonical = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(canonical.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + encoded + "\r\n").utf8)
    }

    // MARK: - Encoding

    /// Printable ASCII of reasonable length goes as is; anything else as RFC 2047
    /// `=?UTF-8?B?…?=` words of at most 75 characters, never splitting a
    /// character, folded onto continuation lines.
    static func encodedText(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), !s.contains("=?"), s.utf8.count <= 200 { return s }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 39 bytes of UTF-8 are 52 base64 characters: a 64-character word, which
        // fits the 75-character limit and, after "Subject: ", a 78-character line.
        for c in s {
            let bytes = Array(String(c).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `Name <addr>` with a non-ASCII name encoded; a bare address as is.
    static func encodedMailbox(_ mailbox: String) -> String {
        let m = mailbox.trimmingCharacters(in: .whitespaces)
        guard let lt = m.lastIndex(of: "<"), m.hasSuffix(">") else { return m }
        var name = m[..<lt].trimmingCharacters(in: .whitespaces)
        let address = m[lt...]
        if name.isEmpty { return String(address) }
        if name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            // A phrase with specials must be quoted.
            if name.contains(where: { "()<>[]:;@\\,.\"".contains($0) }), !(name.hasPrefix("\"") && name.hasSuffix("\"")) {
                name = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
            return "\(name) \(address)"
        }
        return encodedText(name).replacingOccurrences(of: "\r\n ", with: " ") + " " + address
    }

    /// The `local@domain` of `addr` or `Name <addr>`, nil when it has none.
    public static func addressSpec(_ mailbox: String) -> String? {
        var m = mailbox.trimmingCharacters(in: .whitespaces)
        if let lt = m.lastIndex(of: "<"), m.hasSuffix(">") { m = String(m[m.index(after: lt)..<m.index(before: m.endIndex)]) }
        let parts = m.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              !m.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0.asciiValue.map { $0 < 0x20 } == true })
        else { return nil }
        return m
    }

    /// `Thu, 21 Nov 2024 06:50:00 +0000`.
    static func rfc5322Date(_ d: Date) -> String {
        let secs = Int(d.timeIntervalSince1970.rounded(.down))
        let iso = Timestamp.format(Double(secs))  // yyyy-MM-ddTHH:mm:ssZ
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let y = iso.prefix(4), m = Int(iso.dropFirst(5).prefix(2))!, day = Int(iso.dropFirst(8).prefix(2))!
        let time = iso.dropFirst(11).prefix(8)
        return "\(weekday), \(day) \(months[m - 1]) \(y) \(time) +0000"
    }

    /// A Message-ID from an idempotency key, so a resent notification carries
    /// the same id and receivers can drop the duplicate; random without a key.
    public static func messageID(key: String?, from: String) -> String {
        let domain = addressSpec(from).flatMap { $0.split(separator: "@").last.map(String.init) } ?? "plugboard.invalid"
        let local = key.map { "plugboard." + Digest.sha256Hex($0).prefix(32) } ?? "plugboard." + UUID().uuidString.lowercased()
        return "<\(local)@\(domain)>"
    }
}
