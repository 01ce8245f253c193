extension JSONSchemaValidator {
    /// Keywords whose value is one subschema, an array of subschemas, or an object of them:
    /// the places a schema walk must descend into (and nowhere else: `enum`, `const`,
    /// `default` and `examples` hold data, not schemas).
    static let singleSubschema: Set<String> = [
        "additionalProperties", "propertyNames", "items", "additionalItems", "contains", "not", "if", "then", "else",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema",
    ]
    static let subschemaArrays: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    static let subschemaMaps: Set<String> = ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"]

    /// Keywords outside the supported subset that change what validates.
    static let unsupportedKeywords: [String: String] = [
        "$anchor": "anchors are not supported; use \"$ref\": \"#/$defs/...\"",
        "$dynamicRef": "dynamic references are not supported",
        "$dynamicAnchor": "dynamic anchors are not supported",
        "$recursiveRef": "recursive references (draft 2019-09) are not supported",
        "$recursiveAnchor": "recursive anchors (draft 2019-09) are not supported",
        "unevaluatedProperties": "unevaluatedProperties is not supported",
        "unevaluatedItems": "unevaluatedItems is not supported",
    ]

    /// What in `schema` falls outside the supported subset, one line each with its location
    /// (`#/properties/foo: $id on a subschema ...`); empty when the validator handles it all.
    public static func unsupportedFeatures(in schema: JSON) -> [String] {
        var found: [String] = []
        walk(schema, at: [], into: &found)
        return found
    }

    private static func walk(_ schema: JSON, at location: [String], into found: inout [String]) {
        guard case .object(let o) = schema else { return }
        let here = "#" + JSONPointer.render(location)
        for key in o.keys.sorted() {
            let value = o[key]!
            if let why = unsupportedKeywords[key] {
                found.append("\(here): \(key): \(why)")
            } else if key == "$ref" {
                if let ref = value.stringValue, JSONPointer.tokens(fromFragment: ref) == nil {
                    found.append("\(here): $ref \"\(ref)\": only local JSON Pointer references (\"#/...\") are supported")
                }
            } else if key == "$id", !location.isEmpty {
                found.append("\(here): $id on a subschema: embedded resources (a new base URI) are not supported")
            } else if subschemaArrays.contains(key) || (key == "items" && value.arrayValue != nil) {
                for (i, s) in (value.arrayValue ?? []).enumerated() { walk(s, at: location + [key, String(i)], into: &found) }
            } else if singleSubschema.contains(key) {
                walk(value, at: location + [key], into: &found)
            } else if subschemaMaps.contains(key), case .object(let map) = value {
                for name in map.keys.sorted() { walk(map[name]!, at: location + [key, name], into: &found) }
            }
        }
    }
}
