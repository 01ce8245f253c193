import PlugboardKernel

extension ClickUpTaskTracker {
    /// Where tasks go in ClickUp.
    public struct Configuration: Sendable {
        /// API root, `https://api.clickup.com/api` unless a proxy or a test server stands in.
        public var baseURL: String
        /// A personal token (`pk_…`, sent as is) or an OAuth token (`Bearer …`). Never logged.
        public var token: String
        /// The list new tasks go to.
        public var listId: String
        /// When set, tasks without a parent of their own become subtasks of this task.
        public var parentTaskId: String?
        /// User ids assigned to every new task, besides the draft's.
        public var assignees: [Int]
        /// Limit on each HTTP request.
        public var timeout: Duration

        public init(baseURL: String = "https://api.clickup.com/api", token: String, listId: String, parentTaskId: String? = nil,
                    assignees: [Int] = [], timeout: Duration = .seconds(30)) {
            self.baseURL = baseURL
            self.token = token
            self.listId = listId
            self.parentTaskId = parentTaskId
            self.assignees = assignees
            self.timeout = timeout
        }
    }

    // MARK: - Registry

    public static let descriptor = AdapterDescriptor(
        port: .tasks, name: "clickup",
        summary: "ClickUp (API v2): a task per ticket in a list, or a subtask under a parent task; Markdown descriptions, comments.",
        fields: [
            ConfigField("token", .string, secret: true, environment: "CLICKUP_TOKEN", "Personal API token (pk_…) or \"Bearer <OAuth token>\"."),
            ConfigField("list_id", .string, required: true, "The list tasks are created in."),
            ConfigField("parent_task_id", .string, "Create tasks as subtasks of this task (in its list)."),
            ConfigField("assignees", .stringList, "ClickUp user ids assigned to every new task."),
            ConfigField("base_url", .string, default: "https://api.clickup.com/api", "API root URL."),
            ConfigField("timeout", .number, default: 30, "Seconds allowed for each HTTP request."),
        ],
        capabilities: ["task_urls", "subtasks"])

    public static let registryEntry = Registry.Entry(descriptor, .tasks { settings, context in
        try ClickUpTaskTracker(configuration(from: settings), logger: Logger(label: "plugboard.clickup", metadata: context.logger.metadata))
    })

    /// Validates settings into a configuration; every error names the field.
    public static func configuration(from s: AdapterSettings) throws -> Configuration {
        guard let token = s.string("token"), !token.isEmpty else {
            throw s.error("token", "required, not set (or set CLICKUP_TOKEN, e.g. in .env)")
        }
        let list = try s.requireString("list_id")
        let base = s.string("base_url") ?? "https://api.clickup.com/api"
        guard URLParts(base) != nil else { throw s.error("base_url", "expected an http:// or https:// URL, got \"\(base)\"") }
        var assignees: [Int] = []
        for raw in s.strings("assignees") ?? [] {
            guard let id = Int(raw) else { throw s.error("assignees", "expected numeric ClickUp user ids, got \"\(raw)\"") }
            assignees.append(id)
        }
        let seconds = s.double("timeout") ?? 30
        guard seconds > 0 else { throw s.error("timeout", "expected a positive number of seconds, got \(seconds)") }
        return Configuration(baseURL: base, token: token, listId: list,
                             parentTaskId: s.string("parent_task_id").flatMap { $0.isEmpty ? nil : $0 },
                             assignees: assignees, timeout: .milliseconds(Int64(seconds * 1000)))
    }
}
