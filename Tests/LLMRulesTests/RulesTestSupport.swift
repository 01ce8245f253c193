import LLMRules
import PlugboardKernel

/// Schemas the workflow would send, and a shortcut to call the model.
enum Schemas {
    static let classify: JSON = [
        "type": "object",
        "required": ["category", "confidence", "ambiguous", "matched"],
        "additionalProperties": false,
        "properties": [
            "category": ["enum": ["late_delivery", "refund", "defective_product", "order_information", "unclassified"]],
            "confidence": ["type": "number", "minimum": 0, "maximum": 1],
            "ambiguous": ["type": "boolean"],
            "matched": ["type": "array", "items": ["type": "string"]],
        ],
    ]

    static let analyse: JSON = [
        "type": "object",
        "required": ["sentiment", "category", "urgency", "summary", "order_number"],
        "additionalProperties": false,
        "properties": [
            "sentiment": ["enum": ["positive", "neutral", "negative"]],
            "category": ["type": "string"],
            "urgency": ["enum": ["low", "medium", "high"]],
            "summary": ["type": "string", "maxLength": 120],
            "order_number": ["type": ["string", "null"]],
        ],
    ]

    static let reply: JSON = [
        "type": "object", "required": ["reply"],
        "properties": ["reply": ["type": "string", "minLength": 1], "subject": ["type": "string"]],
    ]
}

extension RulesLanguageModel {
    /// The answer's object for `task` on `prompt`.
    func answer(_ task: String, _ prompt: String, schema: JSON) async throws -> JSON {
        try await generate(LLMRequest(task: task, prompt: prompt, schema: schema)).object
    }

    func classify(_ text: String) async throws -> JSON { try await answer("classify", text, schema: Schemas.classify) }
    func analyse(_ text: String) async throws -> JSON { try await answer("analyse", text, schema: Schemas.analyse) }
}
