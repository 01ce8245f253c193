import PlugboardKernel

extension AnthropicLanguageModel {
    /// The key and API version every call sends (messages, and the model lookup of `doctor`).
    var headers: HTTPHeaders {
        ["x-api-key": configuration.apiKey, "anthropic-version": Self.apiVersion, "Accept": "application/json"]
    }

    func httpRequest(_ request: LLMRequest, mode: JSONMode) -> HTTPRequest {
        HTTPRequest(method: .post, url: configuration.baseURL + "/v1/messages", headers: headers,
                           json: body(request, mode: mode), timeout: configuration.timeout)
    }

    /// The tool the answer is recorded through, named after the task.
    static func toolName(_ request: LLMRequest) -> String { LLMAnswer.schemaName(task: request.task) }

    func body(_ request: LLMRequest, mode: JSONMode) -> JSON {
        var body: [String: JSON] = [
            "model": .string(configuration.model),
            "max_tokens": JSON(configuration.maxTokens ?? request.maxOutputTokens),
            "messages": [["role": "user", "content": .string(request.prompt)]],
        ]
        if let system = request.system, !system.isEmpty { body["system"] = .string(system) }
        if let t = configuration.temperature { body["temperature"] = JSON(t) }
        switch mode {
        case .tool:
            let name = Self.toolName(request)
            var schema = request.schema
            // A tool's input is always an object; the API wants the root to say so.
            if case .object(var o) = schema, o["type"] == nil { o["type"] = "object"; schema = .object(o) }
            body["tools"] = [[
                "name": .string(name),
                "description": "Record the answer to the request. Call this tool once, with every field the schema requires.",
                "input_schema": schema,
            ]]
            body["tool_choice"] = ["type": "tool", "name": .string(name)]
        case .structuredOutput:
            body["output_config"] = ["format": ["type": "json_schema", "schema": request.schema]]
        }
        return .object(body)
    }

    func answer(_ response: HTTPResponse, request: LLMRequest, mode: JSONMode) throws -> (JSON, (input: Int, output: Int), String) {
        let adapter = Self.provider
        let json: JSON
        do {
            json = try response.json()
        } catch {
            throw PlugboardError.invalidAnswer("task \(request.task): the response is not JSON", adapter: adapter)
        }
        let u = json["usage"]
        // Cache writes and reads are input the model read, billed at their own rates.
        let input = (u?["input_tokens"]?.intValue ?? 0) + (u?["cache_creation_input_tokens"]?.intValue ?? 0)
            + (u?["cache_read_input_tokens"]?.intValue ?? 0)
        let usage = (input: input, output: u?["output_tokens"]?.intValue ?? 0)
        let model = json["model"]?.stringValue ?? configuration.model
        let stop = json["stop_reason"]?.stringValue
        let blocks = json["content"]?.arrayValue ?? []
        let text = blocks.filter { $0["type"]?.stringValue == "text" }.compactMap { $0["text"]?.stringValue }.joined()
        if stop == "refusal" {
            throw PlugboardError.refusal("task \(request.task): the model refused to answer", adapter: adapter)
        }
        do {
            let object: JSON
            if mode == .tool, let call = blocks.first(where: { $0["type"]?.stringValue == "tool_use" }) {
                guard let input = call["input"], case .object = input else {
                    throw PlugboardError.invalidAnswer("task \(request.task): the tool call has no input object", adapter: adapter)
                }
                object = try LLMAnswer.validated(input, against: request.schema, task: request.task, adapter: adapter)
            } else {
                object = try LLMAnswer.decode(text, for: request, adapter: adapter)
            }
            return (object, usage, model)
        } catch {
            guard stop == "max_tokens" else { throw error }
            let limit = configuration.maxTokens ?? request.maxOutputTokens
            throw PlugboardError.invalidAnswer("task \(request.task): the answer was cut off at the output limit (\(limit) tokens): "
                + PlugboardError.wrap(error).message, adapter: adapter)
        }
    }
}
