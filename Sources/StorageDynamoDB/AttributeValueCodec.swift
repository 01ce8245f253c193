import PlugboardKernel

/// The one JSON ⇄ DynamoDB `AttributeValue` codec, in DynamoDB's wire form
/// (`{"S": "x"}`, `{"N": "1.50"}`, ...): string `S`, number `N` (the JSON
/// number's text, unchanged), bool `BOOL`, null `NULL`, object `M`, array `L`.
/// Any AWS SDK reading an item written through it sees the same document.
///
/// Decoding also accepts what other tools may have written: sets (`SS`, `NS`,
/// `BS`) become arrays, binary (`B`) stays its base64 text.
enum AttributeValueCodec {
    static func encode(_ value: JSON) -> JSON {
        switch value {
        case .null: return ["NULL": true]
        case .bool(let b): return ["BOOL": .bool(b)]
        case .number(let n): return ["N": .string(n.text)]
        case .string(let s): return ["S": .string(s)]
        case .array(let a): return ["L": .array(a.map(encode))]
        case .object(let o): return ["M": .object(o.mapValues(encode))]
        }
    }

    static func encode(object: [String: JSON]) -> [String: JSON] { object.mapValues(encode) }

    struct DecodingError: Error, CustomStringConvertible {
        let description: String
    }

    static func decode(_ attribute: JSON) throws(DecodingError) -> JSON {
        guard case .object(let o) = attribute, o.count == 1, let (type, v) = o.first else {
            throw DecodingError(description: "not an AttributeValue: \(attribute.snippet)")
        }
        switch (type, v) {
        case ("S", .string(let s)): return .string(s)
        case ("N", .string(let s)): return .number(try number(s))
        case ("BOOL", .bool(let b)): return .bool(b)
        case ("NULL", .bool(true)): return .null
        case ("M", .object(let m)):
            var out: [String: JSON] = [:]
            for (k, x) in m { out[k] = try decode(x) }
            return .object(out)
        case ("L", .array(let l)):
            var out: [JSON] = []
            out.reserveCapacity(l.count)
            for x in l { out.append(try decode(x)) }
            return .array(out)
        case ("B", .string(let s)): return .string(s)
        case ("SS", .array(let l)), ("BS", .array(let l)):
            return .array(l.map { $0.stringValue.map(JSON.string) ?? .null })
        case ("NS", .array(let l)):
            var out: [JSON] = []
            for x in l {
                guard let s = x.stringValue else { throw DecodingError(description: "NS member is not a string") }
                out.append(.number(try number(s)))
            }
            return .array(out)
        default:
            throw DecodingError(description: "unsupported AttributeValue type \(type): \(attribute.snippet)")
        }
    }

    static func decode(item: [String: JSON]) throws(DecodingError) -> [String: JSON] {
        var out: [String: JSON] = [:]
        for (k, v) in item { out[k] = try decode(v) }
        return out
    }

    /// DynamoDB returns numbers in plain decimal; anything JSON cannot spell as
    /// is (`+1`, `.5`) goes through Double.
    private static func number(_ s: String) throws(DecodingError) -> JSONNumber {
        if let n = JSONNumber(s) { return n }
        if let d = Double(s), let n = JSONNumber(d) { return n }
        throw DecodingError(description: "invalid number \"\(s)\"")
    }
}
