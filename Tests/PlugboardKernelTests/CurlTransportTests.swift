import Foundation
import Testing
@testable import PlugboardKernel

/// `CurlTransport` against a real local HTTP server.
@Suite("CurlTransport")
struct CurlTransportTests {
    @Test("sequential requests reuse one keep-alive connection")
    func keepAlive() async throws {
        let server = try LocalHTTPServer()
        let http = CurlTransport()
        var ports: [Int] = []
        for _ in 0..<3 {
            let r = try await http.send(HTTPRequest(method: .get, url: "\(server.base)/echo"))
            #expect(r.status == 200)
            ports.append(try #require(try r.json()["client_port"]?.intValue))
        }
        #expect(Set(ports).count == 1, "client ports \(ports): a new connection per request")
    }

    @Test("bodies, methods and headers go through; no Expect: 100-continue")
    func requestShape() async throws {
        let server = try LocalHTTPServer()
        let http = CurlTransport()
        let body = String(repeating: "é", count: 5000)
        for method in [HTTPMethod.post, .put, .patch] {
            let r = try await http.send(HTTPRequest(method: method, url: "\(server.base)/echo",
                                                    headers: ["X-Custom": "v1", "Content-Type": "text/plain"],
                                                    body: Array(body.utf8)))
            let echo = try r.json()
            #expect(echo["method"]?.stringValue == method.rawValue)
            #expect(echo["body"]?.stringValue == body)
            #expect(echo["headers"]?["x-custom"]?.stringValue == "v1")
            #expect(echo["headers"]?["expect"] == nil)
        }
        let del = try await http.send(HTTPRequest(method: .delete, url: "\(server.base)/echo"))
        #expect(try del.json()["method"]?.stringValue == "DELETE")
        #expect(del.header("content-type") == "application/json")
    }

    @Test("error statuses are responses, not throws")
    func statuses() async throws {
        let server = try LocalHTTPServer()
        let r = try await CurlTransport().send(HTTPRequest(method: .get, url: "\(server.base)/status?code=429"))
        #expect(r.status == 429)
        #expect(r.header("retry-after") == "7")
        #expect(PlugboardError(httpStatus: r.status, message: "x", headers: r.headers).retryAfter == .seconds(7))
    }

    @Test("a slow server times out as unavailable and retryable")
    func timeout() async throws {
        let server = try LocalHTTPServer()
        let http = CurlTransport()
        let start = ContinuousClock.now
        let error = await #expect(throws: PlugboardError.self) {
            try await http.send(HTTPRequest(method: .get, url: "\(server.base)/slow?ms=3000", timeout: .milliseconds(300)))
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("127.0.0.1:\(server.port) timed out") == true, "\(String(describing: error))")
    }

    @Test("responses over the size limit fail, with or without Content-Length")
    func sizeLimit() async throws {
        let server = try LocalHTTPServer()
        let http = CurlTransport(.init(maxResponseBytes: 1000))
        for path in ["big?n=5000", "chunked?n=5000"] {
            let error = await #expect(throws: PlugboardError.self) {
                try await http.send(HTTPRequest(method: .get, url: "\(server.base)/\(path)"))
            }
            #expect(error?.code == .unsupported, "\(path)")
            #expect(error?.message.contains("1000-byte limit") == true, "\(String(describing: error))")
        }
        let exact = try await http.send(HTTPRequest(method: .get, url: "\(server.base)/chunked?n=1000"))
        #expect(exact.body.count == 1000)
        let raised = try await http.send(HTTPRequest(method: .get, url: "\(server.base)/big?n=5000", maxResponseBytes: 10_000))
        #expect(raised.body.count == 5000)
    }

    @Test("connection refused names host and port")
    func refused() async throws {
        let server = try LocalHTTPServer()
        let error = await #expect(throws: PlugboardError.self) {
            try await CurlTransport().send(HTTPRequest(method: .get, url: "http://127.0.0.1:\(server.closedPort)/"))
        }
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
        #expect(error?.message == "cannot connect to 127.0.0.1:\(server.closedPort) (connection refused)")
    }

    @Test("concurrent requests share a bounded pool of connections")
    func concurrency() async throws {
        let server = try LocalHTTPServer()
        let http = CurlTransport(.init(maxConnections: 3))
        let ports = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    let r = try await http.send(HTTPRequest(method: .get, url: "\(server.base)/echo"))
                    return try #require(try r.json()["client_port"]?.intValue)
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(ports.count == 24)
        #expect(Set(ports).count <= 3, "\(Set(ports).count) connections for a pool of 3")
    }

    @Test("a cancelled request stops promptly")
    func cancellation() async throws {
        let server = try LocalHTTPServer()
        let http = CurlTransport()
        let start = ContinuousClock.now
        let task = Task { try await http.send(HTTPRequest(method: .get, url: "\(server.base)/slow?ms=5000")) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test("the request log line never shows header values, the query or user info")
    func noSecretsLogged() async throws {
        let server = try LocalHTTPServer()
        let secrets = ["SIGSECRET", "TOKENSECRET", "KEYSECRET", "USERSECRET", "QSECRET"]
        let request = HTTPRequest(method: .get, url: "http://USERSECRET:pw@127.0.0.1:\(server.port)/echo?X-Amz-Signature=SIGSECRET&t=QSECRET",
                                  headers: ["Authorization": "Bearer TOKENSECRET", "x-api-key": "KEYSECRET"])
        let line = CurlTransport.logLine(request, outcome: "200", milliseconds: 3)
        #expect(line == "GET http://127.0.0.1:\(server.port)/echo -> 200 in 3 ms")
        for secret in secrets { #expect(!line.contains(secret)) }
        // Errors do not carry them either.
        let refused = HTTPRequest(method: .get, url: "http://127.0.0.1:\(server.closedPort)/?token=QSECRET",
                                  headers: ["Authorization": "Bearer TOKENSECRET"])
        let error = await #expect(throws: PlugboardError.self) { try await CurlTransport().send(refused) }
        for secret in secrets { #expect(error?.description.contains(secret) == false) }
        let invalid = await #expect(throws: PlugboardError.self) {
            try await CurlTransport().send(HTTPRequest(method: .get, url: "ftp://h/x?sig=SIGSECRET"))
        }
        #expect(invalid?.description.contains("SIGSECRET") == false)
    }
}
