/// Literal text replacement on UTF-8 bytes.
///
/// Foundation's `replacingOccurrences(of:with:)` bridges through NSString and
/// UTF-16; on the intake path (prompt templates, reply templates, several
/// replacements per request) it was a tenth of the CPU time. These scan the
/// bytes once and never allocate per match.
public enum TextSubstitution {
    /// `text` with every occurrence of each key of `pairs` replaced by its value, in one
    /// left-to-right pass (a replacement is never scanned again). At a position where
    /// several keys match, the first in `pairs` wins.
    public static func replacing(_ pairs: [(String, String)], in text: String) -> String {
        let keys = pairs.map { Array($0.0.utf8) }
        guard keys.contains(where: { !$0.isEmpty }) else { return text }
        let values = pairs.map { Array($0.1.utf8) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        var changed = false
        outer: while i < bytes.count {
            let b = bytes[i]
            for (k, key) in keys.enumerated() where !key.isEmpty && key[0] == b && matches(key, in: bytes, at: i) {
                out.append(contentsOf: values[k])
                i += key.count
                changed = true
                continue outer
            }
            out.append(b)
            i += 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// `text` with every `{{ name }}` replaced by `values[name]` (spaces around the name
    /// are ignored; an unknown name becomes empty). A `{{` without `}}` is kept as is.
    public static func fillingPlaceholders(_ text: String, _ values: [String: String]) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 256)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x7B, i + 1 < bytes.count, bytes[i + 1] == 0x7B, let close = find(0x7D, 0x7D, in: bytes, from: i + 2) {
                var start = i + 2, end = close
                while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
                while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
                if let v = values[String(decoding: bytes[start..<end], as: UTF8.self)] { out.append(contentsOf: v.utf8) }
                i = close + 2
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func matches(_ key: [UInt8], in bytes: [UInt8], at i: Int) -> Bool {
        guard i + key.count <= bytes.count else { return false }
        var j = 1
        while j < key.count {
            if bytes[i + j] != key[j] { return false }
            j += 1
        }
        return true
    }

    /// The index of the first `a b` pair at or after `from`.
    private static func find(_ a: UInt8, _ b: UInt8, in bytes: [UInt8], from: Int) -> Int? {
        var i = from
        while i + 1 < bytes.count {
            if bytes[i] == a && bytes[i + 1] == b { return i }
            i += 1
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing whitespace and newlines (Unicode's). Native, unlike
    /// Foundation's `trimmingCharacters(in:)`, which bridges through NSString on Linux.
    public var trimmedWhitespace: String {
        let u = utf8
        // The common case: nothing to trim.
        if let f = u.first, let l = u.last, f > 0x20 && f < 0x80 && l > 0x20 && l < 0x80 { return self }
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return String(self[start...end])
    }
}
