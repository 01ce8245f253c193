import Foundation

// The signing stages, named after the SigV4 specification.
extension SigV4Signer {
    /// Headers never signed: they are changed or added by proxies and HTTP clients.
    static let unsignedHeaders: Set<String> = [
        "authorization", "user-agent", "expect", "x-amzn-trace-id", "connection", "keep-alive",
        "transfer-encoding", "te", "upgrade", "proxy-authorization",
    ]

    /// Task 1: `METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH`.
    public static func canonicalRequest(method: String, canonicalURI: String, canonicalQuery: String,
                                        canonicalHeaders: String, signedHeaders: String, payloadHash: String) -> String {
        [method, canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
    }

    /// The path, normalized and encoded as `options` say; `/` when empty.
    public func canonicalURI(_ path: String) -> String {
        var p = path.isEmpty ? "/" : path
        if options.normalizesPath { p = SigV4Signer.removingDotSegments(p) }
        return p.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            options.encodesPathTwice
                ? URIEncoding.encode(String(segment))
                : URIEncoding.encode(URIEncoding.decode(String(segment)))
        }.joined(separator: "/")
    }

    /// Removes `.` and `..` segments and repeated slashes, keeping a trailing slash.
    static func removingDotSegments(_ path: String) -> String {
        var stack: [Substring] = []
        for segment in path.split(separator: "/") {
            if segment == "." { continue }
            if segment == ".." { _ = stack.popLast(); continue }
            stack.append(segment)
        }
        var out = "/" + stack.joined(separator: "/")
        if path.hasSuffix("/"), out != "/" { out += "/" }
        return out
    }

    /// Decoded name/value pairs of a query string; a name without `=` has an empty value.
    public static func queryParameters(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (URIEncoding.decode(String(pair[..<eq])), URIEncoding.decode(String(pair[pair.index(after: eq)...])))
            }
            return (URIEncoding.decode(String(pair)), "")
        }
    }

    /// Each name and value URI-encoded, `name=value` pairs sorted by name then value, `&`-joined.
    public static func canonicalQuery(_ parameters: [(String, String)]) -> String {
        parameters
            .map { (URIEncoding.encode($0.0), URIEncoding.encode($0.1)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// `name:value\n` per header (lowercase names sorted; values trimmed, inner
    /// whitespace runs collapsed, repeated headers joined with `,` in order) and
    /// the `;`-joined signed header names.
    public static func canonicalHeaders(_ headers: HTTPHeaders) -> (canonical: String, signed: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let n = name.lowercased()
            guard !unsignedHeaders.contains(n) else { continue }
            values[n, default: []].append(value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
                .joined(separator: " "))
        }
        let names = values.keys.sorted()
        let canonical = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    /// `yyyyMMdd/region/service/aws4_request`.
    public func credentialScope(_ date: Date) -> String {
        "\(SigV4Signer.scopeDate(date))/\(region)/\(service)/aws4_request"
    }

    /// Task 2: `AWS4-HMAC-SHA256 \n amzDate \n scope \n hex(SHA256(canonical request))`.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        [SigV4Signer.algorithm, SigV4Signer.amzDate(date), credentialScope(date),
         Digest.hex(Digest.sha256(canonicalRequest))].joined(separator: "\n")
    }

    /// Task 3: the key derived from the secret for one day, region and service.
    public func signingKey(date: Date) -> [UInt8] {
        let kDate = Digest.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), data: SigV4Signer.scopeDate(date))
        let kRegion = Digest.hmacSHA256(key: kDate, data: region)
        let kService = Digest.hmacSHA256(key: kRegion, data: service)
        return Digest.hmacSHA256(key: kService, data: "aws4_request")
    }

    /// Task 4: hex HMAC of the string to sign under the signing key.
    public func signature(stringToSign: String, signingKey: [UInt8]) -> String {
        Digest.hex(Digest.hmacSHA256(key: signingKey, data: stringToSign))
    }

    /// `yyyyMMddTHHmmssZ` in UTC.
    public static func amzDate(_ date: Date) -> String {
        let (day, time) = utc(date)
        return "\(day)T\(time)Z"
    }

    /// `yyyyMMdd` in UTC.
    public static func scopeDate(_ date: Date) -> String { utc(date).day }

    private static func utc(_ date: Date) -> (day: String, time: String) {
        let secs = Int(date.timeIntervalSince1970.rounded(.down))
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = secs - days * 86400
        let (y, m, d) = Timestamp.civilFromDays(days)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return (pad(y, 4) + pad(m, 2) + pad(d, 2), pad(rem / 3600, 2) + pad(rem % 3600 / 60, 2) + pad(rem % 60, 2))
    }
}
