import Foundation
import Glibc
import PlugboardServer
import Synchronization
import Testing

/// Answers after a delay given in the path (`/slow/300` waits 300 ms), `/fast` at once: order and shutdown tests.
struct DelayHandler: RequestHandling {
    /// Slow requests begun so far.
    let started = Tally()
    func respond(to request: ServerRequest) -> RouteResult {
        if request.path.hasPrefix("/slow/"), let ms = Int(request.path.dropFirst(6)) {
            started.add()
            let path = request.path
            return .later("/slow") {
                try? await Task.sleep(for: .milliseconds(ms))
                return .text(200, path)
            }
        }
        return .now("/fast", .text(200, request.path))
    }
}

@Suite("HTTP protocol")
struct ServerProtocolTests {
    @Test func keepAliveAndPipelinedRequestsAnswerInOrder() async throws {
        let s = try await TestServer.start(handler: DelayHandler())
        let port = s.port
        let paths = try await blocking { () -> [String] in
            let c = try RawClient(port: port)
            // The slow one first: the quick ones behind it must wait for it.
            c.send(RawClient.format("GET", "/slow/200") + RawClient.format("GET", "/fast1") + RawClient.format("GET", "/slow/10")
                   + RawClient.format("GET", "/fast2"))
            var out: [String] = []
            for _ in 0..<4 { if let r = c.response() { out.append(r.text) } }
            // Same connection, later request: keep-alive.
            c.send(RawClient.format("GET", "/fast3"))
            if let r = c.response() { out.append(r.text) }
            return out
        }
        #expect(paths == ["/slow/200", "/fast1", "/slow/10", "/fast2", "/fast3"])
        // Connection: close is honoured; HTTP/1.0 closes by default.
        let closes = try await blocking { () -> [Bool] in
            let a = try RawClient(port: port)
            a.send("GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            let ra = a.response()
            let b = try RawClient(port: port)
            b.send("GET /x HTTP/1.0\r\n\r\n")
            let rb = b.response()
            return [ra?.headers["connection"] == "close", a.closedByServer(), rb?.status == 200, b.closedByServer()]
        }
        #expect(closes == [true, true, true, true])
        await s.stop()
    }

    @Test func slowClientIsDropped() async throws {
        let s = try await TestServer.start({ $0.readTimeout = 0.5 })
        let port = s.port
        let (status, closed, elapsed) = try await blocking { () -> (Int?, Bool, Double) in
            let c = try RawClient(port: port)
            let t0 = Date()
            c.send("GET /health HTTP/1.1\r\nHost: x\r\n")      // never finishes the head
            let r = c.response()
            return (r?.status, c.closedByServer(), Date().timeIntervalSince(t0))
        }
        #expect(status == 408)
        #expect(closed)
        #expect(elapsed >= 0.45 && elapsed < 3)
        // A body that trickles in too slowly is dropped the same way.
        let bodyStatus = try await blocking { () -> Int? in
            let c = try RawClient(port: port)
            c.send("POST /activity HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            return c.response()?.status
        }
        #expect(bodyStatus == 408)
        #expect(try await s.request("GET", "/health")?.status == 200)
        await s.stop()
    }

    @Test func webhookSignature() async throws {
        let s = try await TestServer.start { $0.webhookSecret = TestServer.secret; $0.replayWindow = 300 }
        let body = TestServer.intakeBody(7)
        let now = Int(Date().timeIntervalSince1970)
        let good = WebhookSignature.sign(Array(body.utf8), secret: TestServer.secret, time: now)
        func post(_ sig: String?) async throws -> RawClient.Response? {
            var h = TestServer.json
            if let sig { h["X-Plugboard-Signature"] = sig }
            return try await s.request("POST", "/webhook/request", headers: h, body: body)
        }
        let missing = try await post(nil)
        #expect(missing?.status == 401)
        let wrongKey = WebhookSignature.sign(Array(body.utf8), secret: "other", time: now)
        #expect(try await post(wrongKey)?.status == 401)
        let tampered = WebhookSignature.sign(Array((body + " ").utf8), secret: TestServer.secret, time: now)
        #expect(try await post(tampered)?.status == 401)
        let stale = WebhookSignature.sign(Array(body.utf8), secret: TestServer.secret, time: now - 301)
        let staleAnswer = try #require(try await post(stale))
        #expect(staleAnswer.status == 401 && staleAnswer.text.contains("replay window"))
        #expect(try await post(good)?.status == 200)
        let replayed = try #require(try await post(good))
        #expect(replayed.status == 401 && replayed.text.contains("replay"))
        #expect(!replayed.text.contains(TestServer.secret))
        #expect(try await post("t=\(now),v1=zz")?.status == 401)
        #expect(try await post("garbage")?.status == 401)
        await s.stop()
    }

    @Test func corsPreflightAndSimpleRequests() async throws {
        let s = try await TestServer.start { $0.corsOrigins = ["https://forms.example.com"] }
        let ok = try #require(try await s.request("OPTIONS", "/webhook/request", headers: [
            "Origin": "https://forms.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type",
        ]))
        #expect(ok.status == 204)
        #expect(ok.headers["access-control-allow-origin"] == "https://forms.example.com")
        #expect(ok.headers["access-control-allow-methods"]?.contains("POST") == true)
        #expect(ok.headers["access-control-allow-headers"]?.lowercased().contains("content-type") == true)
        let other = try await s.request("OPTIONS", "/webhook/request", headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "POST"])
        #expect(other?.status == 403 && other?.headers["access-control-allow-origin"] == nil)
        var h = TestServer.json; h["Origin"] = "https://forms.example.com"
        let post = try #require(try await s.request("POST", "/webhook/request", headers: h, body: TestServer.intakeBody(3)))
        #expect(post.status == 200 && post.headers["access-control-allow-origin"] == "https://forms.example.com")
        await s.stop()
    }

    @Test func manyClientsAtOnce() async throws {
        let s = try await TestServer.start()
        let port = s.port
        let clients = 64, perClient = 25
        let ok = Tally()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for i in 0..<clients {
                g.addTask {
                    try await blocking {
                        let c = try RawClient(port: port, timeout: 20)
                        for j in 0..<perClient {
                            // Mostly health, every fifth an intake of its own contact.
                            let req = j % 5 == 0
                                ? RawClient.format("POST", "/webhook/request", headers: TestServer.json, body: TestServer.intakeBody(i * 1000 + j))
                                : RawClient.format("GET", "/health")
                            c.send(req)
                            if c.response()?.status == 200 { ok.add() }
                        }
                    }
                }
            }
            try await g.waitForAll()
        }
        #expect(ok.value == clients * perClient)
        let tickets = try await s.adapters.storage().count(.tickets)
        #expect(tickets == clients * (perClient / 5))
        await s.stop()
    }

    @Test func connectionLimit() async throws {
        let s = try await TestServer.start { $0.maxConnections = 2; $0.eventLoops = 1 }
        let port = s.port
        let statuses = try await blocking { () -> [Int?] in
            let a = try RawClient(port: port), b = try RawClient(port: port)
            a.send(RawClient.format("GET", "/health")); _ = a.response()
            b.send(RawClient.format("GET", "/health")); _ = b.response()
            let c = try RawClient(port: port)
            c.send(RawClient.format("GET", "/health"))
            let third = c.response()?.status
            a.send(RawClient.format("GET", "/health"))
            return [third, a.response()?.status]
        }
        #expect(statuses == [503, 200])
        await s.stop()
    }

    @Test func gracefulShutdownFinishesInFlightWork() async throws {
        let handler = DelayHandler()
        let s = try await TestServer.start(handler: handler)
        let port = s.port
        let inflight = Task {
            try await blocking { () -> (Int?, String?) in
                let c = try RawClient(port: port)
                c.send(RawClient.format("GET", "/slow/400"))
                let r = c.response()
                return (r?.status, r?.headers["connection"])
            }
        }
        while handler.started.value == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let t0 = Date()
        await s.server.shutdown()
        let (status, connection) = try await inflight.value
        #expect(status == 200)
        #expect(connection == "close")
        #expect(Date().timeIntervalSince(t0) >= 0.2)
        #expect(throws: (any Error).self) { _ = try RawClient(port: port) }
    }
}
