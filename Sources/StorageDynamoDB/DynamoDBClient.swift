import Foundation
import PlugboardKernel

/// DynamoDB's JSON protocol: one signed `POST /` per operation, with
/// `X-Amz-Target: DynamoDB_20120810.<Operation>` and an
/// `application/x-amz-json-1.0` body. Errors are mapped in `DynamoDBClient+Errors.swift`.
struct DynamoDBClient: Sendable {
    static let targetPrefix = "DynamoDB_20120810."
    static let contentType = "application/x-amz-json-1.0"

    /// `scheme://host[:port]/`.
    let url: String
    let endpoint: URLParts
    let signer: SigV4Signer
    let transport: any HTTPTransport
    let logger: Logger

    init(endpoint: String, region: String, credentials: AWSCredentials, transport: any HTTPTransport, logger: Logger) throws {
        guard let parts = URLParts(endpoint) else {
            throw PlugboardError.invalidConfiguration("dynamodb: endpoint \"\(endpoint)\" is not an http(s) URL", adapter: "dynamodb")
        }
        self.endpoint = parts
        self.url = "\(parts.scheme)://\(parts.host)\(parts.port.map { ":\($0)" } ?? "")\(parts.path.isEmpty ? "/" : parts.path)"
        self.signer = SigV4Signer(credentials: credentials, region: region, service: "dynamodb")
        self.transport = transport
        self.logger = logger
    }

    /// Runs one operation and returns its output shape.
    /// - Parameter table: named in error messages (`ResourceNotFoundException`).
    func call(_ operation: String, _ input: JSON, table: String? = nil) async throws -> JSON {
        try await call(operation, body: input.serializedBytes(), table: table)
    }

    /// Runs one operation whose input is already serialized (bulk writes build it as bytes).
    func call(_ operation: String, body: [UInt8], table: String? = nil) async throws -> JSON {
        var request = HTTPRequest(method: .post, url: url, body: body)
        request.headers.add("Content-Type", DynamoDBClient.contentType)
        request.headers.add("X-Amz-Target", DynamoDBClient.targetPrefix + operation)
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(try signer.sign(request))
        } catch {
            throw PlugboardError.wrap(error, adapter: "dynamodb")
        }
        let elapsed = ContinuousClock.now - started
        logger.debug("dynamodb \(operation)\(table.map { " \($0)" } ?? "") -> \(response.status) in \(elapsed.milliseconds) ms")
        guard response.status == 200 else {
            throw error(operation: operation, table: table, response: response)
        }
        do {
            return try response.json()
        } catch {
            throw PlugboardError(.unavailable, "DynamoDB \(operation) at \(endpoint.authority): the response is not JSON",
                                 adapter: "dynamodb", cause: "HTTP 200")
        }
    }
}
