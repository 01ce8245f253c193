import CCurl
import Foundation

extension CurlTransport {
    /// Maps a curl failure to a `PlugboardError`: the one place curl codes are read.
    /// Network failures are `.unavailable` and retryable, and name host and port.
    static func error(for code: CURLcode, parts: URLParts, detail: String, osErrno: Int32,
                      transfer: CurlTransfer, timeout: Duration) -> PlugboardError {
        let target = "\(parts.host):\(parts.effectivePort)"
        let cause = "curl \(code.rawValue): \(detail)"
        let reason = osErrno != 0 ? String(cString: strerror(osErrno)).lowercased() : nil
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return PlugboardError(.unavailable, "cannot resolve host \(parts.host)", cause: cause)
        case CURLE_COULDNT_CONNECT:
            return PlugboardError(.unavailable, "cannot connect to \(target) (\(reason ?? "connection failed"))", cause: cause)
        case CURLE_OPERATION_TIMEDOUT:
            return PlugboardError(.unavailable, "request to \(target) timed out after \(seconds(timeout)) s (\(detail))",
                                  cause: cause)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR,
             CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return PlugboardError(.unavailable, "connection to \(target) failed (\(reason ?? detail))", cause: cause)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return PlugboardError(.unavailable, "TLS certificate of \(target) could not be verified (\(detail))",
                                  cause: cause, retryable: false)
        case CURLE_WRITE_ERROR where transfer.exceeded, CURLE_FILESIZE_EXCEEDED:
            return PlugboardError(.unsupported, "response from \(target) exceeds the \(transfer.limit)-byte limit",
                                  cause: cause)
        case CURLE_ABORTED_BY_CALLBACK where transfer.isCancelled:
            return PlugboardError(.unavailable, "request to \(target) cancelled", cause: cause, retryable: false)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return PlugboardError(.invalidInput, "invalid URL for \(target) (\(detail))", cause: cause)
        default:
            return PlugboardError(.internal, "request to \(target) failed: \(detail)", cause: cause)
        }
    }

    private static func seconds(_ d: Duration) -> String {
        let ms = CurlEasyHandle.milliseconds(d)
        return ms % 1000 == 0 ? String(ms / 1000) : String(Double(ms) / 1000)
    }
}
