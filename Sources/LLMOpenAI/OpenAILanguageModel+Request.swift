import PlugboardKernel

extension OpenAILanguageModel {
    /// `POST {base_url}/chat/completions` for one request in one response format.
    /// The bearer key (none for a local server) every call sends (completions, and the model lookups of `doctor`).
    var headers: HTTPHeaders {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let key = configuration.apiKey, !key.isEmpty { headers.add("Authorization", "Bearer \(key)") }
        return headers
    }

    func httpRequest(_ request: LLMRequest, format: ResponseFormat) -> HTTPRequest {
        HTTPRequest(method: .post, url: configuration.baseURL + "/chat/completions", headers: headers,
                           json: body(request, format: format), timeout: configuration.timeout)
    }

    /// The request body: only fields both OpenAI's and Mistral's published request
    /// schemas define (tests validate it against both), never a `null`.
    func body(_ request: LLMRequest, format: ResponseFormat) -> JSON {
        var system = request.system ?? ""
        if format != .jsonSchema {
            // Without `json_schema` the endpoint never sees the schema: the prompt carries it
            // (and `json_object` mode wants the word JSON in the messages).
            system += (system.isEmpty ? "" : "\n\n") + LLMAnswer.schemaInstruction(request.schema)
        }
        var messages: [JSON] = []
        if !system.isEmpty { messages.append(["role": "system", "content": .string(system)]) }
        messages.append(["role": "user", "content": .string(request.prompt)])

        var body: [String: JSON] = [
            "model": .string(configuration.model),
            "messages": .array(messages),
            configuration.maxTokensField: JSON(configuration.maxTokens ?? request.maxOutputTokens),
        ]
        if let t = configuration.temperature { body["temperature"] = JSON(t) }
        switch format {
        case .jsonSchema:
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": [
                    "name": .string(LLMAnswer.schemaName(task: request.task)),
                    "schema": request.schema,
                    "strict": .bool(StrictSchema.qualifies(request.schema)),
                ],
            ]
        case .jsonObject:
            body["response_format"] = ["type": "json_object"]
        case .text:
            break
        }
        return .object(body)
    }

    /// The validated object, the usage and the model that answered, from a 2xx response.
    func answer(_ response: HTTPResponse, request: LLMRequest, format: ResponseFormat) throws -> (JSON, (input: Int, output: Int), String) {
        let adapter = Self.provider
        let json: JSON
        do {
            json = try response.json()
        } catch {
            throw PlugboardError.invalidAnswer("task \(request.task): the endpoint's response is not JSON", adapter: adapter)
        }
        let usage = (input: json["usage"]?["prompt_tokens"]?.intValue ?? 0,
                     output: json["usage"]?["completion_tokens"]?.intValue ?? 0)
        let model = json["model"]?.stringValue ?? configuration.model
        guard let choice = json["choices"]?.arrayValue?.first else {
            throw PlugboardError.invalidAnswer("task \(request.task): the response has no choices", adapter: adapter)
        }
        let message = choice["message"]
        let finish = choice["finish_reason"]?.stringValue
        if let refusal = message?["refusal"]?.stringValue, !refusal.isEmpty {
            throw PlugboardError.refusal("task \(request.task): the model refused: \(refusal.prefix(300))", adapter: adapter)
        }
        if finish == "content_filter" {
            throw PlugboardError.refusal("task \(request.task): the answer was stopped by the content filter", adapter: adapter)
        }
        let text = OpenAILanguageModel.text(of: message?["content"])
        do {
            let object = try LLMAnswer.decode(text, for: request, adapter: adapter)
            return (object, usage, model)
        } catch {
            guard finish == "length" || finish == "model_length" else { throw error }
            throw cutOff(error, request: request)
        }
    }

    /// An unusable answer explained by the output limit: the model ran out of tokens.
    func cutOff(_ error: any Error, request: LLMRequest) -> PlugboardError {
        let limit = configuration.maxTokens ?? request.maxOutputTokens
        return .invalidAnswer("task \(request.task): the answer was cut off at the output limit (\(limit) tokens): "
            + PlugboardError.wrap(error).message, adapter: Self.provider)
    }

    /// The text of a message's `content`: a string, or (Mistral, reasoning models) a list
    /// of chunks whose `text` chunks are joined; thinking chunks are left out.
    static func text(of content: JSON?) -> String {
        switch content {
        case .string(let s)?: return s
        case .array(let chunks)?:
            return chunks.compactMap { c -> String? in
                guard c["type"]?.stringValue ?? "text" == "text" else { return nil }
                return c["text"]?.stringValue
            }.joined()
        default: return ""
        }
    }
}

/// OpenAI's strict Structured Outputs accept only schemas where every object lists
/// all its properties in `required` and sets `additionalProperties: false`, with a
/// limited set of keywords. Such a schema is sent with `strict: true`; any other is
/// sent with `strict: false` (best effort) rather than rewritten, because a rewrite
/// would change what the local validation accepts.
enum StrictSchema {
    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf", "description",
        "title", "$defs", "$ref", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minItems", "maxItems", "pattern", "format",
    ]

    static func qualifies(_ schema: JSON) -> Bool {
        guard case .object(let o) = schema else { return false }
        guard o.keys.allSatisfy(keywords.contains) else { return false }
        if let props = o["properties"]?.objectValue {
            let required = Set(o["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            guard required == Set(props.keys), o["additionalProperties"] == .bool(false) else { return false }
            guard props.values.allSatisfy(qualifies) else { return false }
        } else if o["type"]?.stringValue == "object" {
            guard o["additionalProperties"] == .bool(false) else { return false }
        }
        if let items = o["items"], !qualifies(items) { return false }
        if let any = o["anyOf"]?.arrayValue, !any.allSatisfy(qualifies) { return false }
        if let defs = o["$defs"]?.objectValue, !defs.values.allSatisfy(qualifies) { return false }
        return true
    }
}
