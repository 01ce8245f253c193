import Foundation
import Glibc
import PlugboardServer
import Synchronization
import Testing

@Suite("HTTP fuzz")
struct ServerFuzzTests {
    /// Thousands of malformed, truncated, oversized and slow requests: each gets a known status or a
    /// closed connection, the server keeps answering, and memory stays bounded.
    @Test func malformedRequestsNeverHurtTheServer() async throws {
        let s = try await TestServer.start { $0.readTimeout = 0.3; $0.maxBodyBytes = 64 * 1024 }
        let port = s.port
        let allowed: Set<Int> = [200, 201, 202, 400, 401, 404, 405, 408, 409, 411, 413, 414, 415, 422, 431, 505]
        let bad = Tally(), total = Tally()
        let rssBefore = residentKiB()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for worker in 0..<8 {
                g.addTask {
                    try await blocking {
                        var rng = SeededGenerator(seed: UInt64(worker) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
                        for i in 0..<400 {
                            let (bytes, slow) = FuzzCase.make(&rng, i)
                            let c = try RawClient(port: port, timeout: 3)
                            if slow {
                                // Dribbles a few bytes, then stalls: the read timeout must end it.
                                for b in bytes.prefix(5) { c.send([b]); usleep(20_000) }
                            } else if !c.send(bytes) {
                                total.add(); continue    // closed while we sent: a valid outcome
                            }
                            shutdown(c.fd, Int32(SHUT_WR))
                            while let r = c.response() {
                                if !allowed.contains(r.status) {
                                    bad.note("\(r.status) for \(String(decoding: bytes.prefix(60), as: UTF8.self).debugDescription)")
                                }
                            }
                            total.add()
                        }
                    }
                }
            }
            try await g.waitForAll()
        }
        #expect(total.value == 3200)
        #expect(bad.all.isEmpty, "\(bad.all.prefix(5))")
        #expect(try await s.request("GET", "/health")?.status == 200)
        let grown = residentKiB() - rssBefore
        #expect(grown < 200_000, "resident memory grew by \(grown) KiB")
        await s.stop()
    }
}

/// One fuzz request: mutations of valid requests plus pure noise, oversized fields and truncations.
enum FuzzCase {
    static let seeds: [String] = [
        RawClient.format("GET", "/health"),
        RawClient.format("POST", "/webhook/request", headers: TestServer.json, body: TestServer.intakeBody(1)),
        RawClient.format("POST", "/activity", headers: TestServer.json, body: #"{"contact_email":"a@b.c","type":"page_view"}"#),
        RawClient.format("PATCH", "/tickets/T1/status", headers: TestServer.json, body: #"{"status":"fermé"}"#),
        RawClient.format("GET", "/tickets?status=open&date_from=2024-01-01"),
        "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n",
    ]

    static func make(_ rng: inout SeededGenerator, _ i: Int) -> (bytes: [UInt8], slow: Bool) {
        var b = Array(seeds[Int.random(in: 0..<seeds.count, using: &rng)].utf8)
        switch i % 10 {
        case 0: // flip random bytes
            for _ in 0..<Int.random(in: 1...8, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
        case 1: // truncate
            b = Array(b.prefix(Int.random(in: 0..<b.count, using: &rng)))
        case 2: // random noise
            b = (0..<Int.random(in: 1...2000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 3: // oversized header
            b = Array("GET /health HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "y", count: Int.random(in: 10_000...40_000, using: &rng)))\r\n\r\n".utf8)
        case 4: // huge or wrong Content-Length
            let cl = ["99999999999", "-1", "1e3", "0x10", "70000", "5, 6", ""].randomElement(using: &rng)!
            b = Array("POST /webhook/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(cl)\r\n\r\n{}".utf8)
        case 5: // insert a CR or LF or NUL somewhere
            b.insert([0x0D, 0x0A, 0x00, 0x20].randomElement(using: &rng)!, at: Int.random(in: 0...b.count, using: &rng))
        case 6: // long target
            b = Array("GET /\(String(repeating: "a", count: Int.random(in: 5000...20_000, using: &rng))) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        case 7: // many headers
            b = Array(("GET /health HTTP/1.1\r\nHost: x\r\n" + (0..<Int.random(in: 50...300, using: &rng)).map { "H\($0): v\r\n" }.joined() + "\r\n").utf8)
        case 8: // slow client
            return (b, i % 40 == 8)
        default: // duplicate a random slice (pipelining junk)
            let a = Int.random(in: 0..<b.count, using: &rng), e = min(b.count, a + Int.random(in: 1...50, using: &rng))
            b.insert(contentsOf: b[a..<e], at: Int.random(in: 0...b.count, using: &rng))
        }
        return (b, false)
    }
}

/// A small deterministic generator (SplitMix64), so a failing case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
