import AdaptersLocal
import LLMAnthropic
import LLMFallback
import LLMGemini
import LLMOpenAI
import CRMHubSpot
import CRMNotion
import LLMRules
import NotifySMTP
import NotifyWebhook
import ObjectsFilesystem
import ObjectsS3
import PlugboardWorkflow
import StorageDynamoDB
import StorageJSON
import StorageSQLite
import StoragePostgres
import PlugboardKernel
import TasksClickUp

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
        HubSpotCRM.registryEntry,
        NotionCRM.registryEntry,
        LocalTaskTracker.registryEntry,
        DiscardingTaskTracker.registryEntry,
        ClickUpTaskTracker.registryEntry,
        FilesystemObjectStore.registryEntry,
        S3ObjectStore.registryEntry,
        LogNotifier.registryEntry,
        SMTPNotifier.registryEntry,
        WebhookNotifier.registryEntry,
        RulesLanguageModel.registryEntry,
        OpenAILanguageModel.registryEntry,
        AnthropicLanguageModel.registryEntry,
        GeminiLanguageModel.registryEntry,
        FallbackLanguageModel.registryEntry,
    ])

    /// The reply templates a CRM keeps (Notion's `templates_database`), to merge
    /// over the `workflow` section's: the workflow reads templates from its settings.
    /// The CRM is built through `registry`, as the port's own adapter is.
    static func responseTemplates(_ config: PlugboardConfig, registry: Registry) async throws -> [String: String] {
        guard let s = config.settings(.crm), s.string("templates_database") != nil,
              let notion = try await registry.makeCRM(s, AdapterContext(registry: registry)) as? NotionCRM else { return [:] }
        return try await notion.responseTemplates()
    }

    /// Downloads attachment URLs for the workflow, under `workflow.attachments`.
    static let attachmentFetcher: (any AttachmentFetching)? = HTTPAttachmentFetcher(transport: CurlTransport())
}

/// Foundation has a `Port` class too; inside the CLI, `Port` means the kernel's.
typealias Port = PlugboardKernel.Port
