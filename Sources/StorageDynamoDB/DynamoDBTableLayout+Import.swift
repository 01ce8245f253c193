import PlugboardKernel

/// Documents as plain items, for bulk imports: the item is the document and
/// nothing else (no revision, no split), so any AWS SDK reads back exactly what
/// was imported. Checked here against what DynamoDB refuses, so one bad
/// document is reported alone instead of failing its whole request.
extension DynamoDBTableLayout {
    /// DynamoDB's limits on key attribute values (bytes of UTF-8).
    static let maxPartitionKeyBytes = 2_048
    static let maxSortKeyBytes = 1_024

    /// The wire bytes of `body` as a plain item, or why DynamoDB would refuse it.
    /// - Parameter reservedIndexes: the adapter's own GSIs present on the table;
    ///   their `_pb_ix_` key attributes are added so the document stays in them.
    func plainItem(id: String, body: JSON, reservedIndexes: Set<String>) -> PlainItemEncoding {
        func refuse(_ reason: String) -> PlainItemEncoding { .refused(ImportFailure(id: id, reason: reason)) }
        guard case .object(var fields) = body else { return refuse("a document must be a JSON object, got \(body.typeName)") }
        guard case .string(let keyValue)? = fields[key] else {
            return refuse(fields[key] == nil ? "no \(key) field (the table's hash key)" : "\(key) must be a string, got \(fields[key]!.typeName)")
        }
        guard keyValue == id else { return refuse("\(key) is \"\(keyValue)\" but the document's id is \"\(id)\"") }
        guard !id.isEmpty else { return refuse("\(key) is empty (DynamoDB keys cannot be empty strings)") }
        guard id.utf8.count <= DynamoDBTableLayout.maxPartitionKeyBytes else {
            return refuse("\(key) is \(id.utf8.count) bytes; DynamoDB hash keys are at most \(DynamoDBTableLayout.maxPartitionKeyBytes)")
        }
        if let reserved = fields.keys.first(where: { $0.hasPrefix(Reserved.prefix) }) {
            return refuse("field \"\(reserved)\" is reserved (names starting with \(Reserved.prefix) hold the adapter's own attributes)")
        }
        for case .raw(let gsi, let p, let s) in indexes.values {
            if let problem = rawKeyProblem(fields[p], field: p, gsi: gsi, limit: DynamoDBTableLayout.maxPartitionKeyBytes)
                ?? s.flatMap({ rawKeyProblem(fields[$0], field: $0, gsi: gsi, limit: DynamoDBTableLayout.maxSortKeyBytes) }) {
                return refuse(problem)
            }
        }
        if !reservedIndexes.isEmpty {
            for (k, v) in indexAttributes(id: id, body: body) where k.hasPrefix(Reserved.prefix) {
                guard case .reserved(let gsi, _, _)? = indexes.values.first(where: { $0.owns(k) }), reservedIndexes.contains(gsi)
                else { continue }
                fields[k] = v.decodedAttribute
            }
        }
        var problem: String?
        let size = AttributeValueCodec.itemSize(fields, problem: &problem)
        if let problem { return refuse(problem) }
        guard size <= AttributeValueCodec.maxItemSize else {
            return refuse("the item is \(size) bytes; DynamoDB stores at most \(AttributeValueCodec.maxItemSize) (400 KB) per item")
        }
        var out: [UInt8] = []
        out.reserveCapacity(size + size / 2 + 64)
        AttributeValueCodec.writeItem(fields, into: &out)
        return .item(out)
    }

    /// Why a raw GSI key attribute would be refused: present but not a
    /// non-empty string within the key size limit.
    private func rawKeyProblem(_ value: JSON?, field: String, gsi: String, limit: Int) -> String? {
        switch value {
        case nil: return nil  // absent: the item is just not in that (sparse) index
        case .string(let s)?:
            if s.isEmpty { return "\(field) is an empty string, which DynamoDB refuses as a key of index \(gsi)" }
            if s.utf8.count > limit { return "\(field) is \(s.utf8.count) bytes, over DynamoDB's \(limit) for a key of index \(gsi)" }
            return nil
        case let other?:
            return "\(field) is \(other.typeName), but index \(gsi) takes strings only (DynamoDB refuses the type mismatch)"
        }
    }
}

/// A document as a plain item's wire bytes, or why DynamoDB would refuse it.
enum PlainItemEncoding {
    case item([UInt8])
    case refused(ImportFailure)
}

extension DynamoDBTableLayout.IndexLayout {
    /// Whether `attribute` is one of the adapter's reserved key attributes of this index.
    func owns(_ attribute: String) -> Bool {
        guard case .reserved(_, let pk, let sk) = self else { return false }
        return attribute == pk || attribute == sk
    }
}

private extension JSON {
    /// `{"S": "x"}` → `"x"`: reserved index attributes are built as attribute
    /// values, and the item writer takes plain JSON.
    var decodedAttribute: JSON { (try? AttributeValueCodec.decode(self)) ?? self }
}
