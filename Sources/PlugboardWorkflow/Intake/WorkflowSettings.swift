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
    /// Category → keywords, replacing the built-in sets when given.
    public var categoryKeywords: [String: [String]]?
    public var attachments: AttachmentPolicy
    /// Model → (input, output) price per million tokens.
    public var prices: [String: (input: Double, output: Double)]

    public init(_ w: [String: JSON] = [:]) {
        threadingWindowDays = w["threading_window_days"]?.intValue ?? 14
        openStatuses = Set(w["open_statuses"]?.arrayValue?.compactMap(\.stringValue) ?? ["open", "en cours", "new", "pending"])
        openStatus = w["open_status"]?.stringValue ?? "en cours"
        closedStatus = w["closed_status"]?.stringValue ?? "fermé"
        openStatuses.insert(openStatus)
        var tasks: Set<String> = ["MODELISATION"]
        var templates = WorkflowSettings.defaultTemplates
        var keywords: [String: [String]]?
        if case .object(let cats)? = w["categories"] {
            tasks = []
            keywords = [:]
            for (name, spec) in cats {
                if spec["task"]?.boolValue == true { tasks.insert(name) }
                if let t = spec["template"]?.stringValue { templates[name] = t }
                keywords?[name] = spec["keywords"]?.arrayValue?.compactMap(\.stringValue) ?? []
            }
        }
        taskCategories = tasks
        self.templates = templates
        categoryKeywords = keywords
        attachments = AttachmentPolicy(w["attachments"])
        var prices: [String: (Double, Double)] = [:]
        for (model, p) in w["prices"]?.objectValue ?? [:] {
            prices[model] = (p["input_per_mtok"]?.doubleValue ?? 0, p["output_per_mtok"]?.doubleValue ?? 0)
        }
        self.prices = prices
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
