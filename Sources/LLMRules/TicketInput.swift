import PlugboardKernel

/// What the rules read from a request's prompt: the ticket text and, when the
/// prompt is a JSON object, its fields (template variables for `draft_reply`).
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
        fields = [:]
        if let open = prompt.range(of: "<ticket>"), let close = prompt.range(of: "</ticket>", range: open.upperBound..<prompt.endIndex) {
            text = String(prompt[open.upperBound..<close.lowerBound])
        } else {
            text = prompt
        }
    }
}
