import PlugboardKernel

/// `plugboard doctor`: the model endpoint, not a (paid) completion. `GET /models/{model}`
/// (OpenAI, Mistral, Ollama); where a server lacks that route (vLLM, llama.cpp), the
/// model is looked up in `GET /models`. Either checks the key and that the model exists.
extension OpenAILanguageModel: HealthChecking {
    public func check() async -> HealthCheck {
        let c = configuration
        let host = URLParts.authority(of: c.baseURL)
        do {
            let one = try await transport.send(HTTPRequest(method: .get, url: c.baseURL + "/models/" + URIEncoding.encode(c.model),
                                                           headers: headers, timeout: c.timeout))
            if one.isSuccess { return .passed("GET /models/\(c.model) at \(host): key accepted; model \(c.model) exists") }
            guard one.status == 404 else { return failure(mapError(one), host: host) }
            let all = try await transport.send(HTTPRequest(method: .get, url: c.baseURL + "/models", headers: headers, timeout: c.timeout))
            if all.status == 404 {
                return .passed("reached \(host), which lists no models (GET /models is 404): model \(c.model) not checked")
            }
            guard all.isSuccess else { return failure(mapError(all), host: host) }
            let ids = (try? all.json())?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            if ids.contains(c.model) { return .passed("GET /models at \(host): key accepted; model \(c.model) listed") }
            let shown = ids.prefix(8).joined(separator: ", ") + (ids.count > 8 ? ", …" : "")
            return .failed("model \(c.model) does not exist at \(host)" + (ids.isEmpty ? "" : " (offered: \(shown))"),
                           hint: "set llm.model to a model this endpoint offers")
        } catch {
            return failure(PlugboardError.wrap(error, adapter: Self.provider), host: host)
        }
    }

    private func failure(_ e: PlugboardError, host: String) -> HealthCheck {
        let variable = host == "api.mistral.ai" ? "MISTRAL_API_KEY" : "OPENAI_API_KEY"
        return .failed(e, hints: [
            .unauthenticated: "key rejected: set llm.api_key or \(variable)",
            .permissionDenied: "the key may not use this model or project: check its permissions",
            .rateLimited: "rate limited or out of quota: check the account's billing and limits",
        ], otherwise: "is the endpoint reachable at \(host)? check llm.base_url")
    }
}
