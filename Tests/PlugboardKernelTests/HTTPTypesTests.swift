import Foundation
import Testing
@testable import PlugboardKernel

@Suite("HTTP types")
struct HTTPTypesTests {
    @Test func headersAreCaseInsensitiveAndOrdered() {
        var h: HTTPHeaders = ["Content-Type": "application/json"]
        h.add("X-Multi", "1")
        h.add("x-multi", "2")
        #expect(h["content-type"] == "application/json")
        #expect(h.values(for: "X-MULTI") == ["1", "2"])
        h.replaceOrAdd("X-Multi", "3")
        #expect(h.values(for: "x-multi") == ["3"])
        #expect(h.map(\.name) == ["Content-Type", "X-Multi"])
        h.remove("CONTENT-TYPE")
        #expect(h["Content-Type"] == nil)
    }

    @Test func headerDescriptionRedactsSecrets() {
        let h: HTTPHeaders = ["Authorization": "Bearer S3CRET", "x-api-key": "K3Y", "X-Amz-Security-Token": "T0K",
                              "Accept": "application/json"]
        let text = h.description
        for secret in ["S3CRET", "K3Y", "T0K"] { #expect(!text.contains(secret)) }
        #expect(text.contains("Accept: application/json"))
        #expect(text.contains("Authorization: ***"))
    }

    @Test func urlParts() throws {
        let p = try #require(URLParts("https://Example.com:8443/a/b?x=1#frag"))
        #expect(p.host == "example.com")
        #expect(p.port == 8443)
        #expect(p.path == "/a/b")
        #expect(p.query == "x=1")
        #expect(p.authority == "example.com:8443")
        let d = try #require(URLParts("http://h"))
        #expect(d.effectivePort == 80)
        #expect(d.authority == "h")
        #expect(d.path == "")
        #expect(URLParts("ftp://h/x") == nil)
        #expect(URLParts("not a url") == nil)
        #expect(try #require(URLParts("http://[::1]:9000/")).host == "[::1]")
    }

    @Test func responseJSONUsesTheKernelParser() throws {
        let r = HTTPResponse(status: 200, headers: ["Content-Type": "application/json"],
                             body: Data(#"{"n": 12345678901234567890123, "s": "x"}"#.utf8))
        #expect(r.header("content-type") == "application/json")
        #expect(try r.json()["n"]?.numberValue?.text == "12345678901234567890123")
        let bad = HTTPResponse(status: 502, body: Data("<html>".utf8))
        #expect(throws: PlugboardError.self) { try bad.json() }
    }

    @Test("status codes map to error codes")
    func statusMapping() {
        let table: [(Int, PlugboardError.Code, Bool)] = [
            (400, .invalidInput, false), (422, .invalidInput, false), (401, .unauthenticated, false),
            (403, .permissionDenied, false), (404, .notFound, false), (409, .conflict, false),
            (429, .rateLimited, true), (500, .unavailable, true), (502, .unavailable, true), (503, .unavailable, true),
            (418, .invalidInput, false),
        ]
        for (status, code, retryable) in table {
            let e = PlugboardError(httpStatus: status, message: "GET /x failed", adapter: "test")
            #expect(e.code == code, "\(status)")
            #expect(e.isRetryable == retryable, "\(status)")
            #expect(e.cause == "HTTP \(status)")
        }
    }

    @Test("Retry-After: seconds or HTTP-date")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        let e = PlugboardError(httpStatus: 429, message: "slow down", headers: ["Retry-After": "120"], now: now)
        #expect(e.retryAfter == .seconds(120))
        #expect(PlugboardError.retryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == .seconds(30))
        #expect(PlugboardError.retryAfter("Wednesday, 21-Oct-15 07:29:00 GMT", now: now) == .seconds(60))
        #expect(PlugboardError.retryAfter("Wed Oct 21 07:28:10 2015", now: now) == .seconds(10))
        #expect(PlugboardError.retryAfter("Tue, 20 Oct 2015 07:28:00 GMT", now: now) == .zero)
        #expect(PlugboardError.retryAfter("soon", now: now) == nil)
        let unavailable = PlugboardError(httpStatus: 503, message: "down", headers: ["retry-after": "5"], now: now)
        #expect(unavailable.retryAfter == .seconds(5))
    }

    @Test func fakeTransportRecordsRequests() async throws {
        let fake = FakeHTTPTransport { req in
            HTTPResponse(status: req.method == .get ? 200 : 201, json: ["url": .string(req.url)])
        }
        let r1 = try await fake.send(HTTPRequest(method: .get, url: "https://api.example.com/a"))
        let r2 = try await fake.send(HTTPRequest(method: .post, url: "https://api.example.com/b", json: ["x": 1]))
        #expect(r1.status == 200)
        #expect(r2.status == 201)
        #expect(fake.requests.map(\.url) == ["https://api.example.com/a", "https://api.example.com/b"])
        #expect(fake.requests[1].headers["content-type"] == "application/json")
        #expect(try r2.json()["url"]?.stringValue == "https://api.example.com/b")
    }

    @Test func digestMatchesKnownVectors() {
        #expect(Digest.hex(Digest.sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // RFC 4231 test case 2.
        #expect(Digest.hex(Digest.hmacSHA256(key: Array("Jefe".utf8), data: "what do ya want for nothing?"))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
