import PlugboardKernel

/// The `workflow` section of adapters.json, typed.
public struct WorkflowSettings: Sendable {
    public var threadingWindowDays: Int
    public var openStatuses: Set<String>
    public var openStatus: String
    public var closedStatus: String
    /// Categories that create a task (MODELISATION by default).
    public var taskCategories: Set<String>
    /// Category → reply template with `{name}`, `{order_number}`, `{order_status}`, `{subject}` placeholders.
    public var templates: [String: String]
    /// Rules first: the classifier over the configured categories (or the built-in sets).
    public var classifier: RuleClassifier
    public var attachments: AttachmentPolicy
    /// Model → (input, output) price per million tokens.
    public var prices: [String: (input: Double, output: Double)]
    /// The prompts sent to the `llm` port: built-in, or the files `prompts` names.
    public var prompts: PromptLibrary
    /// Whether the `llm` personalises each reply draft from the category's template.
    public var llmDrafts: Bool
    /// Proactive tickets from activity signals.
    public var proactive: ProactiveSettings
    /// Follow-up strategies, scores and limits.
    public var followups: FollowUpSettings

    /// The typed `workflow` section. `directory` is the config's folder (prompt files
    /// resolve against it) and `file` the config's name, for messages.
    public init(_ w: [String: JSON] = [:], directory: String = ".", file: String = "adapters.json") throws {
        threadingWindowDays = w["threading_window_days"]?.intValue ?? 14
        openStatuses = Set(w["open_statuses"]?.arrayValue?.compactMap(\.stringValue) ?? ["open", "en cours", "new", "pending"])
        openStatus = w["open_status"]?.stringValue ?? "en cours"
        closedStatus = w["closed_status"]?.stringValue ?? "fermé"
        openStatuses.insert(openStatus)
        var tasks: Set<String> = ["MODELISATION"]
        var templates = WorkflowSettings.defaultTemplates
        var categories = RuleCategories.workflowDefault
        if let cats = w["categories"], case .object(let o) = cats {
            tasks = []
            for (name, spec) in o {
                if spec["task"]?.boolValue == true { tasks.insert(name) }
                if let t = spec["template"]?.stringValue { templates[name] = t }
            }
            categories = try RuleCategories.parse(cats, at: "workflow.categories")
        }
        taskCategories = tasks
        self.templates = templates
        classifier = RuleClassifier(categories: categories)
        attachments = AttachmentPolicy(w["attachments"])
        var prices: [String: (Double, Double)] = [:]
        for (model, p) in w["prices"]?.objectValue ?? [:] {
            prices[model] = (p["input_per_mtok"]?.doubleValue ?? 0, p["output_per_mtok"]?.doubleValue ?? 0)
        }
        self.prices = prices
        prompts = try PromptLibrary(overrides: w["prompts"], directory: directory, file: file)
        llmDrafts = w["llm_drafts"]?.boolValue ?? true
        proactive = ProactiveSettings(w["proactive"])
        followups = try FollowUpSettings(w["followups"])
    }

    /// The cost of a call at the configured price of its model, nil without a price.
    public func cost(_ r: LLMResponse) -> Double? {
        guard let p = prices[r.model] else { return nil }
        return Double(r.inputTokens) / 1e6 * p.input + Double(r.outputTokens) / 1e6 * p.output
    }

    static let defaultTemplates: [String: String] = [
        "late_delivery": "Bonjour {name},\n\nNous sommes désolés du retard de votre commande {order_number}. Son statut actuel : {order_status}. Nous revenons vers vous dès que le transporteur nous répond.\n\nL'équipe support",
        "refund": "Bonjour {name},\n\nNous avons bien reçu votre demande de remboursement pour la commande {order_number} ({order_status}). Elle est en cours de traitement.\n\nL'équipe support",
        "defective_product": "Bonjour {name},\n\nNous sommes navrés que le produit de la commande {order_number} soit défectueux. Nous vous envoyons une étiquette de retour pour un échange.\n\nL'équipe support",
        "order_information": "Bonjour {name},\n\nVoici les informations sur votre commande {order_number} : {order_status}.\n\nL'équipe support",
        "SUPPORT": "Bonjour {name},\n\nMerci pour votre message « {subject} ». Notre équipe support l'examine et vous répond rapidement.\n\nL'équipe support",
        "MODELISATION": "Bonjour {name},\n\nMerci pour votre demande de modélisation « {subject} ». Un membre de l'équipe projet la prend en charge.\n\nL'équipe projet",
        "unclassified": "Bonjour {name},\n\nMerci pour votre message « {subject} ». Nous revenons vers vous rapidement.\n\nL'équipe support",
    ]
}

/// Which attachment URLs may be fetched, and how much.
public struct AttachmentPolicy: Sendable, Hashable {
    /// Hosts (exact, or `.example.com` for subdomains); empty means any public host.
    public var allowedHosts: [String]
    /// Loopback, private and link-local addresses are refused unless this is true.
    public var allowPrivate: Bool
    public var maxBytes: Int

    public init(_ j: JSON?) {
        allowedHosts = j?["allowed_hosts"]?.arrayValue?.compactMap(\.stringValue) ?? []
        allowPrivate = j?["allow_private"]?.boolValue ?? false
        maxBytes = j?["max_bytes"]?.intValue ?? 10 * 1024 * 1024
    }
}
