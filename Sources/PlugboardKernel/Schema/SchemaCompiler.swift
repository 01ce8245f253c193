/// Turns schema JSON into `SchemaNode`s. Each subschema is compiled once per
/// location (its JSON Pointer from the root), so a `$ref` to a location already
/// being compiled (`#` inside the root) simply points at its index.
struct SchemaCompiler {
    let root: JSON
    private(set) var nodes: [SchemaNode?] = []
    private var indexByLocation: [[String]: Int] = [:]

    init(root: JSON) { self.root = root }

    mutating func compile(_ schema: JSON, at location: [String]) throws(PlugboardError) -> Int {
        if let i = indexByLocation[location] { return i }
        let index = nodes.count
        nodes.append(nil)
        indexByLocation[location] = index
        nodes[index] = try node(schema, at: location)
        return index
    }

    private mutating func node(_ schema: JSON, at location: [String]) throws(PlugboardError) -> SchemaNode {
        switch schema {
        case .bool(let b): return b ? .acceptAll : SchemaNode(checks: [], rejectsEverything: true)
        case .object(let o): return try SchemaNode(checks: checks(o, at: location), rejectsEverything: false)
        default: throw invalid(location, nil, "a schema must be an object or a boolean, got \(schema.typeName)")
        }
    }

    // Keywords are visited in a fixed order so violations come out in the same order every time.
    private mutating func checks(_ o: [String: JSON], at: [String]) throws(PlugboardError) -> [SchemaCheck] {
        var out: [SchemaCheck] = []
        if let v = o["$ref"] {
            guard let ref = v.stringValue else { throw invalid(at, "$ref", "expected a string") }
            guard let tokens = JSONPointer.tokens(fromFragment: ref) else {
                throw PlugboardError.unsupported("\(schemaLocation(at, "$ref")): \"\(ref)\" is not a local JSON Pointer reference (\"#/...\")")
            }
            guard let target = JSONPointer.resolve(tokens, in: root) else {
                throw invalid(at, "$ref", "\"\(ref)\" points to nothing in this schema")
            }
            out.append(.ref(try compile(target, at: tokens)))
        }
        if let v = o["type"] { out.append(.type(try types(v, at))) }
        if let v = o["enum"] {
            guard case .array(let values) = v else { throw invalid(at, "enum", "expected an array") }
            out.append(.enumeration(values))
        }
        if let v = o["const"] { out.append(.constant(v)) }

        // Numbers. Draft 4's boolean exclusiveMinimum / exclusiveMaximum are honoured too.
        let legacyExclusiveMin = o["exclusiveMinimum"]?.boolValue ?? false
        let legacyExclusiveMax = o["exclusiveMaximum"]?.boolValue ?? false
        if let v = o["minimum"] { out.append(.minimum(try number(v, at, "minimum"), exclusive: legacyExclusiveMin)) }
        if let v = o["exclusiveMinimum"], v.boolValue == nil {
            out.append(.minimum(try number(v, at, "exclusiveMinimum"), exclusive: true))
        }
        if let v = o["maximum"] { out.append(.maximum(try number(v, at, "maximum"), exclusive: legacyExclusiveMax)) }
        if let v = o["exclusiveMaximum"], v.boolValue == nil {
            out.append(.maximum(try number(v, at, "exclusiveMaximum"), exclusive: true))
        }
        if let v = o["multipleOf"] {
            let n = try number(v, at, "multipleOf")
            guard n.compareExactly(to: JSONNumber(0)) > 0 else { throw invalid(at, "multipleOf", "expected a number > 0") }
            out.append(.multipleOf(n))
        }

        // Strings.
        if let v = o["minLength"] { out.append(.minLength(try count(v, at, "minLength"))) }
        if let v = o["maxLength"] { out.append(.maxLength(try count(v, at, "maxLength"))) }
        if let v = o["pattern"] {
            guard let p = v.stringValue else { throw invalid(at, "pattern", "expected a string") }
            out.append(.pattern(try pattern(p, at, "pattern")))
        }

        // Arrays. Before 2020-12, `items` could be an array (now `prefixItems`) and `additionalItems` the rest.
        if let v = o["minItems"] { out.append(.minItems(try count(v, at, "minItems"))) }
        if let v = o["maxItems"] { out.append(.maxItems(try count(v, at, "maxItems"))) }
        if o["uniqueItems"]?.boolValue == true { out.append(.uniqueItems) }
        var prefix: [Int] = []
        var rest: Int?
        if case .array(let list)? = o["prefixItems"] {
            prefix = try subschemas(list, at + ["prefixItems"])
        } else if o["prefixItems"] != nil {
            throw invalid(at, "prefixItems", "expected an array of schemas")
        }
        if case .array(let list)? = o["items"] {
            prefix = try subschemas(list, at + ["items"])
            if let extra = o["additionalItems"] { rest = try compile(extra, at: at + ["additionalItems"]) }
        } else if let v = o["items"] {
            rest = try compile(v, at: at + ["items"])
        }
        if !prefix.isEmpty || rest != nil { out.append(.items(prefix: prefix, rest: rest)) }
        if let v = o["contains"] {
            let node = try compile(v, at: at + ["contains"])
            let min = try o["minContains"].map { x throws(PlugboardError) in try count(x, at, "minContains") } ?? 1
            let max = try o["maxContains"].map { x throws(PlugboardError) in try count(x, at, "maxContains") }
            out.append(.contains(node, min: min, max: max))
        }

        // Objects.
        if let v = o["required"] { out.append(.required(try strings(v, at, "required"))) }
        if let v = o["minProperties"] { out.append(.minProperties(try count(v, at, "minProperties"))) }
        if let v = o["maxProperties"] { out.append(.maxProperties(try count(v, at, "maxProperties"))) }
        if o["properties"] != nil || o["patternProperties"] != nil || o["additionalProperties"] != nil {
            var named: [String: Int] = [:]
            if let v = o["properties"] {
                guard case .object(let props) = v else { throw invalid(at, "properties", "expected an object of schemas") }
                for key in props.keys.sorted() { named[key] = try compile(props[key]!, at: at + ["properties", key]) }
            }
            var patterns: [PatternSubschema] = []
            if let v = o["patternProperties"] {
                guard case .object(let props) = v else { throw invalid(at, "patternProperties", "expected an object of schemas") }
                for key in props.keys.sorted() {
                    patterns.append(PatternSubschema(pattern: try pattern(key, at, "patternProperties"),
                                                     node: try compile(props[key]!, at: at + ["patternProperties", key])))
                }
            }
            let additional = try o["additionalProperties"].map { x throws(PlugboardError) in
                try compile(x, at: at + ["additionalProperties"])
            }
            out.append(.properties(named: named, patterns: patterns, additional: additional))
        }
        if let v = o["propertyNames"] { out.append(.propertyNames(try compile(v, at: at + ["propertyNames"]))) }
        if let v = o["dependentRequired"] {
            guard case .object(let deps) = v else { throw invalid(at, "dependentRequired", "expected an object") }
            var map: [String: [String]] = [:]
            for (k, list) in deps { map[k] = try strings(list, at, "dependentRequired") }
            out.append(.dependentRequired(map))
        }
        if let v = o["dependentSchemas"] {
            guard case .object(let deps) = v else { throw invalid(at, "dependentSchemas", "expected an object of schemas") }
            var map: [String: Int] = [:]
            for key in deps.keys.sorted() { map[key] = try compile(deps[key]!, at: at + ["dependentSchemas", key]) }
            out.append(.dependentSchemas(map))
        }

        // Applicators.
        for keyword in ["allOf", "anyOf", "oneOf"] {
            guard let v = o[keyword] else { continue }
            guard case .array(let list) = v, !list.isEmpty else { throw invalid(at, keyword, "expected a non-empty array of schemas") }
            let indices = try subschemas(list, at + [keyword])
            out.append(keyword == "allOf" ? .allOf(indices) : keyword == "anyOf" ? .anyOf(indices) : .oneOf(indices))
        }
        if let v = o["not"] { out.append(.not(try compile(v, at: at + ["not"]))) }
        if let v = o["if"] {
            let condition = try compile(v, at: at + ["if"])
            let then = try o["then"].map { x throws(PlugboardError) in try compile(x, at: at + ["then"]) }
            let otherwise = try o["else"].map { x throws(PlugboardError) in try compile(x, at: at + ["else"]) }
            out.append(.conditional(if: condition, then: then, else: otherwise))
        }
        return out
    }

    // MARK: - Operands

    private mutating func subschemas(_ list: [JSON], _ at: [String]) throws(PlugboardError) -> [Int] {
        var out: [Int] = []
        for (i, s) in list.enumerated() { out.append(try compile(s, at: at + [String(i)])) }
        return out
    }

    private func types(_ v: JSON, _ at: [String]) throws(PlugboardError) -> SchemaTypes {
        let names: [JSON]
        switch v {
        case .string: names = [v]
        case .array(let a): names = a
        default: throw invalid(at, "type", "expected a type name or an array of them")
        }
        var set: SchemaTypes = []
        for n in names {
            guard let s = n.stringValue, let t = SchemaTypes.names.first(where: { $0.0 == s }) else {
                throw invalid(at, "type", "unknown type \(n.snippet); known: null, boolean, integer, number, string, array, object")
            }
            set.insert(t.1)
        }
        return set
    }

    private func number(_ v: JSON, _ at: [String], _ keyword: String) throws(PlugboardError) -> JSONNumber {
        guard case .number(let n) = v else { throw invalid(at, keyword, "expected a number, got \(v.typeName)") }
        return n
    }

    private func count(_ v: JSON, _ at: [String], _ keyword: String) throws(PlugboardError) -> Int {
        guard case .number(let n) = v, n.isIntegral, n.compareExactly(to: JSONNumber(0)) >= 0 else {
            throw invalid(at, keyword, "expected a non-negative integer, got \(v.snippet)")
        }
        return n.intValue ?? Int.max
    }

    private func strings(_ v: JSON, _ at: [String], _ keyword: String) throws(PlugboardError) -> [String] {
        guard case .array(let a) = v else { throw invalid(at, keyword, "expected an array of strings") }
        var out: [String] = []
        for item in a {
            guard let s = item.stringValue else { throw invalid(at, keyword, "expected an array of strings, found \(item.snippet)") }
            out.append(s)
        }
        return out
    }

    private func pattern(_ p: String, _ at: [String], _ keyword: String) throws(PlugboardError) -> SchemaPattern {
        do {
            return try SchemaPattern(p)
        } catch {
            throw PlugboardError.invalidInput("\(schemaLocation(at, keyword)): \(error.message)")
        }
    }

    private func invalid(_ at: [String], _ keyword: String?, _ what: String) -> PlugboardError {
        .invalidInput("\(schemaLocation(at, keyword)): \(what)")
    }

    /// `schema #/properties/a/type` for messages.
    private func schemaLocation(_ at: [String], _ keyword: String?) -> String {
        "schema #" + JSONPointer.render(at + (keyword.map { [$0] } ?? []))
    }
}
