extension PlugboardError {
    /// The `cause` of an answer a language model gave that cannot be used: prose
    /// instead of JSON, or JSON that breaks the request's schema. Not retried by the
    /// policy layer (the same request tends to give the same answer); a fallback
    /// chain asks the same model once for a repair, then moves on.
    public static let invalidAnswerCause = "invalid answer"

    /// The `cause` of a refusal (a safety or content-policy stop). Not retried; a
    /// fallback chain moves on to its next model.
    public static let refusalCause = "refusal"

    /// An unusable answer. `message` says what is wrong in terms a model can act on
    /// (the fallback chain sends it back in the repair prompt), never the answer itself.
    public static func invalidAnswer(_ message: String, adapter: String? = nil) -> PlugboardError {
        PlugboardError(.unavailable, message, adapter: adapter, cause: invalidAnswerCause, retryable: false)
    }

    /// The provider declined to answer (safety filter, content policy, blocked prompt).
    public static func refusal(_ message: String, adapter: String? = nil) -> PlugboardError {
        PlugboardError(.permissionDenied, message, adapter: adapter, cause: refusalCause, retryable: false)
    }

    /// Whether this is an unusable answer (see `invalidAnswer`).
    public var isInvalidAnswer: Bool { cause == Self.invalidAnswerCause }

    /// Whether this is a refusal (see `refusal`).
    public var isRefusal: Bool { cause == Self.refusalCause }
}

extension PlugboardError {
    /// The error for an LLM vendor's HTTP error status: the kernel's HTTP table
    /// (`init(httpStatus:)`), plus what every vendor shares:
    ///
    /// - 529 or an "overloaded" error (Anthropic's `overloaded_error`, Gemini's and
    ///   OpenAI's "model is overloaded" 503s) → `.rateLimited`, retryable, after
    ///   `Retry-After` when sent;
    /// - `retry-after-ms` (OpenAI) gives a finer `retryAfter` for rate limits;
    /// - a context too long for the model (400, 413 or 422 whose message says so) →
    ///   `.invalidInput`, never retried: the same prompt will not fit next time.
    ///
    /// `message` is the server's own message (never a secret); `errorType` its error
    /// type or code, when the body has one.
    public init(llmStatus status: Int, operation: String, message serverMessage: String, errorType: String?,
                adapter: String, headers: HTTPHeaders) {
        let shown = serverMessage.count > 400 ? String(serverMessage.prefix(397)) + "..." : serverMessage
        let typed = errorType.map { " (\($0))" } ?? ""
        self.init(httpStatus: status, message: "\(operation): HTTP \(status)\(typed): \(shown)", adapter: adapter, headers: headers)
        let text = (serverMessage + " " + (errorType ?? "")).lowercased()
        if status == 529 || (status >= 500 || status == 429) && text.contains("overloaded") {
            code = .rateLimited
            isRetryable = true
            if retryAfter == nil, let v = headers["Retry-After"] { retryAfter = PlugboardError.retryAfter(v) }
        }
        if code == .rateLimited, let v = headers["retry-after-ms"], let ms = Double(v), ms.isFinite, ms >= 0 {
            retryAfter = .milliseconds(Int64(ms.rounded()))
        }
        if [400, 413, 422].contains(status), status == 413 || PlugboardError.saysContextTooLong(text) {
            code = .invalidInput
            isRetryable = false
            message = "\(operation): context too long for the model: HTTP \(status)\(typed): \(shown)"
        }
    }

    /// Whether a vendor's error text says the prompt does not fit the model's context.
    static func saysContextTooLong(_ lowercased: String) -> Bool {
        ["context_length_exceeded", "maximum context length", "context length", "context window", "prompt is too long",
         "too many tokens", "exceeds the maximum number of tokens", "input token count", "request_too_large",
         "too large for model"].contains { lowercased.contains($0) }
    }
}
