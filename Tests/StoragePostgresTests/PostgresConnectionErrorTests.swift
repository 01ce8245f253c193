import Foundation
import PlugboardKernel
import StoragePostgres
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Bad addresses and credentials fail fast and clearly.
@Suite("postgres connection errors")
struct PostgresConnectionErrorTests {
    /// A loopback TCP socket; `listening: false` closes it again, leaving a port nobody serves.
    final class Socket {
        let fd: Int32
        let port: Int
        init(listening: Bool) throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
            guard bound == 0 else { throw TestFailure("bind failed") }
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            if listening { listen(fd, 4) } else { close(fd) }
            self.fd = fd
            self.port = Int(UInt16(bigEndian: addr.sin_port))
        }
        func shut() { close(fd) }
    }

    func openError(_ c: PostgresStore.Configuration) async -> PlugboardError? {
        do {
            let s = try await PostgresStore.open(c)
            try? await s.close()
            return nil
        } catch {
            return error as? PlugboardError
        }
    }

    @Test func aClosedPortFailsAtOnceNamingHostAndPort() async throws {
        let closed = try Socket(listening: false)
        let start = ContinuousClock.now
        let e = await openError(.init(url: "postgres://bob:Sup3rSecret@127.0.0.1:\(closed.port)/db", connectTimeout: 5))
        let elapsed = ContinuousClock.now - start
        #expect(e?.code == .unavailable)
        #expect(e?.isRetryable == true)
        #expect(e?.message.contains("127.0.0.1:\(closed.port)") == true, "\(e?.message ?? "no error")")
        #expect(e.map { !"\($0)".contains("Sup3rSecret") } == true, "the password stays hidden")
        #expect(elapsed < .seconds(3))
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        // Accepts TCP connections (the kernel completes the handshake) but never speaks.
        let mute = try Socket(listening: true)
        defer { mute.shut() }
        let start = ContinuousClock.now
        let e = await openError(.init(host: "127.0.0.1", port: mute.port, database: "db", user: "bob", connectTimeout: 1))
        let elapsed = ContinuousClock.now - start
        #expect(e?.code == .unavailable)
        #expect(e?.message.contains("127.0.0.1:\(mute.port)") == true, "\(e?.message ?? "no error")")
        #expect(e?.message.contains("1 s") == true)
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(3), "gave up after connect_timeout, took \(elapsed)")
    }

    @Test(.enabled(if: PG.reachable || PG.required))
    func anUnknownRoleIsUnauthenticated() async throws {
        // The test server trusts every password, so a wrong one cannot fail here; a role
        // that does not exist is refused with 28000, the other SQLSTATE mapped to
        // .unauthenticated (28P01 itself is checked in the unit tests).
        let p = PG.parts
        let e = await openError(.init(host: p.host, port: Int(p.port), database: p.database,
                                      user: "no_such_role_\(UInt32.random(in: 0...UInt32.max))", password: "whatever"))
        #expect(e?.code == .unauthenticated, "\(e.map { "\($0)" } ?? "no error")")
        #expect(e?.cause == "SQLSTATE 28000")
        #expect(e?.message.contains("\(p.host):\(p.port)") == true)
        #expect(e.map { !"\($0)".contains("whatever") } == true)
    }

    @Test(.enabled(if: PG.reachable || PG.required))
    func anUnknownDatabaseIsNamed() async throws {
        let p = PG.parts
        let e = await openError(.init(host: p.host, port: Int(p.port), database: "no_such_db", user: p.user))
        #expect(e?.code == .invalidConfiguration, "\(e.map { "\($0)" } ?? "no error")")
        #expect(e?.message.contains("\"no_such_db\"") == true)
        #expect(e?.cause == "SQLSTATE 3D000")
    }
}
