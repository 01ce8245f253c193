import PlugboardKernel

/// How one collection is laid out in its table: the table, its hash key, and
/// the GSI behind each of the collection's indexes.
///
/// Items mirror the document (one attribute per top-level field, through
/// `AttributeValueCodec`) plus a few reserved attributes, all named `_pb_…`:
/// - `_pb_rev` (N): the revision; an item without it (written by another tool)
///   is at revision 1.
/// - `_pb_ix_<index>_pk` / `_pb_ix_<index>_sk` (S): the adapter's GSI keys. The
///   partition value is prefixed with `=` (GSI keys cannot be empty strings);
///   the sort value is the kernel's normalized value (`CollectionSpec.indexKey`,
///   UTC timestamps) + U+0001 + id, so equal sort values are ordered by id.
/// - `_pb_nokey` (BOOL) / `_pb_bodykey`: the body had no key field, or a
///   different value in it; reads restore the body exactly.
/// - Documents too big for one 400 KB item: `_pb_parts` (N) and `_pb_body` (B)
///   on the head item, and part items (`_pb_part_of`, `_pb_rev`, `_pb_body`)
///   keyed `U+0001 pbpart U+0001 <n> U+0001 <id>`, written in one transaction.
///
/// Reads drop every `_pb_` attribute, so the body is exactly the document;
/// writes refuse documents with top-level fields named `_pb_…`.
struct DynamoDBTableLayout: Sendable {
    enum IndexLayout: Sendable, Hashable {
        /// The adapter's GSI on reserved attributes.
        case reserved(gsi: String, partitionAttribute: String, sortAttribute: String)
        /// An existing GSI on the document's raw attributes (string-typed).
        case raw(gsi: String, partitionAttribute: String, sortAttribute: String?)

        var gsi: String {
            switch self {
            case .reserved(let g, _, _), .raw(let g, _, _): return g
            }
        }
    }

    enum Reserved {
        static let prefix = "_pb_"
        static let revision = "_pb_rev"
        static let parts = "_pb_parts"
        static let body = "_pb_body"
        static let partOf = "_pb_part_of"
        static let noKey = "_pb_nokey"
        static let bodyKey = "_pb_bodykey"
        static let partitionPrefix = "="
        static let sortSeparator = "\u{1}"
        /// Above the separator: the inclusive upper bound of a sort range.
        static let sortUpperBound = "\u{2}"

        static func partitionAttribute(_ index: String) -> String { "_pb_ix_\(index)_pk" }
        static func sortAttribute(_ index: String) -> String { "_pb_ix_\(index)_sk" }
        static func gsi(_ index: String) -> String { "pb_\(index)" }
        static func partID(_ id: String, _ n: Int) -> String { "\u{1}pbpart\u{1}\(n)\u{1}\(id)" }
    }

    let collection: CollectionSpec
    let table: String
    let key: String
    /// By kernel index name.
    let indexes: [String: IndexLayout]

    init(_ collection: CollectionSpec, configuration: DynamoDBStore.Configuration) throws {
        self.collection = collection
        let (table, key) = configuration.table(for: collection)
        self.table = table
        self.key = key
        let mapping = configuration.tables[collection.name]
        var indexes: [String: IndexLayout] = [:]
        for index in collection.indexes {
            if let gsi = mapping?.rawIndexes[index.name] {
                guard let p = index.partitionField else {
                    throw PlugboardError.invalidConfiguration(
                        "dynamodb: tables.\(collection.name).indexes.\(index.name): this index has no partition field, "
                            + "so it cannot be a GSI on raw attributes", adapter: "dynamodb")
                }
                indexes[index.name] = .raw(gsi: gsi, partitionAttribute: p, sortAttribute: index.sortField)
            } else {
                indexes[index.name] = .reserved(gsi: Reserved.gsi(index.name), partitionAttribute: Reserved.partitionAttribute(index.name),
                                                sortAttribute: Reserved.sortAttribute(index.name))
            }
        }
        if let unknown = mapping?.rawIndexes.keys.first(where: { name in !collection.indexes.contains { $0.name == name } }) {
            throw PlugboardError.invalidConfiguration(
                "dynamodb: tables.\(collection.name).indexes.\(unknown): \(collection.name) has no index \(unknown) "
                    + "(known: \(collection.indexes.map(\.name).joined(separator: ", ")))", adapter: "dynamodb")
        }
        self.indexes = indexes
    }

    /// `{"<key>": {"S": id}}`.
    func key(_ id: String) -> JSON { .object([key: ["S": .string(id)]]) }
}
