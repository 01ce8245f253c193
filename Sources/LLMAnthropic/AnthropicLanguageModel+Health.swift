import PlugboardKernel

/// `plugboard doctor`: `GET /v1/models/{model}` (Anthropic's Models API), not a (paid)
/// message: checks the key and that the model or alias exists.
extension AnthropicLanguageModel: HealthChecking {
    public func check() async -> HealthCheck {
        let c = configuration
        let host = URLParts.authority(of: c.baseURL)
        let e: PlugboardError
        do {
            let r = try await transport.send(HTTPRequest(method: .get, url: c.baseURL + "/v1/models/" + URIEncoding.encode(c.model),
                                                         headers: headers, timeout: c.timeout))
            if r.isSuccess {
                let id = (try? r.json())?["id"]?.stringValue ?? c.model
                return .passed("GET /v1/models/\(c.model) at \(host): key accepted; model \(id) exists")
            }
            if r.status == 404 {
                return .failed("model \(c.model) does not exist at \(host)", hint: "set llm.model to a model or alias of GET /v1/models")
            }
            e = mapError(r)
        } catch {
            e = PlugboardError.wrap(error, adapter: Self.provider)
        }
        return .failed(e, hints: [
            .unauthenticated: "key rejected: set llm.api_key or ANTHROPIC_API_KEY",
            .permissionDenied: "the key may not use this model: check its workspace",
            .rateLimited: "rate limited or out of credit: check the account's limits",
        ], otherwise: "is the API reachable at \(host)? check llm.base_url")
    }
}
