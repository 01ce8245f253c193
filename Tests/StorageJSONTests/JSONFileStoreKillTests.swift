import Foundation
import PlugboardKernel
import StorageJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The kill test runs this test binary again as a child that writes until it
/// is killed; these variables tell the child what to do.
enum KillChild {
    static let pathVariable = "PLUGBOARD_JSON_KILL_PATH"
    static let prefixVariable = "PLUGBOARD_JSON_KILL_PREFIX"
    static var path: String? { ProcessInfo.processInfo.environment[pathVariable] }
    static var prefix: String { ProcessInfo.processInfo.environment[prefixVariable] ?? "" }
}

@Suite("json storage: kill -9")
struct JSONFileStoreKillTests {
    /// The child: writes until killed, printing `ack <i> <revision>` once each
    /// pair of writes is acknowledged. Runs only inside the kill test's child.
    @Test(.enabled(if: KillChild.path != nil, "runs only as the kill test's child process"))
    func writerChild() async throws {
        // A small threshold: compactions happen every couple of writes, so
        // kills land inside them too.
        // `reopen` waits for the parent's dropped store to release the lock.
        let s = try await reopen(KillChild.path!, compactAfterBytes: 2_048)
        let prefix = KillChild.prefix
        for i in 0..<200_000 {
            let id = "\(prefix)\(i)"
            try await s.put(tickets, id: id, body: ticket(id, ["i": JSON(i), "pad": .string(String(repeating: "é", count: i % 200))]))
            let rev = try await s.put(tickets, id: "hot", body: ticket("hot", ["i": JSON(i), "prefix": .string(prefix)]))
            // Unbuffered: the line is out before the next write starts.
            FileHandle.standardOutput.write(Data("ack \(i) \(rev)\n".utf8))
        }
    }

    @Test("a writer killed with SIGKILL at random instants loses no acknowledged write; the main file always parses")
    func killedWriter() async throws {
        guard KillChild.path == nil else { return }
        let scratch = Scratch()
        let path = scratch.path("tickets.json")
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var lastHotRevision: Int64 = 0
        var previousCount = 0
        for round in 0..<4 {
            let prefix = "r\(round)-"
            let killAfter = Int.random(in: 40...400)
            let acks = try await runAndKill(executable, path: path, prefix: prefix, after: killAfter)
            try #require(acks.count >= killAfter, "round \(round): the child acknowledged writes before the kill")
            // The main file parses at any instant, for an independent reader.
            _ = try independentlyRead(path)
            let s = try await reopen(path)
            for (i, _) in acks {
                let got = try await s.get(tickets, id: "\(prefix)\(i)")
                #expect(got?.body["i"]?.intValue == i, "round \(round): acknowledged write \(i) recovered")
            }
            let last = acks.last!
            let hot = try #require(try await s.get(tickets, id: "hot"))
            // At most the one write in flight at the kill may also have landed.
            #expect(hot.revision == last.revision || hot.revision == last.revision + 1,
                    "round \(round): hot at revision \(hot.revision), last acknowledged \(last.revision)")
            #expect(hot.revision > lastHotRevision)
            lastHotRevision = hot.revision
            let count = try await s.count(tickets)
            let atLeast = previousCount + acks.count + (round == 0 ? 1 : 0)
            #expect(count == atLeast || count == atLeast + 1, "round \(round): \(count) tickets, expected \(atLeast)(+1)")
            previousCount = count
            // Alternate between a clean close and another crash-like drop.
            if round % 2 == 0 { try await s.close() }
        }
    }

    /// Starts the child, kills it once it has acknowledged `after` writes, and
    /// returns every acknowledgement it printed. Blocking reads run on a
    /// Dispatch thread, not a cooperative one.
    private func runAndKill(_ executable: String, path: String, prefix: String, after: Int) async throws -> [(i: Int, revision: Int64)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--testing-library", "swift-testing", "--filter", "writerChild"]
        process.environment = ProcessInfo.processInfo.environment.merging(
            [KillChild.pathVariable: path, KillChild.prefixVariable: prefix]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output: String = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let reader = pipe.fileHandleForReading
                var text = ""
                var killed = false
                let deadline = Date().addingTimeInterval(60)
                while true {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                    if !killed, text.components(separatedBy: "ack ").count - 1 >= after || Date() > deadline {
                        kill(process.processIdentifier, SIGKILL)
                        killed = true
                    }
                }
                if !killed { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                continuation.resume(returning: text)
            }
        }
        #expect(process.terminationReason == .uncaughtSignal, "the child was killed, not finished")
        return output.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "ack", let i = Int(parts[1]), let r = Int64(parts[2]) else { return nil }
            return (i, r)
        }
    }
}
