/// A JSON syntax error, with where it happened.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public let line: Int
    public let column: Int
    public var description: String { "\(line):\(column): invalid JSON: \(message)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes. Numbers keep their text;
/// duplicate keys keep the last value; positions are reported 1-based.
public struct JSONParser {
    /// Parses one JSON document (leading BOM and surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSON {
        try bytes.withUnsafeBufferPointer { buf throws(JSONSyntaxError) in
            var p = Cursor(buf, recordLocations: false)
            return try p.document()
        }
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSON {
        try parse(Array(text.utf8))
    }

    /// Parses one document and records the line and column where each value
    /// starts, keyed by its path (`storage.port`, `tables[0].name`).
    public static func parseWithLocations(_ bytes: [UInt8]) throws(JSONSyntaxError) -> (JSON, [String: (line: Int, column: Int)]) {
        try bytes.withUnsafeBufferPointer { buf throws(JSONSyntaxError) in
            var p = Cursor(buf, recordLocations: true)
            let v = try p.document()
            return (v, p.locations)
        }
    }

    /// Parses JSON Lines: one value per non-blank line. Errors carry the file's line.
    public static func parseLines(_ bytes: [UInt8], _ body: (JSON, _ line: Int) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { buf in
            var start = 0
            var line = 1
            let n = buf.count
            while start < n {
                var end = start
                while end < n, buf[end] != 0x0A { end += 1 }
                let slice = UnsafeBufferPointer(rebasing: buf[start..<end])
                var blank = true
                for b in slice where b != 0x20 && b != 0x09 && b != 0x0D { blank = false; break }
                if !blank {
                    var p = Cursor(slice, recordLocations: false)
                    do {
                        let v = try p.document()
                        try body(v, line)
                    } catch let e as JSONSyntaxError {
                        throw JSONSyntaxError(message: e.message, offset: start + e.offset, line: line, column: e.column)
                    }
                }
                start = end + 1
                line += 1
            }
        }
    }

    /// The index of the first byte at or after `i` that is `"`, `\` or a control
    /// character, or of the last few bytes: whole 8-byte words are tested at once.
    @inline(__always)
    static func plainRun(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = b.baseAddress else { return start }
        var i = start
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= b.count {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
            // "Some byte is zero" (exact for the question "any?"), for each test; below 0x20 likewise.
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)
            if special & highs != 0 { return i }
            i += 8
        }
        return i
    }

    struct Cursor {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0
        let record: Bool
        var locations: [String: (line: Int, column: Int)] = [:]
        var depth = 0
        /// Members and elements of the containers being parsed, one stack each,
        /// reused so every finished object or array is built once at its exact size.
        var members: [(String, JSON)] = []
        var elements: [JSON] = []

        init(_ b: UnsafeBufferPointer<UInt8>, recordLocations: Bool) {
            self.b = b
            self.record = recordLocations
        }

        mutating func document() throws(JSONSyntaxError) -> JSON {
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
            skipWS()
            if i >= b.count { throw fail("the document is empty") }
            let v = try value(path: "")
            skipWS()
            if i < b.count { throw fail("unexpected \(found()) after the end of the document") }
            return v
        }

        func position(_ offset: Int) -> (Int, Int) {
            var line = 1, col = 1
            var k = 0
            while k < offset && k < b.count {
                if b[k] == 0x0A { line += 1; col = 1 } else if b[k] & 0xC0 != 0x80 { col += 1 }
                k += 1
            }
            return (line, col)
        }

        func fail(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
            let o = offset ?? i
            let (l, c) = position(o)
            return JSONSyntaxError(message: message, offset: o, line: l, column: c)
        }

        func found() -> String {
            guard i < b.count else { return "end of input" }
            let c = b[i]
            if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
            return "byte 0x" + String(c, radix: 16)
        }

        @inline(__always) mutating func skipWS() {
            while i < b.count {
                let c = b[i]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
            }
        }

        mutating func value(path: String) throws(JSONSyntaxError) -> JSON {
            if record { locations[path] = position(i) }
            guard i < b.count else { throw fail("expected a value, found end of input") }
            switch b[i] {
            case UInt8(ascii: "{"): return try object(path: path)
            case UInt8(ascii: "["): return try array(path: path)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail("expected a value, found \(found())")
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
            let n = word.utf8CodeUnitCount
            let w = word.utf8Start
            guard i + n <= b.count else { throw fail("expected '\(word)'") }
            for k in 0..<n where b[i + k] != w[k] { throw fail("expected '\(word)'") }
            i += n
        }

        mutating func enter() throws(JSONSyntaxError) {
            depth += 1
            if depth > 512 { throw fail("nesting deeper than 512 levels") }
        }

        mutating func object(path: String) throws(JSONSyntaxError) -> JSON {
            try enter()
            i += 1
            skipWS()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object([:]) }
            let base = members.count
            while true {
                skipWS()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else {
                    throw fail("expected a member name in double quotes, found \(found())")
                }
                let key = try string()
                skipWS()
                guard i < b.count, b[i] == UInt8(ascii: ":") else {
                    throw fail("expected ':' after member name \"\(key)\", found \(found())")
                }
                i += 1
                skipWS()
                let childPath = record ? (path.isEmpty ? key : path + "." + key) : ""
                let v = try value(path: childPath)
                members.append((key, v))
                skipWS()
                guard i < b.count else { throw fail("expected ',' or '}', found end of input") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") {
                    i += 1
                    depth -= 1
                    var o = [String: JSON](minimumCapacity: members.count - base)
                    for k in base..<members.count { o[members[k].0] = members[k].1 }  // a repeated key: the last wins
                    // One by one: removeLast(n) goes through replaceSubrange, several times slower here.
                    while members.count > base { members.removeLast() }
                    return .object(o)
                }
                throw fail("expected ',' or '}' after a member, found \(found())")
            }
        }

        mutating func array(path: String) throws(JSONSyntaxError) -> JSON {
            try enter()
            i += 1
            skipWS()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array([]) }
            let base = elements.count
            while true {
                skipWS()
                let childPath = record ? "\(path)[\(elements.count - base)]" : ""
                let v = try value(path: childPath)
                elements.append(v)
                skipWS()
                guard i < b.count else { throw fail("expected ',' or ']', found end of input") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") {
                    i += 1
                    depth -= 1
                    let a = Array(elements[base...])
                    while elements.count > base { elements.removeLast() }
                    return .array(a)
                }
                throw fail("expected ',' or ']' after an element, found \(found())")
            }
        }

        mutating func number() throws(JSONSyntaxError) -> JSONNumber {
            let start = i
            if b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count else { throw fail("expected a digit, found end of input") }
            if b[i] == UInt8(ascii: "0") {
                i += 1
            } else if b[i] >= 0x31 && b[i] <= 0x39 {
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            } else {
                throw fail("expected a digit, found \(found())")
            }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                let s = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                if i == s { throw fail("expected a digit after '.', found \(found())") }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                let s = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                if i == s { throw fail("expected a digit in the exponent, found \(found())") }
            }
            return JSONNumber(unchecked: String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
        }

        mutating func string() throws(JSONSyntaxError) -> String {
            let open = i
            i += 1
            let start = i
            // Fast path: no escapes. Skip 8 plain bytes at a time first.
            i = JSONParser.plainRun(b, from: i)
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                    i += 1
                    return s
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw fail("control character 0x\(String(c, radix: 16)) in a string (escape it)") }
                i += 1
            }
            guard i < b.count else { throw fail("unterminated string", at: open) }
            var bytes = Array(UnsafeBufferPointer(rebasing: b[start..<i]))
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: bytes, as: UTF8.self)
                }
                if c < 0x20 { throw fail("control character 0x\(String(c, radix: 16)) in a string (escape it)") }
                if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
                i += 1
                guard i < b.count else { break }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5C)
                case UInt8(ascii: "/"): bytes.append(0x2F)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        if i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            let low = try hex4()
                            if low >= 0xDC00 && low < 0xE000 {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else { scalar = 0xFFFD }
                        } else { scalar = 0xFFFD }
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        scalar = 0xFFFD
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    bytes.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: i - 2)
                }
            }
            throw fail("unterminated string", at: open)
        }

        mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
            guard i + 4 <= b.count else { throw fail("expected 4 hex digits after \\u") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw fail("expected 4 hex digits after \\u, found \(found())")
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }
    }
}
