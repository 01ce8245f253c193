import PlugboardKernel

/// The `fallback` language model: an ordered chain of models, e.g. anthropic, then
/// openai, then rules. Each request goes to the first link; when it fails, to the next.
///
/// - An unusable answer (`PlugboardError.isInvalidAnswer`: prose, broken JSON, a schema
///   violation) gets one repair attempt on the same link: the request again, with the
///   problems the validator found appended (the `repair` prompt). If the repair fails
///   too, the chain moves on.
/// - Any other failure moves on at once: a refusal, a context too long for that model,
///   a bad key, and rate limits or outages that outlasted the link's own retries.
/// - Each link is built through the registry from its nested section and wrapped in its
///   own policy layer (`CallPolicy(settings:)`: its `retry`, its `rate_limit`), so
///   retries happen per link and never stack; the chain itself declares
///   `nested_policies`, so its outer layer only measures and logs.
/// - Put `rules` last: it needs no network and always answers.
///
/// When every link fails, the error lists each link's failure; it is retryable when any
/// of them was (a later attempt may find a provider back).
public struct FallbackLanguageModel: LanguageModel {
    /// One model of the chain, already under its policy layer.
    public struct Link: Sendable {
        /// For logs and errors: the adapter name and where it is configured (`openai (llm.chain[1])`).
        public var name: String
        public var model: any LanguageModel
        public init(name: String, model: any LanguageModel) { self.name = name; self.model = model }
    }

    public let links: [Link]
    /// Whether an invalid answer gets its one repair attempt.
    public let repairs: Bool
    let logger: Logger
    let prompts = PromptLibrary()

    public init(links: [Link], repairs: Bool = true, logger: Logger = Logger(label: "plugboard.llm.fallback")) {
        self.links = links
        self.repairs = repairs
        self.logger = logger
    }

    public func generate(_ request: LLMRequest) async throws -> LLMResponse {
        let started = ContinuousClock.now
        var failures: [(link: String, error: PlugboardError)] = []
        for (i, link) in links.enumerated() {
            do {
                var response = try await attempt(link, request)
                response.latency = ContinuousClock.now - started
                if !failures.isEmpty {
                    logger.info("answered by a later link of the chain", ["task": request.task, "link": link.name, "position": String(i + 1)])
                }
                return response
            } catch {
                if Task.isCancelled { throw error }
                let e = PlugboardError.wrap(error, adapter: link.name)
                failures.append((link.name, e))
                if i + 1 < links.count {
                    logger.warning("link failed; trying the next", ["task": request.task, "link": link.name,
                                                                   "code": e.code.description, "next": links[i + 1].name])
                }
            }
        }
        throw FallbackLanguageModel.exhausted(failures)
    }

    /// One link: the request, and when the answer is unusable, one repair.
    private func attempt(_ link: Link, _ request: LLMRequest) async throws -> LLMResponse {
        do {
            return try await link.model.generate(request)
        } catch let e as PlugboardError where e.isInvalidAnswer && repairs && !Task.isCancelled {
            logger.info("invalid answer; asking once for a repair", ["task": request.task, "link": link.name])
            return try await link.model.generate(repairRequest(request, problems: e.message))
        }
    }

    /// The request again, with what was wrong: the same system text and schema, the
    /// prompt followed by the problems (the `repair` template).
    func repairRequest(_ request: LLMRequest, problems: String) -> LLMRequest {
        var repaired = request
        repaired.prompt = prompts.render("repair", ["prompt": request.prompt, "problems": problems])
        return repaired
    }

    static func exhausted(_ failures: [(link: String, error: PlugboardError)]) -> PlugboardError {
        guard let last = failures.last?.error else {
            return PlugboardError(.invalidConfiguration, "the fallback chain has no links", adapter: "fallback")
        }
        let lines = failures.enumerated().map { i, f in "\(i + 1). \(f.link): \(f.error.code): \(f.error.message)" }
        let retryable = failures.contains { $0.error.isRetryable }
        let after = failures.compactMap(\.error.retryAfter).min()
        return PlugboardError(last.code, "every model of the chain failed:\n" + lines.joined(separator: "\n"),
                              adapter: "fallback", cause: last.cause, retryable: retryable, retryAfter: after)
    }
}
