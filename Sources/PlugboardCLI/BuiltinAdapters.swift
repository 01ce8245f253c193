import PlugboardKernel

/// Every adapter compiled into the `plugboard` binary. The CLI and the server
/// are the only places that know them all.
public enum BuiltinAdapters {
    public static let registry = Registry([
        MemoryStore.registryEntry,
    ])
}

/// Foundation has a `Port` class too; inside the CLI, `Port` means the kernel's.
typealias Port = PlugboardKernel.Port
