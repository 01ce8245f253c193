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
           case .object(let o)? = try? JSONParser.parse(data.trimmingCharacters(in: .whitespacesAndNewlines)) {
            fields = o
        }
        if let ticket = TicketInput.between("<ticket>", "</ticket>", in: prompt) {
            text = ticket
        } else {
            text = fields["text"]?.stringValue ?? prompt
        }
    }

    static func between(_ open: String, _ close: String, in s: String) -> String? {
        guard let o = s.range(of: open), let c = s.range(of: close, range: o.upperBound..<s.endIndex) else { return nil }
        return String(s[o.upperBound..<c.lowerBound])
    }
}
