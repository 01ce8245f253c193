/// An absolute URL split into the pieces HTTP clients and the SigV4 signer need.
///
/// A plain splitter rather than `URLComponents`: it accepts paths exactly as
/// given (already encoded, or raw as in AWS's test suites) and never re-encodes.
public struct URLParts: Sendable, Hashable {
    /// Lowercased `http` or `https`.
    public var scheme: String
    /// Host name or IP literal (IPv6 in brackets), without the port.
    public var host: String
    /// The explicit port, nil when the URL has none.
    public var port: Int?
    /// The path as written (may be empty).
    public var path: String
    /// The query without `?`, nil when the URL has no `?`.
    public var query: String?

    public init?(_ url: String) {
        guard let sep = url.range(of: "://") else { return nil }
        let scheme = url[..<sep.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = url[sep.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            host = authority[..<colon]
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        let afterAuthority = rest[authorityEnd...]
        if let q = afterAuthority.firstIndex(of: "?") {
            path = String(afterAuthority[..<q])
            query = String(afterAuthority[afterAuthority.index(after: q)...])
        } else {
            path = String(afterAuthority)
            query = nil
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
    }

    /// The port a connection goes to: the explicit one, else 443 or 80.
    public var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

    /// `url`'s host and port for messages ("is it reachable at HOST?"), or `url` itself when it does not parse.
    public static func authority(of url: String) -> String { URLParts(url)?.authority ?? url }

    /// `host` or `host:port` when the port is not the scheme's default: the `Host` header.
    public var authority: String {
        if let port, port != (scheme == "https" ? 443 : 80) { return "\(host):\(port)" }
        return host
    }
}

/// RFC 3986 percent-encoding as AWS (and most HTTP APIs) expect it.
public enum URIEncoding {
    /// Percent-encodes every byte except the unreserved `A-Z a-z 0-9 - _ . ~`
    /// (and `/` when `keepingSlash`); hex digits uppercase, space as `%20`.
    public static func encode(_ s: String, keepingSlash: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if isUnreserved(b) || (keepingSlash && b == UInt8(ascii: "/")) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` sequences; a `%` not followed by two hex digits is kept,
    /// and `+` stays `+` (it means a space only in HTML forms).
    public static func decode(_ s: String) -> String {
        let b = Array(s.utf8)
        guard b.contains(UInt8(ascii: "%")) else { return s }
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes only what may not appear in a URL path as is (spaces, non-ASCII,
    /// controls), keeping existing `%XX` escapes and the characters RFC 3986
    /// allows in a path.
    public static func wireSafePath(_ s: String) -> String {
        var out = [UInt8]()
        for b in s.utf8 {
            if isUnreserved(b) || pathExtras.contains(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "~")
    }

    private static let pathExtras: Set<UInt8> = Set("/%!$&'()*+,;=:@".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
