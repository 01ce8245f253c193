/// One validation run: walks the instance against compiled nodes, either
/// collecting every violation or stopping at the first (`collecting == false`).
struct SchemaEvaluation {
    let nodes: [SchemaNode]
    let collecting: Bool
    private(set) var violations: [SchemaViolation] = []
    /// The instance location being checked, as unescaped pointer tokens.
    private var path: [String] = []

    /// Deeper than this, a `$ref` cycle that never consumes the instance is assumed.
    static let maxDepth = 256

    init(nodes: [SchemaNode], collecting: Bool) {
        self.nodes = nodes
        self.collecting = collecting
    }

    // MARK: - Nodes

    mutating func evaluate(_ index: Int, _ v: JSON, depth: Int) -> Bool {
        let node = nodes[index]
        if node.rejectsEverything {
            report("false", "no value is allowed here")
            return false
        }
        guard depth < SchemaEvaluation.maxDepth else {
            report("$ref", "schema nesting deeper than \(SchemaEvaluation.maxDepth) levels (a $ref cycle?)")
            return false
        }
        var valid = true
        for check in node.checks {
            if !evaluate(check, v, depth: depth) {
                valid = false
                if !collecting { return false }
            }
        }
        return valid
    }

    /// Evaluates a subschema without recording anything (for `anyOf`, `not`, `if`, ...).
    private func passes(_ index: Int, _ v: JSON, depth: Int) -> Bool {
        var quiet = SchemaEvaluation(nodes: nodes, collecting: false)
        quiet.path = path
        return quiet.evaluate(index, v, depth: depth)
    }

    /// The violations a subschema would report at the current location.
    private func violations(of index: Int, _ v: JSON, depth: Int) -> [SchemaViolation] {
        var loud = SchemaEvaluation(nodes: nodes, collecting: true)
        loud.path = path
        _ = loud.evaluate(index, v, depth: depth)
        return loud.violations
    }

    /// Evaluates a subschema at a child location (`key` of an object or an array index).
    private mutating func evaluate(_ index: Int, _ v: JSON, at token: String, depth: Int) -> Bool {
        path.append(token)
        defer { path.removeLast() }
        return evaluate(index, v, depth: depth + 1)
    }

    // MARK: - Keywords

    private mutating func evaluate(_ check: SchemaCheck, _ v: JSON, depth: Int) -> Bool {
        switch check {
        case .ref(let target):
            return evaluate(target, v, depth: depth + 1)

        case .type(let types):
            if types.allows(v) { return true }
            return fail("type", "expected \(types.displayName), got \(SchemaEvaluation.describe(v))")

        case .enumeration(let values):
            if values.contains(where: { $0.schemaEquals(v) }) { return true }
            if values.isEmpty { return fail("enum", "no value is allowed here (empty enum)") }
            return fail("enum", "expected one of \(SchemaEvaluation.list(values)), got \(SchemaEvaluation.describe(v))")

        case .constant(let c):
            if c.schemaEquals(v) { return true }
            return fail("const", "expected \(c.snippet), got \(SchemaEvaluation.describe(v))")

        case .minimum(let limit, let exclusive):
            guard case .number(let n) = v else { return true }
            let c = n.compareExactly(to: limit)
            if c > 0 || (c == 0 && !exclusive) { return true }
            return fail(exclusive ? "exclusiveMinimum" : "minimum", "expected a number \(exclusive ? ">" : ">=") \(limit), got \(n)")

        case .maximum(let limit, let exclusive):
            guard case .number(let n) = v else { return true }
            let c = n.compareExactly(to: limit)
            if c < 0 || (c == 0 && !exclusive) { return true }
            return fail(exclusive ? "exclusiveMaximum" : "maximum", "expected a number \(exclusive ? "<" : "<=") \(limit), got \(n)")

        case .multipleOf(let divisor):
            guard case .number(let n) = v, !n.isMultiple(of: divisor) else { return true }
            return fail("multipleOf", "expected a multiple of \(divisor), got \(n)")

        case .minLength(let min):
            guard case .string(let s) = v else { return true }
            let n = s.unicodeScalars.count
            if n >= min { return true }
            return fail("minLength", "expected at least \(SchemaEvaluation.plural(min, "character")), got \(n)")

        case .maxLength(let max):
            guard case .string(let s) = v else { return true }
            let n = s.unicodeScalars.count
            if n <= max { return true }
            return fail("maxLength", "expected at most \(SchemaEvaluation.plural(max, "character")), got \(n)")

        case .pattern(let p):
            guard case .string(let s) = v, !p.matches(s) else { return true }
            return fail("pattern", "expected a string matching /\(p.source)/, got \(v.snippet)")

        case .minItems(let min):
            guard case .array(let a) = v, a.count < min else { return true }
            return fail("minItems", "expected at least \(SchemaEvaluation.plural(min, "item")), got \(a.count)")

        case .maxItems(let max):
            guard case .array(let a) = v, a.count > max else { return true }
            return fail("maxItems", "expected at most \(SchemaEvaluation.plural(max, "item")), got \(a.count)")

        case .uniqueItems:
            guard case .array(let a) = v else { return true }
            // `==`-equal is implied by schema-equal, so its hash buckets candidates; schemaEquals decides.
            var seen: [JSON: [Int]] = [:]
            for (i, item) in a.enumerated() {
                if let first = seen[item]?.first(where: { a[$0].schemaEquals(item) }) {
                    return fail("uniqueItems", "expected unique items, but items \(first) and \(i) are equal")
                }
                seen[item, default: []].append(i)
            }
            return true

        case .items(let prefix, let rest):
            guard case .array(let a) = v else { return true }
            var valid = true
            for (i, item) in a.enumerated() {
                let node: Int
                if i < prefix.count { node = prefix[i] } else if let rest { node = rest } else { break }
                if nodes[node].rejectsEverything {
                    path.append(String(i))
                    report("items", "unexpected item: at most \(SchemaEvaluation.plural(prefix.count, "item")) allowed")
                    path.removeLast()
                    valid = false
                } else if !evaluate(node, item, at: String(i), depth: depth) {
                    valid = false
                }
                if !valid, !collecting { return false }
            }
            return valid

        case .contains(let node, let min, let max):
            guard case .array(let a) = v else { return true }
            let matching = a.indices.filter { i in
                var child = self
                child.path.append(String(i))
                return child.passes(node, a[i], depth: depth + 1)
            }.count
            if matching < min {
                return fail("contains", "expected at least \(SchemaEvaluation.plural(min, "item")) matching \"contains\", found \(matching)")
            }
            if let max, matching > max {
                return fail("maxContains", "expected at most \(SchemaEvaluation.plural(max, "item")) matching \"contains\", found \(matching)")
            }
            return true

        case .required(let names):
            guard case .object(let o) = v else { return true }
            var valid = true
            for name in names where o[name] == nil {
                path.append(name)
                report("required", "missing required property \"\(name)\"")
                path.removeLast()
                valid = false
                if !collecting { return false }
            }
            return valid

        case .minProperties(let min):
            guard case .object(let o) = v, o.count < min else { return true }
            return fail("minProperties", "expected at least \(SchemaEvaluation.plural(min, "property", "properties")), got \(o.count)")

        case .maxProperties(let max):
            guard case .object(let o) = v, o.count > max else { return true }
            return fail("maxProperties", "expected at most \(SchemaEvaluation.plural(max, "property", "properties")), got \(o.count)")

        case .properties(let named, let patterns, let additional):
            guard case .object(let o) = v else { return true }
            return evaluateProperties(o, named: named, patterns: patterns, additional: additional, depth: depth)

        case .propertyNames(let node):
            guard case .object(let o) = v else { return true }
            var valid = true
            for key in o.keys.sorted() where !passes(node, .string(key), depth: depth + 1) {
                let why = violations(of: node, .string(key), depth: depth + 1).map(\.message).joined(separator: "; ")
                path.append(key)
                report("propertyNames", "property name \"\(key)\" is not allowed: \(why)")
                path.removeLast()
                valid = false
                if !collecting { return false }
            }
            return valid

        case .dependentRequired(let deps):
            guard case .object(let o) = v else { return true }
            var valid = true
            for key in deps.keys.sorted() where o[key] != nil {
                for needed in deps[key]! where o[needed] == nil {
                    path.append(needed)
                    report("dependentRequired", "missing property \"\(needed)\", required when \"\(key)\" is present")
                    path.removeLast()
                    valid = false
                    if !collecting { return false }
                }
            }
            return valid

        case .dependentSchemas(let deps):
            guard case .object(let o) = v else { return true }
            var valid = true
            for key in deps.keys.sorted() where o[key] != nil {
                if !evaluate(deps[key]!, v, depth: depth + 1) {
                    valid = false
                    if !collecting { return false }
                }
            }
            return valid

        case .allOf(let list):
            var valid = true
            for node in list where !evaluate(node, v, depth: depth + 1) {
                valid = false
                if !collecting { return false }
            }
            return valid

        case .anyOf(let list):
            if list.contains(where: { passes($0, v, depth: depth + 1) }) { return true }
            return fail("anyOf", "expected to match at least one of \(list.count) alternatives (anyOf), matched none: "
                + alternatives(list, v, depth: depth))

        case .oneOf(let list):
            let matched = list.indices.filter { passes(list[$0], v, depth: depth + 1) }
            if matched.count == 1 { return true }
            if matched.isEmpty {
                return fail("oneOf", "expected to match exactly one of \(list.count) alternatives (oneOf), matched none: "
                    + alternatives(list, v, depth: depth))
            }
            return fail("oneOf", "expected to match exactly one of \(list.count) alternatives (oneOf), matched "
                + SchemaEvaluation.englishList(matched.map { "#\($0)" }))

        case .not(let node):
            if !passes(node, v, depth: depth + 1) { return true }
            return fail("not", "\(SchemaEvaluation.describe(v)) is not allowed here (it matches the \"not\" schema)")

        case .conditional(let condition, let then, let otherwise):
            let branch = passes(condition, v, depth: depth + 1) ? then : otherwise
            guard let branch else { return true }
            return evaluate(branch, v, depth: depth + 1)
        }
    }

    private mutating func evaluateProperties(_ o: [String: JSON], named: [String: Int], patterns: [PatternSubschema],
                                             additional: Int?, depth: Int) -> Bool {
        var valid = true
        // Sorted keys: the same instance always yields the same violations in the same order.
        for key in o.keys.sorted() {
            let value = o[key]!
            var governed = false
            var schemas: [Int] = []
            if let n = named[key] { schemas.append(n); governed = true }
            for p in patterns where p.pattern.matches(key) { schemas.append(p.node); governed = true }
            if !governed, let additional { schemas.append(additional) }
            for node in schemas {
                if nodes[node].rejectsEverything {
                    path.append(key)
                    if governed {
                        report("properties", "property \"\(key)\" is not allowed")
                    } else {
                        let allowed = named.keys.sorted()
                        report("additionalProperties", "unexpected property \"\(key)\""
                            + (allowed.isEmpty ? "" : " (allowed: \(allowed.joined(separator: ", ")))"))
                    }
                    path.removeLast()
                    valid = false
                } else if !evaluate(node, value, at: key, depth: depth) {
                    valid = false
                }
                if !valid, !collecting { return false }
            }
        }
        return valid
    }

    // MARK: - Reporting

    private mutating func fail(_ keyword: String, _ message: String) -> Bool {
        report(keyword, message)
        return false
    }

    private mutating func report(_ keyword: String, _ message: String) {
        guard collecting else { return }
        violations.append(SchemaViolation(path: JSONPointer.render(path), message: message, keyword: keyword))
    }

    /// Why each alternative failed, briefly: `#0: expected string, got integer 3; #1: ...`.
    private func alternatives(_ list: [Int], _ v: JSON, depth: Int) -> String {
        guard collecting else { return "" }
        let here = JSONPointer.render(path)
        return list.enumerated().map { i, node in
            let found = violations(of: node, v, depth: depth + 1)
            let shown = found.prefix(3).map { $0.path == here ? $0.message : "\($0.path): \($0.message)" }
            let more = found.count > 3 ? "; and \(found.count - 3) more" : ""
            return "#\(i): " + shown.joined(separator: "; ") + more
        }.joined(separator: " | ")
    }

    /// A value for a message: strings quoted, other types named (`integer 3`, `object {"a":1}`).
    static func describe(_ v: JSON) -> String {
        switch v {
        case .null: return "null"
        case .string: return v.snippet
        default: return "\(v.typeName) \(v.snippet)"
        }
    }

    /// Enum values for a message: bare words when they are all strings (`low, medium, high`).
    static func list(_ values: [JSON]) -> String {
        let shown = values.prefix(20).map { v -> String in
            if case .string(let s) = v, !s.isEmpty, !s.contains(",") { return s }
            return v.snippet
        }
        return shown.joined(separator: ", ") + (values.count > 20 ? ", ... (\(values.count - 20) more)" : "")
    }

    static func plural(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) \(n == 1 ? one : (many ?? one + "s"))"
    }

    static func englishList(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}
