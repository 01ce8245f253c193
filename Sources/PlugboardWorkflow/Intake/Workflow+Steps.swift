import Foundation
import PlugboardKernel

extension Workflow {
    // MARK: - classify and analyse

    /// The categories a model may answer: the configured ones and the fallback.
    var categoryNames: [String] {
        let c = settings.classifier.categories
        return c.names + (c.names.contains(c.fallback) ? [] : [c.fallback])
    }

    var classifySchema: JSON {
        ["type": "object", "required": ["category"],
         "properties": ["category": ["enum": .array(categoryNames.map(JSON.string))],
                        "confidence": ["type": "number", "minimum": 0, "maximum": 1]]]
    }

    var analyseSchema: JSON {
        ["type": "object", "required": ["sentiment", "category", "urgency", "summary"],
         "properties": [
             "sentiment": ["enum": ["positive", "neutral", "negative"]],
             "category": ["enum": .array(categoryNames.map(JSON.string))],
             "urgency": ["enum": ["low", "medium", "high"]],
             "summary": ["type": "string", "maxLength": 300],
         ]]
    }

    static let draftSchema: JSON = [
        "type": "object", "required": ["reply"],
        "properties": ["reply": ["type": "string", "minLength": 1], "subject": ["type": "string"]],
    ]

    /// One call to the `llm` port with the task's prompt (and the system prompt) from the library.
    func ask(_ task: String, _ values: [String: String], schema: JSON) async throws -> LLMResponse {
        let system = settings.prompts.render("system", [:])
        return try await ports.llm.generate(LLMRequest(task: task, system: system.isEmpty ? nil : system,
                                                       prompt: settings.prompts.render(task, values), schema: schema))
    }

    /// The variables of the classify and analyse prompts.
    func ticketValues(_ s: StepState) -> [String: String] {
        ["text": s.request.subject + "\n" + s.request.description, "subject": s.request.subject, "channel": s.request.channel,
         "categories": categoryNames.joined(separator: ", "), "fallback_category": settings.classifier.categories.fallback]
    }

    /// Rules first; the language model only when the rules cannot decide.
    func classify(_ s: StepState) async throws -> JSON {
        let text = s.request.subject + "\n" + s.request.description
        var out = rulesClassification(text)
        out["at"] = .string(s.request.receivedAt ?? Timestamp.now())
        if out["ambiguous"]?.boolValue == true {
            let r = try await ask("classify", ticketValues(s), schema: classifySchema)
            if let c = r.object["category"]?.stringValue {
                out["category"] = .string(c)
                out["source"] = .string(r.provider)
            }
            out["usage"] = usage(r, task: "classify", job: s.jobId)
        }
        return out
    }

    func analyse(_ s: StepState) async throws -> JSON {
        let r = try await ask("analyse", ticketValues(s), schema: analyseSchema)
        var out = r.object
        // The classification step decides the category; the analysis may refine only an unclassified one.
        if let c = s["classify"]["category"]?.stringValue, c != settings.classifier.categories.fallback { out["category"] = .string(c) }
        let u = usage(r, task: "analyse", job: s.jobId)
        out["usage"] = u
        if let cost = u["cost"] { out["cost"] = cost }
        return out
    }

    /// What one call used, stored with the ticket: provider, model, tokens, latency, and
    /// the cost when `workflow.prices` has the model. `job` and `task` make it unique, so
    /// a retried step never counts a call twice.
    func usage(_ r: LLMResponse, task: String, job: String) -> JSON {
        var u: [String: JSON] = [
            "task": .string(task), "job": .string(job), "provider": .string(r.provider), "model": .string(r.model),
            "input_tokens": JSON(r.inputTokens), "output_tokens": JSON(r.outputTokens),
            "latency_ms": JSON(Int(r.latency.milliseconds)),
        ]
        if let c = settings.cost(r) { u["cost"] = JSON((c * 1e8).rounded() / 1e8) }
        return .object(u)
    }

    /// The usage entries this request's steps have produced so far.
    static func usageEntries(_ s: StepState) -> [JSON] {
        ["classify", "analyse", "reply"].compactMap { step in s[step]["usage"].flatMap { $0.isNull ? nil : $0 } }
    }

    /// Adds usage entries to a ticket body (once each) and keeps `llm_cost` their sum.
    static func addUsage(_ entries: [JSON], to o: inout [String: JSON]) {
        var list = o["llm_usage"]?.arrayValue ?? []
        var cost = o["llm_cost"]?.doubleValue ?? 0
        var added = false
        for e in entries where !list.contains(where: { $0["job"] == e["job"] && $0["task"] == e["task"] && e["job"] != nil }) {
            list.append(e)
            cost += e["cost"]?.doubleValue ?? 0
            added = true
        }
        guard added else { return }
        o["llm_usage"] = .array(list)
        if list.contains(where: { $0["cost"] != nil }) || o["llm_cost"] != nil { o["llm_cost"] = JSON((cost * 1e8).rounded() / 1e8) }
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
        "c-" + Digest.sha256Hex(Array(email.trimmedWhitespace.lowercased().utf8)).prefix(16)
    }

    /// Our contact record (id derived from the e-mail, so concurrent creates meet) and the CRM's.
    func findOrCreateContact(_ s: StepState) async throws -> JSON {
        let email = s.request.userEmail
        let id = Workflow.contactId(email)
        let crmContact = try await ports.crm.findOrCreateContact(email: email, name: s.request.userName)
        // The CRM gave our own id: its record is ours (the local CRM), already named and linked.
        if crmContact.id != id || crmContact.name == nil && s.request.userName != nil {
            try await ports.storage.update(.contacts, id: id) { body in
                var o = body?.objectValue ?? ["contact_id": .string(id), "email": .string(email), "created_at": .string(Timestamp.now())]
                if let n = s.request.userName, o["name"]?.stringValue == nil { o["name"] = .string(n) }
                o["crm_contact_id"] = .string(crmContact.id)
                body = .object(o)
            }
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
        var draft = TextSubstitution.replacing([("{name}", name), ("{order_number}", orderNumber!), ("{order_status}", orderStatus),
                                                ("{subject}", s.request.subject)], in: template)
        // An empty name or number leaves "Bonjour ," behind: tidy the spaces.
        draft = TextSubstitution.replacing([("  ", " ")], in: draft)
        draft = TextSubstitution.replacing([(" ,", ",")], in: draft)
        var out: [String: JSON] = ["draft": .string(draft), "template": .string(category)]
        if settings.llmDrafts {
            // The filled template is the model's starting point and the answer when it has none.
            let data: JSON = ["template": .string(draft), "category": .string(category), "customer_name": .string(name),
                              "order_number": .string(orderNumber!), "order_status": .string(orderStatus),
                              "subject": .string(s.request.subject)]
            let values = ["text": s.request.description, "subject": s.request.subject, "category": category, "template": draft,
                          "customer_name": name, "order_number": orderNumber!, "order_status": orderStatus,
                          "data": data.serialized(pretty: true)]
            do {
                let r = try await ask("draft_reply", values, schema: Workflow.draftSchema)
                if let reply = r.object["reply"]?.stringValue, !reply.isEmpty {
                    out["draft"] = .string(reply)
                    out["source"] = .string(r.provider)
                    if let subject = r.object["subject"]?.stringValue { out["subject"] = .string(subject) }
                }
                out["usage"] = usage(r, task: "draft_reply", job: s.jobId)
            } catch let e as PlugboardError where !e.isRetryable {
                // A refusal or an unusable answer: the filled template is a fine draft. An outage is retried.
                logger.warning("reply draft: the llm gave no usable draft; keeping the template", ["job": s.jobId, "error": e.description])
            }
        }
        // The thread step stores the draft with the message. A job recorded by an earlier
        // version (reply after thread) has its ticket already: the draft goes there now.
        if let ticketId = s["thread"]["ticket_id"]?.stringValue {
            let final = out["draft"]!
            let usage = out["usage"].map { [$0] } ?? []
            try await ports.storage.update(.tickets, id: ticketId) { body in
                guard var o = body?.objectValue else { return }
                o["draft_reply"] = final
                Workflow.addUsage(usage, to: &o)
                body = .object(o)
            }
        }
        return .object(out)
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
