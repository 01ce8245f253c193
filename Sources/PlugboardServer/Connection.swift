/// One client connection's state. Owned by a single `EventLoop` and touched only on its thread.
final class Connection {
    let fd: Int32
    let id: UInt64
    var input: [UInt8] = []
    /// Where the next unparsed request starts in `input`.
    var start = 0
    /// How far the parser already looked for the end of the head.
    var scanned = 0
    var pendingHead: RequestParser.Head?
    /// A request is with a Swift task; later requests wait (answers go out in order).
    var inFlight = false
    var output: [UInt8] = []
    var outputStart = 0
    /// When the first byte of the request being received arrived (read timeout).
    var requestStarted: Double?
    var lastActive: Double
    /// Close once the output is written (an error, `Connection: close`, shutdown).
    var closing = false
    /// The client closed its sending side.
    var peerClosed = false
    /// The epoll interest currently registered.
    var interest: UInt32 = 0

    init(fd: Int32, id: UInt64, now: Double) {
        self.fd = fd; self.id = id; self.lastActive = now
        input.reserveCapacity(4096)
    }

    var hasOutput: Bool { outputStart < output.count }

    /// Drops consumed input so the buffer does not grow across keep-alive requests.
    func compact() {
        if start == input.count {
            input.removeAll(keepingCapacity: input.capacity <= 65_536)
            scanned = 0
            start = 0
        } else if start > 65_536 {
            input.removeSubrange(0..<start)
            scanned = max(0, scanned - start)
            if var h = pendingHead { h.end -= start; pendingHead = h }
            start = 0
        }
    }
}
