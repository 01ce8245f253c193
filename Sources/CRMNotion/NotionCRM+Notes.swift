import Foundation
import PlugboardKernel

extension NotionCRM {
    /// A note as read back from the ticket page's blocks.
    struct NoteRecord: Sendable {
        var id: String
        var keyHash: String
        var body: String
    }

    static let markerWord = " · plugboard-note "

    public func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String {
        guard let when = Timestamp.normalize(at) else {
            throw PlugboardError.invalidInput("Notion add note: time \"\(at.prefix(40))\" is not ISO 8601", adapter: NotionCRM.adapter)
        }
        let pageId = try ticketPageId(ticketId, what: "add note")
        let hash = String(Digest.sha256Hex(key).prefix(16))
        if let existing = try await noteRecords(pageId).first(where: { $0.keyHash == hash }) { return existing.id }
        let marker: JSON = ["type": "paragraph", "paragraph": ["rich_text": .array(NotionValues.richText("📝 \(when)\(NotionCRM.markerWord)\(hash)"))]]
        let ids = try await append([marker] + NotionValues.paragraphs(body), to: pageId)
        if configuration.properties.ticketUpdatedAt != nil { try await updateTicket(id: pageId, properties: [:]) }
        guard let id = ids.first else {
            throw PlugboardError(.unavailable, "Notion add note: the response lists no block", adapter: NotionCRM.adapter,
                                 cause: "unexpected response", retryable: true)
        }
        return id
    }

    /// The bodies of the ticket's notes as given to `addNote`, oldest first.
    public func notes(ticketId: String) async throws -> [String] {
        try await noteRecords(try ticketPageId(ticketId, what: "read notes")).map(\.body)
    }

    /// Appends blocks to a page, at most 100 per request; returns the new block ids.
    @discardableResult
    func append(_ blocks: [JSON], to pageId: String) async throws -> [String] {
        var ids: [String] = []
        var start = 0
        while start < blocks.count {
            let chunk = Array(blocks[start..<min(start + NotionValues.maxItems, blocks.count)])
            start += NotionValues.maxItems
            let appended = try await client.json(.patch, "/v1/blocks/\(pageId)/children", body: ["children": .array(chunk)],
                                                 what: "append blocks to page \(pageId)")
            // The response lists the page's children; the new ones are the last `chunk.count`.
            ids += (appended["results"]?.arrayValue ?? []).suffix(chunk.count).compactMap { $0["id"]?.stringValue }
        }
        return ids
    }

    /// The notes among a page's blocks (every page of children): each marker
    /// paragraph and the paragraphs after it, up to the next marker.
    func noteRecords(_ pageId: String) async throws -> [NoteRecord] {
        let blocks = try await client.all(.get, "/v1/blocks/\(pageId)/children", what: "read blocks of ticket \(pageId)")
        var notes: [NoteRecord] = []
        for block in blocks {
            let type = block["type"]?.stringValue ?? ""
            let text = NotionValues.plainText(block[type]?["rich_text"])
            if type == "paragraph", let hash = NotionCRM.markerHash(text), let id = block["id"]?.stringValue {
                notes.append(NoteRecord(id: id, keyHash: hash, body: ""))
            } else if !notes.isEmpty {
                notes[notes.count - 1].body += text
            }
        }
        return notes
    }

    /// The key hash of a marker paragraph `📝 <time> · plugboard-note <16 hex>`, nil for other text.
    static func markerHash(_ text: String) -> String? {
        guard text.hasPrefix("📝 "), let r = text.range(of: markerWord, options: .backwards) else { return nil }
        let hash = text[r.upperBound...]
        guard hash.count == 16, hash.allSatisfy(\.isHexDigit), Timestamp.parse(String(text[text.index(text.startIndex, offsetBy: 2)..<r.lowerBound])) != nil
        else { return nil }
        return String(hash)
    }
}
