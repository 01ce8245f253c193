import PlugboardKernel

/// What one intake produced.
public struct IntakeResult: Sendable, Hashable {
    public enum Status: String, Sendable { case created, appended, queued, failed }
    public var status: Status
    public var jobId: String
    public var ticketId: String?
    public var ticketURL: String?
    public var isNewTicket: Bool
    public var classification: String?
    public var category: String?
    public var urgency: String?
    public var sentiment: String?
    public var filesUploaded: Int
    public var taskId: String?
    public var reply: String?
    public var message: String

    public var json: JSON {
        var o: [String: JSON] = [
            "status": .string(status.rawValue), "job_id": .string(jobId), "is_new_ticket": .bool(isNewTicket),
            "files_uploaded": JSON(filesUploaded), "message": .string(message),
        ]
        o["ticket_id"] = ticketId.map(JSON.string) ?? .null
        o["ticket_url"] = ticketURL.map(JSON.string) ?? .null
        o["classification"] = classification.map(JSON.string) ?? .null
        o["category"] = category.map(JSON.string) ?? .null
        o["urgency"] = urgency.map(JSON.string) ?? .null
        o["sentiment"] = sentiment.map(JSON.string) ?? .null
        o["task_id"] = taskId.map(JSON.string) ?? .null
        if let reply { o["reply_draft"] = .string(reply) }
        return .object(o)
    }

    init(json j: JSON, jobId: String) {
        status = Status(rawValue: j["status"]?.stringValue ?? "") ?? .created
        self.jobId = jobId
        ticketId = j["ticket_id"]?.stringValue
        ticketURL = j["ticket_url"]?.stringValue
        isNewTicket = j["is_new_ticket"]?.boolValue ?? false
        classification = j["classification"]?.stringValue
        category = j["category"]?.stringValue
        urgency = j["urgency"]?.stringValue
        sentiment = j["sentiment"]?.stringValue
        filesUploaded = j["files_uploaded"]?.intValue ?? 0
        taskId = j["task_id"]?.stringValue
        reply = j["reply_draft"]?.stringValue
        message = j["message"]?.stringValue ?? ""
    }

    init(status: Status, jobId: String, message: String) {
        self.status = status
        self.jobId = jobId
        self.isNewTicket = false
        self.filesUploaded = 0
        self.message = message
    }
}
