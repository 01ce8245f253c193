import PlugboardKernel

/// `batchPut`: one transaction of multi-row `INSERT ... ON CONFLICT DO UPDATE`
/// statements, the next one built while the server runs the previous one.
extension PostgresStore {
    /// Rows per statement, within PostgreSQL's 65,535 parameters.
    static func rowsPerStatement(_ t: CollectionTable) -> Int { min(1000, 65_535 / (t.valuesPerRow + 1)) }
    /// A statement is cut short past this many parameter bytes, so huge documents stay in reasonable messages.
    static let bytesPerStatement = 8 << 20

    public func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        guard !documents.isEmpty else { return }
        let t = try await table(c)
        let fullRows = PostgresStore.rowsPerStatement(t)
        let fullSQL = t.batchUpsert(rows: fullRows)
        try await pool.run { s in
            let what = "batch put of \(documents.count) \(c.name) in schema \(t.schema)"
            // One row per id (ON CONFLICT cannot touch a row twice in one statement):
            // the last body wins and the revision grows once per occurrence, as if written in turn.
            var slot: [String: Int] = [:]
            slot.reserveCapacity(documents.count)
            var picks: [(document: Int, times: Int)] = []
            picks.reserveCapacity(documents.count)
            for (k, d) in documents.enumerated() {
                if let at = slot[d.id] {
                    picks[at].document = k
                    picks[at].times += 1
                } else {
                    slot[d.id] = picks.count
                    picks.append((k, 1))
                }
            }
            try s.transaction(what) {
                var start = 0
                var inFlight = false
                while start < picks.count {
                    var p = PostgresParameters(reservingBytes: 1 << 20)
                    var end = start
                    while end < picks.count, end - start < fullRows, p.bytes.count < PostgresStore.bytesPerStatement {
                        let d = documents[picks[end].document]
                        p.append(PostgresKeyText.encode(d.id))
                        p.append(json: d.body)
                        t.appendIndexValues(of: d.body, to: &p)
                        p.append(picks[end].times)
                        end += 1
                    }
                    if inFlight { try s.finish(what) }
                    let rows = end - start
                    // Only the full-size statement is worth keeping prepared.
                    if rows == fullRows {
                        try s.send(fullSQL, p, what)
                    } else {
                        try s.send(t.batchUpsert(rows: rows), p, what, prepared: false)
                    }
                    inFlight = true
                    start = end
                }
                if inFlight { try s.finish(what) }
            }
        }
    }
}
