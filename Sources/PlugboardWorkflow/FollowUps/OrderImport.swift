import Foundation
import PlugboardKernel

/// Reads client orders (or reservations) from CSV (with a header line), a JSON array, or
/// JSON Lines. Fields: `order_id` (or `id`), `email`, `amount`, `date`, `status`, and
/// optionally `name`, `consent`, `marketing_consent` (copied onto the contact).
public enum OrderImport {
    /// Parses the file's records; the format comes from the extension. Errors name the file and line.
    public static func records(path: String) throws -> [JSON] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlugboardError.invalidInput("\(path): cannot be read")
        }
        let bytes = [UInt8](data)
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return try csv(String(decoding: bytes, as: UTF8.self), file: path)
        case "json":
            let j = try JSONParser.parse(bytes)
            guard let a = j.arrayValue else { throw PlugboardError.invalidInput("\(path): expected a JSON array of orders") }
            return a
        case "jsonl", "ndjson":
            var out: [JSON] = []
            try JSONParser.parseLines(bytes) { line, _ in out.append(line) }
            return out
        default:
            throw PlugboardError.invalidInput("\(path): expected a .csv, .json or .jsonl file")
        }
    }

    /// CSV with a header line; quoted fields may hold commas, quotes ("") and newlines.
    public static func csv(_ text: String, file: String = "csv") throws -> [JSON] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, it = Array(text.unicodeScalars), i = 0
        if it.first == "\u{FEFF}" { it.removeFirst() }
        while i < it.count {
            let c = it[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < it.count && it[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < it.count && it[i + 1] == "\n" { i += 1 }
                row.append(field); field = ""
                if row != [""] { rows.append(row) }
                row = []
            } else { field.unicodeScalars.append(c) }
            i += 1
        }
        if quoted { throw PlugboardError.invalidInput("\(file): a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else { return [] }
        return rows.dropFirst().map { r in
            var o: [String: JSON] = [:]
            for (k, v) in zip(header, r) where !v.isEmpty { o[k] = .string(v) }
            return .object(o)
        }
    }

    /// One validated order document, with the contact fields it carries; errors name the record.
    static func order(_ r: JSON, at index: Int) throws -> (order: JSON, email: String, contact: [String: JSON]) {
        let at = "record \(index + 1)"
        guard let id = (r["order_id"] ?? r["id"] ?? r["reservation_id"]).flatMap({ $0.stringValue ?? $0.numberValue?.text }), !id.isEmpty else {
            throw PlugboardError.invalidInput("\(at): order_id is required")
        }
        guard let email = r["email"]?.stringValue?.trimmingCharacters(in: .whitespaces).lowercased(), IntakeRequest.isEmail(email) else {
            throw PlugboardError.invalidInput("\(at) (order \(id)): email is missing or not an e-mail address")
        }
        guard let rawDate = r["date"]?.stringValue, let date = Timestamp.normalize(rawDate) else {
            throw PlugboardError.invalidInput("\(at) (order \(id)): date is missing or not ISO 8601")
        }
        let amountText = r["amount"]?.numberValue?.text ?? r["amount"]?.stringValue ?? "0"
        guard let amount = Double(amountText.replacingOccurrences(of: ",", with: ".")), amount.isFinite else {
            throw PlugboardError.invalidInput("\(at) (order \(id)): amount \"\(amountText)\" is not a number")
        }
        var o: [String: JSON] = r.objectValue ?? [:]
        o["order_id"] = .string(id)
        o["email"] = .string(email)
        o["date"] = .string(date)
        o["amount"] = JSON(amount)
        o["status"] = .string(r["status"]?.stringValue?.lowercased() ?? "completed")
        var contact: [String: JSON] = [:]
        if let n = r["name"]?.stringValue { contact["name"] = .string(n) }
        for k in ["consent", "marketing_consent"] {
            if let b = bool(r[k]) { contact[k] = .bool(b); o[k] = nil }
        }
        return (.object(o), email, contact)
    }

    static func bool(_ v: JSON?) -> Bool? {
        switch v {
        case .bool(let b)?: return b
        case .string(let s)?:
            switch s.lowercased() {
            case "true", "yes", "oui", "1": return true
            case "false", "no", "non", "0": return false
            default: return nil
            }
        case .number(let n)?: return n.doubleValue != 0
        default: return nil
        }
    }
}
