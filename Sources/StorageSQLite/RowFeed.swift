import Foundation
import Synchronization

/// Chunks of rows handed from the task that serializes them to the writer
/// thread that inserts them, so the two overlap inside one transaction.
///
/// The producer never blocks a thread (it runs on a cooperative thread): when
/// `limit` chunks wait unconsumed it suspends until the writer takes one, so
/// memory stays bounded however large the batch. The writer thread blocks
/// while it waits for the next chunk, which is what it is for.
///
/// `@unchecked Sendable`: every field is only touched under `condition`'s lock.
final class RowFeed: @unchecked Sendable {
    private let condition = NSCondition()
    private let limit: Int
    private var chunks: [[CollectionTable.Row]] = []
    private var finished = false
    private var abandoned = false
    private var producer: CheckedContinuation<Void, Never>?

    init(limit: Int = 8) { self.limit = limit }

    /// Producer: the writer stopped taking chunks (it failed); stop producing.
    var isAbandoned: Bool {
        condition.lock()
        defer { condition.unlock() }
        return abandoned
    }

    /// Producer: hands over one chunk, first waiting (suspended) while the backlog is full.
    func push(_ chunk: [CollectionTable.Row]) async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            if !parkIfFull(cont) { cont.resume() }
        }
        append(chunk)
    }

    private func append(_ chunk: [CollectionTable.Row]) {
        condition.lock()
        if !abandoned {
            chunks.append(chunk)
            condition.signal()
        }
        condition.unlock()
    }

    /// Keeps the producer's continuation when the backlog is full; false when there is room.
    private func parkIfFull(_ cont: CheckedContinuation<Void, Never>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard chunks.count >= limit && !abandoned else { return false }
        producer = cont
        return true
    }

    /// Producer: no more chunks will come.
    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Writer thread: the next chunk, waiting for it; nil once the producer has finished.
    func next() -> [CollectionTable.Row]? {
        condition.lock()
        while chunks.isEmpty && !finished { condition.wait() }
        let chunk = chunks.isEmpty ? nil : chunks.removeFirst()
        let waiting = producer
        producer = nil
        condition.unlock()
        waiting?.resume()
        return chunk
    }

    /// Writer thread: stops taking chunks, and releases a producer waiting for room.
    func abandon() {
        condition.lock()
        abandoned = true
        chunks.removeAll()
        let waiting = producer
        producer = nil
        condition.unlock()
        waiting?.resume()
    }
}
