import Foundation
import PlugboardKernel

/// Responses shaped as OpenAI's and Mistral's references describe them (tests check
/// them against the published response schemas, so the fakes cannot drift).
enum ChatCompletionsFake {
    /// A `chat.completion` (OpenAI's `CreateChatCompletionResponse`).
    static func completion(_ content: JSON, finish: String = "stop", refusal: String? = nil,
                           model: String = "gpt-4o-mini-2024-07-18", prompt: Int = 57, completion: Int = 17) -> JSON {
        [
            "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "object": "chat.completion", "created": 1_741_569_952,
            "model": .string(model), "system_fingerprint": "fp_06737a9306", "service_tier": "default",
            "choices": [[
                "index": 0,
                "message": ["role": "assistant", "content": content, "refusal": refusal.map(JSON.string) ?? .null,
                            "annotations": []],
                "logprobs": .null, "finish_reason": .string(finish),
            ]],
            "usage": [
                "prompt_tokens": JSON(prompt), "completion_tokens": JSON(completion), "total_tokens": JSON(prompt + completion),
                "prompt_tokens_details": ["cached_tokens": 0, "audio_tokens": 0],
                "completion_tokens_details": ["reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0,
                                              "rejected_prediction_tokens": 0],
            ],
        ]
    }

    static func ok(_ content: JSON, finish: String = "stop", refusal: String? = nil, prompt: Int = 57, completion: Int = 17) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["x-request-id": "req_123"],
                     json: self.completion(content, finish: finish, refusal: refusal, prompt: prompt, completion: completion))
    }

    /// A Mistral completion (`ChatCompletionResponse`; `content` may be chunks).
    static func mistral(_ content: JSON, finish: String = "stop") -> HTTPResponse {
        HTTPResponse(status: 200, json: [
            "id": "cmpl-e5cc70bb28c444948073e77776eb30ef", "object": "chat.completion", "model": "mistral-small-latest",
            "created": 1_702_256_327,
            "usage": ["prompt_tokens": 16, "completion_tokens": 34, "total_tokens": 50],
            "choices": [["index": 0, "message": ["role": "assistant", "content": content, "tool_calls": .null],
                         "finish_reason": .string(finish)]],
        ])
    }

    /// OpenAI's `ErrorResponse`.
    static func errorBody(_ message: String, type: String, code: String?, param: String? = nil) -> JSON {
        ["error": ["message": .string(message), "type": .string(type), "param": param.map(JSON.string) ?? .null,
                   "code": code.map(JSON.string) ?? .null]]
    }

    static func error(_ status: Int, _ message: String, type: String, code: String? = nil, param: String? = nil,
                      headers: HTTPHeaders = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, json: errorBody(message, type: type, code: code, param: param))
    }

    /// Mistral's 422 `HTTPValidationError`.
    static func mistralValidation(_ loc: [String], _ msg: String) -> HTTPResponse {
        HTTPResponse(status: 422, json: ["detail": [["loc": .array(loc.map(JSON.string)), "msg": .string(msg), "type": "value_error"]]])
    }

    /// The body a request carried.
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
                                prompt: "Analyse this.\n<ticket>\nMon colis n'est jamais arrivé, c'est urgent.\n</ticket>",
                                schema: analyseSchema, maxOutputTokens: 256)

let goodAnswer: JSON = ["sentiment": "negative", "urgency": "high", "summary": "Parcel never arrived; urgent."]
