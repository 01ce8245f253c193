import AdaptersLocal
import LLMAnthropic
import LLMFallback
import LLMGemini
import LLMOpenAI
import LLMRules
import ObjectsFilesystem
import ObjectsS3
import PlugboardWorkflow
import StorageDynamoDB
import StorageJSON
import StorageSQLite
import StoragePostgres
import PlugboardKernel

/// Every adapter compiled into the `plugboard` binary. The CLI and the server
/// are the only places that know them all.
public enum BuiltinAdapters {
    public static let registry = Registry([
        MemoryStore.registryEntry,
        JSONFileStore.registryEntry,
        SQLiteStore.registryEntry,
        PostgresStore.registryEntry,
        DynamoDBStore.registryEntry,
        LocalCRM.registryEntry,
        LocalTaskTracker.registryEntry,
        DiscardingTaskTracker.registryEntry,
        FilesystemObjectStore.registryEntry,
        S3ObjectStore.registryEntry,
        LogNotifier.registryEntry,
        RulesLanguageModel.registryEntry,
        OpenAILanguageModel.registryEntry,
        AnthropicLanguageModel.registryEntry,
        GeminiLanguageModel.registryEntry,
        FallbackLanguageModel.registryEntry,
    ])

    /// Downloads attachment URLs for the workflow, under `workflow.attachments`.
    static let attachmentFetcher: (any AttachmentFetching)? = HTTPAttachmentFetcher(transport: CurlTransport())
}

/// Foundation has a `Port` class too; inside the CLI, `Port` means the kernel's.
typealias Port = PlugboardKernel.Port
