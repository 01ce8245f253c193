import Foundation
import PlugboardKernel

/// Messages API responses shaped as Anthropic's API reference describes them
/// (`shared/reference/notes/llm-apis.md`): a `message` with content blocks, a
/// `stop_reason` and `usage`; errors as `{"type": "error", "error": {...}, "request_id"}`
/// with a `request-id` header on every response.
enum MessagesFake {
    static func message(_ content: [JSON], stop: String = "end_turn", input: Int = 412, output: Int = 58,
                        cacheRead: Int = 0) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["request-id": "req_011CSHoEeqs5C35K2UUqR7Fy"], json: [
            "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5-20250929", "content": .array(content),
            "stop_reason": .string(stop), "stop_sequence": .null,
            "usage": ["input_tokens": JSON(input), "output_tokens": JSON(output), "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": JSON(cacheRead)],
        ])
    }

    static func toolUse(_ name: String, _ input: JSON) -> JSON {
        ["type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": .string(name), "input": input]
    }

    static func text(_ t: String) -> JSON { ["type": "text", "text": .string(t)] }

    static func error(_ status: Int, _ type: String, _ message: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var h = headers
        h.add("request-id", "req_018EeWyXxfu5pfWkrYcMdjWG")
        return HTTPResponse(status: status, headers: h, json: [
            "type": "error", "error": ["type": .string(type), "message": .string(message)],
            "request_id": "req_018EeWyXxfu5pfWkrYcMdjWG",
        ])
    }

    static func body(_ r: HTTPRequest) -> JSON { (try? JSONParser.parse(r.body)) ?? .null }
}

let analyseSchema: JSON = [
    "type": "object", "required": ["sentiment", "urgency", "summary"],
    "properties": [
        "sentiment": ["enum": ["positive", "neutral", "negative"]],
        "urgency": ["enum": ["low", "medium", "high"]],
        "summary": ["type": "string", "maxLength": 300],
    ],
]

let analyseRequest = LLMRequest(task: "analyse", system: "You work in customer support.",
                                prompt: "<ticket>\nMon colis n'est jamais arrivé, c'est urgent.\n</ticket>",
                                schema: analyseSchema, maxOutputTokens: 300)

let goodAnswer: JSON = ["sentiment": "negative", "urgency": "high", "summary": "Parcel never arrived; urgent."]
