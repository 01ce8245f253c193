/// The rules an `objects` key follows, the same for every adapter, so a key
/// that works on the filesystem works on S3 and the other way round.
///
/// A key is a relative, slash-separated path: 1 to 1024 UTF-8 bytes, segments
/// non-empty (no leading, trailing or doubled `/`), of at most 255 bytes, never
/// `.` or `..`, with no control character (U+0000–U+001F, U+007F–U+009F) and no
/// backslash (a path separator elsewhere). Anything else printable is allowed:
/// spaces, `%`, `?`, `#`, `+`, accents, emoji.
public enum ObjectKey {
    public static let maxBytes = 1024
    public static let maxSegmentBytes = 255

    /// The key's segments, or `.invalidInput` naming the key and the rule it breaks.
    @discardableResult
    public static func validate(_ key: String, adapter: String? = nil) throws -> [Substring] {
        func refuse(_ why: String) -> PlugboardError {
            .invalidInput("invalid object key \(quoted(key)): \(why)", adapter: adapter)
        }
        if key.isEmpty { throw refuse("empty") }
        if key.utf8.count > maxBytes { throw refuse("longer than \(maxBytes) bytes") }
        if key.hasPrefix("/") { throw refuse("absolute (starts with /)") }
        for scalar in key.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (v >= 0x7F && v <= 0x9F) { throw refuse("contains a control character") }
            if scalar == "\\" { throw refuse("contains a backslash") }
        }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        for s in segments {
            if s.isEmpty { throw refuse("has an empty segment (a trailing or doubled /)") }
            if s == "." || s == ".." { throw refuse("has a \(s) segment") }
            if s.utf8.count > maxSegmentBytes { throw refuse("has a segment longer than \(maxSegmentBytes) bytes") }
        }
        return segments
    }

    /// The key percent-encoded for a URL path: every byte outside RFC 3986's
    /// unreserved set is escaped, `/` kept as the separator.
    public static func percentEncoded(_ key: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(key.utf8.count)
        for b in key.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The key in quotes with control characters escaped, safe in a message.
    public static func quoted(_ key: String) -> String {
        var s = "\""
        for scalar in key.unicodeScalars.prefix(200) {
            let v = scalar.value
            if v < 0x20 || (v >= 0x7F && v <= 0x9F) {
                s += "\\u{" + String(v, radix: 16) + "}"
            } else if scalar == "\"" || scalar == "\\" {
                s += "\\" + String(scalar)
            } else {
                s.unicodeScalars.append(scalar)
            }
        }
        if key.unicodeScalars.count > 200 { s += "…" }
        return s + "\""
    }
}
