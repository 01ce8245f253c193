import Foundation

/// The files and edits for one new adapter of one port.
struct AdapterTemplate {
    static let ports = ["storage", "crm", "tasks", "objects", "llm", "notify"]

    let port: String
    let name: String
    /// `StorageRedis`, `CRMAcme`, ...
    let module: String
    /// `RedisStore`, `AcmeCRM`, ...
    let typeName: String

    init(port: String, name: String) throws {
        guard AdapterTemplate.ports.contains(port) else {
            throw ScaffoldError("unknown port \"\(port)\"; expected one of \(AdapterTemplate.ports.joined(separator: ", "))")
        }
        let valid = name.first.map { $0 >= "a" && $0 <= "z" } == true && name.count <= 32
            && name.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" } && !name.hasSuffix("-")
        guard valid else {
            throw ScaffoldError("invalid name \"\(name)\": lower-case letters, digits and dashes, starting with a letter (like redis or acme-crm)")
        }
        self.port = port
        self.name = name
        let camel = name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        let (prefix, suffix) = AdapterTemplate.naming[port]!
        module = prefix + camel
        typeName = camel + suffix
    }

    static let naming: [String: (module: String, type: String)] = [
        "storage": ("Storage", "Store"), "crm": ("CRM", "CRM"), "tasks": ("Tasks", "TaskTracker"),
        "objects": ("Objects", "ObjectStore"), "llm": ("LLM", "LanguageModel"), "notify": ("Notify", "Notifier"),
    ]

    /// `port.name` of every descriptor declared in the sources (`port: .storage, name: "sqlite"`).
    static func declaredAdapters(under sources: URL) throws -> Set<String> {
        var out: Set<String> = []
        let pattern = try NSRegularExpression(pattern: #"port:\s*\.(\w+),\s*name:\s*"([^"]+)""#)
        guard let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else { return out }
        for case let url as URL in files where url.pathExtension == "swift" {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                out.insert(String(text[Range(m.range(at: 1), in: text)!]) + "." + String(text[Range(m.range(at: 2), in: text)!]))
            }
        }
        return out
    }

    // MARK: - Edits

    /// Package.swift with the adapter's target (also a dependency of the CLI) and its test target.
    func addingTargets(to package: String) throws -> String {
        let marker = "        // MARK: - Conformance suites"
        let cli = #".target(name: "PlugboardCLI", dependencies: ["#
        guard package.contains(marker), package.contains(cli) else {
            throw ScaffoldError("Package.swift: cannot find \"\(marker.trimmingCharacters(in: .whitespaces))\" or the PlugboardCLI target; add the targets by hand (docs/ADAPTERS.md)")
        }
        let targets = "        .target(name: \"\(module)\", dependencies: [\"PlugboardKernel\"], swiftSettings: strict),\n"
            + "        .testTarget(name: \"\(module)Tests\", dependencies: [\"\(module)\", \"PlugboardConformance\"], swiftSettings: strict),\n\n"
        return package
            .replacingOccurrences(of: marker, with: targets + marker)
            .replacingOccurrences(of: cli, with: cli + "\n            \"\(module)\",")
    }

    /// BuiltinAdapters.swift with the module imported and the entry registered.
    func registering(in builtin: String) throws -> String {
        let list = "public static let registry = Registry(["
        guard builtin.contains(list), let firstImport = builtin.range(of: "import ") else {
            throw ScaffoldError("BuiltinAdapters.swift: cannot find \"\(list)\"; register \(typeName).registryEntry by hand")
        }
        var s = builtin
        s.replaceSubrange(firstImport.lowerBound..<firstImport.lowerBound, with: "import \(module)\n")
        return s.replacingOccurrences(of: list, with: list + "\n        \(typeName).registryEntry,")
    }

    // MARK: - Files

    var adapterSource: String {
        let env = name.uppercased().replacingOccurrences(of: "-", with: "_") + "_TOKEN"
        return """
            \(port == "objects" ? "import Foundation\n" : "")import PlugboardKernel

            /// The `\(name)` \(port) adapter.
            ///
            /// Implement each method of the port (its doc comment lists the
            /// implementation requirements), map native errors to `PlugboardError`
            /// in one place (`\(typeName)+Errors.swift`), and never retry: the
            /// policy layer does. `swift test --filter \(module)Tests` runs the
            /// port's conformance suite. See docs/ADAPTERS.md.
            public final class \(typeName): \(protocolName) {
                let url: String?
                let token: String?

                public init(url: String?, token: String?) {
                    self.url = url
                    self.token = token
                }

                public static let descriptor = AdapterDescriptor(
                    port: .\(port), name: "\(name)", summary: "TODO: one line saying what backs this adapter.",
                    fields: [
                        ConfigField("url", .string, "TODO: where the backend is."),
                        ConfigField("token", .string, secret: true, environment: "\(env)", "TODO: the credential, if any."),
                    ],
                    capabilities: [])

                public static let registryEntry = Registry.Entry(descriptor, .\(port) { settings, _ in
                    \(typeName)(url: settings.string("url"), token: settings.string("token"))
                })

                static func notImplemented(_ what: String) -> PlugboardError {
                    PlugboardError.unsupported("\\(what) is not implemented yet", adapter: "\(name)")
                }

            \(methods)
            }

            """
    }

    var protocolName: String {
        ["storage": "DocumentStore", "crm": "CRM", "tasks": "TaskTracker", "objects": "ObjectStore",
         "llm": "LanguageModel", "notify": "Notifier"][port]!
    }

    var methods: String {
        let body: String
        switch port {
        case "storage":
            body = """
                public func get(_ collection: CollectionSpec, id: String) async throws -> StoredDocument? {
                    throw Self.notImplemented("get")
                }

                public func put(_ collection: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
                    throw Self.notImplemented("put")
                }

                public func delete(_ collection: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
                    throw Self.notImplemented("delete")
                }

                public func query(_ collection: CollectionSpec, _ query: IndexQuery) async throws -> Page {
                    throw Self.notImplemented("query")
                }

                public func batchPut(_ collection: CollectionSpec, _ documents: [Document]) async throws {
                    throw Self.notImplemented("batchPut")
                }

                public func scan(_ collection: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
                    AsyncThrowingStream { $0.finish(throwing: Self.notImplemented("scan")) }
                }
                """
        case "crm":
            body = """
                public func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
                    throw Self.notImplemented("findOrCreateContact")
                }

                public func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket {
                    throw Self.notImplemented("createTicket")
                }

                public func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? {
                    throw Self.notImplemented("findOpenTicket")
                }

                public func ticket(id: String) async throws -> CRMTicket? {
                    throw Self.notImplemented("ticket")
                }

                public func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String {
                    throw Self.notImplemented("addNote")
                }

                public func updateTicket(id: String, properties: [String: JSON]) async throws {
                    throw Self.notImplemented("updateTicket")
                }

                public func linkTicket(_ ticketId: String, toContact contactId: String) async throws {
                    throw Self.notImplemented("linkTicket")
                }
                """
        case "tasks":
            body = """
                public func createTask(_ draft: TaskDraft) async throws -> TrackedTask {
                    throw Self.notImplemented("createTask")
                }

                public func updateDescription(taskId: String, markdown: String) async throws {
                    throw Self.notImplemented("updateDescription")
                }

                public func comment(taskId: String, text: String) async throws {
                    throw Self.notImplemented("comment")
                }
                """
        case "objects":
            body = """
                public func put(key: String, data: Data, contentType: String?) async throws -> ObjectInfo {
                    throw Self.notImplemented("put")
                }

                public func get(key: String) async throws -> Data {
                    throw Self.notImplemented("get")
                }

                public func head(key: String) async throws -> ObjectInfo? {
                    throw Self.notImplemented("head")
                }

                public func delete(key: String) async throws {
                    throw Self.notImplemented("delete")
                }

                public func url(for key: String, expiresIn: Duration) async throws -> String? {
                    throw Self.notImplemented("url(for:)")
                }
                """
        case "llm":
            body = """
                public func generate(_ request: LLMRequest) async throws -> LLMResponse {
                    throw Self.notImplemented("generate")
                }
                """
        default:
            body = """
                public func send(_ notification: TeamNotification) async throws {
                    throw Self.notImplemented("send")
                }
                """
        }
        return body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    }

    var testSource: String {
        let open = "try await Registry([\(typeName).registryEntry]).make\(makeSuffix)(\n"
            + "            AdapterSettings(port: .\(port), adapter: \"\(name)\", values: [:]), AdapterContext(registry: Registry()))"
        let harness: String
        switch port {
        case "storage":
            harness = """
                /// Opens the adapter for the storage conformance suite. Set the flags to what the backend does.
                struct \(typeName)Harness: StorageHarness {
                    var isPersistent: Bool { false }
                    var supportsConcurrentInstances: Bool { false }
                    func open(_ name: String) async throws -> any DocumentStore {
                        \(open)
                    }
                }
                """
        case "crm":
            harness = """
                /// Opens the adapter for the CRM conformance suite. Set the properties to what the backend does.
                struct \(typeName)Harness: CRMHarness {
                    func open() async throws -> any CRM {
                        \(open)
                    }
                    var closingProperties: [String: JSON] { ["status": "closed"] }
                    var textProperty: String { "description" }
                    var ticketsHaveURLs: Bool { false }
                    var findOrCreateIsAtomic: Bool { true }
                    var searchDelay: Duration { .zero }
                    func noteBodies(_ crm: any CRM, ticketId: String) async throws -> [String]? { nil }
                }
                """
        case "tasks":
            harness = """
                /// Opens the adapter for the tasks conformance suite. Set the properties to what the backend does.
                struct \(typeName)Harness: TaskTrackerHarness {
                    func open() async throws -> any TaskTracker {
                        \(open)
                    }
                    var discardsTasks: Bool { false }
                    var tasksHaveURLs: Bool { false }
                    var canInspect: Bool { false }
                    func inspect(_ tracker: any TaskTracker, taskId: String) async throws -> InspectedTask? { nil }
                }
                """
        case "objects":
            harness = """
                /// Opens the adapter for the objects conformance suite. Set `urls` to the declared capability.
                struct \(typeName)Harness: ObjectStoreHarness {
                    func open() async throws -> any ObjectStore {
                        \(open)
                    }
                    var urls: ObjectURLKind { .none }
                    func fetch(_ url: String) async throws -> Data? { nil }
                }
                """
        case "llm":
            harness = """
                /// Opens the adapter for the llm conformance suite. The generic cases run as is; for an
                /// HTTP API, put a fake of it behind the adapter, script its answers (`ScriptedAnswer`)
                /// and declare `.scripted` to run the error and token cases too (see the openai tests).
                struct \(typeName)Harness: LanguageModelHarness {
                    var capabilities: Set<LanguageModelConformance.Capability> { [] }

                    func open(script: ScriptedAnswer?) async throws -> OpenedLanguageModel {
                        guard script == nil else { throw PlugboardError(.unsupported, "no scripted backend yet") }
                        let model = \(open)
                        return OpenedLanguageModel(model: model)
                    }
                }
                """
        default:
            harness = """
                /// Opens the adapter for the notify conformance suite. `delivered` and `recorded` read back
                /// what the backend received (a file, a capture server, a fake endpoint): until they do,
                /// every case fails, as it should.
                struct \(typeName)Harness: NotifierHarness {
                    func open() async throws -> any Notifier {
                        \(open)
                    }
                    func delivered(_ notifier: any Notifier, subjectContaining marker: String, expected: Int) async throws -> [DeliveredNotification] {
                        throw PlugboardError(.unsupported, "read back what the backend received")
                    }
                    func recorded(_ notifier: any Notifier) async throws -> String {
                        throw PlugboardError(.unsupported, "return everything the backend received")
                    }
                    var deduplicatesByKey: Bool { false }
                    func openUnreachable() async throws -> UnreachableNotifier {
                        throw PlugboardError(.unsupported, "open the adapter against a backend that is down")
                    }
                }
                """
        }
        let suite = ["storage": "StorageConformance", "crm": "CRMConformance", "tasks": "TaskTrackerConformance",
                     "objects": "ObjectStoreConformance", "llm": "LanguageModelConformance", "notify": "NotifierConformance"][port]!
        // The llm suite lists the cases its harness can run (see LanguageModelConformance).
        let cases = port == "llm" ? "\(suite).cases(for: \(typeName)Harness())" : "\(suite).cases"
        let tests = """
            @Suite("\(name) \(port) conformance")
            struct \(typeName)ConformanceTests {
                @Test(arguments: \(cases))
                func conformance(_ c: \(suite).Case) async throws {
                    try await c.run(\(typeName)Harness())
                }
            }
            """
        return """
            import Foundation
            import PlugboardConformance
            import PlugboardKernel
            import \(module)
            import Testing

            \(harness)

            \(tests)

            """
    }

    var makeSuffix: String {
        ["storage": "Storage", "crm": "CRM", "tasks": "Tasks", "objects": "Objects", "llm": "LLM", "notify": "Notifier"][port]!
    }
}
