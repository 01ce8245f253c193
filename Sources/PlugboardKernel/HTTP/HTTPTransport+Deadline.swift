extension HTTPTransport {
    /// Sends `request` and gives up after `timeout`, whatever the transport does.
    ///
    /// The timeout is handed to the transport (`request.timeout`, which libcurl
    /// enforces itself) and also raced here, so a transport that stalls (a test
    /// fake, a hung connection) still ends in `.unavailable` (retryable) on time.
    /// The losing side is cancelled. Vendor adapters call this with their
    /// `timeout` setting; it never retries.
    ///
    /// - Parameter adapter: named in the timeout error.
    public func send(_ request: HTTPRequest, timeout: Duration, adapter: String) async throws -> HTTPResponse {
        var timed = request
        timed.timeout = timeout
        let request = timed
        let described = request.logDescription
        return try await withThrowingTaskGroup(of: HTTPResponse?.self) { group in
            group.addTask { try await self.send(request) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            // The first child to finish decides: a response, or nil for the timer.
            if case .some(.some(let response)) = try await group.next() { return response }
            throw PlugboardError(.unavailable, "\(described): no response within \(timeout.seconds) s", adapter: adapter,
                                 cause: "timeout", retryable: true)
        }
    }
}
