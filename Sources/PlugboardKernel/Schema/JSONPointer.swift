import Foundation

/// RFC 6901 JSON Pointers, as used in `$ref` fragments and violation paths.
enum JSONPointer {
    /// One reference token, escaped (`~` → `~0`, `/` → `~1`).
    static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func unescape(_ token: Substring) -> String {
        guard token.contains("~") else { return String(token) }
        // `~1` first, so `~01` becomes `~1` and not `/`.
        return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// The reference tokens of a URI fragment such as `#/$defs/a%25b` (percent-decoded,
    /// then unescaped); nil when the fragment is not a JSON Pointer (an anchor, `#foo`).
    static func tokens(fromFragment ref: String) -> [String]? {
        guard ref.hasPrefix("#") else { return nil }
        guard let decoded = percentDecoded(String(ref.dropFirst())) else { return nil }
        if decoded.isEmpty { return [] }
        guard decoded.hasPrefix("/") else { return nil }
        return decoded.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(unescape)
    }

    /// A pointer string from tokens (`["a", "b/c"]` → `/a/b~1c`).
    static func render<S: Sequence>(_ tokens: S) -> String where S.Element == String {
        tokens.reduce(into: "") { $0 += "/" + escape($1) }
    }

    /// The value a pointer designates, or nil.
    static func resolve(_ tokens: [String], in root: JSON) -> JSON? {
        var current = root
        for t in tokens {
            switch current {
            case .object(let o):
                guard let next = o[t] else { return nil }
                current = next
            case .array(let a):
                // Array indices are decimal without leading zeros (RFC 6901 §4).
                guard let i = Int(t), i >= 0, i < a.count, String(i) == t else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }

    private static func percentDecoded(_ s: String) -> String? {
        guard s.contains("%") else { return s }
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%") {
                guard bytes.count >= 2, let h = hex(bytes[bytes.startIndex]), let l = hex(bytes[bytes.startIndex + 1])
                else { return nil }
                out.append(h << 4 | l)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}
