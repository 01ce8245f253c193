import Foundation
import PlugboardKernel

/// Documents ⇄ items (see `DynamoDBTableLayout` for the reserved attributes).
extension DynamoDBTableLayout {
    /// Items above this (as estimated by their wire size, which overstates the
    /// stored size) are split: DynamoDB's limit is 400 KB per item.
    static let maxItemEstimate = 350_000
    /// Bytes of serialized document per part item.
    static let partSize = 300_000
    /// Head plus parts, all written in one transaction (at most 100 actions, 4 MB).
    static let maxParts = 12

    /// The items of one document revision: the head, and part items when split.
    struct EncodedDocument {
        var head: [String: JSON]
        /// Part items 1..<n (part 0 is in the head).
        var parts: [[String: JSON]]
    }

    enum DecodedItem {
        case document(StoredDocument)
        /// A split document's head: its parts must be read to rebuild the body.
        case split(id: String, revision: Int64, parts: Int, first: [UInt8])
        /// A part item, not a document.
        case part
    }

    func encode(id: String, body: JSON, revision: Int64) throws -> EncodedDocument {
        guard case .object(let fields) = body else {
            throw PlugboardError.invalidInput("\(collection.name)/\(id): a document must be a JSON object, got \(body.typeName)",
                                              adapter: "dynamodb")
        }
        if let reserved = fields.keys.first(where: { $0.hasPrefix(Reserved.prefix) }) {
            throw PlugboardError.invalidInput(
                "\(collection.name)/\(id): field \"\(reserved)\" is reserved (names starting with \(Reserved.prefix) hold the adapter's own attributes)",
                adapter: "dynamodb")
        }
        var item = AttributeValueCodec.encode(object: fields)
        switch fields[key] {
        case .string(id)?: break
        case nil:
            item[key] = ["S": .string(id)]
            item[Reserved.noKey] = ["BOOL": true]
        case let other?:
            item[Reserved.bodyKey] = AttributeValueCodec.encode(other)
            item[key] = ["S": .string(id)]
        }
        var keys = indexAttributes(id: id, body: body)
        keys[key] = ["S": .string(id)]
        keys[Reserved.revision] = ["N": .string(String(revision))]
        for (k, v) in keys { item[k] = v }

        let size = JSON.object(item).serializedBytes().count
        guard size > DynamoDBTableLayout.maxItemEstimate else { return EncodedDocument(head: item, parts: []) }

        // Split: the head keeps the keys (so the document stays in its indexes)
        // and the first slice of the serialized body; parts hold the rest.
        let bytes = body.serializedBytes()
        let count = (bytes.count + DynamoDBTableLayout.partSize - 1) / DynamoDBTableLayout.partSize
        guard count <= DynamoDBTableLayout.maxParts else {
            throw PlugboardError.invalidInput(
                "\(collection.name)/\(id): the document is \(bytes.count) bytes; DynamoDB stores at most "
                    + "\(DynamoDBTableLayout.maxParts * DynamoDBTableLayout.partSize) bytes per document", adapter: "dynamodb")
        }
        func slice(_ n: Int) -> JSON {
            let lo = n * DynamoDBTableLayout.partSize
            let hi = min(lo + DynamoDBTableLayout.partSize, bytes.count)
            return ["B": .string(Data(bytes[lo..<hi]).base64EncodedString())]
        }
        var head = keys
        head[Reserved.parts] = ["N": .string(String(count))]
        head[Reserved.body] = slice(0)
        let parts: [[String: JSON]] = (1..<max(count, 1)).map { n in
            [key: ["S": .string(Reserved.partID(id, n))], Reserved.partOf: ["S": .string(id)],
             Reserved.revision: ["N": .string(String(revision))], Reserved.body: slice(n)]
        }
        return EncodedDocument(head: head, parts: parts)
    }

    /// The GSI key attributes of a document: reserved ones from the kernel's
    /// index values, and for raw GSIs a copy of the raw fields (a split head needs them).
    func indexAttributes(id: String, body: JSON) -> [String: JSON] {
        var out: [String: JSON] = [:]
        for index in collection.indexes {
            switch indexes[index.name] {
            case .reserved(_, let pk, let sk)?:
                guard let k = collection.indexKey(index, of: body) else { continue }
                out[pk] = ["S": .string(Reserved.partitionPrefix + k.partition)]
                out[sk] = ["S": .string(k.sort + Reserved.sortSeparator + id)]
            case .raw(_, let p, let s)?:
                for field in [p, s].compactMap({ $0 }) {
                    if let v = body[field] { out[field] = AttributeValueCodec.encode(v) }
                }
            case nil:
                continue
            }
        }
        return out
    }

    func decode(_ item: [String: JSON]) throws -> DecodedItem {
        if item[Reserved.partOf] != nil { return .part }
        guard let id = item[key]?["S"]?.stringValue else {
            throw PlugboardError.internal("table \(table): an item has no string \(key) attribute", adapter: "dynamodb")
        }
        let revision = item[Reserved.revision]?["N"]?.stringValue.flatMap { Int64($0) } ?? 1
        if let n = item[Reserved.parts]?["N"]?.stringValue.flatMap({ Int($0) }) {
            return .split(id: id, revision: revision, parts: n, first: try DynamoDBTableLayout.bytes(item, id: id, table: table))
        }
        var fields: [String: JSON] = [:]
        do {
            for (k, v) in item where !k.hasPrefix(Reserved.prefix) { fields[k] = try AttributeValueCodec.decode(v) }
            if item[Reserved.noKey] != nil { fields[key] = nil }
            if let original = item[Reserved.bodyKey] { fields[key] = try AttributeValueCodec.decode(original) }
        } catch {
            throw PlugboardError.internal("table \(table), item \(id): \(error.description)", adapter: "dynamodb")
        }
        return .document(StoredDocument(id: id, revision: revision, body: .object(fields)))
    }

    /// The `_pb_body` bytes of a head or part item.
    static func bytes(_ item: [String: JSON], id: String, table: String) throws -> [UInt8] {
        guard let b64 = item[Reserved.body]?["B"]?.stringValue, let data = Data(base64Encoded: b64) else {
            throw PlugboardError.internal("table \(table), item \(id): split document without its body slice", adapter: "dynamodb")
        }
        return [UInt8](data)
    }

    /// The body of a split document from its head slice and part items (in any
    /// order); nil when a part is missing or from another revision (a writer
    /// got in between: read again).
    func assemble(id: String, revision: Int64, count: Int, first: [UInt8], parts: [[String: JSON]]) throws -> JSON? {
        var slices = [[UInt8]?](repeating: nil, count: count)
        slices[0] = first
        for part in parts {
            guard let partID = part[key]?["S"]?.stringValue,
                  part[Reserved.revision]?["N"]?.stringValue == String(revision) else { return nil }
            for n in 1..<max(count, 1) where Reserved.partID(id, n) == partID {
                slices[n] = try DynamoDBTableLayout.bytes(part, id: id, table: table)
            }
        }
        var all: [UInt8] = []
        for s in slices {
            guard let s else { return nil }
            all += s
        }
        do {
            return try JSONParser.parse(all)
        } catch {
            throw PlugboardError.internal("table \(table), item \(id): split document does not parse: \(error)", adapter: "dynamodb")
        }
    }
}
