import PlugboardKernel

/// Takes secrets out of text before it is logged: URLs keep scheme, host and
/// path; their user info and query string (tokens, presigned signatures) go.
enum Redaction {
    /// `https://user:pw@host/p?sig=x#f` → `https://***@host/p?***` (the kernel's `URLRedaction`).
    static func url(_ s: String) -> String { URLRedaction.url(s) }

    /// Every `http://` or `https://` URL in `text` redacted.
    static func urls(in text: String) -> String { URLRedaction.urls(in: text) }

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
