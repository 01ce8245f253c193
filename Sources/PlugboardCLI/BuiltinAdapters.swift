import AdaptersLocal
import ObjectsFilesystem
import PlugboardWorkflow
import StorageJSON
import StoragePostgres
import PlugboardKernel

/// Every adapter compiled into the `plugboard` binary. The CLI and the server
/// are the only places that know them all.
public enum BuiltinAdapters {
    public static let registry = Registry([
        MemoryStore.registryEntry,
        JSONFileStore.registryEntry,
        PostgresStore.registryEntry,
        LocalCRM.registryEntry,
        LocalTaskTracker.registryEntry,
        DiscardingTaskTracker.registryEntry,
        FilesystemObjectStore.registryEntry,
        LogNotifier.registryEntry,
    ])

    /// Downloads attachment URLs for the workflow (set once the HTTP transport is built in).
    static let attachmentFetcher: (any AttachmentFetching)? = nil
}

/// Foundation has a `Port` class too; inside the CLI, `Port` means the kernel's.
typealias Port = PlugboardKernel.Port
