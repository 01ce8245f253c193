import PlugboardKernel

/// `plugboard doctor`: `GET /models/{model}` (the Gemini API's model metadata), not a
/// (paid) generation: checks the key and that the model exists.
extension GeminiLanguageModel: HealthChecking {
    public func check() async -> HealthCheck {
        let c = configuration
        let host = URLParts.authority(of: c.baseURL)
        let e: PlugboardError
        do {
            let r = try await transport.send(HTTPRequest(method: .get, url: c.baseURL + "/models/" + URIEncoding.encode(c.model),
                                                         headers: headers, timeout: c.timeout))
            if r.isSuccess {
                let methods = (try? r.json())?["supportedGenerationMethods"]?.arrayValue?.compactMap(\.stringValue)
                if let methods, !methods.contains("generateContent") {
                    return .failed("model \(c.model) at \(host) does not support generateContent",
                                   hint: "set llm.model to a model that generates text")
                }
                return .passed("GET /models/\(c.model) at \(host): key accepted; model \(c.model) exists")
            }
            if r.status == 404 {
                return .failed("model \(c.model) does not exist at \(host)", hint: "set llm.model to a model of GET /models")
            }
            e = mapError(r)
        } catch {
            e = PlugboardError.wrap(error, adapter: Self.provider)
        }
        // Google answers a bad key with 400 INVALID_ARGUMENT "API key not valid".
        if e.code == .unauthenticated || e.message.lowercased().contains("api key") {
            return .failed(e.message, hint: "key rejected: set llm.api_key or GEMINI_API_KEY")
        }
        return .failed(e, hints: [
            .permissionDenied: "the key may not use this model or API: enable the Generative Language API",
            .rateLimited: "rate limited or out of quota: check the project's limits",
        ], otherwise: "is the API reachable at \(host)? check llm.base_url")
    }
}
