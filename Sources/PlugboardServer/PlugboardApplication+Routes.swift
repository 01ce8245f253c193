import Foundation
import PlugboardKernel
import PlugboardWorkflow

/// A value, or the answer that refuses the request.
enum Checked<T> {
    case ok(T)
    case refused(ServerResponse)
}

extension PlugboardApplication {
    // MARK: - Body checks shared by the JSON routes

    /// 415 unless the body is declared JSON.
    func requireJSON(_ request: ServerRequest) -> ServerResponse? {
        guard request.mediaType == "application/json" else {
            return .error(415, "unsupported_media_type", "send the body as application/json")
        }
        return nil
    }

    /// 401 when a webhook secret is configured and the signature is missing, wrong or replayed.
    func checkSignature(_ request: ServerRequest) -> ServerResponse? {
        guard let signature, let reason = signature.verify(request.header(WebhookSignature.header), body: request.body) else { return nil }
        return .error(401, "invalid_signature", reason)
    }

    /// The body as JSON, or a 400 saying where it is malformed.
    static func parseJSON(_ body: [UInt8]) -> Checked<JSON> {
        do {
            return .ok(try JSONParser.parse(body))
        } catch {
            return .refused(.error(400, "invalid_json", "body is not valid JSON: line \(error.line), column \(error.column): \(error.message)"))
        }
    }

    static func fieldErrors(_ errors: [(String, String)]) -> ServerResponse {
        .json(422, ["error": "invalid_request", "message": "the request has invalid fields",
                    "fields": .array(errors.map { ["field": .string($0.0), "message": .string($0.1)] })])
    }

    /// A workflow or store error as an HTTP answer. Messages are the errors' own, which never carry secrets.
    func failure(_ error: any Error, _ route: String) -> ServerResponse {
        let e = PlugboardError.wrap(error)
        switch e.code {
        case .notFound: return .error(404, "not_found", e.message)
        case .conflict: return .error(409, "conflict", e.message)
        case .invalidInput: return .error(422, "invalid_request", e.message)
        case .rateLimited, .unavailable:
            var headers: [(name: String, value: String)] = []
            if let after = e.retryAfter {
                headers.append(("Retry-After", String(after.components.seconds + (after.components.attoseconds > 0 ? 1 : 0))))
            }
            return .error(503, "unavailable", e.message, headers: headers)
        default:
            logger.error("\(route): \(e)")
            return .error(500, "internal_error", "the request failed on the server (\(e.code)); see the server log")
        }
    }

    // MARK: - POST /webhook/request

    func intake(_ request: ServerRequest, _ route: String) -> RouteResult {
        if let r = requireJSON(request) ?? checkSignature(request) { return .now(route, r) }
        let workflow = services.workflow
        return .later(route) { [self] in
            let json: JSON
            switch PlugboardApplication.parseJSON(request.body) {
            case .ok(let j): json = j
            case .refused(let r): return r
            }
            let parsed: IntakeRequest
            switch IntakeRequest.parse(json) {
            case .success(let r): parsed = r
            case .failure(let f):
                var body = f.json.objectValue ?? [:]
                body["message"] = "the request has invalid fields"
                return .json(422, .object(body))
            }
            // Over HTTP a file comes by URL only: a local path would let a caller read the server's files.
            let local = parsed.attachments.enumerated().filter { $0.element.path != nil }
            if !local.isEmpty {
                let field = json["attachments"] != nil ? "attachments" : "fichiers"
                return PlugboardApplication.fieldErrors(local.map { ("\(field)[\($0.offset)]", "only url attachments are accepted over HTTP") })
            }
            do {
                let result = try await workflow.submit(parsed)
                let status = result.status == .queued ? 202 : (result.status == .failed ? 500 : 200)
                return .json(status, result.json)
            } catch {
                return failure(error, route)
            }
        }
    }

    // MARK: - POST /activity

    static let activityTypes: Set<String> = ["page_view", "faq_search", "form_error", "login_failed", "error_occurred", "timeout_occurred"]

    func activity(_ request: ServerRequest, _ route: String) -> RouteResult {
        if let r = requireJSON(request) ?? checkSignature(request) { return .now(route, r) }
        let workflow = services.workflow
        return .later(route) { [self] in
            let json: JSON
            switch PlugboardApplication.parseJSON(request.body) {
            case .ok(let j): json = j
            case .refused(let r): return r
            }
            guard case .object(let o) = json else { return PlugboardApplication.fieldErrors([("(body)", "expected a JSON object")]) }
            var errors: [(String, String)] = []
            let email = o["contact_email"]?.stringValue?.trimmingCharacters(in: .whitespaces).lowercased()
            if email == nil || !(email!.contains("@") && email!.count <= 254) { errors.append(("contact_email", "required: an e-mail address")) }
            let type = o["type"]?.stringValue
            if type == nil || !PlugboardApplication.activityTypes.contains(type!) {
                errors.append(("type", "one of " + PlugboardApplication.activityTypes.sorted().joined(separator: ", ")))
            }
            var timestamp = Timestamp.now()
            if let t = o["timestamp"], !t.isNull {
                if let s = t.stringValue, let n = Timestamp.normalize(s) { timestamp = n } else { errors.append(("timestamp", "expected an ISO 8601 time")) }
            }
            if let d = o["details"], !d.isNull, d.objectValue == nil { errors.append(("details", "expected an object")) }
            guard errors.isEmpty, let email, let type else { return PlugboardApplication.fieldErrors(errors) }
            do {
                // The same path as `plugboard activity log`: stored, then checked against the proactive threshold.
                let event = try ActivityEvent(email: email, type: type, details: o["details"] ?? .null, at: timestamp)
                let outcome = try await workflow.logActivity(event)
                var body = outcome.json
                body["contact_email"] = .string(event.email)
                body["type"] = .string(type)
                body["timestamp"] = .string(event.at)
                return .json(201, body)
            } catch {
                return failure(error, route)
            }
        }
    }

    // MARK: - Admin: tickets, export, metrics

    /// The list/export filter from the query string; 422 naming the bad parameter.
    func filter(_ request: ServerRequest) -> Checked<TicketFilter> {
        let q = request.query
        var errors: [(String, String)] = []
        for name in ["date_from", "date_to"] {
            if let v = q[name], Timestamp.parse(v) == nil { errors.append((name, "expected an ISO 8601 date or time, got \"\(v.prefix(40))\"")) }
        }
        if !errors.isEmpty { return .refused(PlugboardApplication.fieldErrors(errors)) }
        do {
            return .ok(try TicketFilter.parse(status: q["status"].flatMap { $0.isEmpty ? nil : $0 },
                                                   channel: q["channel"].flatMap { $0.isEmpty ? nil : $0 },
                                                   from: q["date_from"], to: q["date_to"]))
        } catch {
            return .refused(PlugboardApplication.fieldErrors([("date_from", "is after date_to")]))
        }
    }

    func listTickets(_ request: ServerRequest, _ route: String) -> RouteResult {
        let f: TicketFilter
        switch filter(request) {
        case .ok(let x): f = x
        case .refused(let r): return .now(route, r)
        }
        let book = services.tickets
        return .later(route) { [self] in
            do {
                let tickets = try await book.list(f)
                return .json(200, ["count": JSON(tickets.count), "tickets": .array(tickets.map(\.json))])
            } catch {
                return failure(error, route)
            }
        }
    }

    func getTicket(_ id: String, _ route: String) -> RouteResult {
        let book = services.tickets
        return .later(route) { [self] in
            do { return .json(200, try await book.get(id).json) } catch { return failure(error, route) }
        }
    }

    func setStatus(_ request: ServerRequest, _ id: String, _ route: String) -> RouteResult {
        if let r = requireJSON(request) { return .now(route, r) }
        let status: String
        switch PlugboardApplication.parseJSON(request.body) {
        case .refused(let r): return .now(route, r)
        case .ok(let j):
            guard let s = j["status"]?.stringValue?.trimmingCharacters(in: .whitespaces), !s.isEmpty, s.count <= 100 else {
                return .now(route, PlugboardApplication.fieldErrors([("status", "required: a non-empty string")]))
            }
            status = s
        }
        let book = services.tickets, open = services.workflow.settings.openStatuses
        return .later(route) { [self] in
            do { return .json(200, try await book.setStatus(id, to: status, openStatuses: open).json) } catch { return failure(error, route) }
        }
    }

    func exportCSV(_ request: ServerRequest, _ route: String) -> RouteResult {
        let f: TicketFilter
        switch filter(request) {
        case .ok(let x): f = x
        case .refused(let r): return .now(route, r)
        }
        let book = services.tickets
        return .later(route) { [self] in
            do {
                let csv = CSVExport.render(try await book.list(f))
                return ServerResponse(status: 200, headers: [("Content-Type", "text/csv; charset=utf-8"),
                                                             ("Content-Disposition", "attachment; filename=\"tickets.csv\"")],
                                      body: Array(csv.utf8))
            } catch {
                return failure(error, route)
            }
        }
    }

    func metricsRoute(_ route: String) -> RouteResult {
        let queue = services.workflow.queue, adapterMetrics = services.adapterMetrics, http = metrics
        return .later(route) {
            var text = http.prometheusText() + adapterMetrics.prometheusText()
            text += "# HELP plugboard_jobs Intake jobs by state.\n# TYPE plugboard_jobs gauge\n"
            if let counts = try? await queue.counts() {
                for k in counts.keys.sorted() { text += "plugboard_jobs{state=\"\(AdapterMetrics.escapeLabelValue(k))\"} \(counts[k]!)\n" }
            }
            return .text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
