import CCurl
import Foundation
import Synchronization

/// One SMTP transfer on its own curl easy handle: made, performed once, cleaned up.
/// Blocking: `perform` runs on a thread of its own (see `SMTPNotifier.send`).
// @unchecked Sendable: `message` and `offset` are touched only by curl's read
// callback during `perform`, on the one thread running it; `cancelled` is atomic.
final class SMTPSession: @unchecked Sendable {
    let configuration: SMTPNotifier.Configuration
    let sender: String
    let recipients: [String]
    let message: [UInt8]
    /// A health check instead of a transfer: the session up to its login, then `NOOP` and `QUIT`; nothing is sent.
    let probe: Bool
    var offset = 0
    private let cancelled = Atomic<Bool>(false)

    init(configuration: SMTPNotifier.Configuration, sender: String, recipients: [String], message: [UInt8]) {
        self.configuration = configuration
        self.sender = sender
        self.recipients = recipients
        self.message = message
        self.probe = false
    }

    /// A session that connects, greets (EHLO, STARTTLS and AUTH when configured), sends `NOOP` and quits.
    init(probing configuration: SMTPNotifier.Configuration) {
        self.configuration = configuration
        self.sender = ""
        self.recipients = []
        self.message = []
        self.probe = true
    }

    func cancel() { cancelled.store(true, ordering: .relaxed) }
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    // curl_global_init is not thread-safe and must run before any handle: once, atomically.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// `smtp://host:port` (plain or STARTTLS) or `smtps://host:port` (TLS).
    var url: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(configuration.security == .tls ? "smtps" : "smtp")://\(host):\(configuration.port)"
    }

    func perform() -> Result<Void, any Error> {
        _ = SMTPSession.globalInit
        guard let h = curl_easy_init() else {
            return .failure(SMTPNotifier.error(curl: CURLE_FAILED_INIT, smtpCode: 0, detail: "curl_easy_init failed", session: self))
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var rcpt: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_easy_cleanup(h)
            curl_slist_free_all(rcpt)
            errorBuffer.deallocate()
        }
        for r in recipients { rcpt = curl_slist_append(rcpt, "<\(r)>") }

        var setup = CURLE_OK
        func check(_ c: CURLcode) { if c != CURLE_OK, setup == CURLE_OK { setup = c } }
        let ms = Int(configuration.timeout.components.seconds * 1000 + configuration.timeout.components.attoseconds / 1_000_000_000_000_000)
        check(ccurl_setopt_str(h, CURLOPT_URL, url))
        check(ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1))
        check(ccurl_setopt_long(h, CURLOPT_TIMEOUT_MS, max(1, ms)))
        check(ccurl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, max(1, min(ms, 10_000))))
        check(ccurl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1))
        check(ccurl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2))
        let useSSL = configuration.security == .none ? CURLUSESSL_NONE : CURLUSESSL_ALL
        check(ccurl_setopt_long(h, CURLOPT_USE_SSL, Int(useSSL.rawValue)))
        if let user = configuration.username {
            check(ccurl_setopt_str(h, CURLOPT_USERNAME, user))
            check(ccurl_setopt_str(h, CURLOPT_PASSWORD, configuration.password ?? ""))
        }
        if probe {
            // With no upload and no recipient, curl sends the custom command after the greeting, and QUIT on cleanup.
            check(ccurl_setopt_str(h, CURLOPT_CUSTOMREQUEST, "NOOP"))
            let discard: ccurl_datafn = { _, size, count, _ in size * count }
            check(ccurl_setopt_writefn(h, discard))
        } else {
            check(ccurl_setopt_str(h, CURLOPT_MAIL_FROM, "<\(sender)>"))
            check(ccurl_setopt_slist(h, CURLOPT_MAIL_RCPT, rcpt))
            check(ccurl_setopt_long(h, CURLOPT_UPLOAD, 1))
            check(ccurl_setopt_off(h, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count)))
        }
        check(ccurl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer))

        // Callbacks are C function pointers without captures; the session travels as userdata.
        let context = Unmanaged.passUnretained(self).toOpaque()
        let read: ccurl_datafn = { buffer, size, count, userdata in
            let s = Unmanaged<SMTPSession>.fromOpaque(userdata!).takeUnretainedValue()
            if s.isCancelled { return Int(CURL_READFUNC_ABORT) }
            let n = min(size * count, s.message.count - s.offset)
            guard n > 0, let buffer else { return 0 }
            s.message.withUnsafeBytes { src in
                UnsafeMutableRawPointer(buffer).copyMemory(from: src.baseAddress! + s.offset, byteCount: n)
            }
            s.offset += n
            return n
        }
        let progress: ccurl_xferinfofn = { userdata, _, _, _, _ in
            Unmanaged<SMTPSession>.fromOpaque(userdata!).takeUnretainedValue().isCancelled ? 1 : 0
        }
        check(ccurl_setopt_readfn(h, read))
        check(ccurl_setopt_ptr(h, CURLOPT_READDATA, context))
        check(ccurl_setopt_xferinfofn(h, progress))
        check(ccurl_setopt_ptr(h, CURLOPT_XFERINFODATA, context))
        check(ccurl_setopt_long(h, CURLOPT_NOPROGRESS, 0))
        if setup != CURLE_OK {
            return .failure(SMTPNotifier.error(curl: setup, smtpCode: 0, detail: String(cString: curl_easy_strerror(setup)), session: self))
        }

        let code = curl_easy_perform(h)
        if code == CURLE_OK { return .success(()) }
        var smtpCode = 0
        _ = ccurl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &smtpCode)
        let buffered = String(cString: errorBuffer)
        let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        return .failure(SMTPNotifier.error(curl: code, smtpCode: smtpCode, detail: detail, session: self))
    }
}
