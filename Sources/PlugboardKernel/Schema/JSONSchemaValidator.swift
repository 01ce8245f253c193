/// Validates JSON values against a JSON Schema (a draft 2020-12 subset), and
/// explains every failure with a path and a message a person, or an LLM asked
/// to repair its output, can act on.
///
/// The schema is compiled once in `init` (regular expressions, `$ref`s) and the
/// validator can then be shared and used concurrently.
///
/// Supported: boolean schemas; `type` (a name or a list; `integer` is any number
/// with no fractional part), `enum`, `const`; `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf` (exact decimal arithmetic
/// on the number text); `minLength`, `maxLength` (Unicode code points), `pattern`;
/// `items`, `prefixItems`, `minItems`, `maxItems`, `uniqueItems`, `contains`,
/// `minContains`, `maxContains`; `properties`, `patternProperties`,
/// `additionalProperties`, `required`, `propertyNames`, `minProperties`,
/// `maxProperties`, `dependentRequired`, `dependentSchemas`; `allOf`, `anyOf`,
/// `oneOf`, `not`, `if` / `then` / `else`; `$ref` to a JSON Pointer in the same
/// document (`#`, `#/$defs/x`, `#/definitions/x`, with `~0`, `~1` and percent-escapes).
/// Annotations (`title`, `description`, `default`, `examples`, `format`, `$comment`, ...)
/// do not affect validation.
///
/// Not supported, and refused by `init` with `.unsupported` rather than silently
/// ignored: `$ref` to another document or through `$id` / `$anchor`, `$id` on a
/// subschema, `$anchor`, `$dynamicRef`, `$dynamicAnchor`, `unevaluatedProperties`,
/// `unevaluatedItems`. Patterns use ICU (`NSRegularExpression`) with `\d` and `\w`
/// narrowed to ASCII as in ECMA-262.
public struct JSONSchemaValidator: Sendable {
    /// Compiled subschemas; index 0 is the root. `$ref`s point at indices, so recursive schemas work.
    let nodes: [SchemaNode]
    /// The schema as given.
    public let schema: JSON

    /// Compiles `schema`. Throws `.invalidInput` for a malformed schema (a keyword with a
    /// value of the wrong kind, a bad pattern, a `$ref` that resolves to nothing) and
    /// `.unsupported` for a feature outside the supported subset; the message says where.
    public init(schema: JSON) throws(PlugboardError) {
        let unsupported = JSONSchemaValidator.unsupportedFeatures(in: schema)
        if !unsupported.isEmpty {
            throw PlugboardError.unsupported("JSON Schema uses features this validator does not support: "
                + unsupported.joined(separator: "; "))
        }
        var compiler = SchemaCompiler(root: schema)
        _ = try compiler.compile(schema, at: [])
        self.nodes = compiler.nodes.map { $0! }
        self.schema = schema
    }

    /// Every violation of the schema by `instance`; empty when it is valid.
    public func validate(_ instance: JSON) -> [SchemaViolation] {
        var evaluation = SchemaEvaluation(nodes: nodes, collecting: true)
        _ = evaluation.evaluate(0, instance, depth: 0)
        return evaluation.violations
    }

    /// Whether `instance` is valid; stops at the first failure.
    public func isValid(_ instance: JSON) -> Bool {
        var evaluation = SchemaEvaluation(nodes: nodes, collecting: false)
        return evaluation.evaluate(0, instance, depth: 0)
    }

    /// Throws `.invalidInput` listing every violation when `instance` is not valid.
    /// `what` names the value in the message (`"llm output for analyse"`).
    public func requireValid(_ instance: JSON, _ what: String, adapter: String? = nil) throws(PlugboardError) {
        let violations = validate(instance)
        guard violations.isEmpty else {
            throw PlugboardError.invalidInput(
                "\(what) does not match its schema:\n" + SchemaViolation.render(violations), adapter: adapter)
        }
    }

    /// One-shot validation: compiles `schema` and validates `instance` against it.
    public static func validate(_ instance: JSON, against schema: JSON) throws(PlugboardError) -> [SchemaViolation] {
        try JSONSchemaValidator(schema: schema).validate(instance)
    }
}
