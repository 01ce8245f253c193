import PlugboardKernel

/// One request for the support team, from the webhook, the CLI or a batch file.
///
/// Accepts the webhook payload's French names too (`objet` for `subject`,
/// `fichiers` for `attachments`). Unknown fields are kept in `extra` and end
/// up on the ticket: nothing the sender gave is lost.
public struct IntakeRequest: Sendable, Hashable {
    public struct AttachmentRef: Sendable, Hashable {
        public var name: String
        /// Exactly one of `url` (http/https) or `path` (a local file) is set.
        public var url: String?
        public var path: String?
        public init(name: String, url: String? = nil, path: String? = nil) {
            self.name = name; self.url = url; self.path = path
        }
    }

    public var source: String
    public var subject: String
    public var description: String
    public var userEmail: String
    public var userName: String?
    public var channel: String
    public var attachments: [AttachmentRef]
    public var messageId: String?
    public var inReplyTo: String?
    /// A caller-chosen id that makes resubmission idempotent.
    public var requestId: String?
    /// When the customer wrote (default: when received).
    public var receivedAt: String?
    public var extra: [String: JSON]

    public init(source: String = "cli", subject: String, description: String, userEmail: String, userName: String? = nil,
                channel: String = "email", attachments: [AttachmentRef] = [], messageId: String? = nil,
                inReplyTo: String? = nil, requestId: String? = nil, receivedAt: String? = nil, extra: [String: JSON] = [:]) {
        self.source = source; self.subject = subject; self.description = description; self.userEmail = userEmail
        self.userName = userName; self.channel = channel; self.attachments = attachments; self.messageId = messageId
        self.inReplyTo = inReplyTo; self.requestId = requestId; self.receivedAt = receivedAt; self.extra = extra
    }

    /// One problem with a request's field.
    public struct FieldError: Sendable, Hashable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { "\(field): \(message)" }
    }

    static let known: Set<String> = [
        "source", "subject", "objet", "description", "user_email", "email", "user_name", "name", "channel",
        "attachments", "fichiers", "message_id", "in_reply_to", "request_id", "received_at",
    ]

    /// Parses and validates a request; every problem is reported, nothing is guessed.
    public static func parse(_ json: JSON) -> Result<IntakeRequest, ValidationFailure> {
        guard case .object(let o) = json else {
            return .failure(ValidationFailure(errors: [FieldError(field: "(body)", message: "expected a JSON object, got \(json.typeName)")]))
        }
        var errors: [FieldError] = []
        func string(_ names: [String], required: Bool, max: Int) -> String? {
            for n in names {
                guard let v = o[n], !v.isNull else { continue }
                guard let s = v.stringValue else {
                    errors.append(FieldError(field: n, message: "expected a string, got \(v.typeName)"))
                    return nil
                }
                let t = s.trimmedWhitespace
                if required && t.isEmpty { errors.append(FieldError(field: n, message: "must not be empty")); return nil }
                if t.utf8.count > max { errors.append(FieldError(field: n, message: "longer than \(max) bytes")); return nil }
                return t
            }
            if required { errors.append(FieldError(field: names[0], message: "required")) }
            return nil
        }
        let subject = string(["subject", "objet"], required: true, max: 998)
        let description = string(["description"], required: true, max: 1_000_000)
        let email = string(["user_email", "email"], required: true, max: 254)
        if let email, !IntakeRequest.isEmail(email) {
            errors.append(FieldError(field: "user_email", message: "\"\(email)\" is not an e-mail address"))
        }
        let name = string(["user_name", "name"], required: false, max: 200)
        let source = string(["source"], required: false, max: 100) ?? "api"
        let channel = string(["channel"], required: false, max: 50) ?? "email"
        let messageId = string(["message_id"], required: false, max: 998)
        let inReplyTo = string(["in_reply_to"], required: false, max: 998)
        let requestId = string(["request_id"], required: false, max: 200)
        let receivedAt = string(["received_at"], required: false, max: 64)
        if let r = receivedAt, Timestamp.parse(r) == nil {
            errors.append(FieldError(field: "received_at", message: "expected an ISO 8601 time, got \"\(r)\""))
        }
        var attachments: [AttachmentRef] = []
        let attField = o["attachments"] != nil ? "attachments" : "fichiers"
        if let raw = o[attField], !raw.isNull {
            if case .array(let items) = raw {
                for (i, item) in items.enumerated() {
                    let at = "\(attField)[\(i)]"
                    if let url = item.stringValue {
                        attachments.append(AttachmentRef(name: IntakeRequest.lastComponent(url), url: url))
                        continue
                    }
                    guard case .object(let a) = item else {
                        errors.append(FieldError(field: at, message: "expected {name, url} or {name, path}, got \(item.typeName)"))
                        continue
                    }
                    let url = a["url"]?.stringValue, path = a["path"]?.stringValue
                    if (url == nil) == (path == nil) {
                        errors.append(FieldError(field: at, message: "needs exactly one of url or path"))
                        continue
                    }
                    if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                        errors.append(FieldError(field: "\(at).url", message: "only http and https URLs are fetched, got \"\(url.prefix(60))\""))
                        continue
                    }
                    let name = a["name"]?.stringValue ?? IntakeRequest.lastComponent(url ?? path!)
                    if name.isEmpty || name.contains("/") || name.contains("\0") {
                        errors.append(FieldError(field: "\(at).name", message: "must be a plain file name"))
                        continue
                    }
                    attachments.append(AttachmentRef(name: name, url: url, path: path))
                }
            } else {
                errors.append(FieldError(field: attField, message: "expected an array, got \(raw.typeName)"))
            }
        }
        if attachments.count > 20 { errors.append(FieldError(field: attField, message: "at most 20 attachments, got \(attachments.count)")) }
        guard errors.isEmpty, let subject, let description, let email else {
            return .failure(ValidationFailure(errors: errors))
        }
        var extra: [String: JSON] = [:]
        for (k, v) in o where !known.contains(k) { extra[k] = v }
        return .success(IntakeRequest(source: source, subject: subject, description: description, userEmail: email.lowercased(),
                                      userName: name, channel: channel, attachments: attachments, messageId: messageId,
                                      inReplyTo: inReplyTo, requestId: requestId, receivedAt: receivedAt.flatMap(Timestamp.normalize),
                                      extra: extra))
    }

    /// The request as stored in its job (the canonical field names).
    public var json: JSON {
        var o: [String: JSON] = extra
        o["source"] = .string(source)
        o["subject"] = .string(subject)
        o["description"] = .string(description)
        o["user_email"] = .string(userEmail)
        o["user_name"] = userName.map(JSON.string) ?? .null
        o["channel"] = .string(channel)
        o["attachments"] = .array(attachments.map { a in
            var x: [String: JSON] = ["name": .string(a.name)]
            if let u = a.url { x["url"] = .string(u) }
            if let p = a.path { x["path"] = .string(p) }
            return .object(x)
        })
        if let messageId { o["message_id"] = .string(messageId) }
        if let inReplyTo { o["in_reply_to"] = .string(inReplyTo) }
        if let requestId { o["request_id"] = .string(requestId) }
        if let receivedAt { o["received_at"] = .string(receivedAt) }
        return .object(o)
    }

    /// The idempotency key: the caller's request id, else the message id, else the content.
    public var key: String {
        if let requestId { return "r:" + requestId }
        if let messageId { return "m:" + messageId }
        let content = JSON.array([.string(userEmail), .string(subject), .string(description), .string(channel),
                                  .string(source), .string(receivedAt ?? "")]).serialized()
        return "h:" + Digest.sha256Hex(Array(content.utf8)).prefix(32)
    }

    static func isEmail(_ s: String) -> Bool {
        // On UTF-8 and scalars: Foundation's `contains(_: String)` was a percent of the intake path.
        let parts = s.utf8.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        let dot = UInt8(ascii: ".")
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(dot), parts[1].first != dot, parts[1].last != dot else { return false }
        return !s.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," })
    }

    static func lastComponent(_ s: String) -> String {
        let noQuery = s.split(separator: "?").first.map(String.init) ?? s
        return noQuery.split(separator: "/").last.map(String.init) ?? "file"
    }
}

/// A rejected request: every field error, for a 422 or a CLI message.
public struct ValidationFailure: Error, Sendable, CustomStringConvertible {
    public var errors: [IntakeRequest.FieldError]
    public var description: String { "invalid request: " + errors.map(\.description).joined(separator: "; ") }
    public var json: JSON {
        ["error": "invalid_request", "fields": .array(errors.map { ["field": .string($0.field), "message": .string($0.message)] })]
    }
}
