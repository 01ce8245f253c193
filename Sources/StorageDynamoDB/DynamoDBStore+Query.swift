import PlugboardKernel

/// Index queries on GSIs, paged with the kernel's keyset cursor (last sort value and id).
extension DynamoDBStore {
    public func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        let index = try c.index(named: q.index)
        if let p = index.partitionField, q.partition == nil {
            throw PlugboardError.invalidInput("index \(index.name) of \(c.name) needs a partition value (\(p))", adapter: "dynamodb")
        }
        guard q.limit > 0 else { throw PlugboardError.invalidInput("query limit must be positive, got \(q.limit)", adapter: "dynamodb") }
        let after = try q.cursor.map(IndexCursor.init(decoding:))
        let layout = try await prepared(c)
        guard let ix = layout.indexes[index.name] else {
            throw PlugboardError.internal("no layout for index \(index.name)", adapter: "dynamodb")
        }
        guard try await availableIndexes(layout).contains(ix.gsi) else {
            throw PlugboardError.invalidConfiguration(
                "dynamodb: table \(layout.table) has no GSI \(ix.gsi) for index \(index.name) of \(c.name); "
                    + "set create_tables: true to add it, or map the index with tables.\(c.name).indexes", adapter: "dynamodb")
        }
        if let from = q.from, let to = q.to, from > to { return Page(documents: [], nextCursor: nil) }

        var names: [String: JSON] = ["#pk": .string("")]
        var values: [String: JSON] = [:]
        var condition = "#pk = :pk"
        var startKey: [String: JSON]?
        let partition = q.partition ?? ""
        // How to read the cursor position (sort value) back from an item.
        let sortOf: ([String: JSON], String) -> String?
        switch ix {
        case .reserved(_, let pk, let sk):
            names = ["#pk": .string(pk), "#sk": .string(sk)]
            values[":pk"] = ["S": .string(DynamoDBTableLayout.Reserved.partitionPrefix + partition)]
            let upper = DynamoDBTableLayout.Reserved.sortUpperBound
            switch (q.from, q.to) {
            case let (f?, t?):
                condition += " AND #sk BETWEEN :lo AND :hi"
                values[":lo"] = ["S": .string(f)]
                values[":hi"] = ["S": .string(t + upper)]
            case let (f?, nil):
                condition += " AND #sk >= :lo"
                values[":lo"] = ["S": .string(f)]
            case let (nil, t?):
                condition += " AND #sk <= :hi"
                values[":hi"] = ["S": .string(t + upper)]
            case (nil, nil):
                names["#sk"] = nil
            }
            if let after {
                startKey = [layout.key: ["S": .string(after.id)], pk: values[":pk"]!,
                            sk: ["S": .string(after.sort + DynamoDBTableLayout.Reserved.sortSeparator + after.id)]]
            }
            sortOf = { item, id in
                let suffix = DynamoDBTableLayout.Reserved.sortSeparator + id
                guard let s = item[sk]?["S"]?.stringValue, s.hasSuffix(suffix) else { return nil }
                return String(decoding: s.utf8.dropLast(suffix.utf8.count), as: UTF8.self)
            }
        case .raw(_, let p, let s):
            names = ["#pk": .string(p)]
            values[":pk"] = ["S": .string(partition)]
            if let s, q.from != nil || q.to != nil {
                names["#sk"] = .string(s)
                let (lo, hi) = DynamoDBStore.rawBounds(from: q.from, to: q.to, timestamps: index.sortIsTimestamp)
                switch (lo, hi) {
                case let (f?, t?):
                    condition += " AND #sk BETWEEN :lo AND :hi"
                    values[":lo"] = ["S": .string(f)]
                    values[":hi"] = ["S": .string(t)]
                case let (f?, nil):
                    condition += " AND #sk >= :lo"
                    values[":lo"] = ["S": .string(f)]
                case let (nil, t?):
                    condition += " AND #sk <= :hi"
                    values[":hi"] = ["S": .string(t)]
                case (nil, nil): break
                }
            }
            if let after {
                var key: [String: JSON] = [layout.key: ["S": .string(after.id)], p: ["S": .string(partition)]]
                if let s { key[s] = try DynamoDBStore.rawCursorValue(after.sort) }
                startKey = key
            }
            sortOf = { item, _ in
                guard let s else { return "" }
                if let v = item[s]?["S"]?.stringValue { return "S:" + v }
                if let v = item[s]?["N"]?.stringValue { return "N:" + v }
                return nil
            }
        }

        // Read one item past the limit, so the last page says it is the last.
        var rows: [(item: [String: JSON], doc: StoredDocument)] = []
        repeat {
            var input: [String: JSON] = [
                "TableName": .string(layout.table), "IndexName": .string(ix.gsi),
                "KeyConditionExpression": .string(condition), "ExpressionAttributeNames": .object(names),
                "ExpressionAttributeValues": .object(values), "ScanIndexForward": .bool(!q.descending),
                "Limit": JSON(q.limit + 1 - rows.count),
            ]
            if let startKey { input["ExclusiveStartKey"] = .object(startKey) }
            let out = try await client.call("Query", .object(input), table: layout.table)
            for case .object(let item) in out["Items"]?.arrayValue ?? [] {
                if let doc = try await document(layout, item) { rows.append((item, doc)) }
            }
            startKey = out["LastEvaluatedKey"]?.objectValue
        } while startKey != nil && rows.count <= q.limit

        let page = Array(rows.prefix(q.limit))
        var next: String?
        if rows.count > q.limit, let last = page.last {
            guard let sort = sortOf(last.item, last.doc.id) else {
                throw PlugboardError.internal("table \(layout.table): an item in \(ix.gsi) lacks its sort key", adapter: "dynamodb")
            }
            next = IndexCursor(sort: sort, id: last.doc.id).encoded
        }
        return Page(documents: page.map(\.doc), nextCursor: next)
    }

    /// Bounds for a raw GSI, whose sort attribute holds timestamps as another
    /// tool wrote them (`...T09:15:00Z`, `...T09:15:00+00:00`, `...T09:15:00`),
    /// while query bounds arrive in the kernel's form (`...T09:15:00.000Z`): a
    /// whole-second bound becomes its `yyyy-MM-ddTHH:mm:ss` prefix, and an upper
    /// bound takes in every spelling of that second. Raw values are compared as
    /// strings, so they must be UTC for ranges to be exact.
    static func rawBounds(from: String?, to: String?, timestamps: Bool) -> (String?, String?) {
        guard timestamps else { return (from, to) }
        func wholeSecond(_ s: String) -> String? {
            let u = Array(s.utf8)
            guard u.count == 24, s.hasSuffix(".000Z"), Timestamp.parse(s) != nil else { return nil }
            return String(decoding: u[0..<19], as: UTF8.self)
        }
        let lo = from.map { wholeSecond($0) ?? $0 }
        let hi = to.map { t in wholeSecond(t).map { $0 + "\u{10FFFF}" } ?? t }
        return (lo, hi)
    }

    /// A raw GSI's sort value from a cursor (`S:` or `N:` and the value).
    static func rawCursorValue(_ s: String) throws -> JSON {
        if s.hasPrefix("S:") { return ["S": .string(String(s.dropFirst(2)))] }
        if s.hasPrefix("N:") { return ["N": .string(String(s.dropFirst(2)))] }
        throw PlugboardError.invalidInput("invalid cursor for a raw index", adapter: "dynamodb")
    }

    /// The document of a head item (rebuilding a split one), nil for part items
    /// and for documents deleted while being read.
    func document(_ layout: DynamoDBTableLayout, _ item: [String: JSON]) async throws -> StoredDocument? {
        switch try layout.decode(item) {
        case .document(let d): return d
        case .part: return nil
        case .split(let id, let revision, let count, let first):
            if let d = try await assemble(layout, id: id, revision: revision, count: count, first: first) { return d }
            return try await get(layout.collection, id: id)
        }
    }
}
