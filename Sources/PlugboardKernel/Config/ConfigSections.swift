/// The top-level sections of `adapters.json` besides the ports.
public enum ConfigSections {
    public static let workflow: [ConfigField] = [
        ConfigField("threading_window_days", .integer, default: 14,
                    "A contact's open ticket updated within this many days receives new messages as notes."),
        ConfigField("open_statuses", .stringList, default: ["open", "en cours", "new", "pending"],
                    "Statuses that count as open for threading."),
        ConfigField("open_status", .string, default: "en cours", "Status given to new tickets."),
        ConfigField("closed_status", .string, default: "fermé", "Status given by `tickets close`."),
        ConfigField("categories", .object,
                    "Category name → {\"keywords\": [...], \"task\": true, \"template\": \"...\"}; replaces the built-in sets."),
        ConfigField("attachments", .object,
                    "Attachment fetching: {\"allowed_hosts\": [...], \"allow_private\": false, \"max_bytes\": 10485760}."),
        ConfigField("prompts", .object,
                    "Task → prompt template file ({{var}} placeholders), replacing a built-in prompt: system, classify, analyse, draft_reply, proactive_analysis, followup, repair."),
        ConfigField("llm_drafts", .boolean, default: true,
                    "Ask the llm to personalise each reply draft from the category's template (false: the filled template as is)."),
        ConfigField("proactive", .object,
                    "Proactive tickets from activity: {\"threshold\": 3, \"window_hours\": 24, \"cooldown_hours\": 72, \"retention_days\": 90, \"activity_days\": 7, \"ticket_days\": 30, \"repeated_searches\": 2}."),
        ConfigField("followups", .object,
                    "Follow-ups: {\"daily_limit\": 50, \"scores\": {\"inactive_days\": 90, \"high_value\": 1000, \"frequent_orders\": 6, \"frequency_days\": 180, \"risk_inactivity_weight\": 0.5, \"risk_value_weight\": 0.2, \"risk_cancellation_weight\": 0.3}, \"strategies\": {name: {\"enabled\", \"priority\", \"cooldown_days\", \"channels\", \"prompt\", \"subject\", \"template\", \"when\": {...}}}}; see README."),
        ConfigField("prices", .object, "Model → {\"input_per_mtok\": 3.0, \"output_per_mtok\": 15.0} for cost in stats."),
    ]

    public static let server: [ConfigField] = [
        ConfigField("host", .string, default: "127.0.0.1", "Address to listen on."),
        ConfigField("port", .integer, default: 8080, "TCP port to listen on."),
        ConfigField("admin_token", .string, secret: true, environment: "PLUGBOARD_ADMIN_TOKEN",
                    "Bearer token for the admin routes (tickets, export, metrics)."),
        ConfigField("webhook_secret", .string, secret: true, environment: "PLUGBOARD_WEBHOOK_SECRET",
                    "HMAC-SHA256 key the webhook's signature is checked with; unset means unsigned requests are accepted."),
        ConfigField("max_body_bytes", .integer, default: 10_485_760, "Largest request body accepted."),
        ConfigField("max_connections", .integer, default: 512, "Connections served at once."),
        ConfigField("read_timeout", .number, default: 10, "Seconds a client may take to send a request."),
        ConfigField("cors_origins", .stringList, default: [], "Origins allowed to post the webhook from a browser."),
        ConfigField("webhook_replay_window", .integer, default: 300,
                    "Seconds a signed webhook's timestamp may differ from now before it is refused as a replay."),
        ConfigField("idle_timeout", .number, default: 60, "Seconds an idle keep-alive connection is kept open."),
        ConfigField("event_loops", .integer, default: 0, "Threads serving connections (0: one per processor)."),
    ]

    public static let topLevelKeys: [String] = ["$schema"] + Port.allCases.map(\.rawValue) + ["workflow", "server", "plugins"]
}
