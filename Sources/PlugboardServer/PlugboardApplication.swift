import Foundation
import PlugboardKernel
import PlugboardWorkflow

/// The Plugboard HTTP API: the intake webhook, activity events, health, and the
/// admin routes (tickets, CSV export, status changes, metrics) over the same
/// workflow and ticket book the CLI uses.
public final class PlugboardApplication: RequestHandling {
    /// What the routes run on.
    public struct Services: Sendable {
        public var workflow: Workflow
        public var tickets: TicketBook
        public var adapterMetrics: AdapterMetrics
        /// `{"storage": {"adapter": "sqlite", "status": "ok"}, ...}` as checked at start.
        public var adapterStatus: [String: JSON]
        public var version: String

        public init(workflow: Workflow, tickets: TicketBook, adapterMetrics: AdapterMetrics = .shared,
                    adapterStatus: [String: JSON] = [:], version: String) {
            self.workflow = workflow; self.tickets = tickets; self.adapterMetrics = adapterMetrics
            self.adapterStatus = adapterStatus; self.version = version
        }
    }

    let services: Services
    let configuration: ServerConfiguration
    let metrics: HTTPMetrics
    let admin: AdminToken
    let signature: WebhookSignature?
    let logger = Logger(label: "server")
    /// The /health answer is the same until restart: built once, copied per request.
    let health: ServerResponse

    public init(services: Services, configuration: ServerConfiguration, metrics: HTTPMetrics) {
        self.services = services
        self.configuration = configuration
        self.metrics = metrics
        admin = AdminToken(configuration.adminToken)
        signature = configuration.webhookSecret.map { WebhookSignature(secret: $0, window: configuration.replayWindow) }
        let storageOK = services.adapterStatus["storage"]?["status"]?.stringValue ?? "ok" == "ok"
        let allOK = services.adapterStatus.values.allSatisfy { $0["status"]?.stringValue == "ok" }
        health = .json(storageOK ? 200 : 503, ["status": .string(allOK ? "ok" : (storageOK ? "degraded" : "unavailable")),
                                               "version": .string(services.version), "adapters": .object(services.adapterStatus)],
                       headers: [("Cache-Control", "no-store")])
    }

    /// Builds every configured adapter once (so `/health` can report each) and the services over them.
    public static func make(adapters: Adapters, fetcher: (any AttachmentFetching)?, configuration: ServerConfiguration,
                            metrics: HTTPMetrics, version: String) async throws -> PlugboardApplication {
        var status: [String: JSON] = [:]
        func check(_ port: PlugboardKernel.Port, _ build: () async throws -> Void) async {
            let name = adapters.config.settings(port)?.adapter ?? "none"
            do {
                try await build()
                status[port.rawValue] = ["adapter": .string(name), "status": "ok"]
            } catch {
                let e = PlugboardError.wrap(error)
                status[port.rawValue] = ["adapter": .string(name), "status": "error", "error": .string("\(e.code)"),
                                         "message": .string(e.message)]
            }
        }
        await check(.storage) { _ = try await adapters.storage() }
        await check(.crm) { _ = try await adapters.crm() }
        await check(.tasks) { _ = try await adapters.tasks() }
        await check(.objects) { _ = try await adapters.objects() }
        await check(.llm) { _ = try await adapters.llm() }
        await check(.notify) { _ = try await adapters.notifier() }
        let ports = WorkflowPorts(storage: try await adapters.storage(), crm: try await adapters.crm(), tasks: try await adapters.tasks(),
                                  objects: try await adapters.objects(), llm: try await adapters.llm(),
                                  notifier: try await adapters.notifier(), fetcher: fetcher)
        let workflow = Workflow(ports: ports, settings: try WorkflowSettings(adapters.config.workflow))
        let services = Services(workflow: workflow, tickets: TicketBook(store: ports.storage, workflow: adapters.config.workflow),
                                adapterMetrics: adapters.metrics, adapterStatus: status, version: version)
        return PlugboardApplication(services: services, configuration: configuration, metrics: metrics)
    }

    // MARK: - Routing

    struct Route {
        var template: String
        var methods: [String]
    }

    /// The route a path names, with its `{id}` if any; nil when no route has that shape.
    static func match(_ path: String) -> (Route, id: String?)? {
        switch path {
        case "/health": return (Route(template: "/health", methods: ["GET"]), nil)
        case "/webhook/request": return (Route(template: "/webhook/request", methods: ["POST"]), nil)
        case "/activity": return (Route(template: "/activity", methods: ["POST"]), nil)
        case "/tickets": return (Route(template: "/tickets", methods: ["GET"]), nil)
        case "/export/csv": return (Route(template: "/export/csv", methods: ["GET"]), nil)
        case "/metrics": return (Route(template: "/metrics", methods: ["GET"]), nil)
        default: break
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "tickets", !parts[2].isEmpty else { return nil }
        let id = URIEncoding.decode(String(parts[2]))
        if parts.count == 3 { return (Route(template: "/tickets/{id}", methods: ["GET"]), id) }
        if parts.count == 4, parts[3] == "status" { return (Route(template: "/tickets/{id}/status", methods: ["PATCH"]), id) }
        return nil
    }

    public func respond(to request: ServerRequest) -> RouteResult {
        guard let (route, id) = PlugboardApplication.match(request.path) else {
            return .now("(unmatched)", .error(404, "not_found", "no route for \(String(request.path.prefix(200)))"))
        }
        let cors = corsHeaders(request)
        if request.method == "OPTIONS" { return .now(route.template, preflight(request, route, cors)) }
        guard route.methods.contains(request.method) else {
            return .now(route.template, .error(405, "method_not_allowed", "\(request.method) is not allowed on \(route.template)",
                                               headers: [("Allow", allow(route))]))
        }
        var result = handle(request, route.template, id)
        if !cors.isEmpty, case .now(var r) = result.answer {
            r.headers += cors
            result.answer = .now(r)
        } else if !cors.isEmpty, case .later(let work) = result.answer {
            result.answer = .later { var r = await work(); r.headers += cors; return r }
        }
        return result
    }

    func allow(_ route: Route) -> String {
        (route.methods + (route.methods.contains("GET") ? ["HEAD"] : []) + ["OPTIONS"]).joined(separator: ", ")
    }

    private func handle(_ request: ServerRequest, _ template: String, _ id: String?) -> RouteResult {
        switch template {
        case "/health": return .now(template, health)
        case "/webhook/request": return intake(request, template)
        case "/activity": return activity(request, template)
        default: break
        }
        if let reason = admin.check(request.header("authorization")) {
            return .now(template, .error(401, "unauthorized", reason, headers: [("WWW-Authenticate", "Bearer realm=\"plugboard\"")]))
        }
        switch template {
        case "/tickets": return listTickets(request, template)
        case "/tickets/{id}": return getTicket(id!, template)
        case "/tickets/{id}/status": return setStatus(request, id!, template)
        case "/export/csv": return exportCSV(request, template)
        default: return metricsRoute(template)
        }
    }

    // MARK: - CORS

    func allowedOrigin(_ origin: String?) -> String? {
        guard let origin else { return nil }
        if configuration.corsOrigins.contains("*") { return "*" }
        return configuration.corsOrigins.contains(origin) ? origin : nil
    }

    func corsHeaders(_ request: ServerRequest) -> [(name: String, value: String)] {
        guard let o = allowedOrigin(request.header("origin")) else { return [] }
        return [("Access-Control-Allow-Origin", o), ("Vary", "Origin")]
    }

    func preflight(_ request: ServerRequest, _ route: Route, _ cors: [(name: String, value: String)]) -> ServerResponse {
        guard request.header("access-control-request-method") != nil else {
            return ServerResponse(status: 204, headers: [("Allow", allow(route))])
        }
        guard !cors.isEmpty else {
            return .error(403, "origin_not_allowed", "this origin may not call \(route.template) from a browser (server.cors_origins)")
        }
        return ServerResponse(status: 204, headers: cors + [
            ("Access-Control-Allow-Methods", allow(route)),
            ("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Plugboard-Signature"),
            ("Access-Control-Max-Age", "600"),
        ])
    }
}
