// swift-tools-version:6.1
// Plugboard: a support-ticket kernel whose backends plug in by configuration.
// No Swift package dependencies: the toolchain and Debian's C libraries only.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Plugboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "plugboard", targets: ["plugboard"]),
        .library(name: "PlugboardKernel", targets: ["PlugboardKernel"]),
        .library(name: "PlugboardConformance", targets: ["PlugboardConformance"]),
    ],
    targets: [
        // MARK: - System libraries (Debian -dev packages)
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The C ABI of adapters loaded at run time (header only; C plugins include it too).
        .systemLibrary(name: "CPlugboardPlugin"),
        // Header-only: epoll and eventfd from glibc, which Swift's Glibc module leaves out (the server's event loops).
        .systemLibrary(name: "CEpoll"),

        // MARK: - Kernel: ports, domain types, registry, config, errors, codecs
        .target(name: "PlugboardKernel", dependencies: ["CCrypto", "CCurl", "CPlugboardPlugin"], swiftSettings: strict),

        // MARK: - Adapters (each imports the kernel and its own C module only)
        .target(name: "StorageJSON", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "StorageSQLite", dependencies: ["PlugboardKernel", "CSQLite"], swiftSettings: strict),
        .target(name: "StorageDynamoDB", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "StoragePostgres", dependencies: ["PlugboardKernel", "CLibPQ"], swiftSettings: strict),
        // The embedded defaults kept in the configured store or the process: crm `local`, tasks `local` / `none`, notify `log`.
        .target(name: "AdaptersLocal", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "ObjectsFilesystem", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "ObjectsS3", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "LLMRules", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "LLMOpenAI", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "LLMAnthropic", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "LLMGemini", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        // The `fallback` chain: builds its links through the registry, each under its own policy layer.
        .target(name: "LLMFallback", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        // Vendor CRMs, the ClickUp tracker and the notifiers (HTTP through the kernel's transport; SMTP through libcurl).
        .target(name: "CRMHubSpot", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "CRMNotion", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "NotifySMTP", dependencies: ["PlugboardKernel", "CCurl"], swiftSettings: strict),
        .target(name: "TasksClickUp", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "NotifyWebhook", dependencies: ["PlugboardKernel"], swiftSettings: strict),

        // MARK: - Conformance suites (a library every adapter's tests run unchanged)
        .target(name: "PlugboardConformance", dependencies: ["PlugboardKernel"], swiftSettings: strict),

        // MARK: - The shared ticket workflow (sees ports, never adapters)
        .target(name: "PlugboardWorkflow", dependencies: ["PlugboardKernel"], swiftSettings: strict),

        // MARK: - The HTTP server (webhook, tickets API, metrics) on POSIX sockets and epoll
        .target(name: "PlugboardServer", dependencies: ["PlugboardKernel", "PlugboardWorkflow", "CCrypto", "CEpoll"], swiftSettings: strict),

        // MARK: - Commands
        .target(name: "PlugboardCLI", dependencies: [
            "PlugboardKernel", "PlugboardWorkflow", "StorageJSON", "StorageSQLite", "StoragePostgres", "AdaptersLocal", "ObjectsFilesystem",
            "LLMRules", "LLMOpenAI", "LLMAnthropic", "LLMGemini", "LLMFallback", "StorageDynamoDB", "ObjectsS3",
            "CRMHubSpot", "CRMNotion", "TasksClickUp", "NotifySMTP", "NotifyWebhook",
            "PlugboardServer", "PlugboardConformance", "CSQLite",
        ], swiftSettings: strict),
        .executableTarget(name: "plugboard", dependencies: ["PlugboardCLI"], swiftSettings: strict),

        // MARK: - Tests (mirror Sources/)
        .testTarget(name: "PlugboardKernelTests", dependencies: ["PlugboardKernel", "PlugboardConformance"], swiftSettings: strict),
        .testTarget(name: "StorageJSONTests", dependencies: ["StorageJSON", "PlugboardConformance"], swiftSettings: strict),
        .testTarget(name: "StorageSQLiteTests", dependencies: ["StorageSQLite", "PlugboardConformance", "CSQLite"], swiftSettings: strict),
        .testTarget(name: "StorageDynamoDBTests", dependencies: ["StorageDynamoDB", "PlugboardConformance", "VendorFakes"], swiftSettings: strict),
        .testTarget(name: "AdaptersLocalTests", dependencies: ["AdaptersLocal", "PlugboardConformance"], swiftSettings: strict),
        .testTarget(name: "ObjectsFilesystemTests", dependencies: ["ObjectsFilesystem", "PlugboardConformance"], swiftSettings: strict),
        .testTarget(name: "ObjectsS3Tests", dependencies: ["ObjectsS3", "PlugboardConformance", "VendorFakes"], swiftSettings: strict),
        .testTarget(name: "PlugboardWorkflowTests", dependencies: [
            "PlugboardWorkflow", "AdaptersLocal", "ObjectsFilesystem", "StorageSQLite", "StoragePostgres",
        ], swiftSettings: strict),
        .testTarget(name: "StoragePostgresTests", dependencies: ["StoragePostgres", "PlugboardConformance", "CLibPQ"], swiftSettings: strict),
        .testTarget(name: "LLMRulesTests", dependencies: ["LLMRules", "PlugboardConformance"], swiftSettings: strict),
        .testTarget(name: "LLMOpenAITests", dependencies: ["LLMOpenAI", "PlugboardConformance", "VendorFakes"], swiftSettings: strict),
        .testTarget(name: "LLMAnthropicTests", dependencies: ["LLMAnthropic", "PlugboardConformance", "VendorFakes"], swiftSettings: strict),
        .testTarget(name: "LLMGeminiTests", dependencies: ["LLMGemini", "PlugboardConformance", "VendorFakes"], swiftSettings: strict),
        .testTarget(name: "LLMFallbackTests", dependencies: ["LLMFallback", "LLMOpenAI", "LLMAnthropic", "LLMGemini", "LLMRules",
                                                                   "PlugboardConformance", "VendorFakes"],
                    swiftSettings: strict),

        .testTarget(name: "PlugboardCLITests", dependencies: [
            "PlugboardCLI", "VendorFakes", "CRMHubSpot", "CRMNotion", "TasksClickUp", "StorageDynamoDB", "AdaptersLocal",
        ], swiftSettings: strict),
        // In-memory HubSpot, Notion and ClickUp servers (following reference/), shared by the adapters' and the CLI's tests;
        // also the moto server's settings, shared by the S3 and DynamoDB tests.
        .target(name: "VendorFakes", dependencies: ["PlugboardKernel", "PlugboardConformance"], path: "Tests/VendorFakes", swiftSettings: strict),
        .testTarget(name: "CRMHubSpotTests", dependencies: ["CRMHubSpot", "PlugboardConformance", "VendorFakes"], swiftSettings: strict),
        .testTarget(name: "CRMNotionTests", dependencies: ["CRMNotion", "PlugboardConformance", "VendorFakes"], swiftSettings: strict),
        .testTarget(name: "NotifySMTPTests", dependencies: ["NotifySMTP", "PlugboardConformance"], swiftSettings: strict),
        .testTarget(name: "TasksClickUpTests", dependencies: ["TasksClickUp", "PlugboardConformance", "VendorFakes"], swiftSettings: strict),
        .testTarget(name: "NotifyWebhookTests", dependencies: ["NotifyWebhook", "VendorFakes", "PlugboardConformance"], swiftSettings: strict),

        .testTarget(name: "PlugboardServerTests", dependencies: ["PlugboardServer", "PlugboardCLI", "PlugboardWorkflow"], swiftSettings: strict),

        // MARK: - SwiftPM plugins
        // `swift package --allow-writing-to-package-directory scaffold-adapter --port storage --name redis`
        .plugin(name: "ScaffoldAdapter", capability: .command(
            intent: .custom(verb: "scaffold-adapter", description: "Create a new adapter module, its conformance test target, and register it"),
            permissions: [.writeToPackageDirectory(reason: "writes Sources/<Module>, Tests/<Module>Tests, Package.swift and BuiltinAdapters.swift")])),
    ]
)
