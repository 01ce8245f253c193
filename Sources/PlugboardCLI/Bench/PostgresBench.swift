import Foundation
import PlugboardKernel
import StoragePostgres

/// The `postgres` adapter's batch put against PostgreSQL's own floor: `COPY`
/// of the same rows through `psql` into an equivalent table (same columns,
/// same primary key and btree indexes, made with `LIKE ... INCLUDING ALL`).
///
/// The COPY file is written before the clock starts (JSON already
/// serialized, index values computed); the adapter does everything it does
/// for a caller: serializes, computes index values, sends multi-row
/// statements in one transaction. The server comes from
/// `PLUGBOARD_BENCH_PG_URL`, else `PLUGBOARD_TEST_PG_URL`; a throwaway schema
/// is created and dropped.
public enum PostgresBench {
    public static func run(count: Int, workDir: String, log: (String) -> Void) async throws {
        let env = ProcessInfo.processInfo.environment
        guard let url = [env["PLUGBOARD_BENCH_PG_URL"], env["PLUGBOARD_TEST_PG_URL"]].compactMap({ $0 }).first(where: { !$0.isEmpty })
        else {
            throw PlugboardError.invalidConfiguration("postgres bench: set PLUGBOARD_BENCH_PG_URL (or PLUGBOARD_TEST_PG_URL) to a server")
        }
        guard let psql = findExecutable("psql") else {
            throw PlugboardError.invalidConfiguration("postgres bench: psql not found on PATH (apt-get install postgresql-client)")
        }
        let schema = "bench_" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let copyFile = workDir + "/" + schema + ".copy"
        defer { try? FileManager.default.removeItem(atPath: copyFile) }

        let generator = TicketGenerator()
        let documents = (0..<count).map { i -> Document in
            let t = generator.ticket(i)
            return Document(id: t["ticket_id"]!.stringValue!, body: t)
        }
        let copyBytes = copyText(documents, .tickets)
        try Data(copyBytes).write(to: URL(fileURLWithPath: copyFile))
        log("postgres bench: \(count) tickets, \(String(format: "%.1f", Double(copyBytes.count) / 1_000_000)) MB as COPY text, schema \(schema)")

        let store = try await PostgresStore.open(.init(url: url, schema: schema))
        do {
            _ = try await store.count(.tickets)  // creates the table before the clock starts
            let start = ContinuousClock.now
            try await store.batchPut(.tickets, documents)
            let adapterTime = ContinuousClock.now - start
            let stored = try await store.count(.tickets)
            guard stored == count else { throw PlugboardError.internal("postgres bench: \(stored) rows stored, expected \(count)") }
            try await store.close()

            let table = "\"\(schema)\".tickets_copy"
            try await psqlCommand(psql, url, "CREATE TABLE \(table) (LIKE \"\(schema)\".tickets INCLUDING ALL)")
            let copyStart = ContinuousClock.now
            try await psqlCommand(psql, url, "\\copy \(table) FROM '\(copyFile)'")
            let copyTime = ContinuousClock.now - copyStart

            let adapterRate = Double(count) / seconds(adapterTime)
            let copyRate = Double(count) / seconds(copyTime)
            log("postgres batch put: \(grouped(adapterRate)) tickets/s; psql COPY: \(grouped(copyRate))/s; "
                + "ratio \(String(format: "%.2f", adapterRate / copyRate)) (target >= 0.4)")
        } catch {
            try? await store.close()
            try? await psqlCommand(psql, url, "DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
            throw error
        }
        try await psqlCommand(psql, url, "DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
    }

    /// The rows as the adapter stores them, in COPY's text format. Ticket ids
    /// and index values hold no NUL or U+0001, so they are stored unescaped.
    static func copyText(_ documents: [Document], _ spec: CollectionSpec) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(documents.count * 2_000)
        var json: [UInt8] = []
        func field(_ bytes: some Sequence<UInt8>) {
            for b in bytes {
                switch b {
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, 0x6E]
                case 0x0D: out += [0x5C, 0x72]
                case 0x09: out += [0x5C, 0x74]
                default: out.append(b)
                }
            }
        }
        for d in documents {
            field(d.id.utf8)
            out += Array("\t1\t".utf8)
            json.removeAll(keepingCapacity: true)
            d.body.write(into: &json)
            field(json)
            for index in spec.indexes {
                if let key = spec.indexKey(index, of: d.body) {
                    out.append(0x09); field(key.partition.utf8)
                    out.append(0x09); field(key.sort.utf8)
                } else {
                    out += Array("\t\\N\t\\N".utf8)
                }
            }
            out.append(0x0A)
        }
        return out
    }

    /// `runPSQL` on a thread of its own: it blocks until psql exits.
    static func psqlCommand(_ psql: String, _ url: String, _ command: String) async throws {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, any Error>) in
            Thread { cont.resume(with: Result { try runPSQL(psql, url, command) }) }.start()
        }
    }

    /// Runs one psql command, failing on any SQL error. The url goes as an
    /// argument, so this is a tool for benchmark machines, not production.
    static func runPSQL(_ psql: String, _ url: String, _ command: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: psql)
        p.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", command]
        let errors = Pipe()
        p.standardError = errors
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PlugboardError.internal("postgres bench: psql failed: \(String(decoding: message, as: UTF8.self))")
        }
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func grouped(_ v: Double) -> String {
        let digits = String(Int(v.rounded()))
        var out = ""
        for (k, ch) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}
