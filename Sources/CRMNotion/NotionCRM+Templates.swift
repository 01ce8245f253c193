import PlugboardKernel

extension NotionCRM {
    /// The response templates database as category → reply (every page of it);
    /// empty when no `templates_database` is configured. Rows without a category
    /// or a reply are skipped.
    public func responseTemplates() async throws -> [String: String] {
        guard let database = configuration.templatesDatabase else { return [:] }
        let templates = try await source(database)
        let m = configuration.properties
        let category = try column(m.templateCategory, in: templates, role: "template category", types: ["title", "select", "rich_text"])
        let reply = try column(m.templateReply, in: templates, role: "template reply", types: ["rich_text", "title"])
        var out: [String: String] = [:]
        for page in try await query(templates, filter: nil, what: "read response templates") {
            guard let name = page["properties"]?[category.name].flatMap(NotionValues.decode)?.stringValue, !name.isEmpty,
                  let text = page["properties"]?[reply.name].flatMap(NotionValues.decode)?.stringValue, !text.isEmpty else { continue }
            out[name] = text
        }
        return out
    }
}
