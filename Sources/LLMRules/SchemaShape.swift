import Foundation
import PlugboardKernel

/// Shapes the rules' answer to the object a request's schema describes: keeps what the
/// schema allows, fills required fields from the analysis under their usual names, maps
/// values onto `enum`s, and cuts strings to `maxLength`. The validator has the last word.
struct SchemaShape {
    let root: JSON

    init(_ schema: JSON) { root = schema }

    /// The `enum` of the first property called `name`, searched breadth-first through `properties`.
    func enumValues(of name: String) -> [String]? {
        var queue = [resolve(root)]
        while !queue.isEmpty {
            let s = queue.removeFirst()
            guard case .object(let props)? = s["properties"] else { continue }
            if let e = props[name].map(resolve)?["enum"]?.arrayValue { return e.compactMap(\.stringValue) }
            queue += props.keys.sorted().map { resolve(props[$0]!) }
        }
        return nil
    }

    /// The object for `task`: `preferred` fields first, then required and declared fields from `facts`.
    func fit(preferred: [String: JSON], facts: [String: JSON], task: String) throws -> JSON {
        try object(resolve(root), preferred: preferred, facts: facts, task: task, path: "")
    }

    private func object(_ schema: JSON, preferred: [String: JSON], facts: [String: JSON], task: String,
                        path: String) throws -> JSON {
        if case .bool(true) = schema { return .object(preferred) }
        guard case .object = schema else { return .object(preferred) }
        if let t = schema["type"], !SchemaShape.allows(t, "object") {
            throw PlugboardError(.unsupported, "task \(task): the rules answer with an object, the schema asks for \(t.serialized())",
                                 adapter: RulesLanguageModel.provider)
        }
        let properties = schema["properties"]?.objectValue ?? [:]
        let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let openEnded = schema["additionalProperties"] != .bool(false)
        var out: [String: JSON] = [:]
        for (k, v) in preferred where properties[k] != nil || openEnded {
            out[k] = coerce(v, to: properties[k].map(resolve))
        }
        for name in properties.keys.sorted() + required where out[name] == nil {
            let propertySchema = properties[name].map(resolve) ?? .bool(true)
            if let v = SchemaShape.lookup(name, in: facts) {
                out[name] = coerce(v, to: propertySchema)
            } else if required.contains(name) {
                out[name] = try filler(for: name, propertySchema, facts: facts, task: task, path: path + "/" + name)
            }
        }
        return .object(out)
    }

    /// A value for a required field the analysis does not name: a nested object built the same
    /// way, or what the schema itself fixes (`const`, `default`, a one-value `enum`, `null`).
    private func filler(for name: String, _ schema: JSON, facts: [String: JSON], task: String, path: String) throws -> JSON {
        if schema["properties"] != nil || schema["type"]?.stringValue == "object" {
            return try object(schema, preferred: [:], facts: facts, task: task, path: path)
        }
        if let c = schema["const"] { return c }
        if let d = schema["default"] { return d }
        if let e = schema["enum"]?.arrayValue, e.count == 1 { return e[0] }
        if let t = schema["type"], SchemaShape.allows(t, "null") { return .null }
        throw PlugboardError(.unsupported, "task \(task): the rules cannot fill the required field \(path) "
            + "(they know: \(SchemaShape.aliases.keys.sorted().joined(separator: ", ")))", adapter: RulesLanguageModel.provider)
    }

    // MARK: - Values

    /// Fits a value to a property schema where the rules' vocabulary and the schema's differ.
    func coerce(_ value: JSON, to schema: JSON?) -> JSON {
        guard let schema = schema.map(resolve), case .object = schema else { return value }
        var v = value
        if case .null = v, let t = schema["type"], !SchemaShape.allows(t, "null"), SchemaShape.allows(t, "string") {
            v = ""  // `order_number` absent but the schema wants a string
        }
        if let e = schema["enum"]?.arrayValue, !e.contains(v), case .string(let s) = v {
            v = SchemaShape.closest(s, in: e.compactMap(\.stringValue)).map(JSON.string) ?? v
        }
        if case .string(let s) = v, let max = schema["maxLength"]?.intValue, s.unicodeScalars.count > max, max > 0 {
            var scalars = String.UnicodeScalarView(s.unicodeScalars.prefix(max - 1))
            while let last = scalars.last, last == " " { scalars.removeLast() }
            v = .string(String(scalars) + "…")
        }
        if case .number(let n) = v, let t = schema["type"], !SchemaShape.allows(t, "number"), SchemaShape.allows(t, "integer") {
            v = JSON(Int((n.doubleValue * 100).rounded()))  // a 0...1 confidence as a percentage
        }
        return v
    }

    /// Values that mean the same across vocabularies (English words, French words, as the rules write them).
    static let synonyms: [[String]] = [
        ["positive", "positif", "positifs", "positive", "pos"],
        ["neutral", "neutre", "neutral", "neu"],
        ["negative", "negatif", "negatifs", "negative", "neg"],
        ["low", "faible", "basse", "bas", "low"],
        ["medium", "moyenne", "moyen", "normale", "normal", "modere", "moderee"],
        ["high", "haute", "haut", "elevee", "eleve", "forte", "urgent", "urgente", "critical", "critique"],
        ["unclassified", "other", "autre", "autres", "none", "unknown", "inconnu", "non classe", "divers", "misc"],
    ]

    /// The allowed value that means `value`: equal ignoring case and accents, or a synonym.
    static func closest(_ value: String, in allowed: [String]) -> String? {
        let key = fold(value)
        if let same = allowed.first(where: { fold($0) == key }) { return same }
        guard let group = synonyms.first(where: { $0.contains(key) }) else { return nil }
        return allowed.first { group.contains(fold($0)) }
    }

    static func fold(_ s: String) -> String {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
    }

    /// Field names the rules can fill, by the fact they take it from (compared without case, `_` or `-`).
    static let aliases: [String: [String]] = [
        "category": ["category", "categorie", "topic", "classification", "label", "class"],
        "sentiment": ["sentiment", "mood", "tone", "feeling", "humeur"],
        "urgency": ["urgency", "urgence", "priority", "priorite", "severity", "gravite"],
        "summary": ["summary", "resume", "synopsis", "one line summary", "abstract"],
        "order_number": ["order number", "ordernumber", "order id", "orderid", "order", "commande", "numero de commande",
                         "order ref", "order reference"],
        "confidence": ["confidence", "confiance", "certainty"],
        "ambiguous": ["ambiguous", "ambigu", "is ambiguous", "uncertain"],
        "matched": ["matched", "keywords", "matched keywords", "mots cles", "evidence"],
        "language": ["language", "lang", "langue", "locale"],
        "creates_task": ["creates task", "needs task", "create task", "task"],
        "reply": ["reply", "body", "response", "text", "message", "draft", "answer", "content", "reponse", "email body"],
        "subject": ["subject", "sujet", "title", "objet", "email subject"],
        "urgency_cues": ["urgency cues", "cues", "signals"],
        "sentiment_score": ["sentiment score", "polarity"],
    ]

    static func lookup(_ name: String, in facts: [String: JSON]) -> JSON? {
        if let v = facts[name] { return v }
        let key = fold(name)
        for (fact, names) in aliases where names.contains(key) {
            if let v = facts[fact] { return v }
        }
        return nil
    }

    static func allows(_ type: JSON, _ name: String) -> Bool {
        switch type {
        case .string(let s): return s == name || (name == "integer" && s == "number")
        case .array(let a): return a.contains { allows($0, name) }
        default: return true
        }
    }

    /// Follows a local `$ref` (`#/$defs/x`) so nested shapes can be read; anything else is returned as is.
    func resolve(_ schema: JSON) -> JSON {
        var s = schema
        var hops = 0
        while let ref = s["$ref"]?.stringValue, ref.hasPrefix("#"), hops < 16 {
            var target: JSON? = root
            for token in ref.dropFirst().split(separator: "/") {
                let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                target = target?[key] ?? target?.arrayValue.flatMap { a in Int(key).flatMap { $0 < a.count ? a[$0] : nil } }
            }
            guard let t = target else { break }
            s = t
            hops += 1
        }
        return s
    }
}
