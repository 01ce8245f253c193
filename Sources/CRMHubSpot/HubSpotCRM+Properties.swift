import PlugboardKernel

extension HubSpotCRM {
    /// The ticket properties an account has: all names, and the custom ones
    /// (read back with every ticket, since HubSpot returns only what is asked for).
    struct PropertyCatalog: Sendable {
        var all: Set<String>
        var custom: Set<String>
    }

    /// The catalog, read from `GET /crm/v3/properties/tickets` on first need.
    func propertyCatalog() async throws -> PropertyCatalog {
        if let known = catalog.withLock({ $0 }) { return known }
        let listed = try await client.json(.get, "/crm/v3/properties/tickets", what: "list ticket properties")
        var loaded = PropertyCatalog(all: [], custom: [])
        for p in listed["results"]?.arrayValue ?? [] {
            guard let name = p["name"]?.stringValue else { continue }
            loaded.all.insert(name)
            if p["hubspotDefined"]?.boolValue != true { loaded.custom.insert(name) }
        }
        return catalog.withLock { c in
            // Another caller may have loaded it (and created properties) meanwhile: keep both.
            if let other = c {
                loaded.all.formUnion(other.all)
                loaded.custom.formUnion(other.custom)
            }
            c = loaded
            return loaded
        }
    }

    /// The ticket properties to ask for when reading tickets.
    func readProperties() async throws -> [String] {
        let custom = try await propertyCatalog().custom
        return HubSpotCRM.standardTicketProperties + custom.subtracting(HubSpotCRM.standardTicketProperties).sorted()
    }

    /// Creates the ticket properties among `names` that the account lacks
    /// (when `createProperties` is on); the key property is created unique.
    func ensureProperties(_ names: some Sequence<String>) async throws {
        guard configuration.createProperties else { return }
        let known = try await propertyCatalog().all
        for name in Set(names).subtracting(known).sorted() {
            guard HubSpotCRM.isPropertyName(name) else {
                throw PlugboardError.invalidInput(
                    "HubSpot: cannot create ticket property \"\(name.prefix(60))\": names are lower-case letters, digits and _, starting with a letter",
                    adapter: HubSpotCRM.adapter)
            }
            try await createProperty(name, unique: name == configuration.keyProperty)
        }
    }

    /// `POST /crm/v3/properties/tickets`: a text property in the ticket information group.
    /// A 409 (created meanwhile) is success.
    func createProperty(_ name: String, unique: Bool) async throws {
        let label = name.split(separator: "_").joined(separator: " ")
        let body: JSON = [
            "name": .string(name), "label": .string(label.prefix(1).uppercased() + label.dropFirst()),
            "type": "string", "fieldType": unique ? "text" : "textarea", "groupName": "ticketinformation",
            "hasUniqueValue": .bool(unique),
            "description": .string(unique ? "Plugboard's ticket id (idempotency key); unique." : "Created by Plugboard."),
        ]
        let response = try await client.send(.post, "/crm/v3/properties/tickets", body: body)
        guard response.isSuccess || response.status == 409 else { throw client.error(response, what: "create ticket property \(name)") }
        logger.info("hubspot: created ticket property \(name)\(unique ? " (unique)" : "")")
        catalog.withLock { c in
            c?.all.insert(name)
            c?.custom.insert(name)
        }
    }

    /// HubSpot's internal property names: `^[a-z][a-z0-9_]*$`, at most 100 characters.
    public static func isPropertyName(_ s: String) -> Bool {
        guard let first = s.utf8.first, first >= 0x61, first <= 0x7A, s.utf8.count <= 100 else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
