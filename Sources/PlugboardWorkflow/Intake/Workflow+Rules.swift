import PlugboardKernel

extension RuleCategories {
    /// The workflow's built-in categories: the e-commerce set (late delivery,
    /// refund, defective product, order information) and the software desk's
    /// SUPPORT vs MODELISATION, in French and English; `unclassified` otherwise.
    public static let workflowDefault = RuleCategories(
        RuleCategories.ecommerce().categories.filter { $0.name != "unclassified" } + RuleCategories.supportModelling().categories,
        fallback: "unclassified")
}

extension Workflow {
    /// The rule-based classification of a request's text, with the order number it mentions.
    func rulesClassification(_ text: String) -> JSON {
        let a = settings.classifier.analyse(text)
        let c = a.classification
        return ["category": .string(c.category), "ambiguous": .bool(c.ambiguous), "source": "rules",
                "confidence": JSON(c.confidence), "matched": .array(c.matched.map(JSON.string)),
                "order_number": a.orderNumber.map(JSON.string) ?? .null]
    }
}
