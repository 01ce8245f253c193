import PlugboardKernel

/// The `rules` language model: deterministic keyword rules from the kernel's
/// `RuleClassifier`, no network, no account. It is the embedded default and the
/// last link of a fallback chain, so it answers the same tasks as a real model:
///
/// - `classify` → `{category, confidence, ambiguous, matched}`
/// - `analyse` → `{sentiment, category, urgency, summary, order_number}`
/// - `draft_reply` → `{reply, subject}` from a template (see `RulesLanguageModel+Drafting.swift`)
/// - any other task → an object with the schema's required fields filled from the same
///   analysis (`sentiment`, `priority`, `keywords`, ...), or `.unsupported` naming the field
///   it cannot fill.
///
/// ## The prompt
/// The ticket text is read from `request.prompt`: when the prompt is a JSON object,
/// from its `text` field (else `subject` + `description` / `message` / `body`);
/// otherwise from between `<ticket>` and `</ticket>` when present (so the workflow can
/// send one prompt, instructions around the ticket, to every model); otherwise the
/// whole prompt. In a prose prompt, a JSON object between `<data>` and `</data>` gives
/// the variables a JSON prompt would (the `PromptLibrary` templates put them there).
/// `system` is ignored.
///
/// ## The answer
/// The object is shaped to `request.schema`: extra fields are dropped when the schema
/// forbids them, values are mapped onto the schema's `enum` (`negative` → `négatif`,
/// `high` → `haute`, category names case-insensitively), strings cut to `maxLength`,
/// and the result is validated with the kernel's `JSONSchemaValidator` before it is
/// returned. Categories come from the `categories` setting, else from the built-in set
/// whose names best match the schema's `category` enum (e-commerce, or SUPPORT vs
/// MODELISATION), else the e-commerce set. Usage is estimated at four characters per token.
public struct RulesLanguageModel: LanguageModel {
    public static let provider = "rules"
    public static let model = "rules-v1"

    public static let descriptor = AdapterDescriptor(
        port: .llm, name: "rules",
        summary: "Deterministic keyword rules (French and English); no network, no account. The default and the fallback of last resort.",
        fields: [
            ConfigField("categories", .object,
                        "Category name → keywords (`[\"rembours*\", \"refund\"]` or `{\"keywords\": [...], \"task\": true}`); replaces the built-in sets."),
            ConfigField("language", .choice(RuleLanguage.allCases.map(\.rawValue)), default: "auto",
                        "Built-in word lists to use: fr, en, or auto (both)."),
        ],
        capabilities: ["deterministic", "offline"])

    public static let registryEntry = Registry.Entry(descriptor, .llm { settings, _ in
        try RulesLanguageModel(settings: settings)
    })

    /// The classifiers a request may use, in order of preference.
    let classifiers: [RuleClassifier]
    public let language: RuleLanguage
    /// The workflow asks about one request several times in a row (analyse, then draft a
    /// reply): the analysis of its text is kept for the next question.
    let recent = RecentAnalyses()

    /// `categories` replaces the built-in sets; nil uses them (chosen per request by the schema).
    public init(categories: RuleCategories? = nil, language: RuleLanguage = .auto) {
        self.language = language
        if let categories {
            classifiers = [RuleClassifier(categories: categories, language: language)]
        } else {
            classifiers = [
                RuleClassifier(categories: .ecommerce(language), language: language),
                RuleClassifier(categories: .supportModelling(language), language: language),
            ]
        }
    }

    /// Builds the adapter from validated settings (`categories`, `language`).
    public init(settings: AdapterSettings) throws {
        var language = RuleLanguage.auto
        if let name = settings.string("language") {
            guard let l = RuleLanguage(rawValue: name) else { throw settings.error("language", "expected one of fr, en, auto, got \"\(name)\"") }
            language = l
        }
        var categories: RuleCategories?
        if let json = settings.values["categories"] {
            do {
                categories = try RuleCategories.parse(json, at: "\(settings.file): \(settings.path).categories")
            } catch {
                throw PlugboardError(error.code, error.message, adapter: settings.adapter)
            }
        }
        self.init(categories: categories, language: language)
    }

    public func generate(_ request: LLMRequest) async throws -> LLMResponse {
        let clock = ContinuousClock()
        let started = clock.now
        let validator: JSONSchemaValidator
        do {
            validator = try JSONSchemaValidator.shared(for: request.schema)
        } catch {
            throw PlugboardError(error.code, "task \(request.task): request schema: \(error.message)", adapter: Self.provider)
        }
        let input = TicketInput(prompt: request.prompt)
        let shape = SchemaShape(request.schema)
        let chosen = chooseClassifierIndex(for: shape.enumValues(of: "category"))
        let classifier = classifiers[chosen]
        let analysis = recent.analysis(of: input.text, classifier: chosen) { classifier.analyse($0) }
        var facts = Self.facts(analysis)

        let preferred: [String: JSON]
        switch request.task {
        case "classify":
            preferred = analysis.classification.json.objectValue!
        case "analyse", "analyze":
            preferred = analysis.json.objectValue!
        case "draft_reply":
            let draft = try Drafting.draft(input, analysis: analysis, language: language)
            facts.merge(draft) { _, new in new }
            preferred = draft
        default:
            preferred = [:]
        }
        let object = try shape.fit(preferred: preferred, facts: facts, task: request.task)
        let violations = validator.validate(object)
        guard violations.isEmpty else {
            throw PlugboardError(.unsupported, "task \(request.task): the rules cannot produce an answer matching the schema:\n"
                + SchemaViolation.render(violations), adapter: Self.provider)
        }
        // Scalars, not Characters: the estimate is the same for text, without grapheme breaking long prompts.
        let inputCharacters = request.prompt.unicodeScalars.count + (request.system?.unicodeScalars.count ?? 0)
        let outputCharacters = object.serialized().unicodeScalars.count
        return LLMResponse(object: object, inputTokens: (inputCharacters + 3) / 4, outputTokens: (outputCharacters + 3) / 4,
                           latency: clock.now - started, provider: Self.provider, model: Self.model)
    }

    /// The classifier whose categories cover most of the schema's allowed categories
    /// (the first one when the schema does not say).
    func chooseClassifier(for allowed: [String]?) -> RuleClassifier { classifiers[chooseClassifierIndex(for: allowed)] }

    /// The position in `classifiers` of `chooseClassifier`'s choice.
    func chooseClassifierIndex(for allowed: [String]?) -> Int {
        guard let allowed, !allowed.isEmpty, classifiers.count > 1 else { return 0 }
        let wanted = Set(allowed.map { $0.lowercased() })
        func overlap(_ c: RuleClassifier) -> Int {
            Set((c.categories.names + [c.categories.fallback]).map { $0.lowercased() }).intersection(wanted).count
        }
        return classifiers.indices.max { overlap(classifiers[$0]) < overlap(classifiers[$1]) }!
    }

    /// Every value the rules know, under the names the tasks use.
    static func facts(_ a: TicketAnalysis) -> [String: JSON] {
        var f = a.json.objectValue!
        f.merge(a.classification.json.objectValue!) { old, _ in old }
        f["language"] = .string(a.language)
        f["creates_task"] = .bool(a.classification.createsTask)
        f["urgency_cues"] = .array(a.urgencyCues.map(JSON.string))
        f["sentiment_score"] = JSON(a.sentimentScore)
        return f
    }
}
