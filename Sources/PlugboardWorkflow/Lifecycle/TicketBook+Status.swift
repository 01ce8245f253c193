import PlugboardKernel

extension TicketBook {
    /// Sets a ticket's status the way an operator means it: the closed status
    /// closes (with `closed_at` and `resolution_duration`), an open status on a
    /// closed ticket reopens it, any other status is just recorded.
    @discardableResult
    public func setStatus(_ id: String, to status: String, openStatuses: Set<String> = []) async throws -> Ticket {
        if status == closedStatus { return try await close(id) }
        let current = try await get(id)
        if current.isClosed || current.status == closedStatus {
            guard status == openStatus || openStatuses.contains(status) else {
                throw PlugboardError.conflict("ticket \(id) is closed; reopen it with an open status (\"\(openStatus)\") first")
            }
            let reopened = try await reopen(id)
            if status == openStatus { return reopened }
        }
        var result: Ticket?
        let updated = try await store.update(.tickets, id: id) { body in
            guard let b = body, var t = Ticket(b) else { throw PlugboardError.notFound("no ticket \(id)") }
            t.body["status"] = .string(status)
            t.body["updated_at"] = .string(Timestamp.now())
            body = t.json
            result = t
        }
        guard updated != nil, let result else { throw PlugboardError.notFound("no ticket \(id)") }
        return result
    }
}
