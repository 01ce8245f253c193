import Foundation
import PlugboardKernel

extension Workflow {
    // MARK: - classify and analyse

    static let classifySchema: JSON = [
        "type": "object", "required": ["category"],
        "properties": ["category": ["type": "string"], "confidence": ["type": "number"]],
    ]

    static let analyseSchema: JSON = [
        "type": "object", "required": ["sentiment", "category", "urgency", "summary"],
        "properties": [
            "sentiment": ["enum": ["positive", "neutral", "negative"]],
            "category": ["type": "string"],
            "urgency": ["enum": ["low", "medium", "high"]],
            "summary": ["type": "string", "maxLength": 300],
        ],
    ]

    /// Rules first; the language model only when the rules cannot decide.
    func classify(_ s: StepState) async throws -> JSON {
        let text = s.request.subject + "\n" + s.request.description
        var out = rulesClassification(text)
        out["at"] = .string(s.request.receivedAt ?? Timestamp.now())
        if out["ambiguous"]?.boolValue == true {
            let r = try await ports.llm.generate(LLMRequest(task: "classify", prompt: text, schema: Workflow.classifySchema))
            if let c = r.object["category"]?.stringValue {
                out["category"] = .string(c)
                out["source"] = .string(r.provider)
                out["usage"] = Workflow.usage(r)
            }
        }
        return out
    }

    func analyse(_ s: StepState) async throws -> JSON {
        let text = s.request.subject + "\n" + s.request.description
        let r = try await ports.llm.generate(LLMRequest(task: "analyse", prompt: text, schema: Workflow.analyseSchema))
        var out = r.object
        // The classification step decides the category; the analysis may refine only an unclassified one.
        if let c = s["classify"]["category"]?.stringValue, c != "unclassified" { out["category"] = .string(c) }
        out["usage"] = Workflow.usage(r)
        if let p = settings.prices[r.model] {
            out["cost"] = JSON(Double(r.inputTokens) / 1e6 * p.input + Double(r.outputTokens) / 1e6 * p.output)
        }
        return out
    }

    static func usage(_ r: LLMResponse) -> JSON {
        ["provider": .string(r.provider), "model": .string(r.model), "input_tokens": JSON(r.inputTokens),
         "output_tokens": JSON(r.outputTokens), "latency_ms": JSON(Int(r.latency.milliseconds))]
    }

    // MARK: - attachments

    /// Stores each file under its content hash, so a retried or repeated upload is the same object.
    func storeAttachments(_ s: StepState) async throws -> JSON {
        var files: [JSON] = []
        for a in s.request.attachments {
            let data: Data
            if let path = a.path {
                guard let attrs = try? FileManager.default.attributesOfItem(atPath: path), let size = attrs[.size] as? Int else {
                    throw PlugboardError.invalidInput("attachment \(a.name): cannot read \(path)")
                }
                if size > settings.attachments.maxBytes {
                    throw PlugboardError.invalidInput("attachment \(a.name): \(size) bytes, over the \(settings.attachments.maxBytes)-byte limit")
                }
                guard let d = FileManager.default.contents(atPath: path) else {
                    throw PlugboardError.invalidInput("attachment \(a.name): cannot read \(path)")
                }
                data = d
            } else if let url = a.url {
                guard let fetcher = ports.fetcher else {
                    throw PlugboardError.unsupported("attachment \(a.name): fetching URLs is not configured")
                }
                data = try await fetcher.fetch(url, policy: settings.attachments)
            } else {
                continue
            }
            let hash = Digest.sha256Hex([UInt8](data))
            let key = "attachments/\(hash.prefix(2))/\(hash)/\(a.name)"
            let info: ObjectInfo
            if let existing = try await ports.objects.head(key: key) {
                info = existing
            } else {
                info = try await ports.objects.put(key: key, data: data, contentType: Workflow.contentType(a.name))
            }
            let url = try await ports.objects.url(for: key, expiresIn: .seconds(7 * 86_400))
            files.append(["name": .string(a.name), "key": .string(key), "sha256": .string(hash), "size": JSON(info.size),
                          "url": url.map(JSON.string) ?? .null])
        }
        return ["files": .array(files)]
    }

    static func contentType(_ name: String) -> String {
        switch name.split(separator: ".").last?.lowercased() {
        case "pdf": return "application/pdf"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "txt", "log": return "text/plain; charset=utf-8"
        case "csv": return "text/csv"
        case "json": return "application/json"
        default: return "application/octet-stream"
        }
    }

    // MARK: - contact

    /// `c-` + 16 hex digits of the SHA-256 of the lower-cased address: the same id
    /// the local CRM gives, so with it there is one contact record, not two.
    static func contactId(_ email: String) -> String {
        "c-" + Digest.sha256Hex(Array(email.trimmingCharacters(in: .whitespaces).lowercased().utf8)).prefix(16)
    }

    /// Our contact record (id derived from the e-mail, so concurrent creates meet) and the CRM's.
    func findOrCreateContact(_ s: StepState) async throws -> JSON {
        let email = s.request.userEmail
        let id = Workflow.contactId(email)
        let crmContact = try await ports.crm.findOrCreateContact(email: email, name: s.request.userName)
        try await ports.storage.update(.contacts, id: id) { body in
            var o = body?.objectValue ?? ["contact_id": .string(id), "email": .string(email), "created_at": .string(Timestamp.now())]
            if let n = s.request.userName, o["name"]?.stringValue == nil { o["name"] = .string(n) }
            o["crm_contact_id"] = .string(crmContact.id)
            body = .object(o)
        }
        return ["contact_id": .string(id), "crm_contact_id": .string(crmContact.id), "email": .string(email),
                "name": s.request.userName.map(JSON.string) ?? .null]
    }

    // MARK: - task, reply, notify

    func createTask(_ s: StepState) async throws -> JSON {
        let category = s["analyse"]["category"]?.stringValue ?? s["classify"]["category"]?.stringValue ?? ""
        guard settings.taskCategories.contains(category), s["thread"]["is_new"]?.boolValue == true,
              let ticketId = s["thread"]["ticket_id"]?.stringValue
        else { return ["skipped": true] }
        let markdown = "**\(s.request.subject)**\n\nFrom: \(s.request.userName ?? "") <\(s.request.userEmail)>\nTicket: \(ticketId)\n\n\(s.request.description)"
        let task = try await ports.tasks.createTask(TaskDraft(name: "[\(ticketId)] \(s.request.subject)", markdown: markdown, key: ticketId))
        try await ports.storage.update(.tickets, id: ticketId) { body in
            body?["task_id"] = .string(task.id)
            if let u = task.url { body?["task_url"] = .string(u) }
        }
        return ["task_id": .string(task.id), "url": task.url.map(JSON.string) ?? .null]
    }

    func draftReply(_ s: StepState) async throws -> JSON {
        let category = s["analyse"]["category"]?.stringValue ?? s["classify"]["category"]?.stringValue ?? "unclassified"
        let template = settings.templates[category] ?? settings.templates["unclassified"] ?? "Bonjour {name},"
        var orderNumber = s["classify"]["order_number"]?.stringValue
        var orderStatus = "en cours de vérification"
        if let n = orderNumber, let order = try await ports.storage.get(Workflow.orders, id: n) {
            orderStatus = order.body["status"]?.stringValue ?? orderStatus
        }
        if orderNumber == nil { orderNumber = "" }
        let name = s.request.userName?.split(separator: " ").first.map(String.init) ?? ""
        var draft = template
        for (k, v) in ["{name}": name, "{order_number}": orderNumber!, "{order_status}": orderStatus, "{subject}": s.request.subject] {
            draft = draft.replacingOccurrences(of: k, with: v)
        }
        draft = draft.replacingOccurrences(of: "  ", with: " ").replacingOccurrences(of: " ,", with: ",")
        if let ticketId = s["thread"]["ticket_id"]?.stringValue {
            try await ports.storage.update(.tickets, id: ticketId) { body in body?["draft_reply"] = .string(draft) }
        }
        return ["draft": .string(draft), "template": .string(category)]
    }

    static let orders = CollectionSpec(name: "orders", keyField: "order_id", indexes: [
        IndexSpec(name: "contact-date", partition: "email", sort: "date"),
    ])

    func notify(_ s: StepState) async throws -> JSON {
        let t = s["thread"]
        let ticketId = t["ticket_id"]?.stringValue ?? "?"
        let isNew = t["is_new"]?.boolValue ?? false
        let subject = (isNew ? "New ticket " : "Reply on ticket ") + "\(ticketId): \(s.request.subject)"
        var text = "\(s.request.userName ?? s.request.userEmail) <\(s.request.userEmail)> via \(s.request.channel)\n"
        text += "Category: \(s["analyse"]["category"]?.stringValue ?? "?") · urgency: \(s["analyse"]["urgency"]?.stringValue ?? "?")"
        text += " · sentiment: \(s["analyse"]["sentiment"]?.stringValue ?? "?")\n\n\(s.request.description.prefix(2000))"
        try await ports.notifier.send(TeamNotification(subject: subject, text: text, ticketId: ticketId,
                                                       url: s["crm"]["ticket_url"]?.stringValue, key: s.jobId))
        return ["sent": true]
    }
}
