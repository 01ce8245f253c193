import Foundation
import PlugboardKernel

/// `draft_reply` for the rules model: fills a reply template.
///
/// ## Convention
/// The request's `prompt` is a JSON object:
/// `{"template": "Bonjour {{customer_name}}, ...", "subject_template": "...", "customer_name": "Marie",
///   "order_number": "123", "text": "<the customer's message>", "language": "fr", ...}`.
/// Every field that is a string, number or boolean is a variable. The rules add
/// `category`, `sentiment`, `urgency`, `summary`, `order_number` (when the prompt has none)
/// from `text`, plus `greeting` (`Bonjour Marie,` / `Hello Marie,` / `Bonjour,`) and
/// `order_ref` (` n° 123` / ` #123`, or empty). `{{name}}` is replaced by the variable;
/// `{{name|fallback}}` uses the fallback when the variable is missing or empty; a missing
/// variable without fallback is an `.invalidInput` error (a reply must not go out with a hole),
/// an empty one is inserted as is.
/// Without `template`, a built-in reply for the category is used, in `language`
/// (else the model's configured language, else the language of `text`, else French).
/// The answer is `{"reply", "subject"}`; `subject` is the filled `subject_template`,
/// else `Re: <subject>` when the prompt has a `subject`, else a built-in one.
enum Drafting {
    static func draft(_ input: TicketInput, analysis: TicketAnalysis, language configured: RuleLanguage) throws -> [String: JSON] {
        var vars: [String: String] = [:]
        for (k, v) in input.fields {
            switch v {
            case .string(let s): vars[k] = s
            case .number(let n): vars[k] = n.text
            case .bool(let b): vars[k] = b ? "true" : "false"
            default: break
            }
        }
        let lang: String
        if let l = vars["language"], l == "fr" || l == "en" {
            lang = l
        } else if configured != .auto {
            lang = configured.rawValue
        } else {
            lang = analysis.language == "en" ? "en" : "fr"
        }
        // The prompt's own values win over the computed ones.
        func computed(_ key: String, _ value: String) { if vars[key] == nil { vars[key] = value } }
        computed("category", analysis.classification.category)
        computed("sentiment", analysis.sentiment.rawValue)
        computed("urgency", analysis.urgency.rawValue)
        computed("summary", analysis.summary)
        if vars["order_number"].map({ $0.isEmpty }) ?? true, let n = analysis.orderNumber { vars["order_number"] = n }
        vars["language"] = lang
        let name = vars["customer_name"].flatMap { $0.isEmpty ? nil : $0 }
        computed("greeting", (lang == "en" ? "Hello" : "Bonjour") + (name.map { " \($0)" } ?? "") + ",")
        let order = vars["order_number"].flatMap { $0.isEmpty ? nil : $0 }
        computed("order_ref", order.map { lang == "en" ? " #\($0)" : " n° \($0)" } ?? "")

        let category = analysis.classification.category
        let template = vars["template"] ?? builtInReply(category, lang)
        let reply = try fill(template, vars, what: "template")
        let subject: String
        if let t = vars["subject_template"] {
            subject = try fill(t, vars, what: "subject_template")
        } else if let s = vars["subject"], !s.isEmpty {
            subject = s.hasPrefix("Re:") ? s : "Re: " + s
        } else {
            subject = try fill(lang == "en" ? "Your request{{order_ref}}" : "Votre demande{{order_ref}}", vars, what: "subject")
        }
        return ["reply": .string(reply), "subject": .string(subject)]
    }

    /// Replaces `{{name}}` and `{{name|fallback}}`.
    static func fill(_ template: String, _ vars: [String: String], what: String) throws -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else {
                throw PlugboardError.invalidInput("draft_reply: \(what): \"{{\" without a closing \"}}\"", adapter: RulesLanguageModel.provider)
            }
            let inner = rest[open.upperBound..<close.lowerBound]
            let parts = inner.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).trimmedWhitespace
            if let v = vars[key], !v.isEmpty || parts.count == 1 {
                out += v
            } else if parts.count == 2 {
                out += parts[1]
            } else {
                throw PlugboardError.invalidInput(
                    "draft_reply: \(what) uses {{\(key)}} but the prompt gives no \"\(key)\" (write {{\(key)|fallback}} to make it optional)",
                    adapter: RulesLanguageModel.provider)
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    static func builtInReply(_ category: String, _ lang: String) -> String {
        let body: String
        switch (category, lang) {
        case ("late_delivery", "en"):
            body = "We are sorry that your order{{order_ref}} is late. We have contacted the carrier and will get back to you within 48 hours with a delivery date."
        case ("late_delivery", _):
            body = "Nous sommes désolés du retard de votre commande{{order_ref}}. Nous avons relancé le transporteur et revenons vers vous sous 48 heures avec une date de livraison."
        case ("refund", "en"):
            body = "We have received your refund request regarding your order{{order_ref}}. It is being processed and you will receive a confirmation as soon as it is approved."
        case ("refund", _):
            body = "Nous avons bien reçu votre demande de remboursement concernant votre commande{{order_ref}}. Elle est en cours de traitement ; vous recevrez une confirmation dès qu'elle sera validée."
        case ("defective_product", "en"):
            body = "We are sorry that the product from your order{{order_ref}} is defective. Could you send us a photo of the defect? We will then offer you a replacement or a refund."
        case ("defective_product", _):
            body = "Nous sommes désolés que le produit de votre commande{{order_ref}} soit défectueux. Pourriez-vous nous envoyer une photo du défaut ? Nous vous proposerons ensuite un remplacement ou un remboursement."
        case ("order_information", "en"):
            body = "Thank you for your question about your order{{order_ref}}. We are checking the details and will answer you shortly."
        case ("order_information", _):
            body = "Merci pour votre question concernant votre commande{{order_ref}}. Nous vérifions les informations et vous répondons très rapidement."
        case (_, "en"):
            body = "Thank you for your message. Our team is looking into it and will get back to you shortly."
        default:
            body = "Merci pour votre message. Notre équipe l'étudie et revient vers vous rapidement."
        }
        let closing = lang == "en" ? "Best regards,\nThe support team" : "Cordialement,\nL'équipe support"
        return "{{greeting}}\n\n" + body + "\n\n" + closing
    }
}
