import CLibPQ
import Dispatch
import Foundation
import PlugboardConformance
import PlugboardKernel
import StoragePostgres
import Synchronization

/// The test server: `PLUGBOARD_TEST_PG_URL` (the CI script starts one), skipped
/// when nothing answers unless `REQUIRE_PG=1`.
enum PG {
    static let url = ProcessInfo.processInfo.environment["PLUGBOARD_TEST_PG_URL"]
        .flatMap { $0.isEmpty ? nil : $0 } ?? "postgres://postgres@127.0.0.1:55432/plugboard_test"

    static let required = ProcessInfo.processInfo.environment["REQUIRE_PG"] == "1"

    static let reachable: Bool = {
        let keys = ["dbname", "connect_timeout"], values = [url, "2"]
        return withArrays(keys, values) { k, v in PQpingParams(k, v, 1) } == PQPING_OK
    }()

    /// The server's host and port, parsed by libpq, for tests that vary one part.
    static let parts: (host: String, port: String, database: String, user: String) = {
        var err: UnsafeMutablePointer<CChar>?
        var host = "127.0.0.1", port = "5432", db = "postgres", user = "postgres"
        if let options = PQconninfoParse(url, &err) {
            var o = options
            while let k = o.pointee.keyword {
                if let v = o.pointee.val {
                    switch String(cString: k) {
                    case "host": host = String(cString: v)
                    case "port": port = String(cString: v)
                    case "dbname": db = String(cString: v)
                    case "user": user = String(cString: v)
                    default: break
                    }
                }
                o += 1
            }
            PQconninfoFree(options)
        }
        if let err { PQfreemem(err) }
        return (host, port, db, user)
    }()

    /// A store configuration on the test server in `schema`.
    static func configuration(schema: String, poolSize: Int = 4) -> PostgresStore.Configuration {
        PostgresStore.Configuration(url: url, poolSize: poolSize, schema: schema)
    }

    static func freshSchema(_ prefix: String = "t") -> String {
        prefix + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
    }

    /// Runs SQL on an independent libpq connection (off the cooperative
    /// threads) and returns the rows as text: the tests' own view of the database.
    @discardableResult
    static func exec(_ sql: String, _ params: [String?] = []) async throws -> [[String?]] {
        try await withCheckedThrowingContinuation { cont in
            DispatchQueue.global().async {
                cont.resume(with: Result { try execBlocking(sql, params) })
            }
        }
    }

    private static func execBlocking(_ sql: String, _ params: [String?]) throws -> [[String?]] {
        guard let conn = PQconnectdb(url) else { throw TestFailure("PQconnectdb returned nil") }
        defer { PQfinish(conn) }
        guard PQstatus(conn) == CONNECTION_OK else { throw TestFailure(String(cString: PQerrorMessage(conn))) }
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        let copies = params.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        // Without parameters PQexec, which also takes several statements at once.
        let res = params.isEmpty
            ? PQexec(conn, sql)
            : pointers.withUnsafeBufferPointer { PQexecParams(conn, sql, Int32(params.count), nil, $0.baseAddress, nil, nil, 0) }
        defer { PQclear(res) }
        let status = PQresultStatus(res)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw TestFailure("\(sql): \(String(cString: PQresultErrorMessage(res)))")
        }
        return (0..<PQntuples(res)).map { r in
            (0..<PQnfields(res)).map { c in
                PQgetisnull(res, r, c) != 0 ? nil : String(cString: PQgetvalue(res, r, c))
            }
        }
    }

    /// Runs `body` with a fresh schema name and drops that schema afterwards, failed or not.
    static func withSchema(_ prefix: String = "t", _ body: (String) async throws -> Void) async throws {
        let schema = freshSchema(prefix)
        do {
            try await body(schema)
        } catch {
            await dropSchema(schema)
            throw error
        }
        await dropSchema(schema)
    }

    static func dropSchema(_ name: String) async {
        _ = try? await exec("DROP SCHEMA IF EXISTS \"\(name)\" CASCADE")
    }

    private static func withArrays<R>(_ a: [String], _ b: [String],
                                      _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let ca = a.map { strdup($0) }, cb = b.map { strdup($0) }
        defer { (ca + cb).forEach { free($0) } }
        let pa: [UnsafePointer<CChar>?] = ca.map { $0.map { UnsafePointer($0) } } + [nil]
        let pb: [UnsafePointer<CChar>?] = cb.map { $0.map { UnsafePointer($0) } } + [nil]
        return pa.withUnsafeBufferPointer { x in pb.withUnsafeBufferPointer { y in body(x.baseAddress!, y.baseAddress!) } }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Each data set is a schema of the test database; the schemas a test opened
/// are dropped when it ends.
final class PostgresHarness: StorageHarness {
    private let opened = Mutex<Set<String>>([])
    var isPersistent: Bool { true }
    var supportsConcurrentInstances: Bool { true }

    func open(_ name: String) async throws -> any DocumentStore {
        opened.withLock { _ = $0.insert(name) }
        return try await PostgresStore.open(PG.configuration(schema: name))
    }

    func dropAll() async {
        for name in opened.withLock({ $0 }) { await PG.dropSchema(name) }
    }
}
