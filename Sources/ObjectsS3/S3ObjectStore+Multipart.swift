import Foundation
import PlugboardKernel

/// Multipart uploads: CreateMultipartUpload, UploadPart for each part,
/// CompleteMultipartUpload; AbortMultipartUpload on any failure.
extension S3ObjectStore {
    /// One uploaded part: its number and the ETag the server returned (quotes included).
    typealias UploadedPart = (number: Int, etag: String)

    /// The size of every part but the last for a body of `total` bytes: `part_size`,
    /// grown to whole MiB when more than 10,000 parts would be needed.
    func partSize(for total: Int) -> Int {
        let size = configuration.partSize
        guard total > size * Configuration.maximumParts else { return size }
        let mib = 1 << 20
        let needed = (total + Configuration.maximumParts - 1) / Configuration.maximumParts
        return (needed + mib - 1) / mib * mib
    }

    func putMultipart(key: String, data: Data, contentType: String) async throws -> ObjectInfo {
        let uploadID = try await createMultipartUpload(key: key, contentType: contentType)
        do {
            let parts = try await uploadParts(key: key, uploadID: uploadID, data: data)
            let etag = try await completeMultipartUpload(key: key, uploadID: uploadID, parts: parts)
            bucketSeen.withLock { $0 = true }
            return ObjectInfo(key: key, size: data.count, contentType: contentType, etag: Self.unquoted(etag))
        } catch {
            await abortMultipartUpload(key: key, uploadID: uploadID, after: error)
            throw error
        }
    }

    func createMultipartUpload(key: String, contentType: String) async throws -> String {
        let response = try await send("CreateMultipartUpload", .post, addressing.objectURL(key, query: "uploads"),
                                      headers: ["Content-Type": contentType], key: key)
        guard response.isSuccess, Self.serviceError(in: response) == nil else {
            throw failure("CreateMultipartUpload", key: key, response: response)
        }
        guard let id = S3XML.text(of: "UploadId", in: response.text), !id.isEmpty else {
            throw PlugboardError(.unavailable, "s3 CreateMultipartUpload of \(ObjectKey.quoted(key)) in bucket \(addressing.bucket): "
                                 + "the response has no UploadId", adapter: Self.adapter, cause: "HTTP \(response.status)")
        }
        return id
    }

    /// Uploads the parts, `partConcurrency` at a time, and returns them in
    /// ascending order. The first failure cancels the parts still in flight.
    func uploadParts(key: String, uploadID: String, data: Data) async throws -> [UploadedPart] {
        let size = partSize(for: data.count)
        let count = max(1, (data.count + size - 1) / size)
        let concurrency = configuration.partConcurrency
        let parts = try await withThrowingTaskGroup(of: UploadedPart.self) { group in
            var next = 1
            func start(_ number: Int) {
                group.addTask {
                    let lower = data.startIndex + (number - 1) * size
                    let upper = min(lower + size, data.endIndex)
                    // Sliced here, in the part's task, so only the parts in flight are copied.
                    return try await self.uploadPart(key: key, uploadID: uploadID, number: number, bytes: [UInt8](data[lower..<upper]))
                }
            }
            while next <= min(count, concurrency) {
                start(next)
                next += 1
            }
            var done: [UploadedPart] = []
            done.reserveCapacity(count)
            while let part = try await group.next() {
                done.append(part)
                if next <= count {
                    start(next)
                    next += 1
                }
            }
            return done
        }
        return parts.sorted { $0.number < $1.number }
    }

    func uploadPart(key: String, uploadID: String, number: Int, bytes: [UInt8]) async throws -> UploadedPart {
        let query = "partNumber=\(number)&uploadId=\(URIEncoding.encode(uploadID))"
        let response = try await send("UploadPart", .put, addressing.objectURL(key, query: query),
                                      headers: ["Content-Type": Self.defaultContentType], body: bytes, key: key)
        guard response.isSuccess else { throw failure("UploadPart \(number)", key: key, response: response) }
        guard let etag = response.header("ETag"), !etag.isEmpty else {
            throw PlugboardError(.unavailable, "s3 UploadPart \(number) of \(ObjectKey.quoted(key)) in bucket \(addressing.bucket): "
                                 + "the response has no ETag", adapter: Self.adapter, cause: "HTTP \(response.status)")
        }
        return (number, etag)
    }

    /// Completes the upload and returns the object's ETag. S3 may answer 200 and
    /// still fail (the error document comes in the body, after a long wait), so
    /// the body is checked, not only the status.
    func completeMultipartUpload(key: String, uploadID: String, parts: [UploadedPart]) async throws -> String? {
        let query = "uploadId=\(URIEncoding.encode(uploadID))"
        let response = try await send("CompleteMultipartUpload", .post, addressing.objectURL(key, query: query),
                                      headers: ["Content-Type": "application/xml"],
                                      body: Array(S3XML.completeMultipartUpload(parts).utf8), key: key)
        guard response.isSuccess, Self.serviceError(in: response) == nil else {
            throw failure("CompleteMultipartUpload", key: key, response: response)
        }
        // Anything but an error document is success (moto names the root CompleteMultipartUploadResponse).
        let text = response.text
        return S3XML.text(of: "ETag", in: text)
    }

    /// Aborts the upload so its parts stop taking space. Runs in its own task,
    /// so it goes out even when the put was cancelled; never throws (the put's
    /// own error matters more), but says when parts were left behind.
    func abortMultipartUpload(key: String, uploadID: String, after error: any Error) async {
        let query = "uploadId=\(URIEncoding.encode(uploadID))"
        let url = addressing.objectURL(key, query: query)
        let outcome: String? = await Task {
            do {
                let response = try await self.send("AbortMultipartUpload", .delete, url, key: key)
                if response.isSuccess || Self.serviceError(in: response)?.code == "NoSuchUpload" { return nil }
                return self.failure("AbortMultipartUpload", key: key, response: response).message
            } catch {
                return PlugboardError.wrap(error, adapter: Self.adapter).message
            }
        }.value
        if let outcome {
            logger.warning("s3 multipart upload of \(ObjectKey.quoted(key)) in bucket \(addressing.bucket) failed "
                           + "(\(PlugboardError.wrap(error).message)) and could not be aborted; its parts stay until a lifecycle "
                           + "rule removes them: \(outcome)")
        } else {
            logger.debug("s3 multipart upload of \(ObjectKey.quoted(key)) aborted after: \(PlugboardError.wrap(error).message)")
        }
    }
}
