/// Where a `json` store keeps its files, all derived from the main file's path.
///
/// ```
/// data/tickets.json                    main file: the `tickets` collection, {"<ticket_id>": {...}}
/// data/tickets.json.lock               flock held while open; holds the owner's pid
/// data/tickets.json.plugboard/
///     state.json                       ticket revisions and every other collection
///     journal.jsonl                    writes acknowledged since the last compaction
///     state.json.tmp                   only during a compaction
/// data/.tickets.json.tmp               only during a compaction (same directory as the main file, for rename)
/// ```
struct StoreLayout: Sendable {
    /// The main file, absolute, with a symbolic link resolved to its target.
    let main: String
    let directory: String
    let lock: String
    let sidecar: String
    let state: String
    let journal: String
    let mainTemp: String
    let stateTemp: String

    init(path: String) {
        main = path
        directory = FileSystem.directoryName(path)
        lock = path + ".lock"
        sidecar = path + ".plugboard"
        state = sidecar + "/state.json"
        journal = sidecar + "/journal.jsonl"
        mainTemp = directory + "/." + FileSystem.baseName(path) + ".tmp"
        stateTemp = sidecar + "/state.json.tmp"
    }
}
