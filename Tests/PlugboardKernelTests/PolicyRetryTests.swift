import Foundation
import PlugboardKernel
import Synchronization
import Testing

@Suite("policy: retry")
struct PolicyRetryTests {
    func policy(_ clock: VirtualClock, maxAttempts: Int, metrics: AdapterMetrics = AdapterMetrics(),
                timeout: Duration? = nil) -> CallPolicy {
        CallPolicy(port: .crm, adapter: "hubspot",
                   retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(200), maxDelay: .seconds(30)),
                   timeout: timeout, metrics: metrics, clock: clock)
    }

    @Test(arguments: [1, 3, 5])
    func aFailingCallIsAttemptedExactlyMaxAttemptsTimes(_ maxAttempts: Int) async throws {
        let clock = VirtualClock()
        let metrics = AdapterMetrics()
        let op = ScriptedOperation(clock: clock, failing: 100, with: .unavailable("HTTP 503"), then: 0)
        let p = policy(clock, maxAttempts: maxAttempts, metrics: metrics)
        let error = await #expect(throws: PlugboardError.self) { try await p.call(operation: "createTicket") { try await op.run() } }
        #expect(op.calls == maxAttempts)
        #expect(error?.code == .unavailable)
        #expect(error?.adapter == "hubspot", "the policy names the adapter on errors that did not")
        let row = try #require(metrics.operation(port: "crm", adapter: "hubspot", operation: "createTicket"))
        #expect(row.calls == maxAttempts)
        #expect(row.outcomes == ["unavailable": maxAttempts])
        #expect(row.retries == maxAttempts - 1)
    }

    @Test(arguments: [
        PlugboardError.invalidInput("bad subject"),
        PlugboardError(.unavailable, "TLS certificate rejected", retryable: false),
        PlugboardError(.unauthenticated, "token revoked"),
        PlugboardError.conflict("exists"),
    ])
    func aNonRetryableErrorIsAttemptedOnce(_ failure: PlugboardError) async throws {
        let clock = VirtualClock()
        let op = ScriptedOperation(clock: clock, failing: 100, with: failure, then: 0)
        let p = policy(clock, maxAttempts: 5)
        let error = await #expect(throws: PlugboardError.self) { try await p.call(operation: "createTicket") { try await op.run() } }
        #expect(op.calls == 1)
        #expect(error?.code == failure.code)
        #expect(clock.elapsed == .zero, "no back-off after a final failure")
    }

    @Test func aCallThatRecoversReturnsItsValueAfterJitteredBackoff() async throws {
        let clock = VirtualClock()
        let op = ScriptedOperation(clock: clock, failing: 2, with: .unavailable("HTTP 502"), then: "done")
        let p = policy(clock, maxAttempts: 5)
        let value = try await p.call(operation: "addNote") { try await op.run() }
        #expect(value == "done")
        #expect(op.calls == 3)
        // Full jitter over base·2^(n-1), from half to all of it: 100–200 ms, then 200–400 ms.
        let t = op.startTimes
        let first = t[1] - t[0], second = t[2] - t[1]
        #expect(first >= .milliseconds(100) && first <= .milliseconds(200), "\(first)")
        #expect(second >= .milliseconds(200) && second <= .milliseconds(400), "\(second)")
    }

    @Test func retryAfterIsHonouredOverTheBackoff() async throws {
        let clock = VirtualClock()
        let error = PlugboardError(.rateLimited, "HTTP 429", retryAfter: .seconds(7))
        let op = ScriptedOperation(clock: clock, failing: 1, with: error, then: 1)
        _ = try await policy(clock, maxAttempts: 3).call(operation: "createTicket") { try await op.run() }
        let t = op.startTimes
        #expect(t.count == 2)
        #expect(t[1] - t[0] >= .seconds(7))
        #expect(t[1] - t[0] < .seconds(8), "the back-off (≤ 200 ms) does not add to a longer Retry-After")
    }

    /// The one real-time test: the production clock really waits out a `Retry-After`.
    @Test func realTimeRetryAfterDelaysTheNextAttemptByAtLeastTwoSeconds() async throws {
        let clock = ContinuousPolicyClock()
        let op = ScriptedOperation(clock: clock, failing: 1, with: PlugboardError(.rateLimited, "HTTP 429", retryAfter: .seconds(2)),
                                   then: true)
        let p = CallPolicy(port: .crm, adapter: "hubspot", retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10)),
                           metrics: AdapterMetrics(), clock: clock)
        let started = ContinuousClock.now
        #expect(try await p.call(operation: "createTicket") { try await op.run() })
        let elapsed = ContinuousClock.now - started
        let gap = op.startTimes[1] - op.startTimes[0]
        #expect(op.calls == 2)
        #expect(gap >= .seconds(2), "\(gap)")
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(10), "\(elapsed)")
    }

    @Test func foreignErrorsAreNotRetriedAndPassUnchanged() async throws {
        struct Native: Error {}
        let clock = VirtualClock()
        let calls = Locked(0)
        await #expect(throws: Native.self) {
            try await policy(clock, maxAttempts: 5).call(operation: "get") { () async throws -> Int in
                calls.withLock { $0 += 1 }
                throw Native()
            }
        }
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func noTimeoutUnlessAsked() {
        let s = AdapterSettings(port: .crm, adapter: "hubspot", values: ["timeout": 30])
        #expect(CallPolicy(settings: s).timeout == nil, "the adapter applies its own timeout setting")
        #expect(CallPolicy(port: .llm, adapter: "openai").timeout == nil)
    }

    @Test func theTimeoutHookCancelsASlowAttemptAndRetriesIt() async throws {
        // The body sleeps in real time (not on the virtual clock); the timer runs on the
        // virtual clock, whose only participant it is, so it fires at once.
        let clock = VirtualClock(participants: 1)
        let attempts = Locked(0)
        let started = ContinuousClock.now
        let error = await #expect(throws: PlugboardError.self) {
            try await policy(clock, maxAttempts: 2, timeout: .seconds(5)).call(operation: "generate") { () async throws -> Int in
                attempts.withLock { $0 += 1 }
                try await Task.sleep(for: .seconds(60))
                return 1
            }
        }
        #expect(attempts.withLock { $0 } == 2, "a timeout is retryable")
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("timed out after 5") == true, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(30), "the slow attempts were cancelled, not waited for")
    }

    @Test func aFastCallUnderATimeoutReturnsItsValueIncludingNil() async throws {
        let clock = VirtualClock(participants: 1)
        let p = policy(clock, maxAttempts: 1, timeout: .seconds(5))
        #expect(try await p.call(operation: "get") { 42 } == 42)
        let none: String? = try await p.call(operation: "head") { nil }
        #expect(none == nil)
    }

    @Test func settingsOverTheDefaults() {
        let d = CallPolicy(settings: AdapterSettings(port: .storage, adapter: "sqlite"))
        #expect(d.retry == RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(200), maxDelay: .seconds(30)))
        let s = AdapterSettings(port: .crm, adapter: "hubspot",
                                values: ["retry": ["max_attempts": 5, "base_delay": JSON(0.5), "max_delay": 10]])
        #expect(CallPolicy(settings: s).retry == RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(500), maxDelay: .seconds(10)))
        let nested = CallPolicy(settings: AdapterSettings(port: .llm, adapter: "chain"), nested: true)
        #expect(nested.retry.maxAttempts == 1)
        #expect(nested.budget.limit == nil)
    }
}
