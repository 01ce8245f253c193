/// What a handler makes of a request: an answer at once (on the event-loop
/// thread, for cheap routes such as `/health`), or work that runs as a Swift
/// task and answers later. `route` is the metrics label (a route template, never a raw path).
public struct RouteResult: Sendable {
    public enum Answer: Sendable {
        case now(ServerResponse)
        case later(@Sendable () async -> ServerResponse)
    }
    public var route: String
    public var answer: Answer

    public init(route: String, _ answer: Answer) { self.route = route; self.answer = answer }
    public static func now(_ route: String, _ r: ServerResponse) -> RouteResult { RouteResult(route: route, .now(r)) }
    public static func later(_ route: String, _ work: @escaping @Sendable () async -> ServerResponse) -> RouteResult {
        RouteResult(route: route, .later(work))
    }
}

/// Turns requests into responses. Called on an event-loop thread: `respond` must not block.
public protocol RequestHandling: Sendable {
    func respond(to request: ServerRequest) -> RouteResult
}
