import Dispatch
import Foundation
import Glibc
import PlugboardKernel
import Synchronization

/// What the event loops share: configuration, the listening socket, the handler, metrics, the stop flag.
final class HTTPServerCore: Sendable {
    let configuration: ServerConfiguration
    let listenFD: Int32
    let handler: any RequestHandling
    let metrics: HTTPMetrics
    let stopping = Atomic<Bool>(false)

    init(configuration: ServerConfiguration, listenFD: Int32, handler: any RequestHandling, metrics: HTTPMetrics) {
        self.configuration = configuration; self.listenFD = listenFD; self.handler = handler; self.metrics = metrics
    }
}

/// A small, strict HTTP/1.1 server: a listening socket shared by a few epoll
/// event-loop threads (one per processor by default). Keep-alive, pipelining
/// (answers in request order), `Content-Length` bodies, limits on head and body
/// size, a read timeout, a connection cap, and a graceful shutdown that stops
/// accepting and lets in-flight requests finish.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    /// The port actually bound (useful with port 0).
    public let port: Int
    public let metrics: HTTPMetrics
    private let core: HTTPServerCore
    private let loops: [EventLoop]
    private let finished = DispatchGroup()

    /// Binds and starts serving at once.
    public init(configuration: ServerConfiguration, handler: any RequestHandling, metrics: HTTPMetrics = HTTPMetrics()) throws {
        let (fd, port) = try SocketCalls.listen(host: configuration.host, port: configuration.port)
        self.configuration = configuration
        self.port = port
        self.metrics = metrics
        core = HTTPServerCore(configuration: configuration, listenFD: fd, handler: handler, metrics: metrics)
        var made: [EventLoop] = []
        do {
            for i in 0..<configuration.loopCount {
                made.append(try EventLoop(server: core, index: i, count: configuration.loopCount))
            }
        } catch {
            close(fd)
            throw error
        }
        loops = made
        for (i, loop) in loops.enumerated() {
            finished.enter()
            let group = finished
            let thread = Thread {
                ThreadName.set("plugboard-http\(i)")
                loop.run()
                group.leave()
            }
            thread.name = "plugboard-http-\(i)"
            thread.start()
        }
    }

    /// Stops accepting, answers what is in flight (up to `shutdownGrace` seconds), closes every connection.
    public func shutdown() async {
        let first = core.stopping.exchange(true, ordering: .acquiringAndReleasing) == false
        if first { for l in loops { l.wake() } }
        await waitUntilStopped()
        if first { close(core.listenFD) }
    }

    /// Waits until the server has stopped (after `shutdown`, from anywhere).
    public func waitUntilStopped() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) { c.resume() }
        }
    }
}
