import PlugboardKernel

extension WebhookNotifier {
    /// What the POST body looks like.
    public enum Format: String, Sendable, CaseIterable {
        /// `{"text": …}` only: a Slack (or Mattermost, Rocket.Chat, Teams workflow) incoming webhook.
        case slack
        /// `{"text", "subject", "body", "ticket_id", "url", "key"}`: Slack-compatible `text` plus the fields, for your own endpoint.
        case json
    }

    public struct Configuration: Sendable {
        /// The endpoint. Treated as a secret: incoming-webhook URLs carry their key in the path.
        public var url: String
        public var format: Format
        /// Sent as `Authorization: Bearer <token>` when set.
        public var token: String?
        public var timeout: Duration

        public init(url: String, format: Format = .slack, token: String? = nil, timeout: Duration = .seconds(15)) {
            self.url = url
            self.format = format
            self.token = token
            self.timeout = timeout
        }
    }

    // MARK: - Registry

    public static let descriptor = AdapterDescriptor(
        port: .notify, name: "webhook",
        summary: "POSTs each notification as JSON: Slack-compatible {\"text\": …}, or with the fields; Idempotency-Key header from the key.",
        fields: [
            ConfigField("url", .string, required: true, secret: true, environment: "WEBHOOK_URL",
                        "Endpoint URL (a Slack incoming-webhook URL holds its secret: it is never shown)."),
            ConfigField("format", .choice(Format.allCases.map(\.rawValue)), default: "slack",
                        "slack: {\"text\"} only; json: text plus subject, body, ticket_id, url and key."),
            ConfigField("token", .string, secret: true, environment: "WEBHOOK_TOKEN", "Bearer token for the Authorization header."),
            ConfigField("timeout", .number, default: 15, "Seconds allowed for each POST."),
        ],
        capabilities: ["idempotency_key_header"])

    public static let registryEntry = Registry.Entry(descriptor, .notify { settings, context in
        try WebhookNotifier(configuration(from: settings), logger: Logger(label: "plugboard.webhook", metadata: context.logger.metadata))
    })

    /// Validates settings into a configuration; errors never show the URL (it may hold a key).
    public static func configuration(from s: AdapterSettings) throws -> Configuration {
        let url = try s.requireString("url")
        guard URLParts(url) != nil else { throw s.error("url", "expected an http:// or https:// URL") }
        let format = try s.string("format").map { raw -> Format in
            guard let f = Format(rawValue: raw) else { throw s.error("format", "expected slack or json, got \"\(raw)\"") }
            return f
        } ?? .slack
        let seconds = s.double("timeout") ?? 15
        guard seconds > 0 else { throw s.error("timeout", "expected a positive number of seconds, got \(seconds)") }
        return Configuration(url: url, format: format, token: s.string("token").flatMap { $0.isEmpty ? nil : $0 },
                             timeout: .milliseconds(Int64(seconds * 1000)))
    }
}
