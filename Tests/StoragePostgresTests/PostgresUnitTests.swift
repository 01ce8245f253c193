import PlugboardKernel
@testable import StoragePostgres
import Testing

/// The adapter's pure parts: no server needed.
@Suite("postgres adapter units")
struct PostgresUnitTests {
    @Test func keyTextRoundTripsAndKeepsOrder() throws {
        let alphabet: [String] = ["\u{0}", "\u{1}", "\u{2}", "a", "b", "é", "🎫", "\u{7F}", " "]
        var rng = SystemRandomNumberGenerator()
        var strings: [String] = ["", "\u{0}", "\u{1}", "\u{1}\u{1}", "\u{0}\u{0}", "\u{1}\u{2}", "a\u{0}", "a"]
        for _ in 0..<400 {
            let n = Int.random(in: 0...6, using: &rng)
            strings.append((0..<n).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        for s in strings {
            let e = PostgresKeyText.encode(s)
            #expect(!e.utf8.contains(0), "encoded \(Array(s.utf8)) has no NUL")
            #expect(PostgresKeyText.decode(e) == s, "round trip of \(Array(s.utf8))")
        }
        // Byte order of the encodings (what COLLATE "C" compares) equals Swift's order of the originals.
        for a in strings.prefix(120) {
            for b in strings.prefix(120) {
                let ea = Array(PostgresKeyText.encode(a).utf8), eb = Array(PostgresKeyText.encode(b).utf8)
                #expect(ea.lexicographicallyPrecedes(eb) == (a < b), "order of \(Array(a.utf8)) and \(Array(b.utf8))")
            }
        }
        #expect(PostgresKeyText.encode("plain text é 🎫") == "plain text é 🎫", "ordinary text is stored as it is")
        #expect(PostgresKeyText.decode("bad\u{1}x") == nil, "an escape that encode never writes is rejected")
        #expect(PostgresKeyText.decode("bad\u{1}") == nil, "a trailing escape is rejected")
    }

    @Test func sqlstatesMapToKernelCodes() {
        let cases: [(String?, Bool, PlugboardError.Code, Bool)] = [
            ("23505", false, .conflict, false),
            ("40001", false, .conflict, true),
            ("40P01", false, .conflict, true),
            ("08006", false, .unavailable, true),
            ("08001", false, .unavailable, true),
            ("57P01", false, .unavailable, true),
            ("53300", false, .unavailable, true),
            ("28P01", false, .unauthenticated, false),
            ("28000", false, .unauthenticated, false),
            ("3D000", false, .invalidConfiguration, false),
            ("42501", false, .permissionDenied, false),
            ("22021", false, .invalidInput, false),
            ("42P01", false, .internal, false),
            (nil, true, .unavailable, true),
            (nil, false, .internal, false),
        ]
        for (state, lost, code, retryable) in cases {
            let c = PostgresStore.classify(sqlstate: state, connectionLost: lost)
            #expect(c.code == code, "SQLSTATE \(state ?? "none") → \(code)")
            #expect(c.retryable == retryable, "SQLSTATE \(state ?? "none") retryable")
        }
        let e = PostgresStore.error(sqlstate: "28P01", serverMessage: "password authentication failed for user \"x\"",
                                    context: "connect", endpoint: "h:1/db", connectionLost: false)
        #expect(e.code == .unauthenticated)
        #expect(e.cause == "SQLSTATE 28P01")
        #expect(e.adapter == "postgres")
    }

    @Test func connectionMessagesGiveSqlstateAndReason() {
        let auth = PostgresStore.parseConnectionMessage(
            "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28P01: password authentication failed for user \"bob\"\nLOCATION:  auth_failed, auth.c:323\n")
        #expect(auth.sqlstate == "28P01")
        #expect(auth.reason == "password authentication failed for user \"bob\"")
        let refused = PostgresStore.parseConnectionMessage(
            "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n")
        #expect(refused.sqlstate == nil)
        #expect(refused.reason == "Connection refused")
        let e = PostgresStore.connectFailure(libpqMessage: "connection to server at \"h\", port 5 failed: FATAL:  28P01: password authentication failed for user \"bob\"",
                                             host: "h", port: "5", database: "d", user: "bob")
        #expect(e.code == .unauthenticated)
        #expect(e.message.contains("h:5"))
        let db = PostgresStore.connectFailure(libpqMessage: "failed: FATAL:  3D000: database \"nope\" does not exist",
                                              host: "h", port: "5", database: "nope", user: "bob")
        #expect(db.code == .invalidConfiguration)
        #expect(db.message.contains("\"nope\""))
    }

    @Test func configurationIsCheckedAndNeverShowsSecrets() throws {
        func fails(_ c: PostgresStore.Configuration, _ field: String) {
            #expect(throws: PlugboardError.self, "\(field)") { try c.validate() }
            do { try c.validate() } catch let e as PlugboardError {
                #expect(e.code == .invalidConfiguration)
                #expect(e.message.contains(field), "message names \(field): \(e.message)")
                #expect(!e.message.contains("hunter2"), "no password in \(e.message)")
            } catch {}
        }
        fails(.init(url: "postgres://u:hunter2@h/db", host: "other"), "host")
        fails(.init(url: "mysql://u:hunter2@h/db"), "url")
        fails(.init(url: "postgres://h/db", poolSize: 0), "pool_size")
        fails(.init(url: "postgres://h/db", connectTimeout: 0), "connect_timeout")
        fails(.init(url: "postgres://h/db", schema: "pg_things"), "schema")
        fails(.init(url: "postgres://h/db", schema: ""), "schema")
        fails(.init(host: "h", port: 70000), "port")
        try PostgresStore.Configuration(host: "h", port: 5433, database: "d", user: "u", password: "hunter2").validate()

        let c = PostgresStore.Configuration(url: "postgres://bob:hunter2@db.example:6543/app?sslmode=require")
        #expect(!c.description.contains("hunter2"))
        #expect(c.description.contains("db.example:6543/app"))
        let params = try c.connectionParameters()
        #expect(params.contains { $0 == ("password", "hunter2") }, "libpq parsed the url's password")
        #expect(params.contains { $0 == ("sslmode", "require") })
        // A separate password is used only when the url has none.
        let both = try PostgresStore.Configuration(url: "postgres://bob:fromurl@h/db", password: "field").connectionParameters()
        #expect(both.filter { $0.0 == "password" }.map(\.1) == ["fromurl"])
        let onlyField = try PostgresStore.Configuration(url: "postgres://bob@h/db", password: "field").connectionParameters()
        #expect(onlyField.filter { $0.0 == "password" }.map(\.1) == ["field"])

        // libpq's parse errors may quote the url: not when they could show the password.
        do {
            _ = try PostgresStore.Configuration(url: "postgres://bob:hunter2@h:notaport/db?x=%zz").connectionParameters()
            Issue.record("a malformed url was accepted")
        } catch let e as PlugboardError {
            #expect(e.code == .invalidConfiguration)
            #expect(!e.message.contains("hunter2"), "\(e.message)")
        }
    }

    @Test func descriptorMarksSecretsAndDefaults() {
        let fields = Dictionary(uniqueKeysWithValues: PostgresStore.descriptor.fields.map { ($0.name, $0) })
        #expect(fields["url"]?.secret == true)
        #expect(fields["password"]?.secret == true)
        #expect(fields["password"]?.environment == "PGPASSWORD")
        #expect(fields["connect_timeout"]?.defaultValue == 5)
        #expect(fields["pool_size"]?.defaultValue == 4)
        #expect(fields["schema"]?.defaultValue == "public")
        #expect(PostgresStore.descriptor.port == .storage && PostgresStore.descriptor.name == "postgres")
    }

    @Test func longNamesAreShortenedWithoutCollisions() {
        let a = PostgresSQL.identifier(String(repeating: "x", count: 70) + "-a.partition")
        let b = PostgresSQL.identifier(String(repeating: "x", count: 70) + "-b.partition")
        #expect(a.utf8.count <= 63 && b.utf8.count <= 63)
        #expect(a != b)
        #expect(PostgresSQL.identifier("status-created_at.sort") == "status-created_at.sort")
        #expect(PostgresSQL.quote("we\"ird") == "\"we\"\"ird\"")
    }
}
