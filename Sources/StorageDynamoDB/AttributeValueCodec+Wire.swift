import PlugboardKernel

/// The codec's direct paths for bulk writes: wire bytes without building the
/// intermediate `JSON` of attribute values, and an item's size as DynamoDB
/// counts it. Same mapping as `encode` (string `S`, number `N` with its text
/// unchanged, bool `BOOL`, null `NULL`, object `M`, array `L`).
extension AttributeValueCodec {
    /// DynamoDB's limit on one item: 400 KB.
    static let maxItemSize = 409_600

    /// Appends `{"<name>": <attribute value>, ...}`, the wire form of an item,
    /// names sorted as the kernel serializer sorts them: the same bytes for the
    /// same item on every run.
    static func writeItem(_ fields: [String: JSON], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, name) in fields.keys.sorted().enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSON.writeString(name, into: &out)
            out.append(UInt8(ascii: ":"))
            write(fields[name]!, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends the attribute value of `value`: the bytes of `encode(value).serializedBytes()`.
    static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: nullBytes)
        case .bool(let b):
            out.append(contentsOf: b ? trueBytes : falseBytes)
        case .number(let n):
            out.append(contentsOf: numberOpen)
            out.append(contentsOf: n.text.utf8)
            out.append(contentsOf: stringClose)
        case .string(let s):
            out.append(contentsOf: stringOpen)
            JSON.writeString(s, into: &out)
            out.append(UInt8(ascii: "}"))
        case .array(let a):
            out.append(contentsOf: listOpen)
            for (i, x) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(x, into: &out)
            }
            out.append(contentsOf: listClose)
        case .object(let o):
            out.append(contentsOf: mapOpen)
            writeItem(o, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let nullBytes = Array(#"{"NULL":true}"#.utf8)
    private static let trueBytes = Array(#"{"BOOL":true}"#.utf8)
    private static let falseBytes = Array(#"{"BOOL":false}"#.utf8)
    private static let numberOpen = Array(#"{"N":""#.utf8)
    private static let stringClose = Array(#""}"#.utf8)
    private static let stringOpen = Array(#"{"S":"#.utf8)
    private static let listOpen = Array(#"{"L":["#.utf8)
    private static let listClose = Array("]}".utf8)
    private static let mapOpen = Array(#"{"M":"#.utf8)

    // MARK: - Size

    /// The item's size by DynamoDB's published rules: attribute names and
    /// strings in UTF-8 bytes, a number one byte per two significant digits plus
    /// one, null and bool one byte, a list or map three bytes plus one per
    /// element plus its elements (a map's with their names). `problem` receives
    /// the first number DynamoDB would refuse, with its path.
    static func itemSize(_ fields: [String: JSON], problem: inout String?) -> Int {
        var total = 0
        for (name, value) in fields { total += name.utf8.count + size(value, path: name, problem: &problem) }
        return total
    }

    static func size(_ value: JSON, path: @autoclosure () -> String, problem: inout String?) -> Int {
        switch value {
        case .null, .bool: return 1
        case .string(let s): return s.utf8.count
        case .number(let n):
            let number = DynamoDBNumber(n.text)
            if problem == nil, let p = number.problem { problem = "\(path()): the number \(n.text.prefix(60)) \(p)" }
            return (number.significantDigits + 1) / 2 + 1
        case .array(let a):
            var total = 3
            for (i, x) in a.enumerated() { total += 1 + size(x, path: "\(path())[\(i)]", problem: &problem) }
            return total
        case .object(let o):
            var total = 3
            for (k, x) in o { total += 1 + k.utf8.count + size(x, path: "\(path()).\(k)", problem: &problem) }
            return total
        }
    }
}

/// A JSON number's text read as DynamoDB reads a number: significant digits
/// (leading and trailing zeros trimmed) and the decimal exponent of the first one.
struct DynamoDBNumber {
    var significantDigits = 0
    /// `1.5e3` → 3; meaningful only when `significantDigits > 0`.
    var magnitude = 0

    init(_ text: String) {
        var digits = 0          // significant digits seen so far, trailing zeros included
        var trailingZeros = 0
        var integerDigits = 0   // digits before the point, after leading zeros
        var leadingFractionZeros = 0
        var inFraction = false
        var exponent = 0
        var utf8 = text.utf8[...]
        while let c = utf8.first {
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent = Int(String(decoding: utf8.dropFirst(), as: UTF8.self).replacingOccurrences(of: "+", with: "")) ?? 0
                break
            }
            utf8 = utf8.dropFirst()
            if c == UInt8(ascii: ".") { inFraction = true; continue }
            guard c >= 0x30 && c <= 0x39 else { continue }
            if c == 0x30 && digits == 0 {
                if inFraction { leadingFractionZeros += 1 }
                continue
            }
            digits += 1
            trailingZeros = c == 0x30 ? trailingZeros + 1 : 0
            if !inFraction { integerDigits += 1 }
        }
        significantDigits = digits - trailingZeros
        magnitude = integerDigits > 0 ? integerDigits - 1 + exponent : -(leadingFractionZeros + 1) + exponent
    }

    /// Why DynamoDB would refuse the number, or nil: at most 38 significant
    /// digits, magnitudes from 1E-130 to under 1E+126.
    var problem: String? {
        if significantDigits > 38 { return "has \(significantDigits) significant digits (DynamoDB keeps at most 38)" }
        if significantDigits > 0 && (magnitude < -130 || magnitude > 125) {
            return "is out of DynamoDB's range (1E-130 to 9.99E+125 in magnitude)"
        }
        return nil
    }
}
