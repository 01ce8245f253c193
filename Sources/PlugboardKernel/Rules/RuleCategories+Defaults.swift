// The built-in keyword sets, French and English. Each list favours phrases and
// word prefixes that point at one category only; words every ticket uses
// (`commande`, `order`, `produit`) are left out on purpose.

extension RuleCategories {
    /// E-commerce support: late delivery, refund, defective product, order information;
    /// `unclassified` otherwise. Late deliveries, refunds and defects create a task.
    public static func ecommerce(_ language: RuleLanguage = .auto) -> RuleCategories {
        func pick(_ fr: [String], _ en: [String]) -> [String] {
            (language.includes(.fr) ? fr : []) + (language.includes(.en) ? en : [])
        }
        return RuleCategories([
            RuleCategory("late_delivery", keywords: pick([
                "retard*", "pas arriv*", "jamais arriv*", "toujours pas arriv*", "pas encore arriv*", "pas recu*",
                "jamais recu*", "rien recu*", "pas ete livr*", "pas livr*", "jamais livr*", "toujours pas livr*",
                "attends mon colis", "attends ma commande", "attends toujours", "ou est mon colis", "ou est ma commande",
                "colis perdu", "colis bloque*", "colis est bloque*", "date de livraison depassee", "livraison prevue",
            ], [
                "late", "delay*", "not arrived", "hasn t arrived", "has not arrived", "never arrived", "not yet arrived",
                "not received", "never received", "haven t received", "have not received", "didn t receive",
                "did not receive", "still waiting", "where is my order", "where is my package", "where is my parcel",
                "lost package", "lost parcel", "not delivered", "never delivered", "late delivery", "overdue",
                "should have arrived",
            ]), createsTask: true),
            RuleCategory("refund", keywords: pick([
                "rembours*", "rendre mon argent", "mon argent", "retourner le produit", "retourner l article",
                "retour du produit", "bon de retour", "etiquette de retour", "retractation", "debite deux fois",
                "preleve deux fois", "annuler ma commande", "annulation", "avoir sur",
            ], [
                "refund*", "money back", "reimburs*", "chargeback", "charged twice", "return the product",
                "return the item", "return label", "return it", "send it back", "cancel my order", "cancellation",
                "store credit",
            ]), createsTask: true),
            RuleCategory("defective_product", keywords: pick([
                "defectu*", "defaut de fabrication", "casse", "cassee", "casses", "cassees", "abime*", "endommag*", "ne fonctionne pas",
                "ne fonctionne plus", "ne marche pas", "ne marche plus", "en panne", "tombe en panne", "dysfonction*",
                "raye*", "fissure*", "brise*", "mauvais etat", "hors service", "piece manquante", "manque une piece",
                "ne s allume pas", "ne s allume plus", "ne charge pas", "fuit", "fuite", "dechire*", "mauvais article",
                "mauvais produit", "non conforme",
            ], [
                "defective", "defect*", "broken", "broke", "damaged", "faulty", "doesn t work", "does not work",
                "not working", "stopped working", "won t turn on", "will not turn on", "doesn t turn on",
                "malfunction*", "scratched", "cracked", "missing part*", "missing piece*", "dead on arrival",
                "leak*", "torn", "shattered", "wrong item", "wrong product", "not as described",
            ]), createsTask: true),
            RuleCategory("order_information", keywords: pick([
                "suivi*", "suivre ma commande", "numero de suivi", "statut de ma commande", "etat de ma commande",
                "modifier ma commande", "changer l adresse", "changer mon adresse", "adresse de livraison",
                "facture*", "confirmation de commande", "information*", "renseignement*", "disponib*", "quand sera",
                "quand vais je", "expedi*", "delai de livraison", "delais de livraison", "frais de livraison",
                "mode de livraison", "savoir si",
            ], [
                "track*", "tracking number", "order status", "status of my order", "invoice*", "receipt",
                "change my address", "change the address", "shipping address", "delivery address",
                "order confirmation", "confirmation email", "information", "info", "details", "availab*",
                "when will", "shipped", "shipping cost*", "shipping time*", "delivery time*", "estimated delivery",
                "in stock", "out of stock",
            ]), createsTask: false),
        ], fallback: "unclassified")
    }

    /// A software vendor's support desk: `SUPPORT` (something is broken or blocked)
    /// vs `MODELISATION` (help building or checking a model); `SUPPORT` when unsure.
    /// Modelling requests create a task.
    public static func supportModelling(_ language: RuleLanguage = .auto) -> RuleCategories {
        func pick(_ fr: [String], _ en: [String]) -> [String] {
            (language.includes(.fr) ? fr : []) + (language.includes(.en) ? en : [])
        }
        return RuleCategories([
            RuleCategory("SUPPORT", keywords: pick([
                "bug", "bugs", "bugue", "erreur*", "plantage*", "plante", "plantee", "crash*", "bloque*", "connexion", "connecter", "me connecter",
                "identifiant*", "mot de passe", "acces", "export", "exporter", "exportation", "import", "importer", "importation", "ne fonctionne pas", "ne fonctionne plus",
                "ne marche pas", "ne marche plus", "echec", "echoue", "probleme technique", "lent", "lente", "lenteur*", "page blanche",
                "message d erreur", "installation", "installer", "mise a jour", "synchronis*", "telecharg*", "impossible d",
                "compte bloque", "abonnement", "facturation",
            ], [
                "bug", "bugs", "buggy", "error*", "crash*", "blocked", "stuck", "login", "log in", "sign in", "password", "access",
                "export", "exports", "exporting", "exported", "import", "imports", "importing", "imported", "doesn t work", "does not work", "not working", "fails", "failed", "failing",
                "failure", "technical issue", "slow", "blank page", "error message", "install", "installing", "installation", "update", "sync", "syncing", "synchroniz*",
                "download*", "upload*", "unable to", "can t", "cannot", "subscription", "billing",
            ]), createsTask: false),
            RuleCategory("MODELISATION", keywords: pick([
                "modelis*", "modele*", "scenario*", "simulation*", "simuler", "prevision*", "previsionnel*",
                "projection*", "hypothese*", "calcul*", "chiffres", "tarification", "budget*", "parametr*",
                "formule*", "business plan", "plan de financement", "tresorerie", "valorisation", "rentabilit*",
                "compte de resultat", "bilan previsionnel", "indicateur*", "kpi*",
            ], [
                "model", "models", "modeling", "modelling", "modelled", "modeled", "scenario*", "simulation*",
                "simulate", "forecast*", "projection*", "assumption*", "calculation*", "the numbers", "pricing",
                "budget*", "parameter*", "formula*", "business plan", "cash flow", "valuation", "profitab*",
                "p l", "income statement", "kpi*",
            ]), createsTask: true),
        ], fallback: "SUPPORT")
    }
}
