import Foundation
import PlugboardKernel

/// What the rules read from a request's prompt: the ticket text and, when the
/// prompt is a JSON object or has a `<data>{...}</data>` block, its fields
/// (template variables for `draft_reply`).
struct TicketInput {
    var text: String
    var fields: [String: JSON]

    init(prompt: String) {
        let trimmed = prompt.drop(while: \.isWhitespace)
        if trimmed.first == "{", case .object(let o)? = try? JSONParser.parse(String(trimmed)) {
            fields = o
            if let t = o["text"]?.stringValue {
                text = t
            } else {
                let body = ["description", "message", "body", "content"].lazy.compactMap { o[$0]?.stringValue }.first
                text = [o["subject"]?.stringValue, body].compactMap { $0 }.joined(separator: "\n")
            }
            return
        }
        // A prose prompt (the workflow's templates) carries variables as a JSON object
        // between <data> and </data>, and the customer's text between <ticket> and </ticket>.
        fields = [:]
        if let data = TicketInput.between("<data>", "</data>", in: prompt),
           case .object(let o)? = try? JSONParser.parse(data.trimmedWhitespace) {
            fields = o
        }
        if let ticket = TicketInput.between("<ticket>", "</ticket>", in: prompt) {
            text = ticket
        } else {
            text = fields["text"]?.stringValue ?? prompt
        }
    }

    /// The text between the first `open` and the next `close`. A plain UTF-8 byte search:
    /// Foundation's `range(of:)` was a quarter of the model's time on long prompts.
    static func between(_ open: String, _ close: String, in s: String) -> String? {
        let bytes = Array(s.utf8)
        guard let o = find(Array(open.utf8), in: bytes, from: 0) else { return nil }
        let start = o + open.utf8.count
        guard let c = find(Array(close.utf8), in: bytes, from: start) else { return nil }
        return String(decoding: bytes[start..<c], as: UTF8.self)
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, hay.count - from >= needle.count else { return nil }
        var i = from
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first, hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
