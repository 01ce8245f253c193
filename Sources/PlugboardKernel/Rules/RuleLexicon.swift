/// The word lists behind sentiment, urgency, negation, order numbers and
/// language detection, in French and English. Weights are small integers:
/// sentiment ±1 (mild, `problème`), ±2 (`déçu`, `happy`), ±3 (`inadmissible`,
/// `excellent`); urgency 1 (a nudge), 2 (waiting, blocked), 3 (`urgent`, `asap`). Urgency is high
/// with a weight-3 cue or a total of 4 (two `!` and 4+ shouted words add 1 each), medium from 2.
/// Same keyword syntax as `RuleCategory`.
public struct RuleLexicon: Sendable, Hashable {
    public var sentiment: [String: Int]
    /// Words that flip the sentiment or cancel the urgency of a cue up to 3 words after them
    /// in the same clause (`pas content`, `not happy`, `ce n'est pas urgent`).
    public var negators: [String]
    public var urgency: [String: Int]
    /// Words that introduce an order number (`commande 123`, `order #123`).
    public var orderWords: [String]
    /// Words allowed between an order word and the number (`commande n° 123`, `order number 123`).
    public var orderConnectors: [String]
    public var frenchMarkers: [String]
    public var englishMarkers: [String]

    public init(sentiment: [String: Int], negators: [String], urgency: [String: Int], orderWords: [String],
                orderConnectors: [String], frenchMarkers: [String], englishMarkers: [String]) {
        self.sentiment = sentiment
        self.negators = negators
        self.urgency = urgency
        self.orderWords = orderWords
        self.orderConnectors = orderConnectors
        self.frenchMarkers = frenchMarkers
        self.englishMarkers = englishMarkers
    }

    /// The built-in lists for `language` (`auto`: both).
    public static func standard(_ language: RuleLanguage = .auto) -> RuleLexicon {
        let fr = language.includes(.fr), en = language.includes(.en)
        func merge(_ a: [String: Int], _ b: [String: Int]) -> [String: Int] {
            (fr ? a : [:]).merging(en ? b : [:]) { x, _ in x }
        }
        func join(_ a: [String], _ b: [String]) -> [String] { (fr ? a : []) + (en ? b : []) }
        return RuleLexicon(
            sentiment: merge(frenchSentiment, englishSentiment),
            // French `ne` / `n'` only accompany the word that negates (`pas`, `plus`, `jamais`): not listed,
            // so `n'est toujours pas` is one negation, not two.
            negators: join(["pas", "plus", "jamais", "aucun", "aucune", "rien", "sans", "ni", "guere"],
                           ["not", "no", "never", "t", "cannot", "without", "nothing", "nor", "neither", "hardly"]),
            urgency: merge(frenchUrgency, englishUrgency),
            orderWords: join(["commande", "cde", "cmd", "numero de commande", "n de commande", "no de commande"],
                             ["order", "order number", "order no", "order id", "order ref"]),
            orderConnectors: ["n", "no", "nr", "num", "numero", "number", "de", "du", "ma", "mon", "la", "le", "my",
                              "is", "id", "ref", "reference", "est", "nummer"],
            frenchMarkers: ["le", "la", "les", "des", "est", "je", "vous", "nous", "une", "et", "pour", "avec", "sur",
                            "mon", "ma", "mes", "votre", "bonjour", "merci", "depuis", "dans", "cette", "qui", "que",
                            "ne", "du", "au", "j", "pas", "toujours", "commande"],
            englishMarkers: ["the", "is", "my", "i", "you", "we", "not", "and", "to", "for", "with", "on", "this",
                             "that", "have", "has", "hello", "hi", "thanks", "thank", "since", "in", "it", "of", "was",
                             "please", "still", "order", "am", "are"])
    }

    static let frenchSentiment: [String: Int] = [
        // positive
        "content": 2, "contente": 2, "satisfait*": 2, "ravi*": 3, "parfait*": 3, "excellent*": 3, "super": 2,
        "genial*": 3, "formidable": 3, "impeccable": 3, "bravo": 2, "top": 1, "efficace*": 2, "rapide": 1, "rapides": 1,
        "resolu*": 2, "tres bien": 2, "heureux": 2, "heureuse": 2, "enchante*": 2, "agreable*": 2, "merci beaucoup": 1,
        "pas mal": 2, "aucun probleme": 1, "pas de probleme": 1, "pas de souci": 1, "sans probleme": 1,
        "fonctionne parfaitement": 3, "bon travail": 2, "a l ecoute": 2,
        // negative
        "mecontent*": -2, "insatisfait*": -2, "decu": -2, "decue": -2, "decus": -2, "decevant*": -2,
        "deception": -2, "furieux": -3, "furieuse": -3, "enerve*": -2, "agace*": -2, "inadmissible": -3,
        "inacceptable": -3, "scandal*": -3, "honte": -3, "honteux": -3, "nul": -2, "nulle": -2, "catastroph*": -3,
        "horrible": -3, "lamentable": -3, "pire": -2, "pas terrible": -2, "inquiet*": -1, "frustr*": -2,
        "colere": -3, "marre": -2, "ras le bol": -3, "probleme*": -1, "souci*": -1, "plainte": -2, "mauvais*": -2,
        "defectu*": -1, "casse": -1, "cassee": -1, "abime*": -1, "arnaque*": -3, "escroc*": -3, "incompetent*": -3,
        "toujours pas": -1, "inutile": -2, "deplorable": -3, "lamentablement": -3, "triste": -2,
    ]

    static let englishSentiment: [String: Int] = [
        // positive
        "happy": 2, "glad": 2, "satisfied": 2, "pleased": 2, "great": 2, "excellent": 3, "perfect": 3,
        "awesome": 3, "amazing": 3, "love": 3, "wonderful": 3, "fantastic": 3, "delighted": 3, "good": 1,
        "resolved": 2, "helpful": 2, "quick": 1, "fast": 1, "no problem": 1, "not bad": 2, "works perfectly": 3,
        "thank you so much": 1, "well done": 2, "impressed": 2,
        // negative
        "unhappy": -2, "dissatisfied": -2, "disappointed": -2, "disappointing": -2, "angry": -3, "furious": -3,
        "annoyed": -2, "frustrated": -2, "frustrating": -2, "terrible": -3, "awful": -3, "horrible": -3,
        "unacceptable": -3, "ridiculous": -3, "worst": -3, "bad": -2, "poor": -2, "useless": -2, "scam": -3,
        "disgusting": -3, "outrageous": -3, "upset": -2, "fed up": -3, "problem*": -1, "issue*": -1,
        "complaint": -2, "worried": -1, "broken": -1, "damaged": -1, "defective": -1, "incompetent": -3,
        "shame": -2, "sad": -2, "not happy": -2,
    ]

    static let frenchUrgency: [String: Int] = [
        "urgent*": 3, "urgence": 3, "en urgence": 3, "au plus vite": 3, "des que possible": 3, "immediat*": 3,
        "tout de suite": 3, "critique": 3, "bloquant*": 3, "prioritaire": 3, "mise en demeure": 3, "avocat": 3,
        "bloque*": 2, "depuis {n} jours": 2, "depuis {n} semaines": 2, "depuis {n} mois": 2,
        "depuis plusieurs jours": 2, "depuis des jours": 2, "depuis une semaine": 2, "depuis un mois": 2,
        "toujours pas": 2, "toujours rien": 2, "rapidement": 2, "vite": 2, "sans reponse": 2, "relance*": 2,
        "aucune reponse": 2, "attente": 1, "attends": 1, "encore": 1, "a nouveau": 1, "de nouveau": 1,
    ]

    static let englishUrgency: [String: Int] = [
        "urgent": 3, "urgently": 3, "asap": 3, "as soon as possible": 3, "immediately": 3, "emergency": 3,
        "critical": 3, "right away": 3, "right now": 3, "blocking": 3, "top priority": 3, "lawyer": 3,
        "blocked": 2, "stuck": 2, "for {n} days": 2, "for {n} weeks": 2, "for {n} months": 2, "since {n} days": 2,
        "{n} days ago": 2, "{n} weeks ago": 2, "for days": 2, "for weeks": 2, "still not": 2, "still no": 2,
        "still waiting": 2, "quickly": 2, "no answer": 2, "no response": 2, "no reply": 2, "follow up": 2,
        "reminder": 2, "second time": 2, "third time": 2, "waiting": 1, "again": 1, "soon": 1,
    ]
}
