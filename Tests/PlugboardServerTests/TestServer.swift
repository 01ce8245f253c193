import Foundation
import PlugboardCLI
import PlugboardKernel
import PlugboardServer

/// A server on a free loopback port over the embedded default adapters (memory storage), torn down by `stop`.
struct TestServer: Sendable {
    let server: HTTPServer
    let adapters: Adapters
    var port: Int { server.port }

    static let token = "admin-test-token-1234"
    static let secret = "webhook-test-secret"

    static func start(_ edit: (inout ServerConfiguration) -> Void = { _ in }, handler: (any RequestHandling)? = nil) async throws -> TestServer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pbserve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = #"{"storage": {"adapter": "memory"}, "objects": {"adapter": "filesystem", "root": "objects"}}"#
        let config = try ConfigLoader(registry: BuiltinAdapters.registry, environment: [:])
            .load(bytes: Array(text.utf8), file: dir + "/adapters.json", directory: dir, environment: [:])
        let adapters = Adapters(config: config, registry: BuiltinAdapters.registry, metrics: AdapterMetrics())
        var settings = ServerConfiguration(section: config.server)
        settings.port = 0
        settings.eventLoops = 2
        settings.adminToken = token
        edit(&settings)
        let metrics = HTTPMetrics()
        let app: any RequestHandling
        if let handler { app = handler } else {
            app = try await PlugboardApplication.make(adapters: adapters, fetcher: nil, configuration: settings, metrics: metrics, version: "test")
        }
        let server = try HTTPServer(configuration: settings, handler: app, metrics: metrics)
        return TestServer(server: server, adapters: adapters)
    }

    func stop() async {
        await server.shutdown()
        try? await adapters.close()
    }

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil) async throws -> RawClient.Response? {
        let port = self.port
        return try await blocking { try RawClient.request(port: port, method, path, headers: headers, body: body) }
    }

    var admin: [String: String] { ["Authorization": "Bearer \(TestServer.token)"] }
    static let json = ["Content-Type": "application/json"]

    static func intakeBody(_ n: Int, email: String? = nil) -> String {
        #"{"source":"formulaire","objet":"Facture \#(n) incorrecte","description":"Le montant de ma facture \#(n) est faux, merci de corriger.","user_email":"\#(email ?? "client\(n)@example.com")","user_name":"Client \#(n)"}"#
    }
}
