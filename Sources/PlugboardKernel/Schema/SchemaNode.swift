import Foundation

/// A compiled subschema: the checks its keywords make, in keyword order.
struct SchemaNode: Sendable {
    var checks: [SchemaCheck]
    /// The boolean schema `false`: nothing is valid against it.
    var rejectsEverything: Bool

    static let acceptAll = SchemaNode(checks: [], rejectsEverything: false)
}

/// One keyword (or a group of keywords that only make sense together) with its
/// operands compiled. Subschemas are indices into `JSONSchemaValidator.nodes`.
enum SchemaCheck: Sendable {
    case type(SchemaTypes)
    case enumeration([JSON])
    case constant(JSON)
    case minimum(JSONNumber, exclusive: Bool)
    case maximum(JSONNumber, exclusive: Bool)
    case multipleOf(JSONNumber)
    case minLength(Int)
    case maxLength(Int)
    case pattern(SchemaPattern)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    case items(prefix: [Int], rest: Int?)
    case contains(Int, min: Int, max: Int?)
    case required([String])
    case minProperties(Int)
    case maxProperties(Int)
    /// `properties`, `patternProperties` and `additionalProperties` together:
    /// additional means "matched by neither of the other two".
    case properties(named: [String: Int], patterns: [PatternSubschema], additional: Int?)
    case propertyNames(Int)
    case dependentRequired([String: [String]])
    case dependentSchemas([String: Int])
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)
    case conditional(if: Int, then: Int?, else: Int?)
    case ref(Int)
}

struct PatternSubschema: Sendable {
    var pattern: SchemaPattern
    var node: Int
}

/// The JSON types a `type` keyword allows.
struct SchemaTypes: Sendable, OptionSet {
    let rawValue: UInt8
    static let null = SchemaTypes(rawValue: 1)
    static let boolean = SchemaTypes(rawValue: 2)
    static let integer = SchemaTypes(rawValue: 4)
    static let number = SchemaTypes(rawValue: 8)
    static let string = SchemaTypes(rawValue: 16)
    static let array = SchemaTypes(rawValue: 32)
    static let object = SchemaTypes(rawValue: 64)

    static let names: [(String, SchemaTypes)] = [
        ("null", .null), ("boolean", .boolean), ("integer", .integer), ("number", .number),
        ("string", .string), ("array", .array), ("object", .object),
    ]

    func allows(_ v: JSON) -> Bool {
        switch v {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .number(let n): return contains(.number) || (contains(.integer) && n.isIntegral)
        case .string: return contains(.string)
        case .array: return contains(.array)
        case .object: return contains(.object)
        }
    }

    /// `string`, `integer or null`, `array, object or null`.
    var displayName: String {
        let list = SchemaTypes.names.filter { contains($0.1) }.map(\.0)
        guard list.count > 1 else { return list.first ?? "nothing" }
        return list.dropLast().joined(separator: ", ") + " or " + list.last!
    }
}

/// A compiled `pattern`. ECMA-262 regular expressions run on ICU, with the
/// ASCII-only classes `\d` and `\w` (and their negations) kept ASCII-only.
struct SchemaPattern: Sendable {
    let source: String
    /// Immutable once created, and safe to match from several threads at once.
    let regex: NSRegularExpression

    init(_ source: String) throws(PlugboardError) {
        self.source = source
        do {
            regex = try NSRegularExpression(pattern: SchemaPattern.icuPattern(from: source), options: [])
        } catch {
            throw PlugboardError.invalidInput("invalid pattern /\(source)/: \(error)")
        }
    }

    /// Unanchored search, as ECMA-262 `RegExp.prototype.test`.
    func matches(_ s: String) -> Bool {
        let ns = s as NSString
        return regex.firstMatch(in: s, options: [], range: NSRange(location: 0, length: ns.length)) != nil
    }

    /// Rewrites `\d`, `\D`, `\w`, `\W` to explicit ASCII sets (ICU's are Unicode-wide).
    static func icuPattern(from source: String) -> String {
        var out = ""
        var inClass = false
        var it = source.makeIterator()
        while let c = it.next() {
            if c == "\\" {
                guard let n = it.next() else { out.append(c); break }
                switch n {
                case "d": out += inClass ? "0-9" : "[0-9]"
                case "D": out += "[^0-9]"
                case "w": out += inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]"
                case "W": out += "[^a-zA-Z0-9_]"
                default: out.append(c); out.append(n)
                }
                continue
            }
            if c == "[" { inClass = true } else if c == "]" { inClass = false }
            out.append(c)
        }
        return out
    }
}
