import CCurl
import Foundation

/// One curl easy handle: created in `init`, cleaned up in `deinit`. Reused
/// across transfers (`curl_easy_reset` keeps its live connections and DNS cache).
/// Not thread-safe: `CurlLane` confines it to one serial queue.
final class CurlEasyHandle {
    private let raw: UnsafeMutableRawPointer
    /// curl writes failure details here during a transfer; it must outlive the handle's use of it.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let h = curl_easy_init() else { return nil }
        raw = h
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Runs one request to completion (blocking) and returns the response or the mapped error.
    func perform(_ request: HTTPRequest, parts: URLParts, transfer: CurlTransfer,
                 configuration: CurlTransport.Configuration) -> Result<HTTPResponse, PlugboardError> {
        if transfer.isCancelled { return .failure(.init(.unavailable, "cancelled", retryable: false)) }
        curl_easy_reset(raw)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        let timeout = request.timeout ?? configuration.timeout
        var setupFailed: CURLcode = CURLE_OK
        func check(_ c: CURLcode) { if c != CURLE_OK, setupFailed == CURLE_OK { setupFailed = c } }

        check(ccurl_setopt_str(raw, CURLOPT_URL, request.url))
        check(ccurl_setopt_long(raw, CURLOPT_NOSIGNAL, 1))
        check(ccurl_setopt_long(raw, CURLOPT_CONNECTTIMEOUT_MS, CurlEasyHandle.milliseconds(configuration.connectTimeout)))
        check(ccurl_setopt_long(raw, CURLOPT_TIMEOUT_MS, CurlEasyHandle.milliseconds(timeout)))
        check(ccurl_setopt_long(raw, CURLOPT_SSL_VERIFYPEER, 1))
        check(ccurl_setopt_long(raw, CURLOPT_SSL_VERIFYHOST, 2))
        check(ccurl_setopt_long(raw, CURLOPT_FOLLOWLOCATION, 0))
        check(ccurl_setopt_long(raw, CURLOPT_TCP_KEEPALIVE, 1))
        check(ccurl_setopt_str(raw, CURLOPT_USERAGENT, configuration.userAgent))
        check(ccurl_setopt_off(raw, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(transfer.limit)))
        errorBuffer[0] = 0
        check(ccurl_setopt_ptr(raw, CURLOPT_ERRORBUFFER, errorBuffer))

        // Method and body.
        let method = request.method.rawValue
        switch method {
        case "GET" where request.body.isEmpty:
            check(ccurl_setopt_long(raw, CURLOPT_HTTPGET, 1))
        case "HEAD":
            check(ccurl_setopt_long(raw, CURLOPT_NOBODY, 1))
        case "DELETE" where request.body.isEmpty, "OPTIONS" where request.body.isEmpty:
            check(ccurl_setopt_str(raw, CURLOPT_CUSTOMREQUEST, method))
        default:
            check(ccurl_setopt_long(raw, CURLOPT_POST, 1))
            check(ccurl_setopt_off(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            request.body.withUnsafeBytes { b in
                // COPYPOSTFIELDS copies, so the bytes need not outlive this call.
                let empty: StaticString = ""
                let p = b.baseAddress ?? UnsafeRawPointer(empty.utf8Start)
                check(ccurl_setopt_ptr(raw, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: p)))
            }
            if method != "POST" { check(ccurl_setopt_str(raw, CURLOPT_CUSTOMREQUEST, method)) }
        }

        // Headers. An empty value needs curl's `Name;` form; `Expect:` turns off
        // 100-continue round trips on larger bodies.
        var hasExpect = false
        for (name, value) in request.headers {
            if name.lowercased() == "expect" { hasExpect = true }
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if !hasExpect { headerList = curl_slist_append(headerList, "Expect:") }
        check(ccurl_setopt_slist(raw, CURLOPT_HTTPHEADER, headerList))

        // Callbacks: C function pointers without captures; the transfer travels as userdata.
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        let write: ccurl_datafn = { ptr, size, count, userdata in
            let t = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
            let n = size * count
            if t.body.count + n > t.limit { t.exceeded = true; return 0 }
            if let ptr, n > 0 { t.body.append(UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: n) }
            return n
        }
        let header: ccurl_datafn = { ptr, size, count, userdata in
            let t = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
            let n = size * count
            guard let ptr else { return n }
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                t.headers = HTTPHeaders()  // a new response (after 100 Continue): start over
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                if !name.isEmpty { t.headers.add(name, value) }
            }
            return n
        }
        let progress: ccurl_xferinfofn = { userdata, _, _, _, _ in
            let t = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
            return t.isCancelled ? 1 : 0
        }
        check(ccurl_setopt_writefn(raw, write))
        check(ccurl_setopt_ptr(raw, CURLOPT_WRITEDATA, context))
        check(ccurl_setopt_headerfn(raw, header))
        check(ccurl_setopt_ptr(raw, CURLOPT_HEADERDATA, context))
        check(ccurl_setopt_xferinfofn(raw, progress))
        check(ccurl_setopt_ptr(raw, CURLOPT_XFERINFODATA, context))
        check(ccurl_setopt_long(raw, CURLOPT_NOPROGRESS, 0))

        if setupFailed != CURLE_OK {
            return .failure(CurlTransport.error(for: setupFailed, parts: parts, detail: curlMessage(setupFailed),
                                                osErrno: 0, transfer: transfer, timeout: timeout))
        }

        let code = curl_easy_perform(raw)
        guard code == CURLE_OK else {
            var osErrno = 0
            _ = ccurl_getinfo_long(raw, CURLINFO_OS_ERRNO, &osErrno)
            return .failure(CurlTransport.error(for: code, parts: parts, detail: curlMessage(code),
                                                osErrno: Int32(osErrno), transfer: transfer, timeout: timeout))
        }
        var status = 0
        _ = ccurl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body))
    }

    /// The detailed message curl wrote for the last failure, or its generic one.
    private func curlMessage(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    static func milliseconds(_ d: Duration) -> Int {
        let c = d.components
        return max(1, Int(c.seconds) * 1000 + Int(c.attoseconds / 1_000_000_000_000_000))
    }
}
