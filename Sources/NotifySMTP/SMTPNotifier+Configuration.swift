import PlugboardKernel

extension SMTPNotifier {
    /// How the connection to the mail server is protected.
    public enum Security: String, Sendable, CaseIterable {
        /// Plain SMTP (a local relay or a test server).
        case none
        /// SMTP, upgraded with STARTTLS; the send fails if the server does not offer it.
        case starttls
        /// TLS from the first byte (SMTPS, usually port 465).
        case tls

        /// The usual port for this kind of connection.
        public var defaultPort: Int {
            switch self {
            case .none: return 25
            case .starttls: return 587
            case .tls: return 465
            }
        }
    }

    /// The mail server and the message envelope.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var security: Security
        /// Login name; no authentication when nil.
        public var username: String?
        /// Never logged nor put in an error.
        public var password: String?
        /// The `From` header (`support@example.com` or `Support <support@example.com>`).
        public var from: String
        /// Recipients, each an address or `Name <address>`.
        public var to: [String]
        /// Limit on one whole send (connect, TLS, login, transfer).
        public var timeout: Duration

        public init(host: String, port: Int? = nil, security: Security = .starttls, username: String? = nil, password: String? = nil,
                    from: String, to: [String], timeout: Duration = .seconds(30)) {
            self.host = host
            self.port = port ?? security.defaultPort
            self.security = security
            self.username = username
            self.password = password
            self.from = from
            self.to = to
            self.timeout = timeout
        }
    }

    // MARK: - Registry

    public static let descriptor = AdapterDescriptor(
        port: .notify, name: "smtp",
        summary: "E-mails each notification (text/plain, UTF-8) through an SMTP server, with STARTTLS or TLS and login.",
        fields: [
            ConfigField("host", .string, required: true, "Mail server host name."),
            ConfigField("port", .integer, "Server port; default 587 for starttls, 465 for tls, 25 for none."),
            ConfigField("security", .choice(Security.allCases.map(\.rawValue)), default: "starttls",
                        "none (plain SMTP), starttls (upgrade, required) or tls (SMTPS). Certificates are always verified."),
            ConfigField("username", .string, environment: "SMTP_USERNAME", "Login name; no login when unset."),
            ConfigField("password", .string, secret: true, environment: "SMTP_PASSWORD", "Login password."),
            ConfigField("from", .string, required: true, "Sender: an address or \"Name <address>\"."),
            ConfigField("to", .stringList, required: true, "Recipients: addresses or \"Name <address>\"."),
            ConfigField("timeout", .number, default: 30, "Seconds allowed for one send."),
        ],
        capabilities: ["message_id_from_key"])

    public static let registryEntry = Registry.Entry(descriptor, .notify { settings, context in
        SMTPNotifier(try configuration(from: settings), logger: Logger(label: "plugboard.smtp", metadata: context.logger.metadata))
    })

    /// Validates settings into a configuration; every error names the field.
    public static func configuration(from s: AdapterSettings) throws -> Configuration {
        let host = try s.requireString("host")
        if host.contains(where: { $0 == "/" || $0 == "@" || $0.isWhitespace }) {
            throw s.error("host", "expected a host name, got \"\(host)\"")
        }
        let security = try s.string("security").map { raw -> Security in
            guard let v = Security(rawValue: raw) else { throw s.error("security", "expected none, starttls or tls, got \"\(raw)\"") }
            return v
        } ?? .starttls
        let port = s.int("port") ?? security.defaultPort
        guard (1...65535).contains(port) else { throw s.error("port", "expected 1...65535, got \(port)") }
        let from = try s.requireString("from")
        guard let to = s.strings("to"), !to.isEmpty else { throw s.error("to", "required: at least one recipient") }
        for (field, value) in [("from", from)] + to.map({ ("to", $0) }) {
            if value.contains(where: { $0 == "\r" || $0 == "\n" }) { throw s.error(field, "a line break in an address is refused") }
            guard SMTPMessage.addressSpec(value) != nil else { throw s.error(field, "expected an e-mail address, got \"\(value)\"") }
        }
        let seconds = s.double("timeout") ?? 30
        guard seconds > 0 else { throw s.error("timeout", "expected a positive number of seconds, got \(seconds)") }
        let username = s.string("username").flatMap { $0.isEmpty ? nil : $0 }
        return Configuration(host: host, port: port, security: security, username: username,
                             password: s.string("password"), from: from, to: to, timeout: .milliseconds(Int64(seconds * 1000)))
    }
}
