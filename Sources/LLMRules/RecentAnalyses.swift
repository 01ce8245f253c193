import PlugboardKernel
import Synchronization

/// The last analyses made, by classifier and text: the rules are deterministic, so
/// a text analysed a moment ago needs no second pass. Bounded: cleared when full.
final class RecentAnalyses: Sendable {
    static let capacity = 256

    private struct Key: Hashable {
        /// The classifier's position in its model (each model has its own cache).
        var classifier: Int
        var text: String
    }

    private let entries = Mutex<[Key: TicketAnalysis]>([:])

    /// How many analyses are kept now.
    var count: Int { entries.withLock { $0.count } }

    func analysis(of text: String, classifier: Int, _ analyse: (String) -> TicketAnalysis) -> TicketAnalysis {
        let key = Key(classifier: classifier, text: text)
        if let known = entries.withLock({ $0[key] }) { return known }
        let fresh = analyse(text)
        entries.withLock { e in
            if e.count >= RecentAnalyses.capacity { e.removeAll(keepingCapacity: true) }
            e[key] = fresh
        }
        return fresh
    }
}
