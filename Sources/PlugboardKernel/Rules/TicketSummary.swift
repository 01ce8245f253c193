/// A one-line summary of a ticket: its first meaningful sentence.
public enum TicketSummary {
    /// The first sentence of `text` that is not just a greeting, with a leading greeting
    /// (`Bonjour,`, `Hello team,`) removed, whitespace collapsed, and cut at a word boundary
    /// with `…` when longer than `limit` characters (code points).
    public static func oneLine(_ text: String, limit: Int = 120) -> String {
        var first: String.UnicodeScalarView?
        var chosen: String.UnicodeScalarView?
        forEachSentence(text) { sentence in
            if first == nil { first = sentence }
            if isGreetingOnly(String(sentence)) { return true }
            chosen = sentence
            return false
        }
        var scalars = strippingGreeting(chosen ?? first ?? String.UnicodeScalarView())
        if scalars.count > limit {
            var cut = String.UnicodeScalarView(scalars.prefix(limit - 1))
            if let space = cut.lastIndex(of: " ") { cut = String.UnicodeScalarView(cut[..<space]) }
            while let last = cut.last, last == "," || last == ";" || last == ":" || last == " " { cut.removeLast() }
            cut.append("…")
            scalars = cut
        }
        return String(scalars)
    }

    /// Calls `body` with each sentence (text up to `.`, `!`, `?` or `…` followed by whitespace,
    /// or up to a line break), whitespace collapsed, until `body` returns false.
    static func forEachSentence(_ text: String, _ body: (String.UnicodeScalarView) -> Bool) {
        var current = String.UnicodeScalarView()
        var pendingSpace = false
        var previousEndsSentence = false
        func flush() -> Bool {
            defer { current = String.UnicodeScalarView(); pendingSpace = false }
            return current.isEmpty || body(current)
        }
        for s in text.unicodeScalars {
            let newline = s == "\n" || s == "\r" || s == "\u{2028}" || s == "\u{2029}"
            // ASCII first: the Unicode property lookup is slow and most text is ASCII.
            let whitespace = s.value < 0x80 ? (s == " " || s == "\t" || s == "\u{0B}" || s == "\u{0C}") : s.properties.isWhitespace
            if newline || whitespace {
                if newline || previousEndsSentence {
                    if !flush() { return }
                } else if !current.isEmpty {
                    pendingSpace = true
                }
                previousEndsSentence = false
                continue
            }
            if pendingSpace { current.append(" "); pendingSpace = false }
            current.append(s)
            previousEndsSentence = s == "." || s == "!" || s == "?" || s == "…"
        }
        _ = flush()
    }

    static let greetings: Set<String> = [
        "bonjour", "bonsoir", "salut", "hello", "hi", "hey", "dear", "madame", "monsieur", "mesdames", "messieurs",
        "cher", "chere", "chers", "team", "equipe", "support", "service", "client", "clients", "l", "le", "the",
        "all", "everyone", "there", "a", "tous", "sav", "good", "morning", "afternoon", "evening",
    ]

    static func isGreetingOnly(_ sentence: String) -> Bool {
        guard sentence.unicodeScalars.count <= 60 else { return false }
        let folded = FoldedText(sentence)
        return !folded.tokens.isEmpty && folded.tokens.allSatisfy { greetings.contains(folded.text(of: $0)) }
    }

    /// `Bonjour, ma commande…` → `Ma commande…`; text without a leading greeting is unchanged.
    static func strippingGreeting(_ sentence: String.UnicodeScalarView) -> String.UnicodeScalarView {
        guard let comma = sentence.prefix(40).firstIndex(of: ","), isGreetingOnly(String(sentence[..<comma])) else {
            return sentence
        }
        let rest = sentence[sentence.index(after: comma)...].drop(while: { $0 == " " })
        guard let first = rest.first else { return sentence }
        var out = String.UnicodeScalarView(String(first).uppercased().unicodeScalars)
        out.append(contentsOf: rest.dropFirst())
        return out
    }
}
