/// Which language's built-in word lists the rules use. `auto` uses French and
/// English together (tickets mix them; the lists do not conflict).
public enum RuleLanguage: String, Sendable, CaseIterable {
    case fr, en, auto

    func includes(_ language: RuleLanguage) -> Bool { self == .auto || self == language }
}

/// One category of the rule classifier: its keywords and whether tickets in it
/// create a task in the tracker.
///
/// Keyword syntax: words separated by spaces, matched as whole words, ignoring
/// case and accents (`défectueux` matches `DEFECTUEUX`); punctuation inside a
/// keyword separates words like in text (`n'est pas` is three words); a trailing
/// `*` matches any word starting with it (`rembours*`, at least 3 letters);
/// `{n}` matches any number (`depuis {n} jours`).
public struct RuleCategory: Sendable, Hashable {
    public var name: String
    public var keywords: [String]
    /// Whether the workflow creates a task for tickets of this category.
    public var createsTask: Bool

    public init(_ name: String, keywords: [String], createsTask: Bool = false) {
        self.name = name
        self.keywords = keywords
        self.createsTask = createsTask
    }
}

/// The categories a classifier chooses from, in tie-breaking order, and the
/// category given when no keyword matches.
public struct RuleCategories: Sendable, Hashable {
    public var categories: [RuleCategory]
    /// The answer when nothing matches (`unclassified`); it need not be in `categories`.
    public var fallback: String

    public init(_ categories: [RuleCategory], fallback: String = "unclassified") {
        self.categories = categories
        self.fallback = fallback
    }

    public var names: [String] { categories.map(\.name) }

    /// Whether tickets of `category` create a task (false for unknown names and the fallback).
    public func createsTask(_ category: String) -> Bool {
        categories.first { $0.name == category }?.createsTask ?? false
    }

    /// Only the named categories, in this set's order (for a schema that allows a subset).
    public func restricted(to names: Set<String>) -> RuleCategories {
        RuleCategories(categories.filter { names.contains($0.name) }, fallback: fallback)
    }

    /// Reads categories from configuration, in either shape:
    /// `{"refund": ["rembours*", "refund"]}` or
    /// `{"refund": {"keywords": [...], "task": true}, "unclassified": {"fallback": true}}`.
    /// Categories are ordered by name (JSON objects have no order); the fallback is the one
    /// marked `"fallback": true`, else `unclassified`. Errors name `where.name.field`.
    public static func parse(_ json: JSON, at path: String) throws(PlugboardError) -> RuleCategories {
        guard case .object(let o) = json else {
            throw PlugboardError.invalidConfiguration("\(path): expected an object of category name → keywords, got \(json.typeName)")
        }
        var categories: [RuleCategory] = []
        var fallback = "unclassified"
        for name in o.keys.sorted() {
            let here = "\(path).\(name)"
            var keywordsJSON: JSON? = o[name]
            var task = false
            if case .object(let spec) = o[name]! {
                let known: Set<String> = ["keywords", "task", "fallback", "template"]
                if let bad = spec.keys.sorted().first(where: { !known.contains($0) }) {
                    throw PlugboardError.invalidConfiguration("\(here).\(bad): unknown key; known: fallback, keywords, task, template")
                }
                keywordsJSON = spec["keywords"]
                if let t = spec["task"] {
                    guard let b = t.boolValue else { throw PlugboardError.invalidConfiguration("\(here).task: expected boolean, got \(t.snippet)") }
                    task = b
                }
                if let f = spec["fallback"] {
                    guard let b = f.boolValue else { throw PlugboardError.invalidConfiguration("\(here).fallback: expected boolean, got \(f.snippet)") }
                    if b { fallback = name }
                }
            }
            var keywords: [String] = []
            if let list = keywordsJSON {
                guard case .array(let items) = list else {
                    throw PlugboardError.invalidConfiguration("\(here): expected an array of keywords, got \(list.typeName)")
                }
                for (i, item) in items.enumerated() {
                    guard let k = item.stringValue else {
                        throw PlugboardError.invalidConfiguration("\(here)[\(i)]: expected string, got \(item.snippet)")
                    }
                    if let problem = KeywordIndex.problem(with: k) {
                        throw PlugboardError.invalidConfiguration("\(here)[\(i)]: \(problem)")
                    }
                    keywords.append(k)
                }
            }
            categories.append(RuleCategory(name, keywords: keywords, createsTask: task))
        }
        return RuleCategories(categories.filter { !$0.keywords.isEmpty || $0.name != fallback }, fallback: fallback)
    }
}
