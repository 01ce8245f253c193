import PlugboardKernel

/// `plugboard doctor`: every link checked in order (each its own check, under no
/// policy layer). A failing link fails the line: the chain still answers, but
/// every request pays for the broken link first.
extension FallbackLanguageModel: HealthChecking {
    public func check() async -> HealthCheck {
        var parts: [String] = []
        var hints: [String] = []
        for link in links {
            let model = (link.model as? PolicyLanguageModel)?.base ?? link.model
            guard let checking = model as? any HealthChecking else {
                parts.append("\(link.name): no live check")
                continue
            }
            let result = await checking.check()
            parts.append("\(link.name): \(result.ok ? "ok" : "FAIL") \(result.detail)")
            if !result.ok { hints.append("\(link.name): \(result.hint ?? "see its failure")") }
        }
        let detail = "\(links.count) links — " + parts.joined(separator: "; ")
        return hints.isEmpty ? .passed(detail) : .failed(detail, hint: hints.joined(separator: "; "))
    }
}
