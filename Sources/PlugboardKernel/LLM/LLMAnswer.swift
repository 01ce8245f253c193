/// What the `llm` adapters share between a provider's text and the port's answer:
/// the JSON object is taken out of the text and validated locally with
/// `JSONSchemaValidator`, whatever the provider's JSON mode promised.
public enum LLMAnswer {
    /// The JSON object a model wrote: the whole text, or a text that is nothing but one
    /// fenced block (```` ```json ... ``` ````). Anything else (prose, prose around JSON,
    /// an array, a truncated object) is an `invalidAnswer`.
    public static func object(in text: String, task: String, adapter: String) throws -> JSON {
        var body = Substring(text).trimmingWhitespace()
        if body.hasPrefix("```") {
            // A fence: drop its first line (```json) and the closing fence.
            guard let firstNewline = body.firstIndex(of: "\n"), body.hasSuffix("```"), body.count > 6 else {
                throw PlugboardError.invalidAnswer("task \(task): the answer is an unterminated code block, not a JSON object", adapter: adapter)
            }
            body = body[body.index(after: firstNewline)..<body.index(body.endIndex, offsetBy: -3)].trimmingWhitespace()
        }
        if body.isEmpty {
            throw PlugboardError.invalidAnswer("task \(task): the answer is empty; expected a JSON object", adapter: adapter)
        }
        guard body.first == "{" else {
            throw PlugboardError.invalidAnswer(
                "task \(task): the answer is prose (\(text.count) characters), not a JSON object; answer with the JSON object only",
                adapter: adapter)
        }
        let json: JSON
        do {
            json = try JSONParser.parse(String(body))
        } catch {
            throw PlugboardError.invalidAnswer(
                "task \(task): the answer is not valid JSON (\(error.message) at line \(error.line), column \(error.column))",
                adapter: adapter)
        }
        guard case .object = json else {
            throw PlugboardError.invalidAnswer("task \(task): the answer is a JSON \(json.typeName), not an object", adapter: adapter)
        }
        return json
    }

    /// `object` when it matches `schema`; otherwise an `invalidAnswer` listing every
    /// violation (path and reason). A schema the validator cannot compile is the
    /// request's fault: `.invalidInput` (or `.unsupported`), not an invalid answer.
    public static func validated(_ object: JSON, against schema: JSON, task: String, adapter: String) throws -> JSON {
        let validator: JSONSchemaValidator
        do {
            validator = try JSONSchemaValidator.shared(for: schema)
        } catch {
            throw PlugboardError(error.code, "task \(task): request schema: \(error.message)", adapter: adapter)
        }
        let violations = validator.validate(object)
        guard violations.isEmpty else {
            throw PlugboardError.invalidAnswer(
                "task \(task): the answer does not match the schema:\n" + SchemaViolation.render(violations), adapter: adapter)
        }
        return object
    }

    /// `object(in:)` then `validated(_:against:)` for a request.
    public static func decode(_ text: String, for request: LLMRequest, adapter: String) throws -> JSON {
        try validated(object(in: text, task: request.task, adapter: adapter), against: request.schema, task: request.task, adapter: adapter)
    }

    /// The instruction added to a prompt when the provider is not handed the schema
    /// itself (OpenAI's `json_object` mode, plain text mode).
    public static func schemaInstruction(_ schema: JSON) -> String {
        "Answer with one JSON object only, no prose and no code fence, that matches this JSON Schema:\n" + schema.serialized()
    }

    /// A name for the schema where a provider wants one (OpenAI `json_schema.name`,
    /// an Anthropic tool): the task's letters, digits, `_` and `-`, 1 to 64 of them.
    public static func schemaName(task: String) -> String {
        let kept = task.unicodeScalars.map { s -> Character in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "-") ? Character(s) : "_"
        }
        let name = String(kept.prefix(64))
        return name.isEmpty ? "answer" : name
    }
}

private extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}
