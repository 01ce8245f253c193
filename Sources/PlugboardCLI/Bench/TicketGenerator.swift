import PlugboardKernel

/// Deterministic Freeda-style tickets for benchmarks and examples: realistic
/// sizes (2–6 messages, analytics, French and English text), no randomness
/// across runs so figures compare.
public struct TicketGenerator: Sendable {
    public var seed: UInt64

    public init(seed: UInt64 = 42) { self.seed = seed }

    static let channels = ["email", "chat", "formulaire", "telephone"]
    static let categories = ["SUPPORT", "MODELISATION", "late_delivery", "refund", "defective_product", "order_information"]
    static let sentiments = ["positif", "neutre", "négatif"]
    static let userLines = [
        "Bonjour, ma commande #%d n'est toujours pas arrivée, pouvez-vous vérifier ?",
        "Hello, the export to CSV fails with an error since this morning (order %d).",
        "Je souhaite un remboursement pour la commande %d, le produit est défectueux.",
        "Could you help me model the pricing scenario for account %d? The numbers look off.",
    ]
    static let agentLines = [
        "Merci pour votre message, nous regardons cela tout de suite.",
        "Thanks for reaching out — we have escalated this to the team.",
        "Votre remboursement a été initié, comptez 3 à 5 jours ouvrés.",
    ]

    /// The ticket with index `i` (ids `TKT-000001`, ...).
    public func ticket(_ i: Int) -> JSON {
        var x = seed &+ UInt64(i) &* 0x9E3779B97F4A7C15
        func next() -> Int {
            x ^= x >> 12; x ^= x << 25; x ^= x >> 27
            return Int(truncatingIfNeeded: (x &* 2685821657736338717) >> 33)
        }
        let id = "TKT-" + String(repeating: "0", count: max(0, 6 - String(i).count)) + String(i)
        let created = 1_704_067_200.0 + Double(i) * 317.0 + Double(next() % 300)
        let closed = next() % 3 != 0
        var messages: [JSON] = []
        let count = 2 + next() % 5
        var t = created
        for m in 0..<count {
            let user = m % 2 == 0
            let text = user
                ? TicketGenerator.userLines[next() % TicketGenerator.userLines.count].replacingOccurrences(of: "%d", with: String(10_000 + i))
                : TicketGenerator.agentLines[next() % TicketGenerator.agentLines.count]
            messages.append([
                "id": .string("\(id)-m\(m)"), "role": .string(user ? "user" : "assistant"),
                "content": .string(text), "timestamp": .string(Timestamp.format(t)),
            ])
            t += Double(60 + next() % 7200)
        }
        var o: [String: JSON] = [
            "ticket_id": .string(id),
            "status": .string(closed ? "fermé" : "en cours"),
            "channel": .string(TicketGenerator.channels[next() % TicketGenerator.channels.count]),
            "created_at": .string(Timestamp.format(created)),
            "closed_at": closed ? .string(Timestamp.format(t)) : .null,
            "resolution_duration": closed ? JSON(Int(t - created)) : .null,
            "analytics": [
                "sentiment": .string(TicketGenerator.sentiments[next() % 3]),
                "category": .string(TicketGenerator.categories[next() % TicketGenerator.categories.count]),
                "urgency": .string(["low", "medium", "high"][next() % 3]),
                "summary": .string("Demande client au sujet de la commande \(10_000 + i)"),
            ],
            "messages": .array(messages),
        ]
        if i % 7 == 0 { o["legacy_field"] = ["source": "import-2023", "score": .number(JSONNumber("0.875")!)] }
        return .object(o)
    }

    /// `count` tickets as a Freeda-style file body: an object keyed by `ticket_id`.
    public func freedaFile(count: Int) -> [UInt8] {
        var out: [UInt8] = [0x7B]
        for i in 0..<count {
            if i > 0 { out.append(0x2C) }
            out.append(0x0A)
            let t = ticket(i)
            JSON.writeString(t["ticket_id"]!.stringValue!, into: &out)
            out.append(0x3A)
            t.write(into: &out)
        }
        out.append(contentsOf: [0x0A, 0x7D, 0x0A])
        return out
    }
}
