import PlugboardKernel

extension GeminiLanguageModel {
    /// The key every call sends (generation, and the model lookup of `doctor`).
    var headers: HTTPHeaders { ["x-goog-api-key": configuration.apiKey, "Accept": "application/json"] }

    func httpRequest(_ request: LLMRequest) -> HTTPRequest {
        let url = configuration.baseURL + "/models/" + URIEncoding.encode(configuration.model) + ":generateContent"
        return HTTPRequest(method: .post, url: url, headers: headers, json: body(request), timeout: configuration.timeout)
    }

    func body(_ request: LLMRequest) -> JSON {
        var generation: [String: JSON] = [
            "responseMimeType": "application/json",
            "maxOutputTokens": JSON(configuration.maxTokens ?? request.maxOutputTokens),
        ]
        switch configuration.schemaFormat {
        case .openAPI: generation["responseSchema"] = GeminiSchema.openAPI(request.schema)
        case .jsonSchema: generation["responseJsonSchema"] = request.schema
        }
        if let t = configuration.temperature { generation["temperature"] = JSON(t) }
        var body: [String: JSON] = [
            "contents": [["role": "user", "parts": [["text": .string(request.prompt)]]]],
            "generationConfig": .object(generation),
        ]
        if let system = request.system, !system.isEmpty {
            body["systemInstruction"] = ["parts": [["text": .string(system)]]]
        }
        return .object(body)
    }

    /// Finish reasons that mean the answer was withheld for safety or policy.
    static let refusalReasons: Set<String> = [
        "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE",
    ]

    func answer(_ response: HTTPResponse, request: LLMRequest) throws -> (JSON, (input: Int, output: Int), String) {
        let adapter = Self.provider
        let json: JSON
        do {
            json = try response.json()
        } catch {
            throw PlugboardError.invalidAnswer("task \(request.task): the response is not JSON", adapter: adapter)
        }
        let meta = json["usageMetadata"]
        // Thinking tokens are billed as output.
        let usage = (input: meta?["promptTokenCount"]?.intValue ?? 0,
                     output: (meta?["candidatesTokenCount"]?.intValue ?? 0) + (meta?["thoughtsTokenCount"]?.intValue ?? 0))
        let model = json["modelVersion"]?.stringValue ?? configuration.model
        if let blocked = json["promptFeedback"]?["blockReason"]?.stringValue {
            throw PlugboardError.refusal("task \(request.task): the prompt was blocked (\(blocked))", adapter: adapter)
        }
        guard let candidate = json["candidates"]?.arrayValue?.first else {
            throw PlugboardError.invalidAnswer("task \(request.task): the response has no candidates", adapter: adapter)
        }
        let finish = candidate["finishReason"]?.stringValue
        if let finish, Self.refusalReasons.contains(finish) {
            throw PlugboardError.refusal("task \(request.task): the answer was withheld (finishReason \(finish))", adapter: adapter)
        }
        let parts = candidate["content"]?["parts"]?.arrayValue ?? []
        // Thought summaries (`thought: true`) are not the answer.
        let text = parts.filter { $0["thought"]?.boolValue != true }.compactMap { $0["text"]?.stringValue }.joined()
        do {
            return (try LLMAnswer.decode(text, for: request, adapter: adapter), usage, model)
        } catch {
            guard finish == "MAX_TOKENS" else { throw error }
            let limit = configuration.maxTokens ?? request.maxOutputTokens
            throw PlugboardError.invalidAnswer("task \(request.task): the answer was cut off at the output limit (\(limit) tokens): "
                + PlugboardError.wrap(error).message, adapter: adapter)
        }
    }
}
