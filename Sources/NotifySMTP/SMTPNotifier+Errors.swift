import CCurl
import Foundation
import PlugboardKernel

extension SMTPNotifier {
    /// The one place curl and SMTP failures become `PlugboardError`s. Names the
    /// server and the login, never the password.
    static func error(curl code: CURLcode, smtpCode: Int, detail: String, session: SMTPSession) -> PlugboardError {
        let c = session.configuration
        let server = "\(c.host):\(c.port)"
        var said = detail
        if let p = c.password, !p.isEmpty { said = said.replacingOccurrences(of: p, with: "***") }
        let cause = "curl \(code.rawValue): \(said)" + (smtpCode > 0 ? " (SMTP \(smtpCode))" : "")
        func make(_ code: PlugboardError.Code, _ message: String, retryable: Bool? = nil) -> PlugboardError {
            PlugboardError(code, "smtp \(server): \(message)", adapter: adapter, cause: cause, retryable: retryable)
        }
        switch code {
        case CURLE_LOGIN_DENIED:
            return make(.unauthenticated, "the server refused the login of \(c.username ?? "(none)"); check username and password (or SMTP_PASSWORD)")
        case CURLE_USE_SSL_FAILED:
            return make(.invalidConfiguration, "the server does not offer STARTTLS; use security \"tls\" on its SMTPS port, or \"none\" for a trusted local relay")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return make(.unavailable, "the server's TLS certificate could not be verified (\(said))", retryable: false)
        case CURLE_COULDNT_RESOLVE_HOST:
            return make(.unavailable, "cannot resolve \(c.host)")
        case CURLE_COULDNT_CONNECT:
            return make(.unavailable, "cannot connect (\(said))")
        case CURLE_OPERATION_TIMEDOUT:
            return make(.unavailable, "no answer within \(c.timeout.seconds) s")
        case CURLE_ABORTED_BY_CALLBACK where session.isCancelled:
            return make(.unavailable, "send cancelled", retryable: false)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return make(.invalidConfiguration, "invalid server address (\(said))")
        default:
            break
        }
        // The server answered with an SMTP error: 4xx is temporary, 5xx permanent.
        switch smtpCode {
        case 530, 534, 535, 538:
            return make(.unauthenticated, "the server requires or refused authentication (\(said))")
        case 550, 551, 553:
            // Mailbox unavailable, not local, name not allowed: the configured addresses are wrong.
            return make(.invalidConfiguration, "the server refused the sender, a recipient or the message (\(said)); check from and to")
        case 400..<500:
            return make(.unavailable, "temporary failure (\(said))")
        case 500..<600:
            return make(.invalidInput, "the server refused the message (\(said))")
        default:
            return make(.unavailable, "the send failed (\(said))")
        }
    }
}
