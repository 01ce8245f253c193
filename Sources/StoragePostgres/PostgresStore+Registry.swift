import PlugboardKernel

extension PostgresStore {
    public static let descriptor = AdapterDescriptor(
        port: .storage, name: "postgres",
        summary: "PostgreSQL over libpq: one table per collection in a schema, shared by any number of workers.",
        fields: [
            ConfigField("url", .string, secret: true,
                        "postgres://user:password@host:port/database?sslmode=require (a secret: it may hold the password)."),
            ConfigField("host", .string, "Server host (instead of url)."),
            ConfigField("port", .integer, "Server port (instead of url; default 5432)."),
            ConfigField("database", .string, "Database name (instead of url)."),
            ConfigField("user", .string, "Role to connect as (instead of url)."),
            ConfigField("password", .string, secret: true, environment: "PGPASSWORD",
                        "Password, when the url has none."),
            ConfigField("sslmode", .choice(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]),
                        "TLS mode; overrides the url's."),
            ConfigField("connect_timeout", .integer, default: 5, "Seconds to wait for a connection."),
            ConfigField("pool_size", .integer, default: 4, "Connections kept open at most."),
            ConfigField("schema", .string, default: "public",
                        "PostgreSQL schema holding the tables, created when missing (one data set per schema)."),
        ],
        capabilities: ["transactions", "concurrent_instances", "job_claiming"])

    public static let registryEntry = Registry.Entry(descriptor, .storage { settings, _ in
        try await PostgresStore.open(Configuration(settings: settings))
    })
}
