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

        // MARK: - Kernel: ports, domain types, registry, config, errors, codecs
        .target(name: "PlugboardKernel", dependencies: ["CCrypto", "CCurl"], swiftSettings: strict),

        // MARK: - Adapters (each imports the kernel and its own C module only)
        .target(name: "StorageJSON", dependencies: ["PlugboardKernel"], swiftSettings: strict),
        .target(name: "StorageSQLite", dependencies: ["PlugboardKernel", "CSQLite"], swiftSettings: strict),

        // MARK: - Conformance suites (a library every adapter's tests run unchanged)
        .target(name: "PlugboardConformance", dependencies: ["PlugboardKernel"], swiftSettings: strict),

        // MARK: - Commands
        .target(name: "PlugboardCLI", dependencies: [
            "PlugboardKernel", "StorageJSON", "StorageSQLite", "PlugboardConformance", "CSQLite",
        ], swiftSettings: strict),
        .executableTarget(name: "plugboard", dependencies: ["PlugboardCLI"], swiftSettings: strict),

        // MARK: - Tests (mirror Sources/)
        .testTarget(name: "PlugboardKernelTests", dependencies: ["PlugboardKernel", "PlugboardConformance"], swiftSettings: strict),
        .testTarget(name: "StorageJSONTests", dependencies: ["StorageJSON", "PlugboardConformance"], swiftSettings: strict),
        .testTarget(name: "StorageSQLiteTests", dependencies: ["StorageSQLite", "PlugboardConformance", "CSQLite"], swiftSettings: strict),
        .testTarget(name: "PlugboardCLITests", dependencies: ["PlugboardCLI"], swiftSettings: strict),
    ]
)
