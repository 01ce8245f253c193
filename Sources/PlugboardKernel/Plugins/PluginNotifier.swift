/// A `Notifier` whose work is done by a run-time plugin, over the notify
/// operations of `plugboard_plugin.h` (contract version 1, docs/ADAPTERS.md).
final class PluginNotifier: Notifier {
    let instance: PluginInstance

    init(instance: PluginInstance) { self.instance = instance }

    func send(_ n: TeamNotification) async throws {
        _ = try await instance.call("send", [
            "subject": .string(n.subject), "text": .string(n.text),
            "ticket_id": n.ticketId.map(JSON.string) ?? .null, "url": n.url.map(JSON.string) ?? .null,
            "key": n.key.map(JSON.string) ?? .null,
        ])
    }
}

extension PluginNotifier: HealthChecking {
    /// The plugin's `check`; without one, the notify port has no read-only call to try.
    func check() async -> HealthCheck {
        await instance.pluginCheck() ?? .passed("plugin \(instance.library.path) loaded (it has no check operation)")
    }
}
