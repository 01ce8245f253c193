import Foundation
import PlugboardKernel

/// `plugboard doctor`: connect, EHLO, STARTTLS and AUTH when configured, NOOP, QUIT.
/// No mail is sent.
extension SMTPNotifier: HealthChecking {
    public func check() async -> HealthCheck {
        let c = configuration
        let session = SMTPSession(probing: c)
        let result: Result<Void, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // The session blocks its thread for up to `timeout`: it gets a thread of its own.
                let thread = Thread { continuation.resume(returning: session.perform()) }
                thread.name = "plugboard.smtp.check"
                thread.start()
            }
        } onCancel: {
            session.cancel()
        }
        var steps = ["EHLO"]
        if c.security == .starttls { steps.append("STARTTLS") }
        if c.security == .tls { steps.insert("TLS", at: 0) }
        if let user = c.username { steps.append("AUTH as \(user)") }
        switch result {
        case .success:
            return .passed("\(c.host):\(c.port): connected, \(steps.joined(separator: ", ")), NOOP, QUIT (no mail sent)")
        case .failure(let error):
            let e = PlugboardError.wrap(error, adapter: SMTPNotifier.adapter)
            switch e.code {
            case .unauthenticated:
                return .failed(e.message, hint: "login refused: set notify.username and notify.password (or SMTP_PASSWORD)")
            case .invalidConfiguration:
                return .failed(e.message, hint: "check notify.security and notify.port (starttls: 587, tls: 465, none: a local relay)")
            default:
                return .failed(e.message, hint: "is an SMTP server listening at \(c.host):\(c.port)? check notify.host and notify.port")
            }
        }
    }
}
