import PlugboardKernel

/// `plugboard doctor`: connect and read the schema version, without writing.
extension PostgresStore: HealthChecking {
    public func check() async -> HealthCheck {
        let schema = self.schema
        do {
            let version: Int64? = try await pool.run { s in
                let what = "doctor check of schema \(schema)"
                guard try PostgresStore.tableExists(s, schema, "plugboard_schema", what) else { return nil }
                return try PostgresStore.storedVersion(s, schema, what)
            }
            guard let version else {
                return .passed("connected; schema \(schema) not created yet (the first run creates it, version \(PostgresStore.schemaVersion))")
            }
            if version > PostgresStore.schemaVersion {
                return .failed("connected; schema \(schema) is at layout version \(version), this build knows up to \(PostgresStore.schemaVersion)",
                               hint: "upgrade plugboard")
            }
            return .passed("connected; schema \(schema) at layout version \(version)")
        } catch {
            let e = PlugboardError.wrap(error, adapter: "postgres")
            return .failed(e.description, hint: e.code == .unauthenticated
                ? "check user and password (url, or PGPASSWORD)"
                : "is PostgreSQL running and reachable at the configured url / host and port?")
        }
    }
}
