import CLibPQ
import Foundation
import PlugboardKernel

extension PostgresStore {
    /// Where and how to connect. Either `url` or the discrete fields; `password`
    /// may accompany a url that has none. Fields left unset fall back to libpq's
    /// own defaults and environment (`PGHOST`, `PGPASSWORD`, `~/.pgpass`, ...).
    public struct Configuration: Sendable, CustomStringConvertible {
        /// `postgres://user:password@host:port/database?sslmode=require`. A secret: it may hold the password.
        public var url: String?
        public var host: String?
        public var port: Int?
        public var database: String?
        public var user: String?
        /// A secret. Used when `url` carries no password.
        public var password: String?
        /// libpq's `sslmode` (`disable`, `prefer`, `require`, `verify-full`, ...); overrides the url's.
        public var sslmode: String?
        /// Seconds to wait for a connection before failing.
        public var connectTimeout: Int
        /// Connections kept open at most.
        public var poolSize: Int
        /// The PostgreSQL schema holding the tables, created when missing. One
        /// data set per schema: tests give each data set its own.
        public var schema: String

        public init(url: String? = nil, host: String? = nil, port: Int? = nil, database: String? = nil,
                    user: String? = nil, password: String? = nil, sslmode: String? = nil,
                    connectTimeout: Int = 5, poolSize: Int = 4, schema: String = "public") {
            self.url = url
            self.host = host
            self.port = port
            self.database = database
            self.user = user
            self.password = password
            self.sslmode = sslmode
            self.connectTimeout = connectTimeout
            self.poolSize = poolSize
            self.schema = schema
        }

        /// The values of an `adapters.json` section, checked.
        public init(settings s: AdapterSettings) throws {
            self.init(url: s.string("url"), host: s.string("host"), port: s.int("port"), database: s.string("database"),
                      user: s.string("user"), password: s.string("password"), sslmode: s.string("sslmode"),
                      connectTimeout: s.int("connect_timeout") ?? 5, poolSize: s.int("pool_size") ?? 4,
                      schema: s.string("schema") ?? "public")
            try validate { field, what in s.error(field, what) }
        }

        /// Checks the values; `error` builds the error for a field.
        func validate(_ error: (String, String) -> PlugboardError = { f, w in
            .invalidConfiguration("postgres.\(f): \(w)", adapter: "postgres")
        }) throws {
            if let url {
                guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                    throw error("url", "expected a postgres:// or postgresql:// URL (value hidden)")
                }
                let discrete = [("host", host != nil), ("port", port != nil), ("database", database != nil), ("user", user != nil)]
                if let both = discrete.first(where: \.1) {
                    throw error(both.0, "give either url or host/port/database/user, not both")
                }
            }
            if let port, !(1...65535).contains(port) { throw error("port", "expected 1...65535, got \(port)") }
            guard (1...3600).contains(connectTimeout) else {
                throw error("connect_timeout", "expected 1...3600 seconds, got \(connectTimeout)")
            }
            guard (1...256).contains(poolSize) else { throw error("pool_size", "expected 1...256, got \(poolSize)") }
            guard !schema.isEmpty, schema.utf8.count <= 63, !schema.utf8.contains(0) else {
                throw error("schema", "expected a PostgreSQL schema name of 1 to 63 bytes, got \"\(schema)\"")
            }
            guard !schema.lowercased().hasPrefix("pg_") else {
                throw error("schema", "names starting with pg_ are reserved by PostgreSQL, got \"\(schema)\"")
            }
            for (field, value) in [("host", host), ("database", database), ("user", user), ("sslmode", sslmode)] {
                if let value, value.utf8.contains(0) { throw error(field, "contains a NUL character") }
            }
            if password?.utf8.contains(0) == true { throw error("password", "contains a NUL character (value hidden)") }
        }

        /// libpq keyword/value pairs: the url parsed by libpq itself, then the discrete fields.
        func connectionParameters() throws -> [(String, String)] {
            var params: [(String, String)] = []
            func set(_ key: String, _ value: String?) {
                guard let value else { return }
                params.removeAll { $0.0 == key }
                params.append((key, value))
            }
            if let url {
                var err: UnsafeMutablePointer<CChar>?
                guard let options = PQconninfoParse(url, &err) else {
                    let detail = err.map { String(cString: $0) } ?? "unparsable"
                    if let err { PQfreemem(err) }
                    // libpq quotes the offending part; keep it only if it cannot be the password.
                    let shown = Configuration.mayReveal(detail, url: url) ? "" : ": " + detail.trimmingCharacters(in: .whitespacesAndNewlines)
                    throw PlugboardError.invalidConfiguration("postgres.url: not a valid PostgreSQL URL\(shown)", adapter: "postgres")
                }
                defer { PQconninfoFree(options) }
                var o = options
                while let keyword = o.pointee.keyword {
                    if let v = o.pointee.val { params.append((String(cString: keyword), String(cString: v))) }
                    o += 1
                }
            }
            set("host", host)
            set("port", port.map(String.init))
            set("dbname", database)
            set("user", user)
            if !params.contains(where: { $0.0 == "password" }) { set("password", password) }
            set("sslmode", sslmode)
            set("connect_timeout", String(connectTimeout))
            set("client_encoding", "UTF8")
            if !params.contains(where: { $0.0 == "application_name" }) { set("application_name", "plugboard") }
            return params
        }

        /// Whether libpq's message about `url` might quote its password.
        static func mayReveal(_ message: String, url: String) -> Bool {
            guard let scheme = url.range(of: "://") else { return false }
            let rest = url[scheme.upperBound...]
            guard let at = rest.lastIndex(of: "@") else { return false }
            let userinfo = rest[..<at]
            guard let colon = userinfo.firstIndex(of: ":") else { return false }
            let password = userinfo[userinfo.index(after: colon)...]
            return !password.isEmpty && (message.contains(password) || message.contains(userinfo))
        }

        /// `host:port/database` for messages, with libpq's fallbacks; never the password.
        func endpoint(_ params: [(String, String)],
                      environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
            func value(_ key: String, _ env: String) -> String? {
                params.last(where: { $0.0 == key })?.1 ?? environment[env].flatMap { $0.isEmpty ? nil : $0 }
            }
            let host = value("host", "PGHOST") ?? value("hostaddr", "PGHOSTADDR") ?? "localhost"
            let port = value("port", "PGPORT") ?? "5432"
            let db = value("dbname", "PGDATABASE") ?? value("user", "PGUSER") ?? "postgres"
            return "\(host):\(port)/\(db)"
        }

        /// Where it connects, without secrets.
        public var description: String {
            let params = (try? connectionParameters()) ?? []
            return "postgres \(endpoint(params)) schema \(schema) pool \(poolSize)"
        }
    }
}
