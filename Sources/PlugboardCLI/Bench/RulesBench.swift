import Foundation
import PlugboardKernel

/// Throughput of the rule classifier on typical ticket text (about 300
/// characters, French and English, every category), single-threaded.
/// Target: at least 100,000 classifications per second in a release build.
public enum RulesBench {
    /// Ticket bodies of realistic length; `%d` becomes an order number.
    static let bodies = [
        "Bonjour, ma commande #%d n'est toujours pas arrivée alors que la livraison était prévue lundi. J'ai vérifié le suivi mais rien ne bouge depuis 5 jours. Pouvez-vous me dire où en est mon colis ? Je commence à m'inquiéter. Merci d'avance pour votre retour rapide. Cordialement, Julie",
        "Hello, I ordered a coffee machine (order %d) two weeks ago and it arrived damaged: the water tank is cracked and it leaks everywhere. This is really disappointing. I would like a replacement or a refund as soon as possible. Please let me know what I should do next. Thanks, Mark",
        "Bonjour, je souhaite être remboursée pour la commande n° %d. J'ai renvoyé l'article il y a dix jours avec l'étiquette de retour fournie et je n'ai toujours aucune nouvelle de mon remboursement. Pouvez-vous vérifier de votre côté ? Je vous remercie par avance. Bien à vous, Claire",
        "Hi, could you tell me whether order number %d has shipped yet? I need to know the estimated delivery date because I will be away next week and I would like to change the delivery address if possible. Also, where can I download the invoice for this purchase? Best regards, Tom",
        "Bonjour, le produit reçu (commande %d) ne fonctionne pas du tout : l'écran reste noir et il ne s'allume plus depuis hier. J'ai essayé de le recharger toute la nuit sans succès. C'est inadmissible pour un appareil neuf. Merci de me proposer une solution rapidement. Sophie",
        "Hello team, I am still waiting for my parcel, order #%d. The tracking page has said 'in transit' for 8 days now and nobody answers my emails. This is the third time I am writing. I am really not happy with the service so far. Please escalate this urgently. Regards, Daniel",
        "Bonjour, j'aimerais savoir si l'article de ma commande %d est de nouveau disponible en taille M, et quels sont les frais de livraison pour la Belgique. Je voudrais aussi modifier mon adresse de facturation avant l'expédition si c'est encore possible. Merci beaucoup, Lucas",
        "Hi, I want to return the item from order %d and get my money back. It does not match the description on your website at all and the colour is completely different. How do I get a return label? I hope this can be sorted quickly. Thank you for your help. Kind regards, Emma",
    ]

    /// The texts the benchmark classifies: every body with a few order numbers each.
    static func texts() -> [String] {
        (0..<64).map { i in
            let body = bodies[i % bodies.count]
            return body.replacingOccurrences(of: "%d", with: String(100_000 + i * 7919))
        }
    }

    public static func run(count: Int, log: (String) -> Void) {
        let classifier = RuleClassifier(categories: .ecommerce(), language: .auto)
        let texts = texts()
        let averageLength = texts.reduce(0) { $0 + $1.count } / texts.count
        var checksum = 0
        for t in texts { checksum &+= classifier.classify(t).score }  // warm up
        let clock = ContinuousClock()
        var start = clock.now
        for i in 0..<count { checksum &+= classifier.classify(texts[i % texts.count]).score }
        let classifySeconds = seconds(clock.now - start)
        let analyseCount = max(1, count / 4)
        start = clock.now
        for i in 0..<analyseCount { checksum &+= classifier.analyse(texts[i % texts.count]).sentimentScore }
        let analyseSeconds = seconds(clock.now - start)
        let perSecond = Double(count) / classifySeconds
        log("rules classify: \(format(perSecond)) classifications/s (\(count) texts of about \(averageLength) characters, 1 thread);"
            + " target >= 100,000: \(perSecond >= 100_000 ? "ok" : "MISSED")")
        log("rules analyse: \(format(Double(analyseCount) / analyseSeconds)) analyses/s (category, sentiment, urgency, summary,"
            + " order number); checksum \(checksum)")
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func format(_ x: Double) -> String {
        let digits = String(Int(x.rounded()))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0, i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
