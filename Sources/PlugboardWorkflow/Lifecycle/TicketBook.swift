import PlugboardKernel

/// Ticket lifecycle and listing on top of the storage port: list with filters,
/// show, close (sets `closed_at` and `resolution_duration` in seconds), reopen
/// (clears both). Domain rules live here, never in an adapter.
public struct TicketBook: Sendable {
    public let store: any DocumentStore
    public var openStatus: String
    public var closedStatus: String

    public init(store: any DocumentStore, openStatus: String = "en cours", closedStatus: String = "fermé") {
        self.store = store
        self.openStatus = openStatus
        self.closedStatus = closedStatus
    }

    public init(store: any DocumentStore, workflow: [String: JSON]) {
        self.init(store: store, openStatus: workflow["open_status"]?.stringValue ?? "en cours",
                  closedStatus: workflow["closed_status"]?.stringValue ?? "fermé")
    }

    let spec = CollectionSpec.tickets

    /// Tickets matching `filter`, oldest first. Uses the status or channel index when it can.
    public func list(_ filter: TicketFilter) async throws -> [Ticket] {
        var docs: [StoredDocument] = []
        if let status = filter.status {
            docs = try await store.queryAll(spec, IndexQuery(index: "status-created_at", partition: status,
                                                             from: filter.from, to: filter.to, limit: 1000))
        } else if let channel = filter.channel {
            docs = try await store.queryAll(spec, IndexQuery(index: "channel-created_at", partition: channel,
                                                             from: filter.from, to: filter.to, limit: 1000))
        } else {
            for try await batch in store.scan(spec, batchSize: 1000) { docs += batch }
        }
        let tickets = docs.compactMap { Ticket($0.body) }.filter(filter.matches)
        return tickets.sorted { a, b in
            let x = a.createdAt.flatMap(Timestamp.parse) ?? -.infinity, y = b.createdAt.flatMap(Timestamp.parse) ?? -.infinity
            return (x, a.id) < (y, b.id)
        }
    }

    public func get(_ id: String) async throws -> Ticket {
        guard let d = try await store.get(spec, id: id), let t = Ticket(d.body) else {
            throw PlugboardError.notFound("no ticket \(id)")
        }
        return t
    }

    /// Closes a ticket at `at` (default now).
    @discardableResult
    public func close(_ id: String, at: String? = nil) async throws -> Ticket {
        let when = at ?? Timestamp.now()
        guard let closedAt = Timestamp.parse(when) else {
            throw PlugboardError.invalidInput("--at: expected an ISO 8601 time, got \"\(when)\"")
        }
        var result: Ticket?
        try await update(id) { t in
            if t.isClosed || t.status == closedStatus {
                throw PlugboardError.conflict("ticket \(id) is already closed (closed_at \(t.closedAt ?? "unknown")); reopen it first")
            }
            var duration: JSON = .null
            if let created = t.createdAt.flatMap(Timestamp.parse) {
                if closedAt < created {
                    throw PlugboardError.invalidInput("ticket \(id): closing time \(when) is before its created_at \(t.createdAt!)")
                }
                duration = JSON(Int((closedAt - created).rounded()))
            }
            t.body["status"] = .string(closedStatus)
            t.body["closed_at"] = .string(Timestamp.format(closedAt))
            t.body["resolution_duration"] = duration
            t.body["updated_at"] = .string(Timestamp.now())
            result = t
        }
        return result!
    }

    /// Reopens a closed ticket: status back to open, `closed_at` and `resolution_duration` cleared.
    @discardableResult
    public func reopen(_ id: String) async throws -> Ticket {
        var result: Ticket?
        try await update(id) { t in
            guard t.isClosed || t.status == closedStatus else {
                throw PlugboardError.conflict("ticket \(id) is not closed (status \"\(t.status ?? "none")\")")
            }
            t.body["status"] = .string(openStatus)
            t.body["closed_at"] = .null
            t.body["resolution_duration"] = .null
            t.body["updated_at"] = .string(Timestamp.now())
            result = t
        }
        return result!
    }

    private func update(_ id: String, _ change: (inout Ticket) throws -> Void) async throws {
        let updated = try await store.update(spec, id: id) { body in
            guard let b = body, var t = Ticket(b) else { throw PlugboardError.notFound("no ticket \(id)") }
            try change(&t)
            body = t.json
        }
        if updated == nil { throw PlugboardError.notFound("no ticket \(id)") }
    }
}
