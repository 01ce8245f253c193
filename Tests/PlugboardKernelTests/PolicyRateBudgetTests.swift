import PlugboardKernel
import Synchronization
import Testing

@Suite("policy: rate budget")
struct PolicyRateBudgetTests {
    @Test func fiveHundredCallsFromTwentyTasksNeverExceedTenPerSecondInAnyWindow() async throws {
        let workers = 20, perWorker = 25
        let clock = VirtualClock(participants: workers)
        let metrics = AdapterMetrics()
        let policy = CallPolicy(port: .crm, adapter: "hubspot",
                                budget: RateBudget(limit: .init(requests: 10, per: .seconds(1)), clock: clock),
                                metrics: metrics, clock: clock)
        let starts = Locked<[Duration]>([])
        await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    defer { clock.leave() }
                    for _ in 0..<perWorker {
                        try await policy.call(operation: "createTicket") {
                            starts.withLock { $0.append(clock.elapsed) }
                        }
                    }
                }
            }
        }
        let times = starts.withLock { $0 }.sorted()
        #expect(times.count == workers * perWorker)
        // Every window [t, t + 1 s) that begins at a call start (the fullest windows
        // all begin at one) holds at most 10 starts.
        var worst = 0
        var j = 0
        for i in times.indices {
            while j < times.count, times[j] < times[i] + .seconds(1) { j += 1 }
            worst = max(worst, j - i)
        }
        #expect(worst <= 10, "a 1 s window held \(worst) call starts")
        #expect(worst == 10, "the budget is used, not just respected")
        // And no slower than it must be: 500 calls at 10 per second start within 49 s.
        #expect(times.last == .seconds(49))
        let row = try #require(metrics.operation(port: "crm", adapter: "hubspot", operation: "createTicket"))
        #expect(row.rateLimitWaits == 490, "all but the first 10 calls waited")
        #expect(row.rateLimitWaitSeconds > 0)
    }

    @Test func aRetryAfterPausesEveryCallerOfTheAdapter() async throws {
        let callers = 5
        let clock = VirtualClock(participants: callers)
        let policy = CallPolicy(port: .tasks, adapter: "clickup", retry: .none, metrics: AdapterMetrics(), clock: clock)
        let starts = Locked<[Duration]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { clock.leave() }
                await #expect(throws: PlugboardError.self) {
                    try await policy.call(operation: "createTask") { () async throws -> Void in
                        throw PlugboardError(.rateLimited, "HTTP 429", retryAfter: .seconds(3))
                    }
                }
            }
            for _ in 1..<callers {
                group.addTask {
                    defer { clock.leave() }
                    try await clock.sleep(until: clock.at(.milliseconds(1)))  // after the 429
                    try await policy.call(operation: "createTask") { starts.withLock { $0.append(clock.elapsed) } }
                }
            }
            try await group.waitForAll()
        }
        #expect(starts.withLock { $0 } == Array(repeating: .seconds(3), count: callers - 1))
    }

    @Test func aCallerAlreadyQueuedWhenThePauseArrivesWaitsItOutToo() async throws {
        let clock = VirtualClock(participants: 2)
        let policy = CallPolicy(port: .crm, adapter: "hubspot", retry: .none,
                                budget: RateBudget(limit: .init(requests: 1, per: .seconds(10)), clock: clock),
                                metrics: AdapterMetrics(), clock: clock)
        let queuedStart = Locked<Duration?>(nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {  // takes the only slot at 0 s; its 429 arrives at 1 s asking for 20 s
                defer { clock.leave() }
                await #expect(throws: PlugboardError.self) {
                    try await policy.call(operation: "createTicket") { () async throws -> Void in
                        try await clock.sleep(until: clock.at(.seconds(1)))
                        throw PlugboardError(.rateLimited, "HTTP 429", retryAfter: .seconds(20))
                    }
                }
            }
            group.addTask {  // queues at 0.5 s for the next slot (10 s), then meets the pause
                defer { clock.leave() }
                try await clock.sleep(until: clock.at(.milliseconds(500)))
                try await policy.call(operation: "createTicket") { queuedStart.withLock { $0 = clock.elapsed } }
            }
            try await group.waitForAll()
        }
        #expect(queuedStart.withLock { $0 } == .seconds(21))
    }

    @Test func anUnlimitedBudgetNeverWaits() async throws {
        let clock = VirtualClock()
        let budget = RateBudget(limit: nil, clock: clock)
        for _ in 0..<1000 { #expect(try await budget.acquire() == .zero) }
        #expect(clock.elapsed == .zero)
    }

    @Test func aCancelledWaiterGivesItsSlotBack() async throws {
        let clock = VirtualClock(participants: 1)
        let budget = RateBudget(limit: .init(requests: 1, per: .seconds(10)), clock: clock)
        try await budget.acquire()  // slot at 0 s
        // A waiter cancelled before it sleeps reserves and then returns the 10 s slot.
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await budget.acquire()
        }
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(try await budget.acquire() == .seconds(10), "the next caller gets the 10 s slot, not 20 s")
    }

    @Test func vendorDefaultsAndSettings() {
        typealias Limit = RateBudget.Limit
        #expect(Limit.from(settings: nil, adapter: "hubspot") == Limit(requests: 100, per: .seconds(10)))
        #expect(Limit.from(settings: nil, adapter: "clickup") == Limit(requests: 100, per: .seconds(60)))
        #expect(Limit.from(settings: nil, adapter: "notion") == Limit(requests: 3, per: .seconds(1)))
        for other in ["sqlite", "openai", "local", "s3", "smtp"] {
            #expect(Limit.from(settings: nil, adapter: other) == nil)
        }
        #expect(Limit.from(settings: ["requests": 50, "per_seconds": JSON(2.5)], adapter: "hubspot") == Limit(requests: 50, per: .milliseconds(2500)))
        #expect(Limit.from(settings: ["requests": 50], adapter: "hubspot") == Limit(requests: 50, per: .seconds(10)),
                "a field left out keeps the vendor's")
        #expect(Limit.from(settings: ["requests": 5], adapter: "webhook") == Limit(requests: 5, per: .seconds(1)))
        #expect(Limit.from(settings: ["requests": 5, "per_seconds": 0], adapter: "hubspot") == nil, "0 s: no budget")
        let s = AdapterSettings(port: .crm, adapter: "hubspot", values: ["rate_limit": ["requests": 7, "per_seconds": 1]])
        #expect(CallPolicy(settings: s).budget.limit == Limit(requests: 7, per: .seconds(1)))
        #expect(CallPolicy(settings: AdapterSettings(port: .crm, adapter: "notion")).budget.limit == Limit(requests: 3, per: .seconds(1)))
    }
}
