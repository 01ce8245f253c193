import PlugboardKernel

/// Claiming due jobs with row locks: `SELECT ... FOR UPDATE SKIP LOCKED` takes
/// the earliest due rows nobody else holds, and they are rewritten as leased
/// in the same transaction. A concurrent claimer skips the locked rows, and
/// once the transaction commits they are no longer in the claimed state, so
/// no job is handed out twice, whatever the number of workers.
extension PostgresStore {
    public func claimDueJobs(_ c: CollectionSpec, _ claim: JobClaim) async throws -> [StoredDocument] {
        let v = try claim.validated(for: c)
        let t = try await table(c)
        return try await pool.run { s in
            let what = "claim \(c.name) due in state \(claim.state) in schema \(t.schema)"
            return try s.transaction(what) {
                var p = PostgresParameters()
                p.append(PostgresKeyText.encode(claim.state))
                p.append(PostgresKeyText.encode(v.dueBefore))
                p.append(claim.limit)
                let due = try PostgresStore.documents(try s.execute(t.claimDue(v.index), p, what), c)
                var claimed: [StoredDocument] = []
                claimed.reserveCapacity(due.count)
                for job in due {
                    let body = claim.leased(job.body, v)
                    var u = PostgresParameters()
                    u.append(PostgresKeyText.encode(job.id))
                    u.append(json: body)
                    t.appendIndexValues(of: body, to: &u)
                    u.append(job.revision)
                    // The row is locked by this transaction, so its revision cannot have moved.
                    guard let rev = try s.execute(t.updateAtRevision, u, what).int64(0, 0) else {
                        throw PlugboardError.internal("\(c.name)/\(job.id) changed while locked", adapter: "postgres")
                    }
                    claimed.append(StoredDocument(id: job.id, revision: rev, body: body))
                }
                return claimed
            }
        }
    }
}
