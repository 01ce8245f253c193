import Foundation

/// A tiny HTTP/1.1 keep-alive server (Python's `http.server`) on a free
/// loopback port, started per test and stopped when the value is released.
/// Routes: `/echo` (method, client port, headers, body as JSON), `/slow?ms=`,
/// `/big?n=` (Content-Length), `/chunked?n=` (no length), `/status?code=`.
final class LocalHTTPServer: Sendable {
    let port: Int
    /// A loopback port nothing listens on (bound, then closed).
    let closedPort: Int
    private let process: Process
    /// The server exits when this pipe closes, so it never outlives the test process.
    private let stdin: Pipe

    var base: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", LocalHTTPServer.script]
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let ports = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard ports.count == 2 else {
            process.terminate()
            throw ServerError(message: "test HTTP server did not start (python3 missing?)")
        }
        self.process = process
        self.stdin = input
        self.port = ports[0]
        self.closedPort = ports[1]
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    struct ServerError: Error { let message: String }

    static let script = #"""
import json, os, signal, socket, sys, threading, time
# The test process blocks signals in its threads and children inherit the mask:
# unblock SIGTERM, and also exit as soon as the parent closes our stdin (or dies).
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def handle_any(self):
        u = urlparse(self.path); q = parse_qs(u.query)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if u.path == "/echo":
            out = {"method": self.command, "client_port": self.client_address[1], "body": body.decode(),
                   "headers": {k.lower(): v for k, v in self.headers.items()}}
            self.reply(200, json.dumps(out).encode(), [("Content-Type", "application/json")])
        elif u.path == "/slow":
            time.sleep(int(q["ms"][0]) / 1000.0); self.reply(200, b"late")
        elif u.path == "/big":
            self.reply(200, b"x" * int(q["n"][0]))
        elif u.path == "/chunked":
            n = int(q["n"][0])
            self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
            for i in range(0, n, 1000):
                c = b"y" * min(1000, n - i); self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
            self.wfile.write(b"0\r\n\r\n")
        elif u.path == "/status":
            self.reply(int(q["code"][0]), b'{"message":"nope"}', [("Retry-After", "7")])
        else:
            self.reply(404, b"")
    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
closed = socket.socket(); closed.bind(("127.0.0.1", 0)); closed_port = closed.getsockname()[1]; closed.close()
print(server.server_address[1], closed_port, flush=True)
server.serve_forever()
"""#
}
