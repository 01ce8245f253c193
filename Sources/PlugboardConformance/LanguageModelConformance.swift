import PlugboardKernel

/// What a scripted backend answers to every request of one case (a harness that can
/// script renders it in its vendor's own wire shapes).
public enum ScriptedAnswer: Sendable, Hashable {
    /// A successful answer whose content is `object` (valid or not against the request's
    /// schema), with the provider's token counts.
    case object(JSON, inputTokens: Int, outputTokens: Int)
    /// A refusal or safety stop, as the vendor signals it.
    case refusal
    /// HTTP 429 with the vendor's retry hint (`Retry-After`, Gemini's `RetryInfo`) of `seconds`.
    case rateLimited(seconds: Int)
    /// The vendor's "prompt over the model's context" error.
    case contextTooLong
}

/// A model under test and what its backend saw.
public struct OpenedLanguageModel: Sendable {
    public var model: any LanguageModel
    /// The number of requests each backend behind the model has received so far (one
    /// entry per backend: a fallback chain has several). Empty when the harness cannot count.
    public var requestsSeen: @Sendable () -> [Int]
    public init(model: any LanguageModel, requestsSeen: @escaping @Sendable () -> [Int] = { [] }) {
        self.model = model; self.requestsSeen = requestsSeen
    }
}

/// Opens language models for the llm conformance suite.
public protocol LanguageModelHarness: Sendable {
    /// What the harness can do; a case needing more is not in `cases(for:)`, and fails when run.
    var capabilities: Set<LanguageModelConformance.Capability> { get }
    /// A model over a fresh backend. With `script`, the backend answers it to every request
    /// (harnesses with `.scripted` only); without, it answers each request validly
    /// (a fake answers `LanguageModelConformance.validAnswer`).
    func open(script: ScriptedAnswer?) async throws -> OpenedLanguageModel
}

/// The `llm` port's conformance suite: every llm adapter runs these cases unchanged
/// (`@Test(arguments: LanguageModelConformance.cases(for: harness))`) and asserts which
/// case names that list holds, so a case its harness cannot run is never counted.
public enum LanguageModelConformance {
    public enum Capability: String, Sendable, Hashable, CaseIterable {
        /// The backend's answers can be scripted (`ScriptedAnswer`) and its requests counted.
        case scripted
    }

    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        /// What the harness must be able to do for this case.
        public let requires: Set<Capability>
        let body: @Sendable (any LanguageModelHarness, Checker) async throws -> Void
        public var description: String { name }

        init(_ name: String, requires: Set<Capability> = [],
             _ body: @escaping @Sendable (any LanguageModelHarness, Checker) async throws -> Void) {
            self.name = name; self.requires = requires; self.body = body
        }

        public func run(_ harness: any LanguageModelHarness) async throws {
            let c = Checker(check: name, suite: "LanguageModelConformance")
            let missing = requires.subtracting(harness.capabilities)
            // A case the harness cannot run fails instead of passing without checking anything.
            try c.expect(missing.isEmpty, "the harness lacks \(missing.map(\.rawValue).sorted()); leave this case out (cases(for:))")
            try await body(harness, c)
        }
    }

    /// The schema of every case: enums, a bounded string, all fields required, nothing else.
    public static let schema: JSON = [
        "type": "object", "required": ["sentiment", "category", "urgency", "summary"], "additionalProperties": false,
        "properties": [
            "sentiment": ["enum": ["positive", "neutral", "negative"]],
            "category": ["enum": ["late_delivery", "refund", "defective_product", "order_information", "unclassified"]],
            "urgency": ["enum": ["low", "medium", "high"]],
            "summary": ["type": "string", "minLength": 1, "maxLength": 300],
        ],
    ]

    /// The answer a fake backend gives when not scripted: valid against `schema`, not ASCII.
    public static let validAnswer: JSON = [
        "sentiment": "negative", "category": "late_delivery", "urgency": "high",
        "summary": "Colis 📦 jamais arrivé après trois semaines.",
    ]

    /// A request of the suite: the `analyse` task, the ticket between `<ticket>` tags.
    public static func request(_ ticket: String) -> LLMRequest {
        LLMRequest(task: "analyse", system: "You work in customer support. Answer with JSON only.",
                   prompt: "Analyse this customer message.\n<ticket>\n\(ticket)\n</ticket>", schema: schema, maxOutputTokens: 300)
    }

    static let ticket = "My order 12345 has not arrived after three weeks, this is unacceptable! I want a refund."

    /// The cases `harness` can run; its test asserts their names.
    public static func cases(for harness: any LanguageModelHarness) -> [Case] {
        cases.filter { $0.requires.isSubset(of: harness.capabilities) }
    }

    /// Names of the cases that need no capability.
    public static var genericCaseNames: [String] { cases.filter(\.requires.isEmpty).map(\.name) }

    /// Every case.
    public static let cases: [Case] = [
        // MARK: generic
        Case("a structured request returns an object valid against the schema") { h, c in
            let r = try await h.open(script: nil).model.generate(request(ticket))
            try checkValid(r.object, c)
        },
        Case("provider and model are named, token counts are not negative") { h, c in
            let r = try await h.open(script: nil).model.generate(request(ticket))
            try c.expect(!r.provider.isEmpty, "provider is empty")
            try c.expect(!r.model.isEmpty, "model is empty")
            try c.expect(r.inputTokens >= 0, "inputTokens \(r.inputTokens) < 0")
            try c.expect(r.outputTokens >= 0, "outputTokens \(r.outputTokens) < 0")
            try c.expect(r.latency >= .zero, "latency \(r.latency) < 0")
        },
        Case("a Unicode prompt (French, emoji) works") { h, c in
            let text = "Bonjour, ma commande n°12345 n’est toujours pas arrivée 😡📦 ! « Inadmissible », je veux être remboursée. Été — 日本語"
            let r = try await h.open(script: nil).model.generate(request(text))
            try checkValid(r.object, c)
        },
        Case("20 concurrent calls all succeed") { h, c in
            let model = try await h.open(script: nil).model
            let objects = try await withThrowingTaskGroup(of: JSON.self) { group in
                for i in 0..<20 { group.addTask { try await model.generate(request("\(ticket) (#\(i))")).object } }
                var all: [JSON] = []
                for try await o in group { all.append(o) }
                return all
            }
            try c.equal(objects.count, 20, "answers")
            for o in objects { try checkValid(o, c) }
        },

        // MARK: scripted
        Case("an answer that breaks the schema is invalidAnswer", requires: [.scripted]) { h, c in
            let broken: JSON = ["sentiment": "furious", "category": "late_delivery", "summary": "x"]
            let m = try await h.open(script: .object(broken, inputTokens: 10, outputTokens: 5))
            let e = try await failure(m.model, c)
            try c.expect(e.isInvalidAnswer, "expected invalidAnswer, got \(e.code) cause \(e.cause ?? "nil"): \(e.message)")
            try c.expect(!e.isRetryable, "an invalid answer is not retryable")
        },
        Case("a refusal or safety stop is refusal", requires: [.scripted]) { h, c in
            let m = try await h.open(script: .refusal)
            let e = try await failure(m.model, c)
            try c.expect(e.isRefusal, "expected refusal, got \(e.code) cause \(e.cause ?? "nil"): \(e.message)")
            try c.equal(e.code, .permissionDenied, "code of a refusal")
            try c.expect(!e.isRetryable, "a refusal is not retryable")
        },
        Case("HTTP 429 is rateLimited with retryAfter, and the adapter does not retry", requires: [.scripted]) { h, c in
            let m = try await h.open(script: .rateLimited(seconds: 7))
            let e = try await failure(m.model, c)
            try c.equal(e.code, .rateLimited, "code of a 429")
            try c.expect(e.isRetryable, "a rate limit is retryable")
            try c.equal(e.retryAfter, .seconds(7), "retryAfter of a 429 asking for 7 s")
            let seen = m.requestsSeen()
            try c.expect(!seen.isEmpty && seen.allSatisfy { $0 == 1 }, "each backend saw exactly one request, saw \(seen)")
        },
        Case("a prompt over the context is invalidInput, not retryable", requires: [.scripted]) { h, c in
            let m = try await h.open(script: .contextTooLong)
            let e = try await failure(m.model, c)
            try c.equal(e.code, .invalidInput, "code of a context overflow")
            try c.expect(!e.isRetryable, "a context overflow is not retryable")
            let seen = m.requestsSeen()
            try c.expect(!seen.isEmpty && seen.allSatisfy { $0 == 1 }, "each backend saw exactly one request, saw \(seen)")
        },
        Case("the provider's token counts are reported as given", requires: [.scripted]) { h, c in
            let m = try await h.open(script: .object(validAnswer, inputTokens: 1234, outputTokens: 56))
            let r = try await m.model.generate(request(ticket))
            try c.equal(r.object, validAnswer, "the scripted answer")
            try c.equal(r.inputTokens, 1234, "inputTokens")
            try c.equal(r.outputTokens, 56, "outputTokens")
        },
    ]

    static func checkValid(_ object: JSON, _ c: Checker, line: Int = #line) throws {
        let violations = try JSONSchemaValidator.shared(for: schema).validate(object)
        try c.expect(violations.isEmpty, "the answer breaks the schema:\n" + SchemaViolation.render(violations), line: line)
    }

    /// The PlugboardError a request fails with; a failure when it succeeds or throws something else.
    static func failure(_ model: any LanguageModel, _ c: Checker, line: Int = #line) async throws -> PlugboardError {
        do {
            let r = try await model.generate(request(ticket))
            throw c.failure("expected an error, got the answer \(r.object.serialized())", line: line)
        } catch let e as PlugboardError {
            return e
        }
    }
}
