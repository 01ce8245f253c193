import Foundation
import PlugboardKernel

/// Copies a source's tickets into a target store: records are read in order
/// and checked, valid ones written in batches (`BulkImporting`, several batches
/// in flight), the rest logged to the errors file; a checkpoint records how far
/// it got, so `--resume` after any crash finishes the job.
///
/// Every write is an idempotent overwrite, which is what makes this simple: a
/// batch whose acknowledgement was lost to a crash is just written again.
final class Migration {
    struct Options: Sendable {
        var batchSize = 25
        var concurrency = 8
        var resume = false
        var dryRun = false
        var verify = false
        var errorsPath = "migrate-errors.jsonl"
        /// `--errors` was given: a dry run writes the file only then.
        var errorsNamed = false
        var checkpointInterval: Duration = .seconds(1)
    }

    struct Report: Sendable {
        /// The whole migration's counts, earlier runs included.
        var counts: MigrationCounts
        /// Counts of the run(s) before this resumed one.
        var previous: MigrationCounts
        var resumedAt: Int?
        var seconds: Double
        /// Items written by this run.
        var written: Int
        var shape: String
        var verification: MigrationVerifier.Report?
        /// Ids refused by the target or left out as conflicts (named in the errors file).
        var failedIDs: Set<String>
        var errorsFile: String?
        var dryRun: Bool

        var itemsPerSecond: Double { seconds > 0 ? Double(written) / seconds : 0 }
    }

    /// The records of one read batch (`source.next`), until all of them are done.
    private struct ReadBatch {
        var end: Int
        var counts = MigrationCounts()
        /// The documents being written: their ids, numbers and positions.
        var writing: [String: (seq: Int, position: RecordPosition)] = [:]
        var inFlight = false
    }

    private struct WriteResult: Sendable {
        var batch: Int
        var failures: [ImportFailure]
    }

    let source: any MigrationSource
    let target: (any DocumentStore)?
    let collection: CollectionSpec
    let targetDisplay: String
    let options: Options
    let console: Console

    init(source: any MigrationSource, target: (any DocumentStore)?, collection: CollectionSpec, targetDisplay: String,
         options: Options, console: Console) {
        self.source = source
        self.target = target
        self.collection = collection
        self.targetDisplay = targetDisplay
        self.options = options
        self.console = console
    }

    // MARK: - State of a run (touched only by `run`'s task)

    private var batches: [Int: ReadBatch] = [:]
    private var nextBatch = 0
    private var oldestBatch = 0
    /// Counts of every record below `doneBelow`.
    private var committed = MigrationCounts()
    private var doneBelow = 0
    private var sourceHashes: [String: ContentHash] = [:]
    private var failedIDs = Set<String>()
    private var shownErrors = 0
    private var errors: MigrationErrorLog?
    private var lastCheckpoint = ContinuousClock.now

    private var checkpointPath: String { MigrationCheckpoint.path(forErrors: options.errorsPath) }

    func run() async throws -> Report {
        var start = 0
        var previous = MigrationCounts()
        if !options.dryRun {
            let existing = try MigrationCheckpoint.load(checkpointPath)
            if options.resume {
                if let existing {
                    guard existing.source == source.identity, existing.target == targetDisplay else {
                        throw PlugboardError.invalidInput(
                            "\(checkpointPath) belongs to another migration (\(existing.source.serialized()) → \(existing.target)); "
                                + "run without --resume to start this one over, or pass --errors FILE to keep both")
                    }
                    if source.isStable {
                        start = existing.doneBelow
                        previous = existing.counts
                    } else {
                        console.err("note: a store's scan order can change between runs, so the migration starts over "
                                    + "(writes are overwrites: nothing is duplicated)\n")
                    }
                } else {
                    console.err("note: no checkpoint at \(checkpointPath); starting from the beginning\n")
                }
            } else if let existing, !existing.complete {
                console.err("note: a previous run stopped after \(MigrationProgress.grouped(existing.doneBelow)) records; "
                            + "starting over (--resume continues it instead)\n")
            }
        }
        if !options.dryRun || options.errorsNamed {
            errors = try MigrationErrorLog(path: options.errorsPath, keepBelow: start > 0 ? start : nil)
        }
        committed = previous
        doneBelow = start
        let progress = MigrationProgress(console: console, baseline: previous.migrated)
        do {
            try await copy(from: start, progress: progress)
        } catch {
            progress.finish()
            fold()
            if !options.dryRun { try? saveCheckpoint(complete: false) }
            try? errors?.close()
            throw error
        }
        fold()
        progress.finish()
        if !options.dryRun { try saveCheckpoint(complete: true) }
        try errors?.close()
        let seconds = progress.elapsed
        var verification: MigrationVerifier.Report?
        if options.verify {
            verification = try await MigrationVerifier.verify(source: sourceHashes, target: target, collection: collection)
        }
        return Report(counts: committed, previous: previous, resumedAt: start > 0 ? start : nil, seconds: seconds,
                      written: committed.migrated - previous.migrated, shape: source.shape, verification: verification,
                      failedIDs: failedIDs, errorsFile: errors.map { _ in options.errorsPath }, dryRun: options.dryRun)
    }

    /// Reads the source to its end, handing batches to up to `concurrency` writers.
    private func copy(from start: Int, progress: MigrationProgress) async throws {
        let target = self.target
        let collection = self.collection
        try await withThrowingTaskGroup(of: WriteResult.self) { group in
            var inFlight = 0
            while let records = try await source.next(max: options.batchSize) {
                var batch = ReadBatch(end: max(start, (records.last?.seq ?? 0) + 1))
                var documents: [Document] = []
                for record in records {
                    if options.verify, case .document(let d) = record.outcome { sourceHashes[d.id] = ContentHash(d.body) }
                    guard record.seq >= start else { continue }  // done by an earlier run
                    switch record.outcome {
                    case .document(let d):
                        documents.append(d)
                        batch.writing[d.id] = (record.seq, record.position)
                    case .invalid(let reason):
                        batch.counts.invalid += 1
                        logError(record, id: nil, kind: .invalid, reason: reason)
                    case .conflict(let id, let reason):
                        batch.counts.conflicts += 1
                        failedIDs.insert(id)
                        logError(record, id: id, kind: .duplicate, reason: reason)
                    case .identical:
                        batch.counts.skipped += 1
                    }
                }
                guard batch.end > start else { continue }
                let number = nextBatch
                nextBatch += 1
                if documents.isEmpty || options.dryRun || target == nil {
                    batch.counts.migrated += documents.count
                    batch.writing = [:]
                    batches[number] = batch
                } else {
                    while inFlight >= options.concurrency, let result = try await group.next() {
                        inFlight -= 1
                        finish(result)
                    }
                    batch.inFlight = true
                    batches[number] = batch
                    let docs = documents
                    group.addTask { WriteResult(batch: number, failures: try await target!.bulkImport(collection, docs)) }
                    inFlight += 1
                }
                fold()
                try checkpointIfDue()
                progress.update(migrated: totalCounts.migrated, failed: totalCounts.failed, fraction: source.fractionRead)
            }
            while let result = try await group.next() {
                finish(result)
                fold()
                try checkpointIfDue()
                progress.update(migrated: totalCounts.migrated, failed: totalCounts.failed, fraction: source.fractionRead)
            }
        }
    }

    /// A write came back: count what was written and log what the target refused.
    private func finish(_ result: WriteResult) {
        guard var batch = batches[result.batch] else { return }
        for failure in result.failures {
            guard let (seq, position) = batch.writing[failure.id] else { continue }
            batch.counts.refused += 1
            failedIDs.insert(failure.id)
            errors?.record(seq: seq, position: position, id: failure.id, kind: .refused, reason: failure.reason)
            showError(position, failure.reason)
        }
        batch.counts.migrated += batch.writing.count - result.failures.count
        batch.writing = [:]
        batch.inFlight = false
        batches[result.batch] = batch
    }

    /// Moves the finished batches at the front into `committed`, advancing the watermark.
    private func fold() {
        while let batch = batches[oldestBatch], !batch.inFlight {
            committed = committed + batch.counts
            doneBelow = batch.end
            batches[oldestBatch] = nil
            oldestBatch += 1
        }
    }

    /// Counts including the batches still in the window.
    private var totalCounts: MigrationCounts {
        batches.values.reduce(committed) { $0 + $1.counts }
    }

    private func checkpointIfDue() throws {
        guard !options.dryRun, ContinuousClock.now - lastCheckpoint >= options.checkpointInterval else { return }
        try saveCheckpoint(complete: false)
    }

    private func saveCheckpoint(complete: Bool) throws {
        // The errors of every record below the watermark are in the file before the checkpoint says so.
        try errors?.flush()
        try MigrationCheckpoint(source: source.identity, target: targetDisplay, doneBelow: doneBelow, counts: committed,
                                complete: complete).save(checkpointPath)
        lastCheckpoint = ContinuousClock.now
    }

    private func logError(_ record: SourceRecord, id: String?, kind: MigrationErrorLog.Kind, reason: String) {
        errors?.record(seq: record.seq, position: record.position, id: id, kind: kind, reason: reason)
        showError(record.position, reason)
    }

    /// A dry run without an errors file shows the first errors on the console.
    private func showError(_ position: RecordPosition, _ reason: String) {
        guard errors == nil else { return }
        shownErrors += 1
        if shownErrors <= 20 { console.err("  \(position): \(reason)\n") }
        if shownErrors == 21 { console.err("  ... (pass --errors FILE to get them all)\n") }
    }
}
