/// Takes secrets out of text before it is logged: URLs keep scheme, host and
/// path; their user info and query string (tokens, presigned signatures) go.
enum Redaction {
    /// `https://user:pw@host/p?sig=x#f` → `https://***@host/p?***`.
    static func url(_ s: String) -> String {
        guard let schemeEnd = s.range(of: "://") else { return s }
        let rest = s[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        if let at = authority.lastIndex(of: "@") { authority = "***" + authority[at...] }
        let tail = rest[authorityEnd...]
        var path = String(tail)
        var hidden = false
        if let cut = tail.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            path = String(tail[..<cut])
            hidden = tail[cut...].count > 1
        }
        return String(s[..<schemeEnd.upperBound]) + authority + path + (hidden ? "?***" : "")
    }

    /// Every `http://` or `https://` URL in `text` redacted by `url(_:)`.
    static func urls(in text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = firstURLStart(rest) {
            out += rest[..<start]
            let end = rest[start...].firstIndex(where: { $0.isWhitespace || "\"'<>()[]{}`".contains($0) }) ?? rest.endIndex
            out += url(String(rest[start..<end]))
            rest = rest[end...]
        }
        return out + rest
    }

    private static func firstURLStart(_ s: Substring) -> Substring.Index? {
        let a = s.range(of: "https://", options: .caseInsensitive)?.lowerBound
        let b = s.range(of: "http://", options: .caseInsensitive)?.lowerBound
        switch (a, b) {
        case let (x?, y?): return min(x, y)
        case let (x?, nil): return x
        case let (nil, y?): return y
        default: return nil
        }
    }

    /// Line breaks and tabs escaped, cut to `limit` characters.
    static func oneLine(_ s: String, limit: Int) -> String {
        var out = ""
        for ch in s.prefix(limit) {
            switch ch {
            case "\n", "\r\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return s.count > limit ? out + "…" : out
    }
}
