import Foundation

/// A text folded once for keyword matching: lowercased, diacritics removed
/// (`Défectueux` → `defectueux`, `œ` → `oe`), typographic punctuation made
/// ASCII, as a byte buffer; then cut into word tokens. Keywords go through the
/// same folding, so they match on whole words whatever the accents or case.
///
/// Word bytes are `a-z`, `0-9` and any byte of a non-Latin character (kept as
/// UTF-8, so other scripts still form words). Everything else separates words.
struct FoldedText {
    var bytes: [UInt8] = []
    var tokens: [TextToken] = []
    /// `!` characters in the text (an urgency cue).
    var exclamations = 0
    /// Words of 4+ letters written entirely in capitals (shouting).
    var shoutedWords = 0

    init(_ text: String) {
        var text = text
        text.withUTF8 { fold($0) }
        tokenize()
    }

    // MARK: - Folding

    private mutating func fold(_ input: UnsafeBufferPointer<UInt8>) {
        // A folded scalar is never longer than its UTF-8 form (`é` → `e`, `œ` → `oe`, `…` → `.`),
        // so the output fits in the input's size and is written without growth checks.
        var exclamations = 0, shouted = 0
        bytes = [UInt8](unsafeUninitializedCapacity: max(input.count, 1)) { out, initialized in
            let table = FoldingTable.latin
            var i = 0, o = 0
            let n = input.count
            var letters = 0
            var allUpper = true
            while i < n {
                let b = input[i]
                if b < 0x80 {
                    if b >= 0x61, b <= 0x7A {
                        out[o] = b; letters += 1; allUpper = false
                    } else if b >= 0x41, b <= 0x5A {
                        out[o] = b | 0x20; letters += 1
                    } else {
                        if b == UInt8(ascii: "!") { exclamations += 1 }
                        out[o] = b
                        if letters >= 4, allUpper { shouted += 1 }
                        letters = 0; allUpper = true
                    }
                    o += 1
                    i += 1
                    continue
                }
                // Multi-byte scalar: decode (the String is valid UTF-8).
                let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                guard i + length <= n else { break }
                var scalar = UInt32(b) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for k in 1..<length { scalar = scalar << 6 | UInt32(input[i + k] & 0x3F) }
                var separator: UInt8 = 0
                if scalar >= 0x300, scalar <= 0x36F {
                    // Combining marks (decomposed accents, `e` + U+0301): dropped, the base letter stays.
                } else if scalar < 0x250 {
                    switch table[Int(scalar) - 0x80] {
                    case .letter(let a, let c, let upper):
                        out[o] = a; o += 1
                        if c != 0 { out[o] = c; o += 1 }
                        letters += 1
                        if !upper { allUpper = false }
                    case .separator:
                        separator = 0x20
                    case .drop:
                        break
                    case .keep:
                        for k in 0..<length { out[o + k] = input[i + k] }
                        o += length
                        allUpper = false
                    }
                } else if scalar >= 0x2000, scalar <= 0x206F {
                    // General punctuation: an ellipsis ends a sentence; dashes, quotes, spaces separate.
                    separator = scalar == 0x2026 ? UInt8(ascii: ".") : 0x20
                } else if scalar == 0x20AC || scalar == 0x3000 || scalar == 0xFEFF {
                    separator = 0x20
                } else {
                    for k in 0..<length { out[o + k] = input[i + k] }
                    o += length
                    allUpper = false
                }
                if separator != 0 {
                    out[o] = separator; o += 1
                    if letters >= 4, allUpper { shouted += 1 }
                    letters = 0; allUpper = true
                }
                i += length
            }
            if letters >= 4, allUpper { shouted += 1 }
            initialized = o
        }
        self.exclamations = exclamations
        self.shoutedWords = shouted
    }

    // MARK: - Tokens

    private mutating func tokenize() {
        tokens.reserveCapacity(bytes.count / 5 + 4)
        bytes.withUnsafeBufferPointer { buf in
            var i = 0
            let n = buf.count
            var flags: UInt8 = 0
            while i < n {
                let b = buf[i]
                if FoldedText.isWordByte(b) {
                    let start = i
                    var digits = 0
                    while i < n, FoldedText.isWordByte(buf[i]) {
                        if buf[i] >= 0x30, buf[i] <= 0x39 { digits += 1 }
                        i += 1
                    }
                    if start > 0, buf[start - 1] == UInt8(ascii: "#") { flags |= TextToken.hashBefore }
                    if digits == i - start { flags |= TextToken.number }
                    tokens.append(TextToken(start: Int32(start), end: Int32(i), digits: Int32(digits), flags: flags))
                    flags = 0
                } else {
                    if FoldedText.isClauseBreak(b) { flags |= TextToken.breakBefore }
                    i += 1
                }
            }
        }
    }

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b >= 0x80
    }

    /// Punctuation that ends a clause: negation does not reach across it.
    @inline(__always) static func isClauseBreak(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "!"),
             UInt8(ascii: "?"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\n"):
            return true
        default:
            return false
        }
    }

    /// The folded bytes of a token, as a String (for matched keywords and order numbers).
    func text(of t: TextToken) -> String {
        String(decoding: bytes[Int(t.start)..<Int(t.end)], as: UTF8.self)
    }
}

/// A word of a `FoldedText`: a byte range plus a few facts the analysers use.
struct TextToken {
    var start: Int32
    var end: Int32
    var digits: Int32
    var flags: UInt8

    static let number: UInt8 = 1
    static let breakBefore: UInt8 = 2
    static let hashBefore: UInt8 = 4

    var isNumber: Bool { flags & TextToken.number != 0 }
    var hasBreakBefore: Bool { flags & TextToken.breakBefore != 0 }
    var hasHashBefore: Bool { flags & TextToken.hashBefore != 0 }
    var length: Int { Int(end - start) }
}

/// How each scalar from U+0080 to U+024F folds: Latin letters to their ASCII base
/// (from Unicode's canonical decomposition, plus the ligatures and letters that
/// have none), combining marks dropped, symbols and spaces to a separator.
enum FoldingTable {
    enum Entry {
        case letter(UInt8, UInt8, upper: Bool)
        case separator
        case drop
        case keep
    }

    static let latin: [Entry] = (0x80..<0x250).map { entry(for: Unicode.Scalar($0)!) }

    private static let special: [Unicode.Scalar: String] = [
        "Æ": "ae", "æ": "ae", "Œ": "oe", "œ": "oe", "ß": "ss", "Ø": "o", "ø": "o", "Đ": "d", "đ": "d",
        "Ł": "l", "ł": "l", "ı": "i", "Þ": "th", "þ": "th", "Ð": "d", "ð": "d", "Ħ": "h", "ħ": "h",
        "Ŀ": "l", "ŀ": "l", "ĸ": "k", "Ŋ": "n", "ŋ": "n", "ſ": "s", "Ĳ": "ij", "ĳ": "ij",
    ]

    private static func entry(for s: Unicode.Scalar) -> Entry {
        if s == "\u{AD}" { return .drop }  // soft hyphen: invisible, inside words
        if s == "ª" || s == "º" { return .separator }  // `nº 123`, `1ª`
        let upper = s.properties.isUppercase
        if let folded = special[s] {
            let b = Array(folded.utf8)
            return .letter(b[0], b.count > 1 ? b[1] : 0, upper: upper)
        }
        guard s.properties.isAlphabetic else { return .separator }
        let base = String(s).decomposedStringWithCanonicalMapping.unicodeScalars.first!
        if base.isASCII, base.properties.isAlphabetic {
            return .letter(UInt8(base.value) | 0x20, 0, upper: upper)
        }
        return .keep
    }
}
