import PlugboardKernel

/// One adapter's line in `plugboard doctor`, and the checks behind it.
struct DoctorResult: Sendable {
    var port: Port
    var adapter: String
    var check: HealthCheck

    var json: JSON {
        ["port": .string(port.rawValue), "adapter": .string(adapter), "ok": .bool(check.ok),
         "detail": .string(check.detail), "hint": check.hint.map(JSON.string) ?? .null]
    }

    /// An id no one uses: reading it exercises the connection, credentials and table without writing.
    static let probeId = "plugboard-doctor-check"

    /// Builds the adapter (without the policy layer: no retries hide a failure) and checks it.
    static func check(_ port: Port, _ s: AdapterSettings, _ adapters: Adapters) async -> HealthCheck {
        let r = adapters.registry
        do {
            // The store the other adapters use too (one open store: file stores lock their file), under no layer.
            // A broken store fails the storage line; other ports see it only if they keep data there.
            func unpoliced() async throws -> any DocumentStore {
                let policed = try await adapters.storage()
                return (policed as? PolicyStore)?.base ?? policed
            }
            let store = port == .storage ? try await unpoliced() : try? await unpoliced()
            let context = AdapterContext(registry: r, storage: store)
            switch port {
            case .storage:
                guard let store else { return .failed("no store", hint: nil) }
                if let h = store as? any HealthChecking { return await h.check() }
                _ = try await store.get(.tickets, id: probeId)
                return .passed("read from the \(CollectionSpec.tickets.name) collection")
            case .crm:
                let crm = try await r.makeCRM(s, context)
                if let h = crm as? any HealthChecking { return await h.check() }
                _ = try await crm.ticket(id: probeId)  // nil when missing, per the port: an error is a real failure
                return .passed("read a ticket")
            case .objects:
                let objects = try await r.makeObjects(s, context)
                if let h = objects as? any HealthChecking { return await h.check() }
                _ = try await objects.head(key: probeId)
                return .passed("looked up an object")
            case .tasks:
                let tasks = try await r.makeTasks(s, context)
                if let h = tasks as? any HealthChecking { return await h.check() }
                return .passed("built (the tasks port has no read-only call to try)")
            case .llm:
                let llm = try await r.makeLLM(s, context)
                if let h = llm as? any HealthChecking { return await h.check() }
                return .passed("built (no live check without a paid call)")
            case .notify:
                let notifier = try await r.makeNotifier(s, context)
                if let h = notifier as? any HealthChecking { return await h.check() }
                return .passed("built (the notify port has no read-only call to try)")
            }
        } catch {
            let e = PlugboardError.wrap(error, adapter: s.adapter)
            return .failed(e.description, hint: hint(e, s))
        }
    }

    /// What to do about a failed check, from the error's code.
    static func hint(_ e: PlugboardError, _ s: AdapterSettings) -> String? {
        if let underneath = e.adapter, underneath != s.adapter {
            return "\(s.adapter) works through the \(underneath) adapter: fix that one's line first"
        }
        switch e.code {
        case .unauthenticated: return "check the credentials in \(s.path) (secret fields or their environment variables)"
        case .permissionDenied: return "the credentials are accepted but may not use this resource: grant access"
        case .notFound: return "the table, bucket or resource named in \(s.path) does not exist: create it"
        case .unavailable: return "is the service running and reachable at the endpoint / url in \(s.path)?"
        case .invalidConfiguration: return "fix \(s.path) in the configuration"
        case .rateLimited: return "rate limited by the service: try again later"
        default: return nil
        }
    }

    /// The workflow steps that work less well with these adapters, from their names and capabilities.
    static func degradations(_ ds: [AdapterDescriptor]) -> [String] {
        var out: [String] = []
        for d in ds {
            switch d.port {
            case .objects where !d.capabilities.contains("presigned_urls"):
                out.append("attachments (\(d.name)): no presigned, expiring links; links in CRM notes and notifications are "
                           + (d.capabilities.contains("public_urls") ? "public URLs when configured, otherwise left out" : "left out"))
            case .tasks where d.name == "none":
                out.append("tasks (none): no follow-up task is created for categories that ask for one")
            case .llm where d.capabilities.contains("offline"):
                out.append("classification and reply drafts (\(d.name)): keyword rules, not a language model")
            case .notify where d.name == "log":
                out.append("notifications (log): written to the log only; nobody is e-mailed")
            case .crm where d.name == "local":
                out.append("crm (local): tickets and contacts live in the configured store; no external CRM")
            default:
                break
            }
        }
        return out
    }

    /// `body`'s result, or nil when it takes longer than `seconds`.
    static func withTimeout(_ seconds: Double, _ body: @escaping @Sendable () async -> HealthCheck) async -> HealthCheck? {
        await withTaskGroup(of: HealthCheck?.self) { g in
            g.addTask { await body() }
            g.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = await g.next() ?? nil
            g.cancelAll()
            return first
        }
    }
}
