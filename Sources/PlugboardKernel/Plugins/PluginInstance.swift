import CPlugboardPlugin
import Dispatch
import Synchronization

/// One opened instance of a plugin's adapter: calls go through the C table as
/// JSON, on a Dispatch queue (a plugin may block), never on Swift's cooperative threads.
final class PluginInstance: @unchecked Sendable {
    // @unchecked: `handle` is the plugin's opaque instance, only passed back to
    // the plugin (which must accept concurrent calls, per plugboard_plugin.h);
    // `state` guards it against use after close.
    let library: PluginLibrary
    private let handle: UnsafeMutableRawPointer
    /// Calls in flight, and whether close was asked: the plugin's close runs when both allow it.
    private let state = Mutex<(inFlight: Int, closing: Bool, closed: Bool)>((0, false, false))
    private static let queue = DispatchQueue(label: "plugboard.plugins", attributes: .concurrent)

    private init(library: PluginLibrary, handle: UnsafeMutableRawPointer) {
        self.library = library
        self.handle = handle
    }

    /// Ports other than storage have no close: the instance is released when its wrapper goes away,
    /// on the plugins' queue (the plugin's close may block, and deinit may run on a cooperative thread).
    deinit {
        let closeNow = state.withLock { s in
            defer { s.closing = true; s.closed = true }
            return !s.closed
        }
        guard closeNow else { return }
        let release = HandleRelease(close: library.table.pointee.close, handle: handle)
        PluginInstance.queue.async { release.run() }
    }

    var adapter: String { library.descriptor.name }

    /// Opens an instance with the section's values (policy fields left out: the kernel applies them).
    static func open(_ library: PluginLibrary, settings: AdapterSettings) async throws -> PluginInstance {
        var values = settings.values
        for f in AdapterDescriptor.policyFields { values[f.name] = nil }
        let text = JSON.object(values).serialized()
        let name = library.descriptor.name
        return try await withCheckedThrowingContinuation { cont in
            queue.async {
                let table = library.table
                var error: UnsafeMutablePointer<CChar>?
                if let h = table.pointee.open(text, &error) {
                    cont.resume(returning: PluginInstance(library: library, handle: h))
                    return
                }
                var reported: JSON = .null
                if let error {
                    reported = (try? JSONParser.parse(String(cString: error))) ?? .string(String(cString: error))
                    table.pointee.free_string(error)
                }
                cont.resume(throwing: PluginInstance.error(from: reported, adapter: name, operation: "open"))
            }
        }
    }

    /// Runs one operation; returns the `ok` value or throws the plugin's error as a `PlugboardError`.
    func call(_ operation: String, _ arguments: JSON) async throws -> JSON {
        try state.withLock { s in
            guard !s.closing else { throw PlugboardError(.internal, "\(operation) after close", adapter: adapter) }
            s.inFlight += 1
        }
        defer { finishCall() }
        let text = arguments.serialized()
        let raw: String = await withCheckedContinuation { cont in
            PluginInstance.queue.async { [self] in
                let table = library.table
                guard let result = table.pointee.call(handle, operation, text) else {
                    cont.resume(returning: "")
                    return
                }
                let s = String(cString: result)
                table.pointee.free_string(result)
                cont.resume(returning: s)
            }
        }
        guard let reply = try? JSONParser.parse(raw), case .object(let o) = reply else {
            throw PlugboardError(.internal, "\(operation): the plugin returned \(raw.isEmpty ? "nothing" : "something that is not a JSON object")",
                                 adapter: adapter, cause: library.path)
        }
        if let e = o["error"] { throw PluginInstance.error(from: e, adapter: adapter, operation: operation) }
        guard let ok = o["ok"] else {
            throw PlugboardError(.internal, "\(operation): the plugin's reply has neither \"ok\" nor \"error\"", adapter: adapter)
        }
        return ok
    }

    private func finishCall() {
        let closeNow = state.withLock { s in
            s.inFlight -= 1
            if s.closing && s.inFlight == 0 && !s.closed { s.closed = true; return true }
            return false
        }
        if closeNow { library.table.pointee.close(handle) }
    }

    /// Releases the instance once the calls in flight are done. Idempotent.
    func close() {
        let closeNow = state.withLock { s in
            s.closing = true
            if s.inFlight == 0 && !s.closed { s.closed = true; return true }
            return false
        }
        if closeNow { library.table.pointee.close(handle) }
    }

    /// A plugin's `{"code", "message", "retryable", "retry_after"}` as a `PlugboardError`.
    /// The llm port's `invalid_answer` and `refusal` become `PlugboardError.invalidAnswer` / `.refusal`.
    static func error(from e: JSON, adapter: String, operation: String) -> PlugboardError {
        let message = e["message"]?.stringValue ?? e.stringValue ?? "\(operation) failed (the plugin gave no message)"
        let code: PlugboardError.Code
        switch e["code"]?.stringValue ?? "" {
        case "not_found", "notFound": code = .notFound
        case "conflict": code = .conflict
        case "invalid_configuration", "invalidConfiguration": code = .invalidConfiguration
        case "unauthenticated": code = .unauthenticated
        case "permission_denied", "permissionDenied": code = .permissionDenied
        case "rate_limited", "rateLimited": code = .rateLimited
        case "unavailable": code = .unavailable
        case "unsupported": code = .unsupported
        case "invalid_input", "invalidInput": code = .invalidInput
        case "invalid_answer", "invalidAnswer": return .invalidAnswer(message, adapter: adapter)
        case "refusal": return .refusal(message, adapter: adapter)
        default: code = .internal
        }
        let retryAfter = e["retry_after"]?.doubleValue.flatMap { $0.isFinite && $0 >= 0 && $0 < 86_400 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        return PlugboardError(code, message, adapter: adapter, retryable: e["retryable"]?.boolValue, retryAfter: retryAfter)
    }
}

/// The plugin's close function and the instance it releases, carried to the plugins' queue.
private struct HandleRelease: @unchecked Sendable {
    // @unchecked: the handle is the plugin's opaque instance, used here once and by no one else
    // (the PluginInstance that owned it is gone); the function pointer is from read-only data.
    let close: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?
    let handle: UnsafeMutableRawPointer

    func run() { close?(handle) }
}
