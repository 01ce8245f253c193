/// Takes secrets out of URLs before they are logged or delivered: a URL keeps
/// scheme, host and path; its user info and query string (tokens, presigned
/// signatures) go. The `notify` port's contract needs it in every adapter.
public enum URLRedaction {
    /// `https://user:pw@host/p?sig=x#f` → `https://***@host/p?***`.
    public static func url(_ s: String) -> String {
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
    public static func urls(in text: String) -> String {
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
}
