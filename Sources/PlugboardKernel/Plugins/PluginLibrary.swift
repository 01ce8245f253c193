import CPlugboardPlugin
import Foundation
import Synchronization

/// A shared library that provides an adapter over the C ABI of
/// `plugboard_plugin.h`: loaded once per path, kept loaded for the life of the
/// process (instances may still point into it), checked before use.
///
/// Why a C ABI rather than a Swift dynamic library: only JSON strings cross the
/// boundary, so no Swift type layout is shared, the plugin can be built with
/// another compiler version (or in C, Rust, ...), and a version mismatch is
/// detected by reading one integer instead of crashing on a cast.
public final class PluginLibrary: @unchecked Sendable {
    // @unchecked: `table` points into the loaded library's read-only data,
    // which never changes and is never unloaded (no dlclose).
    /// The file it was loaded from.
    public let path: String
    /// The adapter it provides, as described by the plugin.
    public let descriptor: AdapterDescriptor
    let table: UnsafePointer<plugboard_plugin_v1>

    private init(path: String, descriptor: AdapterDescriptor, table: UnsafePointer<plugboard_plugin_v1>) {
        self.path = path
        self.descriptor = descriptor
        self.table = table
    }

    /// The ABI version this kernel speaks.
    public static let abiVersion = UInt32(PLUGBOARD_PLUGIN_ABI_VERSION)
    /// The storage operations' version this kernel speaks.
    public static let storageContractVersion = UInt32(PLUGBOARD_STORAGE_CONTRACT_VERSION)

    /// The version of a port's JSON operations this kernel speaks (`PLUGBOARD_<PORT>_CONTRACT_VERSION`).
    public static func contractVersion(of port: Port) -> UInt32 {
        switch port {
        case .storage: return UInt32(PLUGBOARD_STORAGE_CONTRACT_VERSION)
        case .crm: return UInt32(PLUGBOARD_CRM_CONTRACT_VERSION)
        case .tasks: return UInt32(PLUGBOARD_TASKS_CONTRACT_VERSION)
        case .objects: return UInt32(PLUGBOARD_OBJECTS_CONTRACT_VERSION)
        case .llm: return UInt32(PLUGBOARD_LLM_CONTRACT_VERSION)
        case .notify: return UInt32(PLUGBOARD_NOTIFY_CONTRACT_VERSION)
        }
    }

    private static let loaded = Mutex<[String: PluginLibrary]>([:])

    /// Loads the library at `path` (once per process) and checks its versions.
    /// Every failure is an `.invalidConfiguration` error naming the file; none crashes.
    public static func load(path: String) throws -> PluginLibrary {
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        if let l = loaded.withLock({ $0[key] }) { return l }
        let library = try open(key)
        return loaded.withLock { l in
            if let existing = l[key] { return existing }
            l[key] = library
            return library
        }
    }

    private static func open(_ path: String) throws -> PluginLibrary {
        func fail(_ what: String) -> PlugboardError {
            PlugboardError.invalidConfiguration("plugin \(path): \(what)")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw fail("no such file (paths in \"plugins\" are relative to the config file)")
        }
        // RTLD_LOCAL: the plugin's symbols stay its own, so two plugins never bind to each other's.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw fail("cannot be loaded: \(reason)")
        }
        guard let symbol = dlsym(handle, PLUGBOARD_PLUGIN_ENTRY_SYMBOL) else {
            throw fail("does not export \(PLUGBOARD_PLUGIN_ENTRY_SYMBOL) (is it a Plugboard plugin? see docs/ADAPTERS.md)")
        }
        let entry = unsafeBitCast(symbol, to: plugboard_plugin_entry_fn.self)
        guard let table = entry() else { throw fail("\(PLUGBOARD_PLUGIN_ENTRY_SYMBOL)() returned NULL") }
        // The version is the first field of every table version: read it alone before trusting the layout.
        let abi = UnsafeRawPointer(table).load(as: UInt32.self)
        guard abi == abiVersion else {
            throw fail("built for plugin ABI version \(abi), this plugboard speaks version \(abiVersion); rebuild the plugin against this release's plugboard_plugin.h")
        }
        let t = table.pointee
        guard let portText = t.port.map({ String(cString: $0) }), let port = Port(rawValue: portText) else {
            let known = Port.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("declares an unknown port \(t.port.map { "\"\(String(cString: $0))\"" } ?? "(null)"); known ports: \(known)")
        }
        let expected = contractVersion(of: port)
        guard t.contract_version == expected else {
            throw fail("implements \(port.rawValue) contract version \(t.contract_version), this plugboard speaks version \(expected); rebuild the plugin against this release's plugboard_plugin.h")
        }
        guard let nameC = t.name, t.open != nil, t.call != nil, t.close != nil, t.free_string != nil else {
            throw fail("has an incomplete entry table (name, open, call, close and free_string are required)")
        }
        let name = String(cString: nameC)
        let descriptorText = t.descriptor_json.map { String(cString: $0) } ?? "{}"
        let descriptor = try PluginLibrary.descriptor(port: port, name: name, json: descriptorText, fail: fail)
        return PluginLibrary(path: path, descriptor: descriptor, table: table)
    }

    /// The registry entry that opens instances of this plugin's adapter, behind the
    /// port's wrapper (`PluginDocumentStore`, `PluginTaskTracker`, ...): the registry,
    /// config validation, `doctor` and the policy layer see it like a built-in adapter.
    public var registryEntry: Registry.Entry {
        let factory: AdapterFactory
        switch descriptor.port {
        case .storage:
            factory = .storage { [self] settings, _ in try await PluginDocumentStore(instance: PluginInstance.open(self, settings: settings)) }
        case .crm:
            factory = .crm { [self] settings, _ in try await PluginCRM(instance: PluginInstance.open(self, settings: settings)) }
        case .tasks:
            factory = .tasks { [self] settings, _ in try await PluginTaskTracker(instance: PluginInstance.open(self, settings: settings)) }
        case .objects:
            factory = .objects { [self] settings, _ in try await PluginObjectStore(instance: PluginInstance.open(self, settings: settings)) }
        case .llm:
            factory = .llm { [self] settings, _ in try await PluginLanguageModel(instance: PluginInstance.open(self, settings: settings)) }
        case .notify:
            factory = .notify { [self] settings, _ in try await PluginNotifier(instance: PluginInstance.open(self, settings: settings)) }
        }
        return Registry.Entry(descriptor, factory)
    }
}
