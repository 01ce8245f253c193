import Foundation
import PlugboardKernel

/// The one place DynamoDB errors become `PlugboardError`s.
extension DynamoDBClient {
    /// The error type and message of a failed call: JSON (`__type`, `message`)
    /// as AWS sends it, or XML (`<Code>`, `<Message>`) as moto sends auth errors.
    struct ServiceError {
        var type: String
        var message: String
        /// `TransactionCanceledException` reasons, in request order (`None` for fine actions).
        var cancellationReasons: [String] = []
    }

    static func parse(_ response: HTTPResponse) -> ServiceError {
        if let json = try? response.json(), case .object(let o) = json {
            let rawType = o["__type"]?.stringValue ?? o["code"]?.stringValue ?? ""
            let type = rawType.split(separator: "#").last.map(String.init) ?? rawType
            let message = o["message"]?.stringValue ?? o["Message"]?.stringValue ?? ""
            let reasons = o["CancellationReasons"]?.arrayValue?.map { $0["Code"]?.stringValue ?? "None" } ?? []
            if !type.isEmpty { return ServiceError(type: type, message: message, cancellationReasons: reasons) }
        }
        let text = response.text
        if let code = xmlElement("Code", in: text) {
            return ServiceError(type: code, message: xmlElement("Message", in: text) ?? "")
        }
        let headerType = response.header("x-amzn-ErrorType")?.split(separator: ":").first.map(String.init)
        return ServiceError(type: headerType ?? "HTTP \(response.status)", message: String(text.prefix(200)))
    }

    private static func xmlElement(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    func error(operation: String, table: String?, response: HTTPResponse) -> PlugboardError {
        let e = DynamoDBClient.parse(response)
        let cause = "\(e.type) (HTTP \(response.status))"
        let where_ = "DynamoDB \(operation)\(table.map { " on table \($0)" } ?? "") at \(endpoint.authority)"
        let detail = e.message.isEmpty ? e.type : "\(e.type): \(e.message)"
        func make(_ code: PlugboardError.Code, _ message: String, retryable: Bool? = nil) -> PlugboardError {
            PlugboardError(code, message, adapter: "dynamodb", cause: cause, retryable: retryable)
        }
        switch e.type {
        case "ConditionalCheckFailedException":
            return make(.conflict, "\(where_): the write's precondition did not hold (the document changed)")
        case "TransactionCanceledException":
            if e.cancellationReasons.contains("ConditionalCheckFailed") || e.cancellationReasons.contains("TransactionConflict") {
                return make(.conflict, "\(where_): the write's precondition did not hold (the document changed)")
            }
            if e.cancellationReasons.contains(where: { $0.contains("Throttl") || $0 == "ProvisionedThroughputExceeded" }) {
                return make(.rateLimited, "\(where_): throttled (\(e.message))", retryable: true)
            }
            if e.cancellationReasons.contains("ValidationError") {
                return make(.invalidInput, "\(where_): \(e.message)")
            }
            return make(.unavailable, "\(where_): transaction cancelled (\(e.message))", retryable: true)
        case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
             "LimitExceededException", "Throttling":
            return make(.rateLimited, "\(where_): throttled; retry later (\(detail))", retryable: true)
        case "ValidationException", "SerializationException", "ItemCollectionSizeLimitExceededException":
            return make(.invalidInput, "\(where_): \(e.message.isEmpty ? e.type : e.message)")
        case "ResourceNotFoundException":
            return make(.notFound, "\(where_): table \(table ?? "(unknown)") not found in \(signer.region) "
                        + "(create it, or set create_tables: true)")
        case "ResourceInUseException":
            return make(.conflict, "\(where_): \(detail)")
        case "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "InvalidClientTokenId",
             "MissingAuthenticationToken", "MissingAuthenticationTokenException", "IncompleteSignature",
             "IncompleteSignatureException", "ExpiredToken", "ExpiredTokenException", "AuthFailure":
            return make(.unauthenticated, "\(where_): the credentials were rejected (access key \(signer.credentials.accessKeyID)): "
                        + "\(detail); check access_key_id and secret_access_key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)")
        case "AccessDeniedException", "AccessDenied":
            return make(.permissionDenied, "\(where_): access denied for access key \(signer.credentials.accessKeyID) (\(detail))")
        case "InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
             "TransactionInProgressException", "ReplicatedWriteConflictException":
            return make(.unavailable, "\(where_): \(detail)", retryable: true)
        default:
            var fallback = PlugboardError(httpStatus: response.status, message: "\(where_): \(detail)", adapter: "dynamodb",
                                          headers: response.headers)
            fallback.cause = cause
            return fallback
        }
    }
}
