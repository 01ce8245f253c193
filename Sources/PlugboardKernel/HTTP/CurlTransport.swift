import CCurl
import Foundation
import Synchronization

/// The production `HTTPTransport`, over libcurl.
///
/// Keep-alive connections are reused: each of up to `maxConnections` lanes owns
/// one curl easy handle (and its connection cache) and runs one transfer at a
/// time on its own serial dispatch queue, so blocking `curl_easy_perform` never
/// runs on Swift's cooperative threads. The most recently used idle lane takes
/// the next request, so sequential requests to one host share one connection.
/// TLS certificates and host names are always verified.
public final class CurlTransport: HTTPTransport {
    public struct Configuration: Sendable {
        /// Time allowed to establish a connection (TCP and TLS).
        public var connectTimeout: Duration
        /// Time allowed for a whole request, unless the request sets its own.
        public var timeout: Duration
        /// Largest response body accepted (bytes); bigger ones fail with `.unsupported`.
        public var maxResponseBytes: Int
        /// Transfers running at once (one pooled connection each); more wait their turn.
        public var maxConnections: Int
        public var userAgent: String
        public var logger: Logger

        public init(connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60),
                    maxResponseBytes: Int = 64 << 20, maxConnections: Int = 8, userAgent: String = "plugboard",
                    logger: Logger = Logger(label: "plugboard.http")) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.maxConnections = max(1, maxConnections)
            self.userAgent = userAgent
            self.logger = logger
        }
    }

    /// One transport for the process, so adapters share warm connections.
    public static let shared = CurlTransport()

    public let configuration: Configuration
    private let lanes: CurlLanePool

    public init(_ configuration: Configuration = Configuration()) {
        CurlTransport.initializeCurl()
        self.configuration = configuration
        self.lanes = CurlLanePool(maxLanes: configuration.maxConnections)
    }

    // curl_global_init is not thread-safe and must run once, before any handle exists;
    // a static let is initialized exactly once, atomically.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    private static func initializeCurl() { _ = globalInit }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let parts = URLParts(request.url) else {
            // Only what precedes the query: a presigned query carries a signature.
            let shown = request.url.split(separator: "?", maxSplits: 1).first.map { String($0.prefix(80)) } ?? ""
            throw PlugboardError.invalidInput("invalid URL \"\(shown)\" (expected http:// or https://)")
        }
        let transfer = CurlTransfer(limit: request.maxResponseBytes ?? configuration.maxResponseBytes)
        let started = ContinuousClock.now
        let config = configuration
        let result: Result<HTTPResponse, PlugboardError> = try await withTaskCancellationHandler {
            try Task.checkCancellation()
            return await withCheckedContinuation { continuation in
                lanes.run { handle in
                    let r = handle.perform(request, parts: parts, transfer: transfer, configuration: config)
                    return { continuation.resume(returning: r) }
                } onFailure: { error in
                    continuation.resume(returning: .failure(error))
                }
            }
        } onCancel: {
            transfer.cancel()
        }
        let elapsed = (ContinuousClock.now - started).milliseconds
        switch result {
        case .success(let response):
            config.logger.debug(CurlTransport.logLine(request, outcome: String(response.status), milliseconds: elapsed))
            return response
        case .failure(let error):
            if transfer.isCancelled { throw CancellationError() }
            config.logger.debug(CurlTransport.logLine(request, outcome: "failed (\(error.message))", milliseconds: elapsed))
            throw error
        }
    }

    /// The one line logged per request: method, scheme, host, port and path;
    /// never a header value, the query (presigned signatures) or user info.
    static func logLine(_ request: HTTPRequest, outcome: String, milliseconds: Int64) -> String {
        "\(request.logDescription) -> \(outcome) in \(milliseconds) ms"
    }
}

// MARK: - Lanes

/// Up to `maxLanes` easy handles, each used by one transfer at a time on its own
/// serial queue. Idle lanes are a stack so the warmest connection is reused first.
final class CurlLanePool: Sendable {
    /// A job runs on a lane and returns its completion, called after the lane is
    /// released, so a caller's next request finds the lane idle (and its connection warm).
    typealias Job = @Sendable (CurlEasyHandle) -> @Sendable () -> Void
    typealias Failure = @Sendable (PlugboardError) -> Void

    private struct State {
        var idle: [CurlLane] = []
        var lanes = 0
        var pending: [Job] = []
        var pendingHead = 0
    }

    private let maxLanes: Int
    private let state = Mutex(State())

    init(maxLanes: Int) { self.maxLanes = maxLanes }

    func run(_ job: @escaping Job, onFailure: @escaping Failure) {
        enum Decision { case use(CurlLane), create, wait }
        let decision: Decision = state.withLock { s in
            if let lane = s.idle.popLast() { return .use(lane) }
            if s.lanes < maxLanes { s.lanes += 1; return .create }
            s.pending.append(job)
            return .wait
        }
        switch decision {
        case .use(let lane): execute(job, on: lane)
        case .create:
            guard let handle = CurlEasyHandle() else {
                state.withLock { $0.lanes -= 1 }
                onFailure(.internal("curl_easy_init failed (out of memory?)"))
                return
            }
            execute(job, on: CurlLane(handle: handle))
        case .wait: break
        }
    }

    private func execute(_ job: @escaping Job, on lane: CurlLane) {
        lane.queue.async {
            let complete = job(lane.handle)
            let next: Job? = self.state.withLock { s in
                if s.pendingHead < s.pending.count {
                    let j = s.pending[s.pendingHead]
                    s.pendingHead += 1
                    if s.pendingHead > 64, s.pendingHead * 2 > s.pending.count {
                        s.pending.removeFirst(s.pendingHead)
                        s.pendingHead = 0
                    }
                    return j
                }
                s.idle.append(lane)
                return nil
            }
            complete()
            if let next { self.execute(next, on: lane) }
        }
    }
}

/// One easy handle and the serial queue it is used on.
// @unchecked Sendable: `handle` is only touched by blocks on `queue`, which is
// serial, and a lane is handed to one job at a time by `CurlLanePool`.
final class CurlLane: @unchecked Sendable {
    let handle: CurlEasyHandle
    let queue = DispatchQueue(label: "plugboard.curl.lane")
    init(handle: CurlEasyHandle) { self.handle = handle }
}

/// The state of one transfer, shared with curl's C callbacks.
// @unchecked Sendable: `body`, `headers` and `exceeded` are written only by
// curl's callbacks on the lane's thread during `curl_easy_perform` and read after
// it returns on that same thread; `cancelled` is an atomic, set from any thread.
final class CurlTransfer: @unchecked Sendable {
    let limit: Int
    var body = Data()
    var headers = HTTPHeaders()
    var exceeded = false
    private let cancelled = Atomic<Bool>(false)

    init(limit: Int) { self.limit = limit }

    func cancel() { cancelled.store(true, ordering: .relaxed) }
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}
