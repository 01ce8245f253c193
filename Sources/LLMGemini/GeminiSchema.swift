import Foundation
import PlugboardKernel

/// Converts a JSON Schema to Gemini's `responseSchema`, an OpenAPI 3.0-style subset:
/// upper-case `type` names with `nullable` instead of a `null` type, `enum` of strings
/// (a `type: STRING` is added when the schema gave none), `const` as a one-value
/// `enum`, local `$ref`s inlined. Keywords the subset lacks (`additionalProperties`,
/// `exclusiveMinimum`, `not`, ...) are dropped: the adapter validates the answer
/// against the original schema anyway, so a dropped rule is still enforced.
enum GeminiSchema {
    static let kept: Set<String> = [
        "description", "title", "format", "minItems", "maxItems", "minLength", "maxLength", "pattern", "minimum",
        "maximum", "minProperties", "maxProperties", "required", "propertyOrdering",
    ]

    static func openAPI(_ schema: JSON) -> JSON {
        convert(schema, root: schema, depth: 0)
    }

    private static func convert(_ schema: JSON, root: JSON, depth: Int) -> JSON {
        guard depth < 32, case .object(var o) = schema else { return .object([:]) }
        if let ref = o["$ref"]?.stringValue, let target = resolve(ref, in: root) {
            o.removeValue(forKey: "$ref")
            var merged = target.objectValue ?? [:]
            for (k, v) in o { merged[k] = v }
            return convert(.object(merged), root: root, depth: depth + 1)
        }
        var out: [String: JSON] = [:]
        for (k, v) in o where kept.contains(k) { out[k] = v }

        var types: [String] = []
        switch o["type"] {
        case .string(let t)?: types = [t]
        case .array(let a)?: types = a.compactMap(\.stringValue)
        default: break
        }
        if types.contains("null") { out["nullable"] = true }
        types.removeAll { $0 == "null" }
        var values = o["enum"]?.arrayValue
        if let c = o["const"] { values = [c] }
        if let values {
            if values.contains(.null) { out["nullable"] = true }
            let strings = values.compactMap(\.stringValue)
            if strings.count == values.filter({ !$0.isNull }).count {
                out["enum"] = .array(strings.map(JSON.string))
                if types.isEmpty { types = ["string"] }
            }
        }
        if types.isEmpty {
            if o["properties"] != nil { types = ["object"] } else if o["items"] != nil { types = ["array"] }
        }
        if let t = types.first { out["type"] = .string(t.uppercased()) }

        if let props = o["properties"]?.objectValue {
            out["properties"] = .object(props.mapValues { convert($0, root: root, depth: depth + 1) })
        }
        if let items = o["items"] { out["items"] = convert(items, root: root, depth: depth + 1) }
        if let any = (o["anyOf"] ?? o["oneOf"])?.arrayValue {
            out["anyOf"] = .array(any.map { convert($0, root: root, depth: depth + 1) })
        }
        return .object(out)
    }

    /// A local JSON Pointer (`#/$defs/x`) into the root schema.
    private static func resolve(_ ref: String, in root: JSON) -> JSON? {
        guard ref.hasPrefix("#") else { return nil }
        var target: JSON? = root
        for token in ref.dropFirst().split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            target = target?[key]
        }
        return target
    }
}
