import Foundation
import PlugboardKernel
import PlugboardServer
import PlugboardWorkflow
import Testing

@Suite("HTTP routes")
struct ServerRoutesTests {
    @Test func healthReportsVersionAndEachAdapter() async throws {
        let s = try await TestServer.start()
        let r = try #require(try await s.request("GET", "/health"))
        #expect(r.status == 200)
        #expect(r.json?["version"] as? String == "test")
        let adapters = try #require(r.json?["adapters"] as? [String: [String: Any]])
        #expect(Set(adapters.keys) == ["storage", "crm", "tasks", "objects", "llm", "notify"])
        #expect(adapters["storage"]?["adapter"] as? String == "memory")
        #expect(adapters.values.allSatisfy { $0["status"] as? String == "ok" })
        let head = try #require(try await s.request("HEAD", "/health"))
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] != "0")
        await s.stop()
    }

    @Test func formPostsAndOperatorListsClosesExportsWithTokenOnly() async throws {
        let s = try await TestServer.start()
        let created = try #require(try await s.request("POST", "/webhook/request", headers: TestServer.json, body: TestServer.intakeBody(1)))
        #expect(created.status == 200)
        let id = try #require(created.json?["ticket_id"] as? String)
        #expect(created.json?["status"] as? String == "created")
        #expect(created.json?["is_new_ticket"] as? Bool == true)
        #expect(created.json?["classification"] is String)
        #expect(created.json?["files_uploaded"] as? Int == 0)
        #expect(created.json?["message"] is String)

        // Without a token, or with a wrong one: 401 on every admin route, and the token sent is not echoed.
        for (m, p) in [("GET", "/tickets"), ("GET", "/tickets/\(id)"), ("GET", "/export/csv"), ("GET", "/metrics")] {
            #expect(try await s.request(m, p)?.status == 401)
            let wrong = try #require(try await s.request(m, p, headers: ["Authorization": "Bearer not-the-token-xyz"]))
            #expect(wrong.status == 401)
            #expect(!wrong.text.contains("not-the-token-xyz"))
            #expect(!wrong.text.contains(TestServer.token))
        }
        let patchNoToken = try await s.request("PATCH", "/tickets/\(id)/status", headers: TestServer.json, body: #"{"status":"fermé"}"#)
        #expect(patchNoToken?.status == 401)

        let list = try #require(try await s.request("GET", "/tickets", headers: s.admin))
        #expect(list.status == 200 && list.json?["count"] as? Int == 1)
        let one = try #require(try await s.request("GET", "/tickets/\(id)", headers: s.admin))
        #expect(one.status == 200 && one.json?["ticket_id"] as? String == id)

        var h = s.admin; h["Content-Type"] = "application/json"
        let closed = try #require(try await s.request("PATCH", "/tickets/\(id)/status", headers: h, body: #"{"status":"fermé"}"#))
        #expect(closed.status == 200)
        #expect(closed.json?["closed_at"] is String)
        #expect(closed.json?["resolution_duration"] is Int)
        let again = try await s.request("PATCH", "/tickets/\(id)/status", headers: h, body: #"{"status":"fermé"}"#)
        #expect(again?.status == 409)
        let reopened = try #require(try await s.request("PATCH", "/tickets/\(id)/status", headers: h, body: #"{"status":"en cours"}"#))
        #expect(reopened.status == 200 && reopened.json?["closed_at"] is NSNull)
        let pending = try #require(try await s.request("PATCH", "/tickets/\(id)/status", headers: h, body: #"{"status":"pending"}"#))
        #expect(pending.json?["status"] as? String == "pending")

        let filtered = try #require(try await s.request("GET", "/tickets?status=fermé".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!, headers: s.admin))
        #expect(filtered.json?["count"] as? Int == 0)
        let csv = try #require(try await s.request("GET", "/export/csv?channel=email&date_from=2000-01-01", headers: s.admin))
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.text.split(separator: "\r\n").count == 2 && csv.text.contains(id))
        let badDate = try #require(try await s.request("GET", "/export/csv?date_from=yesterday", headers: s.admin))
        #expect(badDate.status == 422)

        let metrics = try #require(try await s.request("GET", "/metrics", headers: s.admin))
        #expect(metrics.status == 200)
        #expect(metrics.text.contains(#"plugboard_http_requests_total{route="/webhook/request",method="POST",status="200"} 1"#))
        #expect(metrics.text.contains("plugboard_http_request_duration_seconds_bucket"))
        #expect(metrics.text.contains("plugboard_adapter_calls_total"))
        #expect(metrics.text.contains(#"plugboard_jobs{state="done"} 1"#))
        #expect(try await s.request("GET", "/tickets/NOPE", headers: s.admin)?.status == 404)
        await s.stop()
    }

    @Test func activityEventsAreStoredAndValidated() async throws {
        let s = try await TestServer.start()
        let ok = try #require(try await s.request("POST", "/activity", headers: TestServer.json,
                                                  body: #"{"contact_email":"A@x.org","type":"form_error","details":{"form":"login"}}"#))
        #expect(ok.status == 201)
        let id = try #require(ok.json?["activity_id"] as? String)
        let stored = try await s.adapters.storage().get(.activities, id: id)
        #expect(stored?.body["contact_email"] == "a@x.org")
        #expect(stored?.body["type"] == "form_error")
        let bad = try #require(try await s.request("POST", "/activity", headers: TestServer.json, body: #"{"contact_email":"a@x.org","type":"dance"}"#))
        #expect(bad.status == 422)
        #expect((bad.json?["fields"] as? [[String: Any]])?.first?["field"] as? String == "type")
        await s.stop()
    }

    @Test func threeFailedLoginsOverHTTPDraftOneProactiveTicket() async throws {
        let s = try await TestServer.start()
        var drafts: [String] = []
        for _ in 0..<5 {
            let r = try #require(try await s.request("POST", "/activity", headers: TestServer.json,
                                                     body: #"{"contact_email":"locked.out@x.org","type":"login_failed"}"#))
            #expect(r.status == 201)
            if let d = r.json?["draft_id"] as? String { drafts.append(d) }
        }
        #expect(drafts.count == 1, "one draft per contact per cooldown: \(drafts)")
        await s.stop()
    }

    @Test func eachErrorStatusWithAJSONBody() async throws {
        let s = try await TestServer.start { $0.maxBodyBytes = 1000 }
        let port = s.port
        func raw(_ bytes: String) async throws -> RawClient.Response? {
            try await blocking { let c = try RawClient(port: port); c.send(bytes); return c.response() }
        }
        let cases: [(String, Int)] = [
            ("GARBAGE\r\n\r\n", 400),
            ("GET /health HTTP/1.1\r\n\r\n", 400),                                              // no Host
            ("GET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400),
            ("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404),
            ("DELETE /tickets HTTP/1.1\r\nHost: x\r\n\r\n", 405),
            ("POST /webhook/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n", 411),
            ("POST /webhook/request HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411),
            ("POST /webhook/request HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413),
            ("POST /webhook/request HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi", 415),
            ("POST /webhook/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{oops", 400),
            ("POST /webhook/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", 422),
            ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 17_000))\r\n\r\n", 431),
            ("GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ]
        for (request, status) in cases {
            let r = try #require(try await raw(request), "no answer to \(request.prefix(40))")
            #expect(r.status == status, "\(request.prefix(50))")
            #expect(r.headers["content-type"] == "application/json", "\(request.prefix(50))")
            #expect(r.json?["error"] is String && r.json?["message"] is String, "\(request.prefix(50))")
            if status == 405 { #expect(r.headers["allow"] == "GET, HEAD, OPTIONS") }
        }
        let fields = try #require(try await raw(cases[10].0)?.json?["fields"] as? [[String: Any]])
        #expect(Set(fields.compactMap { $0["field"] as? String }) == ["subject", "description", "user_email"])
        let local = #"{"objet":"x","description":"y","user_email":"a@b.fr","fichiers":[{"name":"passwd","path":"/etc/passwd"}]}"#
        let refused = try #require(try await s.request("POST", "/webhook/request", headers: TestServer.json, body: local))
        #expect(refused.status == 422)
        await s.stop()
    }

    @Test func internalErrorsAre500WithoutDetails() async throws {
        let s = try await TestServer.start()
        let a = s.adapters
        let failing = FailingStore()
        let ports = WorkflowPorts(storage: failing, crm: try await a.crm(), tasks: try await a.tasks(), objects: try await a.objects(),
                                  llm: try await a.llm(), notifier: try await a.notifier())
        let services = PlugboardApplication.Services(workflow: Workflow(ports: ports, settings: try WorkflowSettings([:])),
                                                     tickets: TicketBook(store: failing), version: "t")
        var cfg = ServerConfiguration()
        cfg.adminToken = TestServer.token
        let t = try await TestServer.start(handler: PlugboardApplication(services: services, configuration: cfg, metrics: HTTPMetrics()))
        let r = try #require(try await t.request("GET", "/tickets/X", headers: t.admin))
        #expect(r.status == 500)
        #expect(r.json?["error"] as? String == "internal_error")
        #expect(!r.text.contains("db-password"))
        let w = try #require(try await t.request("POST", "/webhook/request", headers: TestServer.json, body: TestServer.intakeBody(9)))
        #expect(w.status == 500 && !w.text.contains("db-password"))
        await t.stop()
        await s.stop()
    }
}

/// A store whose every call fails with a message that must never reach a client.
struct FailingStore: DocumentStore {
    var error: PlugboardError { .internal("connect postgres://app:db-password@db/tickets failed") }
    func get(_ collection: CollectionSpec, id: String) async throws -> StoredDocument? { throw error }
    func put(_ collection: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 { throw error }
    func delete(_ collection: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool { throw error }
    func query(_ collection: CollectionSpec, _ query: IndexQuery) async throws -> Page { throw error }
    func batchPut(_ collection: CollectionSpec, _ documents: [Document]) async throws { throw error }
    func scan(_ collection: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        let e = error
        return AsyncThrowingStream { $0.finish(throwing: e) }
    }
    func count(_ collection: CollectionSpec) async throws -> Int { throw error }
    func close() async throws {}
}
