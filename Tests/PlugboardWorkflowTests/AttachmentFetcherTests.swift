import Foundation
import PlugboardKernel
@testable import PlugboardWorkflow
import Testing

@Suite("attachment URLs")
struct AttachmentFetcherTests {
    static let dns: @Sendable (String) throws -> [String] = { host in
        ["files.example.com": ["93.184.216.34"], "localhost": ["127.0.0.1", "::1"], "sneaky.example.com": ["93.184.216.34", "10.0.0.5"],
         "metadata.example.com": ["169.254.169.254"]][host] ?? []
    }

    func fetcher(_ body: Data = Data("file".utf8), status: Int = 200) -> HTTPAttachmentFetcher {
        HTTPAttachmentFetcher(transport: FakeHTTPTransport { _ in HTTPResponse(status: status, body: body) }, resolve: Self.dns)
    }

    @Test(arguments: ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                      "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1"])
    func internalAddressesAreNotPublic(_ a: String) {
        #expect(!IPAddressRules.isPublic(a))
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "11.0.0.1"])
    func publicAddressesArePublic(_ a: String) {
        #expect(IPAddressRules.isPublic(a))
    }

    @Test(arguments: [
        "http://localhost/admin", "http://127.0.0.1:8080/x", "http://[::1]/x", "https://sneaky.example.com/a.png",
        "http://metadata.example.com/latest/meta-data", "http://169.254.169.254/latest/meta-data/iam",
    ])
    func internalTargetsAreRefused(_ url: String) async {
        await #expect { try await fetcher().fetch(url, policy: AttachmentPolicy(nil)) } throws: { e in
            (e as? PlugboardError)?.code == .permissionDenied
        }
    }

    @Test(arguments: ["ftp://files.example.com/a", "file:///etc/passwd", "gopher://x/", "https://user:pw@files.example.com/a"])
    func otherSchemesAndCredentialsAreRefused(_ url: String) async {
        await #expect { try await fetcher().fetch(url, policy: AttachmentPolicy(nil)) } throws: { e in
            (e as? PlugboardError)?.code == .invalidInput
        }
    }

    @Test func allowlistAndPrivateOptIn() async throws {
        let only: AttachmentPolicy = AttachmentPolicy(["allowed_hosts": [".example.com"]])
        #expect(try await fetcher().fetch("https://files.example.com/a.png", policy: only) == Data("file".utf8))
        await #expect(throws: PlugboardError.self) { try await fetcher().fetch("https://evil.test/a.png", policy: only) }
        let internalOK = AttachmentPolicy(["allow_private": true])
        #expect(try await fetcher().fetch("http://localhost/a.txt", policy: internalOK) == Data("file".utf8))
    }

    @Test func sizeLimitAndHTTPErrors() async throws {
        let small = AttachmentPolicy(["max_bytes": 3])
        await #expect { try await fetcher().fetch("https://files.example.com/a", policy: small) } throws: { e in
            (e as? PlugboardError)?.message.contains("limit") == true
        }
        await #expect { try await fetcher(status: 404).fetch("https://files.example.com/a?token=secret", policy: AttachmentPolicy(nil)) } throws: { e in
            guard let p = e as? PlugboardError else { return false }
            return p.code == .notFound && !p.message.contains("secret")
        }
    }
}
