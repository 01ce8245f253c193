import Foundation
import PlugboardKernel

/// A `--from` or `--to` of `plugboard migrate`: a ticket file read by the
/// migration's own reader, or a store built through the registry from an
/// `adapters.json` storage section or a short form.
///
/// | form | means |
/// |---|---|
/// | `json:PATH` | source: a ticket file (object keyed by `ticket_id`, array, or JSON Lines); target: the `json` adapter (a Freeda-style file) |
/// | `jsonl:PATH` | source: a JSON Lines file |
/// | `sqlite:PATH` | the `sqlite` adapter |
/// | `postgres://...` | the `postgres` adapter at that URL |
/// | `dynamodb://TABLE?endpoint=URL&region=R` | the conventional tickets table TABLE (hash key `ticket_id`, GSIs `status-created_at-index`, `channel-created_at-index`); credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` |
/// | a path | an `adapters.json` (its `storage` section) when it looks like one, otherwise like `json:PATH` |
enum MigrationEndpoint: Sendable {
    case file(path: String, shape: TicketFileReader.Shape?)
    case store(StoreEndpoint)

    enum Role: String, Sendable {
        case source = "--from"
        case target = "--to"
    }

    struct StoreEndpoint: Sendable {
        var settings: AdapterSettings
        var collection: CollectionSpec
        /// Shown in messages and kept in the checkpoint: no secret in it.
        var display: String
    }

    var display: String {
        switch self {
        case .file(let path, let shape): return (shape == .lines ? "jsonl:" : "json:") + path
        case .store(let s): return s.display
        }
    }

    /// The conventional table of a migrated `tickets.json`: the kernel's two
    /// status and channel indexes as GSIs on the raw attributes, nothing else.
    static let conventionalTickets = CollectionSpec(name: "tickets", keyField: "ticket_id", indexes: [
        IndexSpec(name: "status-created_at", partition: "status", sort: "created_at"),
        IndexSpec(name: "channel-created_at", partition: "channel", sort: "created_at"),
    ])
    static let conventionalIndexes: JSON = [
        "status-created_at": "status-created_at-index", "channel-created_at": "channel-created_at-index",
    ]

    static let forms = "json:PATH, jsonl:PATH, sqlite:PATH, postgres://..., dynamodb://TABLE?endpoint=URL&region=R, "
        + "or a path to a ticket file or an adapters.json"

    /// Reads one endpoint; settings are validated by the kernel (`ConfigLoader`), so errors read as config errors do.
    static func parse(_ text: String, role: Role, createTable: Bool, loader: ConfigLoader) throws -> MigrationEndpoint {
        let file = "\(role.rawValue) \(redacted(text))"
        func store(_ section: JSON, collection: CollectionSpec = .tickets, display: String? = nil) throws -> MigrationEndpoint {
            let settings = try loader.settings(port: .storage, section: section, file: file,
                                               directory: FileManager.default.currentDirectoryPath)
            return .store(StoreEndpoint(settings: settings, collection: collection, display: display ?? redacted(text)))
        }
        guard !text.isEmpty else { throw UsageError("\(role.rawValue): empty; expected \(forms)") }
        if let rest = text.dropPrefix("json:") {
            return role == .source ? .file(path: try path(rest, role), shape: nil)
                : try store(["adapter": "json", "path": .string(try path(rest, role))], display: "json:" + rest)
        }
        if let rest = text.dropPrefix("jsonl:") {
            guard role == .source else { throw UsageError("--to jsonl:PATH: JSON Lines is read, not written; use --to json:PATH") }
            return .file(path: try path(rest, role), shape: .lines)
        }
        if let rest = text.dropPrefix("sqlite:") {
            return try store(["adapter": "sqlite", "path": .string(try path(rest, role))])
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            return try store(["adapter": "postgres", "url": .string(text)])
        }
        if let rest = text.dropPrefix("dynamodb://") {
            let (table, parameters) = try dynamoDB(rest, role: role)
            var section: [String: JSON] = [
                "adapter": "dynamodb",
                "tables": ["tickets": ["table": .string(table), "key": "ticket_id", "indexes": conventionalIndexes]],
                "create_tables": .bool(createTable && role == .target),
            ]
            for (k, v) in parameters { section[k] = .string(v) }
            let shown = "dynamodb://\(table)" + (parameters["endpoint"].map { " at \($0)" } ?? "")
            return try store(.object(section), collection: conventionalTickets, display: shown)
        }
        if let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" }),
           text[..<colon].count > 1 {
            throw UsageError("\(role.rawValue) \(redacted(text)): unknown form \"\(text[...colon])\"; expected \(forms)")
        }
        if let config = try adaptersConfig(text, loader: loader) {
            var settings = try config.require(.storage)
            if createTable && role == .target && settings.adapter == "dynamodb" { settings.values["create_tables"] = true }
            return .store(StoreEndpoint(settings: settings, collection: .tickets, display: "\(text) (storage: \(settings.adapter))"))
        }
        return role == .source ? .file(path: text, shape: text.hasSuffix(".jsonl") || text.hasSuffix(".ndjson") ? .lines : nil)
            : try store(["adapter": "json", "path": .string(text)], display: "json:" + text)
    }

    private static func path(_ p: Substring, _ role: Role) throws -> String {
        guard !p.isEmpty else { throw UsageError("\(role.rawValue): a path is missing after the colon") }
        return String(p)
    }

    /// `TABLE?endpoint=URL&region=R` → the table and the settings it names.
    private static func dynamoDB(_ rest: Substring, role: Role) throws -> (String, [String: String]) {
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let table = String(parts[0])
        guard table.count >= 3, table.count <= 255,
              table.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == "-" || $0 == "." }) else {
            throw UsageError("\(role.rawValue) dynamodb://\(table): a DynamoDB table name is 3 to 255 of a-z A-Z 0-9 _ - .")
        }
        var parameters: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(kv[0])
                guard ["endpoint", "region"].contains(name), kv.count == 2 else {
                    throw UsageError("\(role.rawValue) dynamodb://\(table): unknown parameter \"\(name)\"; expected endpoint=URL and "
                                     + "region=R (credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
                }
                parameters[name] = String(kv[1]).removingPercentEncoding ?? String(kv[1])
            }
        }
        return (table, parameters)
    }

    /// The configuration at `path` when the file is an `adapters.json` (an
    /// object with a `storage` section naming an adapter); nil for anything else.
    private static func adaptersConfig(_ path: String, loader: ConfigLoader) throws -> PlugboardConfig? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_size < 1 << 20, let data = FileManager.default.contents(atPath: path),
              let json = try? JSONParser.parse([UInt8](data)), json["storage"]?["adapter"]?.stringValue != nil else { return nil }
        return try loader.load(path: path)
    }

    /// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return text }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

extension String {
    /// The rest after `prefix`, or nil when the string does not start with it.
    fileprivate func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}
