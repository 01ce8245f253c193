import PlugboardKernel

/// Where a record sits in its source, as the errors file and messages name it:
/// the key of a Freeda-style object, the index in an array, the line of a JSON
/// Lines file, or the id in a store. File positions also carry the line the
/// record starts on.
struct RecordPosition: Sendable, Hashable, CustomStringConvertible {
    enum Place: Sendable, Hashable {
        case key(String)
        case index(Int)
        case line
        case id(String)
    }

    var place: Place
    /// 1-based line of the record's first byte (files only).
    var line: Int?

    /// `{"key": "TKT-1", "line": 12}`, `{"index": 4, "line": 30}`, `{"line": 7}`, `{"id": "TKT-1"}`.
    var json: JSON {
        var o: [String: JSON] = [:]
        switch place {
        case .key(let k): o["key"] = .string(k)
        case .index(let i): o["index"] = JSON(i)
        case .line: break
        case .id(let id): o["id"] = .string(id)
        }
        if let line { o["line"] = JSON(line) }
        return .object(o)
    }

    var description: String {
        switch place {
        case .key(let k): return "key \(JSON.string(k).serialized())" + (line.map { " (line \($0))" } ?? "")
        case .index(let i): return "index \(i)" + (line.map { " (line \($0))" } ?? "")
        case .line: return "line \(line ?? 0)"
        case .id(let id): return "id \(JSON.string(id).serialized())"
        }
    }
}
