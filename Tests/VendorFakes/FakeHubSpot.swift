import Foundation
import PlugboardKernel
import Synchronization

/// An in-memory HubSpot that follows reference/notes/hubspot-crm-v3.md: CRM v3
/// objects (contacts, tickets, notes: create, read with `properties` and
/// `idProperty`, list contacts and tickets (`limit`, `after`), update, search, batch read), v4 associations (labelled PUT,
/// paged list), ticket properties (list, create), bearer auth, and HubSpot's
/// error bodies. It checks the bodies it receives the way HubSpot does
/// (required fields, string property values, known properties, association
/// shapes) and records every refusal in `rejections`, so a test can require none.
final class FakeHubSpot: Sendable {
    struct Object {
        var id: String
        var properties: [String: String]
        var createdAt: Double
        var updatedAt: Double
    }

    struct Property {
        var name: String
        var hubspotDefined: Bool
        var unique: Bool
    }

    struct State {
        var clock = FakeClock()
        var nextID = 1001
        var contacts: [String: Object] = [:]
        var tickets: [String: Object] = [:]
        var notes: [String: Object] = [:]
        var ticketProperties: [String: Property] = Dictionary(uniqueKeysWithValues: FakeHubSpot.builtinTicketProperties.map {
            ($0, Property(name: $0, hubspotDefined: true, unique: false))
        })
        /// ticket id → associated contact ids (type 16).
        var ticketContacts: [String: Set<String>] = [:]
        /// ticket id → associated note ids, in association order (type 227).
        var ticketNotes: [String: [String]] = [:]
        var faults: [(path: String?, fault: InjectedFault)] = []
        var rejections: [String] = []
        var requestCount = 0
    }

    static let builtinTicketProperties = [
        "subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority", "hs_ticket_category",
        "hubspot_owner_id", "createdate", "hs_lastmodifieddate", "hs_object_id", "closed_date", "source_type",
    ]
    static let contactProperties: Set<String> = ["email", "firstname", "lastname", "phone", "company"]
    static let defaultTicketRead = ["subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category",
                                    "hs_ticket_priority", "createdate", "hs_lastmodifieddate", "hs_object_id"]

    let token: String
    /// Page size of v4 association lists, whatever `limit` asks (small, so paging is exercised).
    let associationPageSize: Int
    let state = Mutex(State())

    init(token: String = "pat-na1-test-0000-secret", associationPageSize: Int = 2) {
        self.token = token
        self.associationPageSize = associationPageSize
    }

    // MARK: - Test controls

    /// Serves `fault` to the next request (whose path contains `path`, when given).
    func inject(_ fault: InjectedFault, path: String? = nil) { state.withLock { $0.faults.append((path, fault)) } }
    var rejections: [String] { state.withLock { $0.rejections } }
    var ticketCount: Int { state.withLock { $0.tickets.count } }
    var contactCount: Int { state.withLock { $0.contacts.count } }
    var noteCount: Int { state.withLock { $0.notes.count } }
    func ticketProperty(_ name: String) -> Property? { state.withLock { $0.ticketProperties[name] } }
    func ticketProperties(_ id: String) -> [String: String]? { state.withLock { $0.tickets[id]?.properties } }

    // MARK: - Serving

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        let r = RoutedRequest(request)
        let fault: InjectedFault? = state.withLock { s in
            s.requestCount += 1
            guard let i = s.faults.firstIndex(where: { $0.path == nil || r.path.contains($0.path!) }) else { return nil }
            return s.faults.remove(at: i).fault
        }
        switch fault {
        case .response(let status, let headers, let body)?:
            return HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
        case .malformedJSON?:
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"id": "12", "properties": {"#.utf8))
        case .stall(let d)?:
            try await Task.sleep(for: d)
        case nil:
            break
        }
        guard request.headers["Authorization"] == "Bearer \(token)" else {
            return FakeHubSpot.error(401, "INVALID_AUTHENTICATION",
                                     "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
        }
        if !r.rawBody.isEmpty, request.headers["Content-Type"]?.hasPrefix("application/json") != true {
            return reject(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
        }
        return state.withLock { s in route(r, &s) }
    }

    private func route(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        if r.match("GET", "crm/v3/properties/tickets") != nil { return listProperties(&s) }
        if r.match("POST", "crm/v3/properties/tickets") != nil { return createProperty(r, &s) }
        if r.match("POST", "crm/v3/objects/contacts") != nil { return createContact(r, &s) }
        if r.match("GET", "crm/v3/objects/contacts") != nil { return list(s.contacts, r, defaults: ["email", "firstname", "lastname"], &s) }
        if let m = r.match("GET", "crm/v3/objects/contacts/*") { return readContact(m[0], r, &s) }
        if r.match("GET", "crm/v3/objects/tickets") != nil { return list(s.tickets, r, defaults: FakeHubSpot.defaultTicketRead, &s) }
        if r.match("POST", "crm/v3/objects/tickets") != nil { return createTicket(r, &s) }
        if r.match("POST", "crm/v3/objects/tickets/search") != nil { return searchTickets(r, &s) }
        if let m = r.match("GET", "crm/v3/objects/tickets/*") { return readTicket(m[0], r, &s) }
        if let m = r.match("PATCH", "crm/v3/objects/tickets/*") { return updateTicket(m[0], r, &s) }
        if let m = r.match("PUT", "crm/v4/objects/tickets/*/associations/contacts/*") { return associate(m[0], m[1], r, &s) }
        if let m = r.match("GET", "crm/v4/objects/tickets/*/associations/notes") { return listNotes(m[0], r, &s) }
        if r.match("POST", "crm/v3/objects/notes") != nil { return createNote(r, &s) }
        if r.match("POST", "crm/v3/objects/notes/batch/read") != nil { return batchReadNotes(r, &s) }
        return FakeHubSpot.error(404, "OBJECT_NOT_FOUND", "Unable to route \(r.method) request to \(r.path)")
    }

    // MARK: - Properties

    private func listProperties(_ s: inout State) -> HTTPResponse {
        let results: [JSON] = s.ticketProperties.values.sorted { $0.name < $1.name }.map {
            ["name": .string($0.name), "label": .string($0.name), "type": "string", "fieldType": "text",
             "groupName": "ticketinformation", "hubspotDefined": .bool($0.hubspotDefined), "hasUniqueValue": .bool($0.unique)]
        }
        return HTTPResponse(status: 200, json: ["results": .array(results)])
    }

    private func createProperty(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let body = r.json?.objectValue else { return reject(400, "VALIDATION_ERROR", "Invalid input JSON", &s) }
        for field in ["name", "label", "type", "fieldType", "groupName"] where body[field]?.stringValue?.isEmpty ?? true {
            return reject(400, "VALIDATION_ERROR", "Property create: \(field) is required", &s)
        }
        let name = body["name"]!.stringValue!
        guard ["string", "number", "date", "datetime", "enumeration", "bool"].contains(body["type"]!.stringValue!),
              ["text", "textarea", "number", "date", "select", "radio", "checkbox", "booleancheckbox", "file"].contains(body["fieldType"]!.stringValue!)
        else { return reject(400, "VALIDATION_ERROR", "Property create: invalid type or fieldType", &s) }
        if let u = body["hasUniqueValue"], u.boolValue == nil { return reject(400, "VALIDATION_ERROR", "hasUniqueValue must be a boolean", &s) }
        if s.ticketProperties[name] != nil {
            return FakeHubSpot.error(409, "OBJECT_ALREADY_EXISTS", "Object already exists. A property named '\(name)' already exists.")
        }
        s.ticketProperties[name] = Property(name: name, hubspotDefined: false, unique: body["hasUniqueValue"]?.boolValue ?? false)
        return HTTPResponse(status: 201, json: .object(body.merging(["hubspotDefined": false]) { a, _ in a }))
    }

    // MARK: - Contacts

    private func createContact(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard case .success(let props) = checkProperties(r.json, known: FakeHubSpot.contactProperties, &s) else {
            return lastRejection(&s)
        }
        guard let email = props["email"]?.lowercased(), !email.isEmpty else {
            return reject(400, "VALIDATION_ERROR", "Property values were not valid: email is required", &s)
        }
        if let existing = s.contacts.values.first(where: { $0.properties["email"] == email }) {
            return FakeHubSpot.error(409, "CONFLICT", "Contact already exists. Existing ID: \(existing.id)")
        }
        var p = props
        p["email"] = email
        let contact = newObject(p, &s)
        s.contacts[contact.id] = contact
        return HTTPResponse(status: 201, json: render(contact, properties: nil, defaults: ["email", "firstname", "lastname"]))
    }

    private func readContact(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        let found: Object?
        switch r.queryValue("idProperty") {
        case nil: found = s.contacts[id]
        case "email": found = s.contacts.values.first { $0.properties["email"] == id.lowercased() }
        case let other?: return reject(400, "VALIDATION_ERROR", "\(other) is not a unique property of contacts", &s)
        }
        guard let found else { return FakeHubSpot.notFound(id) }
        return HTTPResponse(status: 200, json: render(found, properties: requested(r), defaults: ["email", "firstname", "lastname"]))
    }

    /// `GET /crm/v3/objects/{type}?limit=&after=`: a page in id order, `paging.next.after` when more follow.
    private func list(_ objects: [String: Object], _ r: RoutedRequest, defaults: [String], _ s: inout State) -> HTTPResponse {
        let limit = r.queryValue("limit").map { Int($0) } ?? 10
        guard let limit, (1...100).contains(limit) else { return reject(400, "VALIDATION_ERROR", "limit must be between 1 and 100", &s) }
        let after = r.queryValue("after").flatMap { Int($0) } ?? 0
        let sorted = objects.values.filter { (Int($0.id) ?? 0) > after }.sorted { (Int($0.id) ?? 0) < (Int($1.id) ?? 0) }
        let page = sorted.prefix(limit)
        var body: [String: JSON] = ["results": .array(page.map { render($0, properties: requested(r), defaults: defaults) })]
        if sorted.count > limit, let last = page.last { body["paging"] = ["next": ["after": .string(last.id)]] }
        return HTTPResponse(status: 200, json: .object(body))
    }

    // MARK: - Tickets

    private func createTicket(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard case .success(let props) = checkProperties(r.json, known: Set(s.ticketProperties.keys), &s) else { return lastRejection(&s) }
        for required in ["subject", "hs_pipeline", "hs_pipeline_stage"] where (props[required] ?? "").isEmpty {
            return reject(400, "VALIDATION_ERROR", "Property values were not valid: \(required) is required", &s)
        }
        if let conflict = uniqueConflict(props, except: nil, s) { return conflict }
        guard case .success(let links) = checkAssociations(r.json?["associations"], to: s.contacts, typeId: 16, &s) else {
            return lastRejection(&s)
        }
        let ticket = newObject(props, &s)
        s.tickets[ticket.id] = ticket
        s.ticketContacts[ticket.id] = Set(links)
        return HTTPResponse(status: 201, json: render(ticket, properties: Array(props.keys), defaults: FakeHubSpot.defaultTicketRead))
    }

    private func readTicket(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        var found: Object?
        if let idProperty = r.queryValue("idProperty") {
            guard let p = s.ticketProperties[idProperty], p.unique else {
                return reject(400, "VALIDATION_ERROR", "\(idProperty) is not a unique property of tickets", &s)
            }
            found = s.tickets.values.first { $0.properties[idProperty] == id }
        } else {
            found = s.tickets[id]
        }
        guard let found else { return FakeHubSpot.notFound(id) }
        return HTTPResponse(status: 200, json: render(found, properties: requested(r), defaults: FakeHubSpot.defaultTicketRead))
    }

    private func updateTicket(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard case .success(let props) = checkProperties(r.json, known: Set(s.ticketProperties.keys), &s) else { return lastRejection(&s) }
        guard var ticket = s.tickets[id] else { return FakeHubSpot.notFound(id) }
        if let conflict = uniqueConflict(props, except: id, s) { return conflict }
        for (k, v) in props { ticket.properties[k] = v.isEmpty ? nil : v }
        ticket.updatedAt = s.clock.tick()
        s.tickets[id] = ticket
        return HTTPResponse(status: 200, json: render(ticket, properties: Array(props.keys), defaults: FakeHubSpot.defaultTicketRead))
    }

    private func searchTickets(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let body = r.json?.objectValue else { return reject(400, "VALIDATION_ERROR", "Invalid input JSON", &s) }
        let groups = body["filterGroups"]?.arrayValue ?? []
        guard groups.count <= 6 else { return reject(400, "VALIDATION_ERROR", "at most 6 filterGroups", &s) }
        let limit = body["limit"]?.intValue ?? 10
        guard (1...200).contains(limit) else { return reject(400, "VALIDATION_ERROR", "limit must be 1...200", &s) }
        var matching = Array(s.tickets.values)
        if !groups.isEmpty {
            var predicates: [[(Object) -> Bool]] = []
            for g in groups {
                var filters: [(Object) -> Bool] = []
                for f in g["filters"]?.arrayValue ?? [] {
                    guard let pred = filterPredicate(f, s) else { return reject(400, "VALIDATION_ERROR", "invalid filter \(f.serialized())", &s) }
                    filters.append(pred)
                }
                predicates.append(filters)
            }
            matching = matching.filter { t in predicates.contains { group in group.allSatisfy { $0(t) } } }
        }
        var sorts: [(String, Bool)] = []
        for sort in body["sorts"]?.arrayValue ?? [] {
            if let name = sort.stringValue { sorts.append((name, true)); continue }
            guard let name = sort["propertyName"]?.stringValue, ["ASCENDING", "DESCENDING"].contains(sort["direction"]?.stringValue ?? "")
            else { return reject(400, "VALIDATION_ERROR", "invalid sort \(sort.serialized())", &s) }
            sorts.append((name, sort["direction"]?.stringValue == "ASCENDING"))
        }
        matching.sort { a, b in
            for (name, ascending) in sorts {
                let x = FakeHubSpot.sortValue(a, name), y = FakeHubSpot.sortValue(b, name)
                if x != y { return ascending ? x < y : x > y }
            }
            return Int(a.id)! < Int(b.id)!
        }
        let offset = Int(body["after"]?.stringValue ?? "0") ?? 0
        let page = Array(matching.dropFirst(offset).prefix(limit))
        let props = body["properties"]?.arrayValue?.compactMap(\.stringValue)
        var out: [String: JSON] = ["total": JSON(matching.count),
                                   "results": .array(page.map { render($0, properties: props, defaults: FakeHubSpot.defaultTicketRead) })]
        if offset + limit < matching.count { out["paging"] = ["next": ["after": .string(String(offset + limit))]] }
        return HTTPResponse(status: 200, json: .object(out))
    }

    private func filterPredicate(_ f: JSON, _ s: State) -> ((Object) -> Bool)? {
        guard let name = f["propertyName"]?.stringValue, let op = f["operator"]?.stringValue else { return nil }
        let value = f["value"]?.stringValue
        let values = f["values"]?.arrayValue?.compactMap(\.stringValue)
        if name == "associations.contact" {
            guard op == "EQ", let value else { return nil }
            let links = s.ticketContacts
            return { links[$0.id]?.contains(value) ?? false }
        }
        let isDate = ["createdate", "hs_lastmodifieddate", "closed_date"].contains(name)
        func compare(_ o: Object, _ v: String) -> Int? {
            if isDate {
                let a = FakeHubSpot.sortValue(o, name)
                guard let b = Double(v) else { return nil }
                return a < b ? -1 : (a > b ? 1 : 0)
            }
            guard let a = o.properties[name] else { return nil }
            return a < v ? -1 : (a > v ? 1 : 0)
        }
        switch op {
        case "EQ": guard let value else { return nil }; return { compare($0, value) == 0 }
        case "NEQ": guard let value else { return nil }; return { compare($0, value) != 0 }
        case "GT": guard let value else { return nil }; return { (compare($0, value) ?? -1) > 0 }
        case "GTE": guard let value else { return nil }; return { (compare($0, value) ?? -1) >= 0 }
        case "LT": guard let value else { return nil }; return { (compare($0, value) ?? 1) < 0 }
        case "LTE": guard let value else { return nil }; return { (compare($0, value) ?? 1) <= 0 }
        case "IN": guard let values else { return nil }; return { values.contains($0.properties[name] ?? "\u{0}") }
        case "NOT_IN": guard let values else { return nil }; return { !values.contains($0.properties[name] ?? "\u{0}") }
        case "HAS_PROPERTY": return { $0.properties[name] != nil }
        case "NOT_HAS_PROPERTY": return { $0.properties[name] == nil }
        default: return nil
        }
    }

    /// Date properties compare as epoch milliseconds, others as text order (numbers as numbers).
    static func sortValue(_ o: Object, _ name: String) -> Double {
        switch name {
        case "hs_lastmodifieddate": return (o.updatedAt * 1000).rounded()
        case "createdate": return (o.createdAt * 1000).rounded()
        default: return Double(o.properties[name] ?? "") ?? 0
        }
    }

    // MARK: - Associations

    private func associate(_ ticketId: String, _ contactId: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let types = r.json?.arrayValue, !types.isEmpty, types.allSatisfy({
            ["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"].contains($0["associationCategory"]?.stringValue ?? "")
                && $0["associationTypeId"]?.intValue != nil
        }) else {
            return reject(400, "VALIDATION_ERROR", "expected an array of {associationCategory, associationTypeId}", &s)
        }
        guard types.contains(where: { $0["associationTypeId"]?.intValue == 16 }) else {
            return reject(400, "VALIDATION_ERROR", "ticket→contact takes association type 16", &s)
        }
        guard s.tickets[ticketId] != nil else { return FakeHubSpot.notFound(ticketId) }
        guard s.contacts[contactId] != nil else { return FakeHubSpot.notFound(contactId) }
        s.ticketContacts[ticketId, default: []].insert(contactId)
        return HTTPResponse(status: 201, json: ["fromObjectTypeId": "0-5", "fromObjectId": .number(JSONNumber(ticketId)!),
                                                "toObjectTypeId": "0-1", "toObjectId": .number(JSONNumber(contactId)!), "labels": []])
    }

    private func listNotes(_ ticketId: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard s.tickets[ticketId] != nil else { return FakeHubSpot.notFound(ticketId) }
        if let limit = r.queryValue("limit"), !(Int(limit).map { (1...500).contains($0) } ?? false) {
            return reject(400, "VALIDATION_ERROR", "limit must be 1...500", &s)
        }
        let all = s.ticketNotes[ticketId] ?? []
        let offset = Int(r.queryValue("after") ?? "0") ?? 0
        let page = all.dropFirst(offset).prefix(min(associationPageSize, Int(r.queryValue("limit") ?? "500") ?? 500))
        var out: [String: JSON] = ["results": .array(page.map {
            ["toObjectId": .number(JSONNumber($0)!), "associationTypes": [["category": "HUBSPOT_DEFINED", "typeId": 227, "label": .null]]]
        })]
        if offset + page.count < all.count {
            let after = String(offset + page.count)
            out["paging"] = ["next": ["after": .string(after), "link": .string("?after=\(after)")]]
        }
        return HTTPResponse(status: 200, json: .object(out))
    }

    // MARK: - Notes

    private func createNote(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard case .success(let props) = checkProperties(r.json, known: ["hs_timestamp", "hs_note_body", "hubspot_owner_id", "hs_attachment_ids"], &s)
        else { return lastRejection(&s) }
        guard let ts = props["hs_timestamp"], Timestamp.parse(ts) != nil || Int64(ts) != nil else {
            return reject(400, "VALIDATION_ERROR", "Property values were not valid: hs_timestamp is required", &s)
        }
        if (props["hs_note_body"] ?? "").count > 65_536 { return reject(400, "VALIDATION_ERROR", "hs_note_body over 65,536 characters", &s) }
        guard case .success(let tickets) = checkAssociations(r.json?["associations"], to: s.tickets, typeId: 228, &s) else {
            return lastRejection(&s)
        }
        let note = newObject(props, &s)
        s.notes[note.id] = note
        for t in tickets { s.ticketNotes[t, default: []].append(note.id) }
        return HTTPResponse(status: 201, json: render(note, properties: Array(props.keys), defaults: ["hs_timestamp", "hs_note_body"]))
    }

    private func batchReadNotes(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let inputs = r.json?["inputs"]?.arrayValue, inputs.count <= 100,
              inputs.allSatisfy({ $0["id"]?.stringValue != nil }) else {
            return reject(400, "VALIDATION_ERROR", "batch read takes inputs: [{id}] (at most 100)", &s)
        }
        let props = r.json?["properties"]?.arrayValue?.compactMap(\.stringValue)
        let found = inputs.compactMap { s.notes[$0["id"]!.stringValue!] }
        return HTTPResponse(status: 200, json: [
            "status": "COMPLETE", "results": .array(found.map { render($0, properties: props, defaults: ["hs_timestamp"]) }),
            "startedAt": .string(Timestamp.now()), "completedAt": .string(Timestamp.now()),
        ])
    }

    // MARK: - Shapes and checks

    private func newObject(_ props: [String: String], _ s: inout State) -> Object {
        let now = s.clock.tick()
        let id = String(s.nextID)
        s.nextID += 1
        var p = props.filter { !$0.value.isEmpty }
        p["hs_object_id"] = id
        return Object(id: id, properties: p, createdAt: now, updatedAt: now)
    }

    /// `SimplePublicObject`: requested properties (null when unset) or the defaults.
    private func render(_ o: Object, properties: [String]?, defaults: [String]) -> JSON {
        var p: [String: JSON] = [:]
        for name in (properties ?? defaults) + ["hs_object_id"] {
            switch name {
            case "createdate": p[name] = .string(Timestamp.format(o.createdAt))
            case "hs_lastmodifieddate": p[name] = .string(Timestamp.format(o.updatedAt))
            default: p[name] = o.properties[name].map(JSON.string) ?? .null
            }
        }
        return ["id": .string(o.id), "properties": .object(p), "createdAt": .string(Timestamp.format(o.createdAt)),
                "updatedAt": .string(Timestamp.format(o.updatedAt)), "archived": false]
    }

    private func requested(_ r: RoutedRequest) -> [String]? {
        guard let list = r.query["properties"] else { return nil }
        return list.flatMap { $0.split(separator: ",").map(String.init) }
    }

    /// `{"properties": {name: string}}` with every name known; refusals are recorded.
    private func checkProperties(_ body: JSON?, known: Set<String>, _ s: inout State) -> Result<[String: String], FakeRefusal> {
        guard let props = body?["properties"]?.objectValue else {
            _ = reject(400, "VALIDATION_ERROR", "Invalid input JSON: properties is required", &s)
            return .failure(FakeRefusal())
        }
        var out: [String: String] = [:]
        for (k, v) in props {
            guard let text = v.stringValue else {
                _ = reject(400, "VALIDATION_ERROR", "Property values were not valid: \(k) must be a string, got \(v.typeName)", &s)
                return .failure(FakeRefusal())
            }
            guard known.contains(k) else {
                _ = reject(400, "VALIDATION_ERROR",
                           #"Property values were not valid: [{"isValid":false,"message":"Property \"\#(k)\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"\#(k)"}]"#, &s)
                return .failure(FakeRefusal())
            }
            out[k] = text
        }
        return .success(out)
    }

    /// `associations: [{to: {id}, types: [{associationCategory, associationTypeId}]}]` to existing objects.
    private func checkAssociations(_ value: JSON?, to objects: [String: Object], typeId: Int, _ s: inout State) -> Result<[String], FakeRefusal> {
        var ids: [String] = []
        for a in value?.arrayValue ?? [] {
            guard let id = a["to"]?["id"]?.stringValue, let types = a["types"]?.arrayValue, !types.isEmpty,
                  types.allSatisfy({ $0["associationCategory"]?.stringValue == "HUBSPOT_DEFINED" && $0["associationTypeId"]?.intValue != nil })
            else {
                _ = reject(400, "VALIDATION_ERROR", "invalid association \(a.serialized())", &s)
                return .failure(FakeRefusal())
            }
            guard types.contains(where: { $0["associationTypeId"]?.intValue == typeId }) else {
                _ = reject(400, "VALIDATION_ERROR", "association type \(types) is not \(typeId)", &s)
                return .failure(FakeRefusal())
            }
            guard objects[id] != nil else {
                _ = reject(400, "VALIDATION_ERROR", "One or more associations are invalid: object \(id) not found", &s)
                return .failure(FakeRefusal())
            }
            ids.append(id)
        }
        return .success(ids)
    }

    private func uniqueConflict(_ props: [String: String], except id: String?, _ s: State) -> HTTPResponse? {
        for (k, v) in props where s.ticketProperties[k]?.unique == true && !v.isEmpty {
            if let other = s.tickets.values.first(where: { $0.id != id && $0.properties[k] == v }) {
                return FakeHubSpot.error(409, "CONFLICT", "A ticket with \(k)=\(v) already exists. Existing ID: \(other.id)")
            }
        }
        return nil
    }

    struct FakeRefusal: Error {}

    private func reject(_ status: Int, _ category: String, _ message: String, _ s: inout State) -> HTTPResponse {
        s.rejections.append(message)
        return FakeHubSpot.error(status, category, message)
    }

    private func reject(_ status: Int, _ category: String, _ message: String) -> HTTPResponse {
        state.withLock { $0.rejections.append(message) }
        return FakeHubSpot.error(status, category, message)
    }

    private func lastRejection(_ s: inout State) -> HTTPResponse {
        FakeHubSpot.error(400, "VALIDATION_ERROR", s.rejections.last ?? "invalid")
    }

    static func error(_ status: Int, _ category: String, _ message: String) -> HTTPResponse {
        HTTPResponse(status: status, json: ["status": "error", "message": .string(message),
                                            "correlationId": .string(UUID().uuidString.lowercased()), "category": .string(category)])
    }

    static func notFound(_ id: String) -> HTTPResponse {
        HTTPResponse(status: 404, json: ["status": "error", "message": "Object not found.  objectId are usually numeric.",
                                         "correlationId": .string(UUID().uuidString.lowercased()),
                                         "context": ["id": [.string(id)]], "category": "OBJECT_NOT_FOUND"])
    }
}
