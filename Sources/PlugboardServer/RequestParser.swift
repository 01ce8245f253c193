/// A strict HTTP/1.x request-head parser over raw bytes (RFC 9112).
///
/// It accepts only what the grammar allows: a token method, an origin-form
/// target, `HTTP/1.0` or `HTTP/1.1`, CRLF line ends, token header names with no
/// space before the colon, no obsolete line folding, no control characters.
/// Bodies are framed by `Content-Length` only: `Transfer-Encoding` is answered
/// 411 (send the length), a missing length on POST/PATCH/PUT 411, a length over
/// the limit 413. Every refusal closes the connection, since the rest of the
/// stream can no longer be framed.
struct RequestParser: Sendable {
    var maxHeaderBytes: Int
    var maxBodyBytes: Int
    var maxTargetBytes = 8192
    var maxHeaderCount = 100

    /// A parsed head: the request without its body, and how many body bytes follow.
    struct Head: Sendable {
        var request: ServerRequest
        /// Index in the buffer just after the head's blank line, where the body starts.
        var end: Int
        var bodyLength: Int
    }

    enum Outcome: Sendable {
        case needMore
        case head(Head)
        case refuse(status: Int, code: String, message: String)
    }

    /// Parses the head starting at `start` in `buf`. `scanned` carries how far a previous
    /// call already looked for the blank line, so slow clients cost linear time.
    func parseHead(_ buf: [UInt8], start: Int, scanned: inout Int) -> Outcome {
        var begin = start
        // RFC 9112 §2.2: ignore empty lines before a request line.
        while begin + 1 < buf.count, buf[begin] == 0x0D, buf[begin + 1] == 0x0A { begin += 2 }
        if begin < buf.count, buf[begin] == 0x0A { return .refuse(status: 400, code: "bad_request", message: "bare LF line ending") }
        let end = buf.count
        var i = max(begin, scanned - 3)
        var headEnd = -1
        while i + 3 < end {
            if buf[i + 3] != 0x0A { i += buf[i + 3] == 0x0D ? 1 : 4; continue }
            if buf[i] == 0x0D, buf[i + 1] == 0x0A, buf[i + 2] == 0x0D { headEnd = i + 4; break }
            i += 1
        }
        if headEnd < 0 {
            scanned = max(begin, end)
            if end - begin > maxHeaderBytes {
                return .refuse(status: 431, code: "headers_too_large", message: "request head larger than \(maxHeaderBytes) bytes")
            }
            if let refusal = earlyRefusal(buf, begin: begin, end: end) { return refusal }
            return .needMore
        }
        if headEnd - begin > maxHeaderBytes {
            return .refuse(status: 431, code: "headers_too_large", message: "request head larger than \(maxHeaderBytes) bytes")
        }
        return parseComplete(buf, begin: begin, headEnd: headEnd)
    }

    /// Refuses a request line that is already wrong before the head is complete (garbage,
    /// a bare LF, an over-long target), instead of waiting for a blank line that may never come.
    private func earlyRefusal(_ buf: [UInt8], begin: Int, end: Int) -> Outcome? {
        var i = begin
        while i < end, buf[i] != 0x20 {
            if !RequestParser.isTokenChar(buf[i]) { return .refuse(status: 400, code: "bad_request", message: "malformed request line") }
            i += 1
        }
        if i - begin > 32 { return .refuse(status: 400, code: "bad_request", message: "method too long") }
        let lineEnd = buf[begin..<end].firstIndex(of: 0x0A) ?? end
        if lineEnd < end, lineEnd == begin || buf[lineEnd - 1] != 0x0D {
            return .refuse(status: 400, code: "bad_request", message: "bare LF line ending")
        }
        if lineEnd == end, end - begin > maxTargetBytes + 64 {
            return .refuse(status: 414, code: "uri_too_long", message: "request target longer than \(maxTargetBytes) bytes")
        }
        return nil
    }

    private func parseComplete(_ buf: [UInt8], begin: Int, headEnd: Int) -> Outcome {
        // Split into lines; every line must end in CRLF and contain no bare CR or LF.
        var lines: [Range<Int>] = []
        var lineStart = begin
        var i = begin
        let limit = headEnd - 2
        while i < limit {
            let b = buf[i]
            if b == 0x0D {
                guard buf[i + 1] == 0x0A else { return bad("bare CR in the request head") }
                lines.append(lineStart..<i)
                i += 2
                lineStart = i
                continue
            }
            if b == 0x0A { return bad("bare LF line ending") }
            i += 1
        }
        guard let first = lines.first else { return bad("empty request line") }
        if lines.count - 1 > maxHeaderCount {
            return .refuse(status: 431, code: "headers_too_large", message: "more than \(maxHeaderCount) header fields")
        }

        // Request line: method SP target SP version.
        let line = buf[first]
        guard let sp1 = line.firstIndex(of: 0x20) else { return bad("malformed request line") }
        let afterMethod = line.index(after: sp1)
        guard let sp2 = line[afterMethod...].firstIndex(of: 0x20) else { return bad("malformed request line") }
        let methodBytes = line[line.startIndex..<sp1]
        let target = line[afterMethod..<sp2]
        let version = line[line.index(after: sp2)...]
        guard !methodBytes.isEmpty, methodBytes.count <= 32, methodBytes.allSatisfy(RequestParser.isTokenChar) else {
            return bad("malformed method")
        }
        if target.count > maxTargetBytes {
            return .refuse(status: 414, code: "uri_too_long", message: "request target longer than \(maxTargetBytes) bytes")
        }
        guard let slash = target.first, slash == 0x2F, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return bad("request target must be an absolute path")
        }
        let minor: Int
        if version.elementsEqual(RequestParser.http11) { minor = 1 } else if version.elementsEqual(RequestParser.http10) { minor = 0 } else {
            if version.count == 8, version.starts(with: RequestParser.httpSlash), version[version.startIndex + 5] >= 0x30,
               version[version.startIndex + 5] <= 0x39, version[version.startIndex + 6] == 0x2E {
                return .refuse(status: 505, code: "http_version_not_supported", message: "only HTTP/1.0 and HTTP/1.1 are served")
            }
            return bad("malformed HTTP version")
        }

        // Header fields.
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count - 1)
        var contentLength: Int?
        var transferEncoding = false
        var host = 0
        for r in lines.dropFirst() {
            let l = buf[r]
            guard let colon = l.firstIndex(of: 0x3A) else {
                if let f = l.first, f == 0x20 || f == 0x09 { return bad("obsolete line folding is not accepted") }
                return bad("header field without a colon")
            }
            let nameBytes = l[l.startIndex..<colon]
            guard !nameBytes.isEmpty, nameBytes.allSatisfy(RequestParser.isTokenChar) else { return bad("malformed header field name") }
            var vs = l.index(after: colon), ve = l.endIndex
            while vs < ve, buf[vs] == 0x20 || buf[vs] == 0x09 { vs += 1 }
            while ve > vs, buf[ve - 1] == 0x20 || buf[ve - 1] == 0x09 { ve -= 1 }
            let valueBytes = buf[vs..<ve]
            guard valueBytes.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return bad("control character in a header value")
            }
            let name = String(decoding: nameBytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            let value = String(decoding: valueBytes, as: UTF8.self)
            switch name {
            case "content-length":
                guard !valueBytes.isEmpty, valueBytes.count <= 15, valueBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                      let n = Int(value) else { return bad("malformed Content-Length") }
                if let c = contentLength, c != n { return bad("conflicting Content-Length fields") }
                contentLength = n
            case "transfer-encoding": transferEncoding = true
            case "host": host += 1
            default: break
            }
            headers.append((name, value))
        }
        if minor == 1 && host != 1 { return bad(host == 0 ? "missing Host header" : "more than one Host header") }
        if transferEncoding {
            if contentLength != nil { return bad("both Transfer-Encoding and Content-Length") }
            return .refuse(status: 411, code: "length_required", message: "chunked bodies are not accepted; send Content-Length")
        }
        let method = String(decoding: methodBytes, as: UTF8.self)
        if contentLength == nil, method == "POST" || method == "PUT" || method == "PATCH" {
            return .refuse(status: 411, code: "length_required", message: "\(method) needs a Content-Length")
        }
        let length = contentLength ?? 0
        if length > maxBodyBytes {
            return .refuse(status: 413, code: "body_too_large", message: "body of \(length) bytes exceeds the limit of \(maxBodyBytes)")
        }
        let targetString = String(decoding: target, as: UTF8.self)
        let path: String, query: [String: String]
        if let q = targetString.firstIndex(of: "?") {
            path = String(targetString[..<q])
            query = ServerRequest.parseQuery(targetString[targetString.index(after: q)...])
        } else {
            path = targetString; query = [:]
        }
        let request = ServerRequest(method: method, path: path, query: query, minorVersion: minor, headers: headers)
        return .head(Head(request: request, end: headEnd, bodyLength: length))
    }

    private func bad(_ message: String) -> Outcome { .refuse(status: 400, code: "bad_request", message: message) }

    static let http11 = Array("HTTP/1.1".utf8)
    static let http10 = Array("HTTP/1.0".utf8)
    static let httpSlash = Array("HTTP/".utf8)

    /// RFC 9110 tchar.
    static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }
}
