import Foundation
import PlugboardKernel

/// The `smtp` notifier: one e-mail per notification, sent with libcurl's SMTP
/// client (STARTTLS or TLS, login, certificate checks).
///
/// The message is `text/plain; charset=utf-8`, the notification's text followed
/// by its URL (URLs lose user info and query string); the subject is RFC
/// 2047-encoded when it is not plain ASCII; a ticket id goes in `X-Plugboard-Ticket`. A CR or LF in any header value
/// (subject, from, to, ticket id) is refused with `.invalidInput`.
///
/// Delivery is at least once: a send whose answer was lost is sent again by
/// the policy layer. The `Message-ID` is derived from the notification's key,
/// so the copies carry the same id and mail systems that deduplicate drop them.
///
/// curl's blocking transfer runs on a thread of its own, never on Swift's
/// cooperative threads (nor on Dispatch's global pool, which on Linux is the
/// same pool). No retries here.
public final class SMTPNotifier: Notifier {
    public let configuration: Configuration
    let logger: Logger

    static let adapter = "smtp"

    public init(_ configuration: Configuration, logger: Logger = Logger(label: "plugboard.smtp")) {
        self.configuration = configuration
        self.logger = logger
    }

    public func send(_ n: TeamNotification) async throws {
        let message = try self.message(n)
        let bytes = try message.bytes()
        guard let sender = SMTPMessage.addressSpec(configuration.from) else {
            throw PlugboardError.invalidConfiguration("smtp: from \"\(configuration.from)\" has no e-mail address", adapter: SMTPNotifier.adapter)
        }
        let recipients = try configuration.to.map { to -> String in
            guard let a = SMTPMessage.addressSpec(to) else {
                throw PlugboardError.invalidConfiguration("smtp: recipient \"\(to)\" has no e-mail address", adapter: SMTPNotifier.adapter)
            }
            return a
        }
        let session = SMTPSession(configuration: configuration, sender: sender, recipients: recipients, message: bytes)
        let started = ContinuousClock.now
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // A transfer blocks its thread for up to `timeout`: it gets a thread of its own.
                let thread = Thread { continuation.resume(with: session.perform()) }
                thread.name = "plugboard.smtp"
                thread.start()
            }
        } onCancel: {
            session.cancel()
        }
        logger.debug("smtp: sent \(message.messageID) to \(recipients.count) recipient(s) via \(configuration.host):\(configuration.port) "
                     + "in \((ContinuousClock.now - started).milliseconds) ms")
    }

    /// The e-mail for a notification: text, then the URL on a line of its own.
    /// URLs lose their user info and query string (the port's contract: presigned
    /// URLs carry signatures there, and a mailbox is kept and forwarded).
    public func message(_ n: TeamNotification, date: Date = Date()) throws -> SMTPMessage {
        var body = URLRedaction.urls(in: n.text)
        if let url = n.url, !url.isEmpty { body += (body.isEmpty ? "" : "\n\n") + URLRedaction.url(url) }
        var extra: [(String, String)] = []
        if let id = n.ticketId { extra.append(("X-Plugboard-Ticket", id)) }
        return SMTPMessage(from: configuration.from, to: configuration.to, subject: URLRedaction.urls(in: n.subject), body: body,
                           messageID: SMTPMessage.messageID(key: n.key, from: configuration.from), date: date, extraHeaders: extra)
    }
}
