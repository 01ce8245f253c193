import PlugboardKernel

/// The SHA-256 of a document's canonical JSON: object keys sorted (the kernel
/// serializer's order), numbers in one spelling per value (`1.50`, `1.5` and
/// `15e-1` hash alike, since DynamoDB may hand back any of them), strings
/// escaped as the kernel writes them. Equal documents hash equal wherever they
/// are stored.
struct ContentHash: Sendable, Hashable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ document: JSON) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2_048)
        ContentHash.write(document, into: &bytes)
        let d = Digest.sha256(bytes)
        func word(_ at: Int) -> UInt64 { d[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        words = (word(0), word(8), word(16), word(24))
    }

    static func == (a: ContentHash, b: ContentHash) -> Bool { a.words == b.words }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
    }

    var description: String {
        [words.0, words.1, words.2, words.3].map { w in
            let s = String(w, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }

    static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, key) in o.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(o[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, x) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(x, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .number(let n):
            out.append(contentsOf: canonicalNumber(n.text).utf8)
        default:
            value.write(into: &out)
        }
    }

    /// `[-]<digits>e<exponent>` with no leading or trailing zeros in the digits; `0` for zero.
    static func canonicalNumber(_ text: String) -> String {
        var negative = false
        var digits: [UInt8] = []
        var exponent = 0
        var fraction = false
        var utf8 = Substring(text).utf8[...]
        if utf8.first == UInt8(ascii: "-") { negative = true; utf8 = utf8.dropFirst() }
        while let c = utf8.first {
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent += Int(String(decoding: utf8.dropFirst(), as: UTF8.self).replacingOccurrences(of: "+", with: "")) ?? 0
                break
            }
            utf8 = utf8.dropFirst()
            if c == UInt8(ascii: ".") { fraction = true; continue }
            if c == UInt8(ascii: "0") && digits.isEmpty {
                if fraction { exponent -= 1 }
                continue
            }
            digits.append(c)
            if fraction { exponent -= 1 }
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast(); exponent += 1 }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + String(decoding: digits, as: UTF8.self) + "e" + String(exponent)
    }
}
