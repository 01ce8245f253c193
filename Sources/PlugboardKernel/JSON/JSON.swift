/// A JSON document, kept exactly: numbers hold the text they were written
/// with (so a 20-digit id or `1.50` survive a round trip through any store),
/// and objects keep every key, known or not.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSON])
    case object([String: JSON])
}

/// A JSON number as written. Equality is numeric (`1.0 == 1`, `1e2 == 100`)
/// and exact for any length of digits.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The literal text, valid JSON number syntax.
    public let text: String

    /// Creates a number from JSON number text; nil when `text` is not valid JSON number syntax.
    public init?(_ text: String) {
        guard JSONNumber.isValid(Array(text.utf8)) else { return nil }
        self.text = text
    }

    init(unchecked text: String) { self.text = text }

    public init(_ value: Int) { self.text = String(value) }
    public init(_ value: Int64) { self.text = String(value) }
    public init(integerLiteral value: Int) { self.text = String(value) }

    /// A finite double; non-finite values have no JSON form and become nil.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if value == value.rounded(), abs(value) < 1e15 {
            self.text = String(Int64(value))
        } else {
            self.text = "\(value)"
        }
    }

    public var description: String { text }
    public var doubleValue: Double { Double(text) ?? .nan }
    /// The value as an integer when it is one exactly (`3`, `3.0`, `3e0`).
    public var intValue: Int? {
        if let i = Int(text) { return i }
        let c = canonical
        guard !c.digits.isEmpty, c.exponent >= 0, c.digits.count + c.exponent <= 18 else {
            return c.digits.isEmpty ? 0 : nil
        }
        var v = Int(c.digits) ?? 0
        for _ in 0..<c.exponent { v *= 10 }
        return c.negative ? -v : v
    }

    /// Sign, significant digits (no leading or trailing zeros) and a power of ten.
    var canonical: (negative: Bool, digits: String, exponent: Int) {
        var bytes = Substring(text)
        var negative = false
        if bytes.first == "-" { negative = true; bytes = bytes.dropFirst() }
        var mantissa = bytes
        var exp = 0
        if let e = bytes.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = bytes[..<e]
            exp = Int(bytes[bytes.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        var digits = ""
        var fractionDigits = 0
        var inFraction = false
        for ch in mantissa {
            if ch == "." { inFraction = true; continue }
            digits.append(ch)
            if inFraction { fractionDigits += 1 }
        }
        exp -= fractionDigits
        let trimmedLeading = digits.drop(while: { $0 == "0" })
        var d = String(trimmedLeading)
        while d.last == "0" { d.removeLast(); exp += 1 }
        if d.isEmpty { return (false, "", 0) }
        return (negative, d, exp)
    }

    public static func == (a: JSONNumber, b: JSONNumber) -> Bool {
        if a.text == b.text { return true }
        let x = a.canonical, y = b.canonical
        return x.negative == y.negative && x.digits == y.digits && x.exponent == y.exponent
    }

    public func hash(into hasher: inout Hasher) {
        let c = canonical
        hasher.combine(c.negative)
        hasher.combine(c.digits)
        hasher.combine(c.exponent)
    }

    static func isValid(_ b: [UInt8]) -> Bool {
        var i = 0
        let n = b.count
        if i < n, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { return false }
        if b[i] == UInt8(ascii: "0") { i += 1 } else if b[i] >= 0x31, b[i] <= 0x39 {
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        } else { return false }
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            let s = i
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            if i == s { return false }
        }
        if i < n, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let s = i
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            if i == s { return false }
        }
        return i == n
    }
}

// MARK: - Literals and accessors

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(floatLiteral value: Double) { self = JSON(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSON {
    public init(_ value: Double) { self = JSONNumber(value).map(JSON.number) ?? .null }
    public init(_ value: Int) { self = .number(JSONNumber(value)) }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var numberValue: JSONNumber? { if case .number(let n) = self { return n }; return nil }
    public var intValue: Int? { numberValue?.intValue }
    public var doubleValue: Double? { numberValue?.doubleValue }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [String: JSON]? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// Member of an object, `nil` for anything else or a missing key.
    public subscript(key: String) -> JSON? {
        get { objectValue?[key] }
        set {
            guard case .object(var o) = self else { return }
            o[key] = newValue
            self = .object(o)
        }
    }

    /// The JSON type name used in error messages: `"string"`, `"integer"`, ...
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let n): return n.intValue != nil ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// A short rendering of the value for error messages.
    public var snippet: String {
        let s = serialized()
        return s.count > 60 ? String(s.prefix(57)) + "..." : s
    }
}
