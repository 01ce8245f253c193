import PlugboardKernel

/// Tables: checked once per store on first use, created (with their GSIs)
/// when `create_tables` is on.
extension DynamoDBStore {
    /// The collection's layout, once its table has been checked (or created).
    func prepared(_ c: CollectionSpec) async throws -> DynamoDBTableLayout {
        let (table, _) = configuration.table(for: c)
        if let state = tables.withLock({ $0[table] }), state.layout.collection == c {
            _ = try await state.preparation.value
            return state.layout
        }
        let layout = try DynamoDBTableLayout(c, configuration: configuration)
        let task: Task<Set<String>, any Error> = tables.withLock { t in
            if let state = t[layout.table] { return state.preparation }
            let task = Task { try await self.prepare(layout) }
            t[layout.table] = TableState(layout: layout, preparation: task)
            return task
        }
        do {
            _ = try await task.value
        } catch {
            // Let a later call try again (the table may be created meanwhile).
            tables.withLock { t in if t[layout.table]?.preparation == task { t[layout.table] = nil } }
            throw error
        }
        return layout
    }

    /// The GSIs present on the collection's table (after `prepared`).
    func availableIndexes(_ layout: DynamoDBTableLayout) async throws -> Set<String> {
        guard let task = tables.withLock({ $0[layout.table]?.preparation }) else { return [] }
        return try await task.value
    }

    /// Checks the table's key, creates what is missing when allowed, and returns its GSI names.
    func prepare(_ layout: DynamoDBTableLayout) async throws -> Set<String> {
        var table: JSON
        let described: JSON?
        do {
            described = try await describe(layout.table)
        } catch let e as PlugboardError where e.code == .permissionDenied && !configuration.createTables {
            // Least-privilege keys may lack DescribeTable: use the table unchecked.
            logger.warning("dynamodb: cannot describe table \(layout.table) (\(e.message)); using it unchecked")
            return Set(layout.indexes.values.map(\.gsi))
        }
        if let described {
            table = described
        } else {
            guard configuration.createTables else {
                throw PlugboardError(.notFound, "table \(layout.table) (collection \(layout.collection.name)) does not exist in "
                                     + "\(configuration.region) at \(client.endpoint.authority); create it, or set create_tables: true",
                                     adapter: "dynamodb")
            }
            try await createTable(layout)
            table = try await waitUntilActive(layout.table)
        }
        let keySchema = table["KeySchema"]?.arrayValue ?? []
        let hash = keySchema.first { $0["KeyType"]?.stringValue == "HASH" }?["AttributeName"]?.stringValue
        if keySchema.count != 1 || hash != layout.key {
            let found = keySchema.map { "\($0["AttributeName"]?.stringValue ?? "?") \($0["KeyType"]?.stringValue ?? "?")" }
            throw PlugboardError.invalidConfiguration(
                "dynamodb: table \(layout.table) has key schema [\(found.joined(separator: ", "))]; the adapter needs a hash key "
                    + "\(layout.key) alone (set tables.\(layout.collection.name).key)", adapter: "dynamodb")
        }
        var present = Set((table["GlobalSecondaryIndexes"]?.arrayValue ?? []).compactMap { $0["IndexName"]?.stringValue })
        if configuration.createTables {
            for index in layout.collection.indexes {
                guard case .reserved(let gsi, let pk, let sk)? = layout.indexes[index.name], !present.contains(gsi) else { continue }
                logger.warning("dynamodb: adding index \(gsi) to \(layout.table); documents written before join it when next written")
                _ = try await client.call("UpdateTable", [
                    "TableName": .string(layout.table),
                    "AttributeDefinitions": [["AttributeName": .string(pk), "AttributeType": "S"],
                                             ["AttributeName": .string(sk), "AttributeType": "S"]],
                    "GlobalSecondaryIndexUpdates": [["Create": DynamoDBStore.gsiDefinition(gsi, partition: pk, sort: sk)]],
                ], table: layout.table)
                _ = try await waitUntilActive(layout.table)
                present.insert(gsi)
            }
        }
        return present
    }

    /// `Table` of DescribeTable, nil when the table does not exist.
    func describe(_ name: String) async throws -> JSON? {
        do {
            return try await client.call("DescribeTable", ["TableName": .string(name)], table: name)["Table"]
        } catch let e as PlugboardError where e.code == .notFound {
            return nil
        }
    }

    static func gsiDefinition(_ name: String, partition: String, sort: String?) -> JSON {
        var keys: [JSON] = [["AttributeName": .string(partition), "KeyType": "HASH"]]
        if let sort { keys.append(["AttributeName": .string(sort), "KeyType": "RANGE"]) }
        return ["IndexName": .string(name), "KeySchema": .array(keys), "Projection": ["ProjectionType": "ALL"]]
    }

    func createTable(_ layout: DynamoDBTableLayout) async throws {
        var attributes: [String] = [layout.key]
        var gsis: [JSON] = []
        for index in layout.collection.indexes {
            switch layout.indexes[index.name] {
            case .reserved(let gsi, let pk, let sk)?:
                attributes += [pk, sk]
                gsis.append(DynamoDBStore.gsiDefinition(gsi, partition: pk, sort: sk))
            case .raw(let gsi, let p, let s)?:
                attributes += [p] + (s.map { [$0] } ?? [])
                gsis.append(DynamoDBStore.gsiDefinition(gsi, partition: p, sort: s))
            case nil:
                continue
            }
        }
        var seen = Set<String>()
        let definitions: [JSON] = attributes.filter { seen.insert($0).inserted }
            .map { ["AttributeName": .string($0), "AttributeType": "S"] }
        var input: [String: JSON] = [
            "TableName": .string(layout.table), "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": .array(definitions),
            "KeySchema": [["AttributeName": .string(layout.key), "KeyType": "HASH"]],
        ]
        if !gsis.isEmpty { input["GlobalSecondaryIndexes"] = .array(gsis) }
        logger.info("dynamodb: creating table \(layout.table) (\(gsis.count) indexes, on-demand)")
        do {
            _ = try await client.call("CreateTable", .object(input), table: layout.table)
        } catch let e as PlugboardError where e.code == .conflict {
            // ResourceInUseException: another process is creating it; wait with it.
        }
    }

    /// Polls DescribeTable until the table and its GSIs are ACTIVE (at most 10 minutes).
    func waitUntilActive(_ name: String) async throws -> JSON {
        let deadline = ContinuousClock.now + .seconds(600)
        var delay = Duration.milliseconds(200)
        while true {
            if let table = try await describe(name), table["TableStatus"]?.stringValue == "ACTIVE",
               (table["GlobalSecondaryIndexes"]?.arrayValue ?? []).allSatisfy({ $0["IndexStatus"]?.stringValue ?? "ACTIVE" == "ACTIVE" }) {
                return table
            }
            guard ContinuousClock.now < deadline else {
                throw PlugboardError(.unavailable, "table \(name) is not ACTIVE after 10 minutes", adapter: "dynamodb")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
}
