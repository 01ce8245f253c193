import Foundation

/// The prompts sent to the `llm` port, one template per task, with `{{name}}`
/// placeholders. The built-in templates (`PromptLibrary+Defaults.swift`) can each
/// be replaced by a file named in `workflow.prompts` (task → path, relative to the
/// config's folder), read once at startup.
///
/// Ticket text is always placed between `<ticket>` and `</ticket>`, and structured
/// inputs as a JSON object between `<data>` and `</data>`: models are told to treat
/// both as information, not instructions, and the `rules` model reads them there.
public struct PromptLibrary: Sendable {
    /// One template and where it came from.
    public struct Template: Sendable, Hashable {
        public var text: String
        /// `built-in`, or the file it was read from.
        public var source: String
        public init(text: String, source: String) { self.text = text; self.source = source }
    }

    /// The tasks and the variables the kernel provides to each. An override may use
    /// any of its task's variables and no other.
    public static let variables: [String: [String]] = [
        "system": [],
        "classify": ["text", "subject", "channel", "categories", "fallback_category"],
        "analyse": ["text", "subject", "channel", "categories", "fallback_category"],
        "draft_reply": ["text", "subject", "category", "template", "customer_name", "order_number", "order_status", "data"],
        "proactive_analysis": ["customer", "events", "window_hours", "language", "data"],
        "followup": ["customer_name", "subject", "summary", "category", "risk_score", "engagement_score",
                     "days_since_contact", "language", "data"],
        "repair": ["prompt", "problems"],
    ]

    /// Task names, sorted.
    public static var tasks: [String] { variables.keys.sorted() }

    public private(set) var templates: [String: Template]

    /// The built-in templates.
    public init() {
        templates = PromptLibrary.builtIn.mapValues { Template(text: $0, source: "built-in") }
    }

    /// The built-ins, overridden by the files `prompts` names (the `workflow.prompts`
    /// object: task → file path). Every error names the config file, the JSON path and
    /// the template file: an unknown task, a path that is not a string, a file that cannot
    /// be read, a `{{` without `}}`, or a placeholder the task does not provide.
    public init(overrides prompts: JSON?, directory: String, file: String = "adapters.json") throws {
        self.init()
        guard let prompts, !prompts.isNull else { return }
        guard case .object(let o) = prompts else {
            throw PlugboardError.invalidConfiguration("\(file): workflow.prompts: expected an object (task → template file), got \(prompts.typeName)")
        }
        var errors: [String] = []
        for task in o.keys.sorted() {
            let at = "\(file): workflow.prompts.\(task)"
            guard let allowed = PromptLibrary.variables[task] else {
                errors.append("\(at): unknown task; expected one of \(PromptLibrary.tasks.joined(separator: ", "))")
                continue
            }
            guard let raw = o[task]?.stringValue, !raw.isEmpty else {
                errors.append("\(at): expected a template file path, got \(o[task]!.snippet)")
                continue
            }
            let path = AdapterSettings.resolve(raw, against: directory)
            guard let data = FileManager.default.contents(atPath: path) else {
                let exists = FileManager.default.fileExists(atPath: path)
                errors.append("\(at): \(path): \(exists ? "cannot be read (permissions?)" : "no such file")")
                continue
            }
            let text = String(decoding: data, as: UTF8.self)
            do {
                let unknown = try PromptLibrary.placeholders(in: text).filter { !allowed.contains($0) }
                if !unknown.isEmpty {
                    let provided = allowed.isEmpty ? "it provides none" : "it provides: " + allowed.joined(separator: ", ")
                    errors.append("\(at): \(path): uses " + unknown.map { "{{\($0)}}" }.joined(separator: ", ")
                                  + ", which the \(task) prompt does not provide; \(provided)")
                    continue
                }
            } catch {
                errors.append("\(at): \(path): \(error.message)")
                continue
            }
            templates[task] = Template(text: text, source: path)
        }
        if !errors.isEmpty { throw PlugboardError.invalidConfiguration(errors.joined(separator: "\n")) }
    }

    /// The template of a task (a task without one renders its values' `text`).
    public func template(_ task: String) -> Template {
        templates[task] ?? Template(text: "<ticket>\n{{text}}\n</ticket>", source: "built-in")
    }

    /// The task's template with each `{{name}}` replaced by `values[name]` (empty when
    /// absent). Values are inserted as they are, never scanned for placeholders.
    public func render(_ task: String, _ values: [String: String]) -> String {
        PromptLibrary.fill(template(task).text, values)
    }

    /// The names of the placeholders in `text`, in order of first use; throws
    /// `.invalidInput` for a `{{` without its `}}`.
    public static func placeholders(in text: String) throws(PlugboardError) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else {
                throw PlugboardError.invalidInput("\"{{\" without a closing \"}}\"")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !names.contains(name) { names.append(name) }
            rest = rest[close.upperBound...]
        }
        return names
    }

    static func fill(_ text: String, _ values: [String: String]) -> String {
        TextSubstitution.fillingPlaceholders(text, values)
    }
}
