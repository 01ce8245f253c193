import PlugboardKernel

extension Workflow {
    /// The rule-based classification of a request's text.
    func rulesClassification(_ text: String) -> JSON {
        ["category": "unclassified", "ambiguous": true, "source": "rules", "confidence": 0]
    }
}
