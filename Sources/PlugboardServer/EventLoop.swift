import CEpoll
import Glibc
import Synchronization

/// One epoll event loop on its own thread: accepts connections from the shared
/// listening socket (`EPOLLEXCLUSIVE`, so one loop wakes per new client), reads,
/// parses, answers cheap routes inline and hands the rest to Swift tasks, whose
/// answers come back through `post` and an eventfd.
///
/// `@unchecked Sendable`: every stored property except `completions`, `wakeFD`
/// and the immutable configuration is touched only on the loop's own thread
/// (inside `run`); `completions` is behind a `Mutex`, and writing to an eventfd
/// is thread-safe.
final class EventLoop: @unchecked Sendable {
    private let server: HTTPServerCore
    private let epfd: Int32
    let wakeFD: Int32
    private let parser: RequestParser
    private var connections: [Int32: Connection] = [:]
    private var byID: [UInt64: Connection] = [:]
    private var nextID: UInt64
    private let idStride: UInt64
    private let index: Int
    private let completions = Mutex<[(UInt64, ServerResponse, RequestRecord)]>([])
    private var scratch = [UInt8](repeating: 0, count: 65_536)
    private var listening = true
    private var dateSecond: time_t = 0
    private var dateLine: [UInt8] = []
    private var lastSweep = 0.0

    /// What is needed to finish a deferred request's metrics and framing.
    struct RequestRecord: Sendable {
        var route: String, method: String, started: Double, keepAlive: Bool, head: Bool
    }

    static let listenTag: UInt64 = .max
    static let wakeTag: UInt64 = .max - 1

    init(server: HTTPServerCore, index: Int, count: Int) throws {
        self.server = server
        self.index = index
        self.nextID = UInt64(index)
        self.idStride = UInt64(count)
        parser = RequestParser(maxHeaderBytes: server.configuration.maxHeaderBytes, maxBodyBytes: server.configuration.maxBodyBytes)
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw SocketCalls.failure("epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else { close(epfd); throw SocketCalls.failure("eventfd") }
        control(EPOLL_CTL_ADD, fd: wakeFD, events: EPOLLIN.rawValue, tag: EventLoop.wakeTag)
        control(EPOLL_CTL_ADD, fd: server.listenFD, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, tag: EventLoop.listenTag)
    }

    deinit {
        close(epfd)
        close(wakeFD)
    }

    private func control(_ op: Int32, fd: Int32, events: UInt32, tag: UInt64) {
        var ev = epoll_event()
        ev.events = events
        ev.data.u64 = tag
        _ = epoll_ctl(epfd, op, fd, &ev)
    }

    /// Wakes the loop (a deferred answer is ready, or shutdown began).
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    func post(_ id: UInt64, _ response: ServerResponse, _ record: RequestRecord) {
        completions.withLock { $0.append((id, response, record)) }
        wake()
    }

    // MARK: - The loop

    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var drainDeadline: Double?
        while true {
            let n = events.withUnsafeMutableBufferPointer { epoll_wait(epfd, $0.baseAddress, 256, 250) }
            let now = SocketCalls.now()
            if n > 0 {
                for i in 0..<Int(n) {
                    let ev = events[i]
                    switch ev.data.u64 {
                    case EventLoop.listenTag: acceptOne(now)
                    case EventLoop.wakeTag:
                        var v: UInt64 = 0
                        _ = read(wakeFD, &v, 8)
                        drainCompletions(now)
                    default:
                        guard let c = connections[Int32(truncatingIfNeeded: ev.data.u64)] else { continue }
                        if ev.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { readable(c, now) }
                        if connections[c.fd] === c, ev.events & EPOLLOUT.rawValue != 0 { flush(c, now) }
                    }
                }
            }
            if server.stopping.load(ordering: .acquiring) {
                if listening {
                    listening = false
                    control(EPOLL_CTL_DEL, fd: server.listenFD, events: 0, tag: 0)
                    drainDeadline = now + server.configuration.shutdownGrace
                }
                for c in Array(connections.values) where !c.inFlight && !c.hasOutput && c.requestStarted == nil && c.pendingHead == nil {
                    closeConnection(c)
                }
                if connections.isEmpty || now > drainDeadline! { break }
            }
            if now - lastSweep > 0.25 { sweep(now) }
        }
        for c in Array(connections.values) { closeConnection(c) }
    }

    /// Accepts one connection per wake-up, like nginx without `multi_accept`: with level-triggered
    /// `EPOLLEXCLUSIVE` the next pending one wakes a loop again, often another, which spreads clients
    /// over the loops (a loop taking a whole burst would serve it alone while the others idle).
    private func acceptOne(_ now: Double) {
        // accept4 needs _GNU_SOURCE, which the Glibc module is not built with: accept, then non-blocking.
        let fd = accept(server.listenFD, nil, nil)
        if fd < 0 { return }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let open = server.metrics.connections.add(1, ordering: .relaxed).newValue
        if open > server.configuration.maxConnections {
            // Over the limit: a short answer, best effort, and the door.
            var busy: [UInt8] = []
            ServerResponse.error(503, "too_many_connections", "the server is at its connection limit")
                .write(to: &busy, keepAlive: false, date: dateLine)
            _ = busy.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(fd)
            server.metrics.connections.subtract(1, ordering: .relaxed)
            server.metrics.dropped("limit")
            return
        }
        SocketCalls.setNoDelay(fd)
        let c = Connection(fd: fd, id: nextID, now: now)
        nextID &+= idStride
        connections[fd] = c
        byID[c.id] = c
        c.interest = EPOLLIN.rawValue
        control(EPOLL_CTL_ADD, fd: fd, events: c.interest, tag: UInt64(UInt32(bitPattern: fd)))
    }

    private func readable(_ c: Connection, _ now: Double) {
        let n = scratch.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            c.input.append(contentsOf: scratch[0..<n])
            c.lastActive = now
            process(c, now)
        } else if n == 0 {
            // A hang-up while a task holds the request: nobody is left to read the answer.
            if c.inFlight { closeConnection(c); return }
            c.peerClosed = true
            process(c, now)
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            closeConnection(c)
        }
    }

    /// Parses and answers as many complete requests as the buffer holds, in order,
    /// stopping at one that went to a task.
    private func process(_ c: Connection, _ now: Double) {
        while !c.inFlight && !c.closing {
            if c.pendingHead == nil {
                if c.start >= c.input.count { c.requestStarted = nil; break }
                if c.requestStarted == nil { c.requestStarted = now }
                switch parser.parseHead(c.input, start: c.start, scanned: &c.scanned) {
                case .needMore:
                    break
                case .refuse(let status, let code, let message):
                    var r = ServerResponse.error(status, code, message)
                    r.closeConnection = true
                    let record = RequestRecord(route: "(unparsed)", method: "-", started: now, keepAlive: false, head: false)
                    respond(c, r, record, now)
                    c.requestStarted = nil
                    continue
                case .head(let h):
                    c.pendingHead = h
                }
                if c.pendingHead == nil { break }
            }
            guard let h = c.pendingHead, c.input.count - h.end >= h.bodyLength else { break }
            var request = h.request
            if h.bodyLength > 0 { request.body = Array(c.input[h.end..<(h.end + h.bodyLength)]) }
            c.start = h.end + h.bodyLength
            c.scanned = c.start
            c.pendingHead = nil
            c.requestStarted = nil
            dispatch(c, request, now)
        }
        c.compact()
        flush(c, now)
    }

    private func dispatch(_ c: Connection, _ request: ServerRequest, _ now: Double) {
        let head = request.method == "HEAD"
        var routed = request
        if head { routed.method = "GET" }
        let result = server.handler.respond(to: routed)
        var record = RequestRecord(route: result.route, method: request.method, started: now,
                                   keepAlive: request.keepAlive, head: head)
        switch result.answer {
        case .now(let r):
            respond(c, r, record, now)
        case .later(let work):
            c.inFlight = true
            let id = c.id
            record.started = now
            Task { [self] in
                let r = await work()
                post(id, r, record)
            }
        }
    }

    private func drainCompletions(_ now: Double) {
        let done = completions.withLock { q -> [(UInt64, ServerResponse, RequestRecord)] in
            let d = q
            q.removeAll(keepingCapacity: true)
            return d
        }
        for (id, r, record) in done {
            guard let c = byID[id] else { continue }
            c.inFlight = false
            respond(c, r, record, now)
            process(c, now)
        }
    }

    private func respond(_ c: Connection, _ r: ServerResponse, _ record: RequestRecord, _ now: Double) {
        let keep = record.keepAlive && !r.closeConnection && !server.stopping.load(ordering: .relaxed)
        if !keep { c.closing = true }
        var t = time_t()
        time(&t)
        if t != dateSecond { dateSecond = t; dateLine = ServerResponse.dateLine(t) }
        if c.outputStart == c.output.count { c.output.removeAll(keepingCapacity: true); c.outputStart = 0 }
        r.write(to: &c.output, keepAlive: keep, date: dateLine, head: record.head)
        server.metrics.record(route: record.route, method: record.method, status: r.status,
                              seconds: SocketCalls.now() - record.started, shard: index)
    }

    /// Writes what it can; closes when finished and closing; keeps the epoll interest in step.
    private func flush(_ c: Connection, _ now: Double) {
        while c.hasOutput {
            let n = c.output.withUnsafeBytes { p in
                send(c.fd, p.baseAddress! + c.outputStart, c.output.count - c.outputStart, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                c.outputStart += n
                c.lastActive = now
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                closeConnection(c)
                return
            }
        }
        if !c.hasOutput {
            if c.output.count > 262_144 { c.output = [] } else { c.output.removeAll(keepingCapacity: true) }
            c.outputStart = 0
            if c.closing || (c.peerClosed && !c.inFlight) {
                closeConnection(c)
                return
            }
        }
        var want: UInt32 = 0
        if !c.inFlight && !c.closing && !c.peerClosed { want |= EPOLLIN.rawValue }
        if c.hasOutput { want |= EPOLLOUT.rawValue }
        if want != c.interest {
            c.interest = want
            control(EPOLL_CTL_MOD, fd: c.fd, events: want, tag: UInt64(UInt32(bitPattern: c.fd)))
        }
    }

    /// Drops slow clients (read timeout), idle keep-alive connections, and clients that stop reading.
    private func sweep(_ now: Double) {
        lastSweep = now
        let cfg = server.configuration
        for c in Array(connections.values) where !c.inFlight {
            if c.hasOutput {
                if now - c.lastActive > max(cfg.readTimeout, 1) { server.metrics.dropped("write_timeout"); closeConnection(c) }
            } else if let started = c.requestStarted ?? (c.pendingHead != nil ? c.lastActive : nil) {
                if now - started > cfg.readTimeout {
                    // The client is too slow: a 408 if it can take it, then the connection is closed.
                    var r = ServerResponse.error(408, "request_timeout", "the request was not received within \(cfg.readTimeout) s")
                    r.closeConnection = true
                    server.metrics.dropped("read_timeout")
                    respond(c, r, RequestRecord(route: "(unparsed)", method: "-", started: now, keepAlive: false, head: false), now)
                    flush(c, now)
                    if connections[c.fd] === c { closeConnection(c) }
                }
            } else if now - c.lastActive > cfg.idleTimeout {
                closeConnection(c)
            }
        }
    }

    private func closeConnection(_ c: Connection) {
        guard connections[c.fd] === c else { return }
        connections[c.fd] = nil
        byID[c.id] = nil
        control(EPOLL_CTL_DEL, fd: c.fd, events: 0, tag: 0)
        close(c.fd)
        server.metrics.connections.subtract(1, ordering: .relaxed)
    }
}
