import Dispatch
import Foundation
import Glibc
import PlugboardKernel
import PlugboardServer

struct ServeCommand: Command {
    static let words = ["serve"]
    static let summary = "Serve the intake webhook and the tickets API over HTTP/1.1."
    static let synopsis = "[--host ADDR] [--port N] [--event-loops N]"
    static let details = """
    Routes: POST /webhook/request (the intake payload; answers with the intake result), POST /activity,
    GET /health; with Authorization: Bearer <server.admin_token | $PLUGBOARD_ADMIN_TOKEN>: GET /tickets
    (?status, channel, date_from, date_to), GET /tickets/{id}, PATCH /tickets/{id}/status {"status": ...},
    GET /export/csv (same filters), GET /metrics (Prometheus text).
    With server.webhook_secret ($PLUGBOARD_WEBHOOK_SECRET) set, POST /webhook/request and /activity need
    X-Plugboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>, within
    server.webhook_replay_window seconds, each signature once.
    Settings come from the "server" section of adapters.json (limits, timeouts, CORS origins); --host and --port
    override it. SIGTERM or SIGINT stops accepting, lets requests in flight finish, then exits (a second one exits at once).
    Plain HTTP only: put nginx (or another proxy) in front for TLS (docs/DEPLOY.md).
    """
    static let options = [
        OptionSpec(name: "host", value: "ADDR", help: "Address to listen on (default server.host, 127.0.0.1)."),
        OptionSpec(name: "port", value: "N", help: "TCP port (default server.port, 8080; 0 picks a free one)."),
        OptionSpec(name: "event-loops", value: "N", help: "Threads serving connections (default: one per processor)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let config = try inv.loadConfig()
        var settings = ServerConfiguration(section: config.server)
        if let h = inv.args.value("host") { settings.host = h }
        if inv.args.value("port") != nil { settings.port = try inv.args.int("port", default: settings.port, range: 0...65_535) }
        if inv.args.value("event-loops") != nil { settings.eventLoops = try inv.args.int("event-loops", default: 0, range: 1...256) }
        signal(SIGPIPE, SIG_IGN)

        let adapters = Adapters(config: config, registry: inv.registry)
        do {
            let metrics = HTTPMetrics()
            let app = try await PlugboardApplication.make(adapters: adapters, fetcher: BuiltinAdapters.attachmentFetcher,
                                                          configuration: settings, metrics: metrics, version: PlugboardCLI.version)
            let signals = ShutdownSignal()
            let server = try HTTPServer(configuration: settings, handler: app, metrics: metrics)
            inv.warn("plugboard \(PlugboardCLI.version) serving http://\(settings.host):\(server.port)/ "
                     + "(admin routes \(settings.adminToken == nil ? "disabled: no admin token" : "need the bearer token"), "
                     + "webhook signatures \(settings.webhookSecret == nil ? "not checked" : "required"))")
            let received = await signals.wait()
            inv.warn("plugboard serve: \(received), finishing requests in flight")
            await server.shutdown()
            try await adapters.close()
            inv.warn("plugboard serve: stopped")
            return 0
        } catch {
            try? await adapters.close()
            throw error
        }
    }
}

/// SIGTERM and SIGINT through Dispatch signal sources. Made before the server announces itself, so a
/// signal sent as soon as it is listening is caught; the default handlers are off until the first one
/// arrives, so the process lives on to drain, and back on after it, so a second signal ends it at once.
struct ShutdownSignal {
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<String>

    init() {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let queue = DispatchQueue(label: "plugboard.signals")
        let (stream, continuation) = AsyncStream<String>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for (sig, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { continuation.yield(name) }
            s.resume()
            sources.append(s)
        }
        self.sources = sources
        self.stream = stream
    }

    /// The name of the first signal received.
    func wait() async -> String {
        var it = stream.makeAsyncIterator()
        let name = await it.next() ?? "signal"
        for s in sources { s.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        return name
    }
}
