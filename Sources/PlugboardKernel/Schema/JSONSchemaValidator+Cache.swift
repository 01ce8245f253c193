import Synchronization

extension JSONSchemaValidator {
    /// A compiled validator for `schema`, shared across calls. The `llm` adapters
    /// validate every answer against one of a few schemas the workflow sends again
    /// and again; compiling once (patterns, `$ref`s) instead of per answer is most of
    /// the `rules` model's cost otherwise. Up to 64 schemas are kept.
    public static func shared(for schema: JSON) throws(PlugboardError) -> JSONSchemaValidator {
        if let v = compiled.withLock({ $0[schema] }) { return v }
        let v = try JSONSchemaValidator(schema: schema)
        compiled.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[schema] = v
        }
        return v
    }

    private static let compiled = Mutex<[JSON: JSONSchemaValidator]>([:])
}
