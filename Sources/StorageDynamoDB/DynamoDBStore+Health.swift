import PlugboardKernel

/// `plugboard doctor`: DescribeTable on the table of every standard collection
/// (exists, ACTIVE, the expected hash key), without writing or creating anything.
extension DynamoDBStore: HealthChecking {
    public func check() async -> HealthCheck {
        let place = "\(configuration.region) at \(client.endpoint.authority)"
        var active: [String] = [], later: [String] = []
        for c in CollectionSpec.standard {
            let (table, key) = configuration.table(for: c)
            let described: JSON?
            do {
                described = try await describe(table)
            } catch {
                let e = PlugboardError.wrap(error, adapter: "dynamodb")
                return .failed(e.message, hint: hint(e))
            }
            guard let described else {
                if configuration.createTables { later.append(table); continue }
                return .failed("table \(table) (collection \(c.name)) does not exist in \(place)",
                               hint: "create it (hash key \(key), string), set create_tables: true to let the first run create it, "
                                   + "or check region, endpoint and table_prefix")
            }
            let status = described["TableStatus"]?.stringValue ?? "?"
            guard status == "ACTIVE" || status == "UPDATING" else {
                return .failed("table \(table) is \(status), not ACTIVE", hint: status == "CREATING"
                               ? "wait until it is ACTIVE, then check again" : "restore or recreate the table \(table)")
            }
            let keySchema = described["KeySchema"]?.arrayValue ?? []
            let hash = keySchema.first { $0["KeyType"]?.stringValue == "HASH" }?["AttributeName"]?.stringValue
            guard keySchema.count == 1, hash == key else {
                return .failed("table \(table) is not keyed on \(key) alone (hash key \(hash ?? "?"), \(keySchema.count) key attributes)",
                               hint: "set tables.\(c.name).key to its hash key, or point tables.\(c.name).table at a table keyed on \(key)")
            }
            active.append(table)
        }
        var detail = "DescribeTable: \(active.count) table\(active.count == 1 ? "" : "s") ACTIVE in \(place)"
        if !later.isEmpty { detail += "; \(later.joined(separator: ", ")) missing, created on first use (create_tables)" }
        return .passed(detail)
    }

    /// What to do about a failed DescribeTable.
    private func hint(_ e: PlugboardError) -> String {
        switch e.code {
        case .unauthenticated:
            return "check access_key_id and secret_access_key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and region"
        case .permissionDenied:
            return "allow dynamodb:DescribeTable and the item operations on the plugboard tables for this key"
        case .invalidConfiguration:
            return "fix the storage section of the configuration"
        default:
            return "is DynamoDB reachable at \(client.endpoint.authority)? check endpoint and region"
        }
    }
}
