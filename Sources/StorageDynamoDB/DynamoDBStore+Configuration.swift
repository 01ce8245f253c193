import PlugboardKernel

extension DynamoDBStore {
    /// Where the store's tables live and how collections map onto them.
    public struct Configuration: Sendable {
        /// `https://dynamodb.<region>.amazonaws.com` when nil.
        public var endpoint: String?
        public var region: String
        public var credentials: AWSCredentials
        /// Per-collection overrides, keyed by collection name.
        public var tables: [String: TableMapping]
        /// Prefix of default table names (`plugboard_` + collection).
        public var tablePrefix: String
        /// Create missing tables and indexes (on-demand billing) and wait until they are active.
        public var createTables: Bool
        /// Parallel segments of `scan` and `count`.
        public var scanSegments: Int
        /// Requests in flight at once during `batchPut`.
        public var batchConcurrency: Int

        public init(endpoint: String? = nil, region: String = "us-east-1", credentials: AWSCredentials,
                    tables: [String: TableMapping] = [:], tablePrefix: String = "plugboard_", createTables: Bool = false,
                    scanSegments: Int = 4, batchConcurrency: Int = 8) {
            self.endpoint = endpoint
            self.region = region
            self.credentials = credentials
            self.tables = tables
            self.tablePrefix = tablePrefix
            self.createTables = createTables
            self.scanSegments = max(1, scanSegments)
            self.batchConcurrency = max(1, batchConcurrency)
        }

        public var resolvedEndpoint: String { endpoint ?? "https://dynamodb.\(region).amazonaws.com" }

        /// The table name and hash-key attribute of a collection.
        public func table(for c: CollectionSpec) -> (name: String, key: String) {
            let m = tables[c.name]
            return (m?.table ?? tablePrefix + c.name, m?.key ?? c.keyField)
        }
    }

    /// How one collection maps onto a table.
    public struct TableMapping: Sendable, Hashable {
        /// The table name; default `table_prefix` + collection.
        public var table: String?
        /// The hash-key attribute; default the collection's key field (`ticket_id`).
        public var key: String?
        /// Kernel index name → the name of an existing GSI keyed on the document's
        /// raw attributes (partition field as hash key, sort field as range key,
        /// both strings), as in a conventionally migrated table
        /// (`"status-created_at": "status-created_at-index"`). Indexes not listed
        /// use the adapter's own GSIs on reserved attributes.
        public var rawIndexes: [String: String]

        public init(table: String? = nil, key: String? = nil, rawIndexes: [String: String] = [:]) {
            self.table = table
            self.key = key
            self.rawIndexes = rawIndexes
        }
    }

    // MARK: - Registry

    public static let descriptor = AdapterDescriptor(
        port: .storage, name: "dynamodb",
        summary: "Amazon DynamoDB or any DynamoDB-compatible service: one table per collection, items mirroring the JSON documents.",
        fields: [
            ConfigField("endpoint", .string, environment: "AWS_ENDPOINT_URL_DYNAMODB",
                        "Service URL; default https://dynamodb.<region>.amazonaws.com (set it for DynamoDB Local, moto, ...)."),
            ConfigField("region", .string, default: "us-east-1", environment: "AWS_REGION", "AWS region, also used in signing."),
            ConfigField("access_key_id", .string, environment: "AWS_ACCESS_KEY_ID", "AWS access key id."),
            ConfigField("secret_access_key", .string, secret: true, environment: "AWS_SECRET_ACCESS_KEY", "AWS secret access key."),
            ConfigField("session_token", .string, secret: true, environment: "AWS_SESSION_TOKEN",
                        "Session token of temporary credentials (STS)."),
            ConfigField("tables", .object,
                        #"Per collection: {"tickets": {"table": "my_tickets", "key": "ticket_id", "indexes": {"status-created_at": "status-created_at-index"}}}; "#
                        + "a plain string is a table name. `indexes` maps kernel indexes to existing GSIs on the raw attributes."),
            ConfigField("table_prefix", .string, default: "plugboard_", "Prefix of default table names (prefix + collection)."),
            ConfigField("create_tables", .boolean, default: false,
                        "Create missing tables and indexes (on-demand billing) and wait until they are active."),
        ],
        capabilities: ["conditional_writes", "parallel_scan"])

    public static let registryEntry = Registry.Entry(descriptor, .storage { settings, context in
        try DynamoDBStore(DynamoDBStore.configuration(from: settings), logger: context.logger)
    })

    /// Validates settings into a configuration; every error names the field.
    public static func configuration(from s: AdapterSettings) throws -> Configuration {
        guard let keyID = s.string("access_key_id"), !keyID.isEmpty else {
            throw s.error("access_key_id", "required, not set (or set AWS_ACCESS_KEY_ID)")
        }
        guard let secret = s.string("secret_access_key"), !secret.isEmpty else {
            throw s.error("secret_access_key", "required, not set (or set AWS_SECRET_ACCESS_KEY)")
        }
        let region = s.string("region").flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        let endpoint = s.string("endpoint").flatMap { $0.isEmpty ? nil : $0 }
        if let endpoint, URLParts(endpoint) == nil {
            throw s.error("endpoint", "expected an http:// or https:// URL, got \"\(endpoint)\"")
        }
        let prefix = s.string("table_prefix") ?? "plugboard_"
        var tables: [String: TableMapping] = [:]
        if let raw = s.values["tables"], !raw.isNull {
            guard case .object(let o) = raw else { throw s.error("tables", "expected an object, got \(raw.typeName)") }
            for (collection, value) in o {
                switch value {
                case .string(let name):
                    tables[collection] = TableMapping(table: name)
                case .object(let m):
                    for k in m.keys where !["table", "key", "indexes"].contains(k) {
                        throw s.error("tables.\(collection).\(k)", "unknown key; expected table, key or indexes")
                    }
                    var mapping = TableMapping()
                    for field in ["table", "key"] {
                        guard let v = m[field] else { continue }
                        guard let str = v.stringValue, !str.isEmpty else {
                            throw s.error("tables.\(collection).\(field)", "expected a non-empty string, got \(v.snippet)")
                        }
                        if field == "table" { mapping.table = str } else { mapping.key = str }
                    }
                    if let ix = m["indexes"] {
                        guard case .object(let io) = ix else {
                            throw s.error("tables.\(collection).indexes", "expected an object of index name → GSI name")
                        }
                        for (index, gsi) in io {
                            guard let g = gsi.stringValue, !g.isEmpty else {
                                throw s.error("tables.\(collection).indexes.\(index)", "expected a GSI name, got \(gsi.snippet)")
                            }
                            mapping.rawIndexes[index] = g
                        }
                    }
                    tables[collection] = mapping
                default:
                    throw s.error("tables.\(collection)", "expected a table name or an object, got \(value.typeName)")
                }
            }
        }
        return Configuration(
            endpoint: endpoint, region: region,
            credentials: AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: s.string("session_token")),
            tables: tables, tablePrefix: prefix, createTables: s.bool("create_tables") ?? false)
    }
}
