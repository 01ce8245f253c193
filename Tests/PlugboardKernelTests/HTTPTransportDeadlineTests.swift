import Foundation
import PlugboardKernel
import Testing

@Suite("HTTPTransport.send(_:timeout:adapter:)")
struct HTTPTransportDeadlineTests {
    @Test("the timeout reaches the transport, and a prompt answer passes through")
    func handsTheTimeoutOver() async throws {
        let http = FakeHTTPTransport { _ in HTTPResponse(status: 204) }
        let r = try await http.send(HTTPRequest(method: .get, url: "https://api.example.test/x"), timeout: .milliseconds(1500), adapter: "probe")
        #expect(r.status == 204)
        #expect(http.requests.first?.timeout == .milliseconds(1500))
    }

    @Test("a transport that never answers ends in .unavailable, retryable, at the timeout; the stalled call is cancelled")
    func stalled() async throws {
        let cancelled = Locked(false)
        let http = FakeHTTPTransport { _ in
            do {
                try await Task.sleep(for: .seconds(120))
            } catch {
                cancelled.withLock { $0 = true }
                throw error
            }
            return HTTPResponse(status: 200)
        }
        let started = ContinuousClock.now
        do {
            _ = try await http.send(HTTPRequest(method: .get, url: "https://api.example.test/slow?sig=secret"), timeout: .milliseconds(100),
                                    adapter: "probe")
            Issue.record("no timeout")
        } catch let e as PlugboardError {
            #expect(e.code == .unavailable)
            #expect(e.isRetryable)
            #expect(e.adapter == "probe")
            #expect(e.message.contains("https://api.example.test/slow") && !e.message.contains("sig=secret"))
        }
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(cancelled.value)
    }

    @Test("a secret path is shown as /*** in log descriptions")
    func secretPath() {
        var r = HTTPRequest(method: .post, url: "https://hooks.example.test/services/T0/B0/XXXX?x=1")
        #expect(r.logDescription == "POST https://hooks.example.test/services/T0/B0/XXXX")
        r.pathIsSecret = true
        #expect(r.logDescription == "POST https://hooks.example.test/***")
    }
}
