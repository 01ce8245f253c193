import PlugboardKernel

extension HubSpotCRM {
    /// A note as read back: id, body as given to `addNote`, the hash of its key.
    struct NoteRecord: Sendable {
        var id: String
        var body: String
        var keyHash: String?
        var timestamp: Double
    }

    public func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String {
        guard let when = Timestamp.normalize(at) else {
            throw PlugboardError.invalidInput("HubSpot add note: time \"\(at.prefix(40))\" is not ISO 8601", adapter: HubSpotCRM.adapter)
        }
        guard HubSpotCRM.isObjectID(ticketId) else {
            throw PlugboardError.notFound("HubSpot add note: no ticket \(ticketId)", adapter: HubSpotCRM.adapter)
        }
        let hash = HubSpotCRM.keyHash(key)
        if let existing = try await noteRecords(ticketId: ticketId).first(where: { $0.keyHash == hash }) { return existing.id }
        let created = try await client.json(.post, "/crm/v3/objects/notes", body: [
            "properties": ["hs_timestamp": .string(when), "hs_note_body": .string(HubSpotCRM.noteHTML(body, keyHash: hash))],
            "associations": [[
                "to": ["id": .string(ticketId)],
                "types": [["associationCategory": "HUBSPOT_DEFINED", "associationTypeId": JSON(AssociationType.noteToTicket)]],
            ]],
        ], what: "create note on ticket \(ticketId)")
        guard let id = created["id"]?.stringValue else {
            throw PlugboardError(.unavailable, "HubSpot create note: the response has no id", adapter: HubSpotCRM.adapter,
                                 cause: "unexpected response", retryable: true)
        }
        return id
    }

    /// The bodies of a ticket's notes as given to `addNote`, oldest first.
    public func notes(ticketId: String) async throws -> [String] {
        guard HubSpotCRM.isObjectID(ticketId) else {
            throw PlugboardError.notFound("HubSpot notes: no ticket \(ticketId)", adapter: HubSpotCRM.adapter)
        }
        return try await noteRecords(ticketId: ticketId)
            .sorted { ($0.timestamp, Int64($0.id) ?? 0) < ($1.timestamp, Int64($1.id) ?? 0) }
            .map(\.body)
    }

    /// The notes associated with a ticket (v4 associations, every page), read in batches of 100.
    /// `.notFound` when the ticket does not exist.
    func noteRecords(ticketId: String) async throws -> [NoteRecord] {
        var ids: [String] = []
        var after: String?
        let path = "/crm/v4/objects/tickets/\(HubSpotClient.segment(ticketId))/associations/notes"
        repeat {
            var query = [("limit", "500")]
            if let after { query.append(("after", after)) }
            let page = try await client.json(.get, path, query: query, what: "list notes of ticket \(ticketId)")
            for r in page["results"]?.arrayValue ?? [] {
                if let id = r["toObjectId"].flatMap({ $0.stringValue ?? $0.numberValue?.text }) { ids.append(id) }
            }
            after = page["paging"]?["next"]?["after"]?.stringValue
        } while after != nil
        if ids.isEmpty {
            // An unknown ticket may list as empty: make sure it exists, so a note is never orphaned.
            guard try await ticket(id: ticketId) != nil else {
                throw PlugboardError.notFound("HubSpot: no ticket \(ticketId)", adapter: HubSpotCRM.adapter)
            }
            return []
        }
        var notes: [NoteRecord] = []
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 100, ids.count)]
            start += 100
            let read = try await client.json(.post, "/crm/v3/objects/notes/batch/read", body: [
                "inputs": .array(chunk.map { ["id": .string($0)] }), "properties": ["hs_note_body", "hs_timestamp"],
            ], what: "read notes of ticket \(ticketId)")
            for o in read["results"]?.arrayValue ?? [] {
                guard let id = o["id"]?.stringValue else { continue }
                let html = o["properties"]?["hs_note_body"]?.stringValue ?? ""
                let (body, hash) = HubSpotCRM.parseNoteHTML(html)
                let t = o["properties"]?["hs_timestamp"]?.stringValue.flatMap(Timestamp.parse) ?? 0
                notes.append(NoteRecord(id: id, body: body, keyHash: hash, timestamp: t))
            }
        }
        return notes
    }

    // MARK: - Note bodies

    static let markerPrefix = "[plugboard-note "

    /// 16 hex digits of the SHA-256 of the key: safe in HTML, whatever the key holds.
    static func keyHash(_ key: String) -> String { String(Digest.sha256Hex(key).prefix(16)) }

    /// The note body as HubSpot's HTML: text escaped, line breaks as `<br>`, then the marker.
    static func noteHTML(_ body: String, keyHash: String) -> String {
        var html = ""
        for c in body {
            switch c {
            case "&": html += "&amp;"
            case "<": html += "&lt;"
            case ">": html += "&gt;"
            case "\n": html += "<br>"
            case "\r\n": html += "<br>"
            default: html.append(c)
            }
        }
        return html + "<br><br>" + markerPrefix + keyHash + "]"
    }

    /// The text and key hash of a note body written by `noteHTML`; other notes come back as their text.
    static func parseNoteHTML(_ html: String) -> (body: String, keyHash: String?) {
        var text = html
        var hash: String?
        if let r = text.range(of: markerPrefix, options: .backwards), text.hasSuffix("]") {
            let inside = text[r.upperBound..<text.index(before: text.endIndex)]
            if inside.count == 16, inside.allSatisfy(\.isHexDigit) {
                hash = String(inside)
                text = String(text[..<r.lowerBound])
                if text.hasSuffix("<br><br>") { text.removeLast(8) }
            }
        }
        for br in ["<br />", "<br/>", "<br>"] { text = text.replacingOccurrences(of: br, with: "\n") }
        text = text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        return (text, hash)
    }
}
