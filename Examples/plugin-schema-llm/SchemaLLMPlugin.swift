// An example llm adapter loaded at run time: a deterministic model that calls
// no service and answers every `generate` with an object built from the
// request's JSON Schema, behind the C ABI of Sources/CPlugboardPlugin/plugboard_plugin.h
// (docs/ADAPTERS.md, "LLM operations").
//
// Built outside the Plugboard package by ./build.sh; shares only that header.
// The kernel validates the answer against the schema whatever a plugin says,
// so this model only has to aim well: for each property the first enum value
// (or the const), a short text within minLength/maxLength for strings, a number
// within minimum/maximum, false for booleans, every required field, and no
// property the schema does not declare when additionalProperties is false.
// It does not try to satisfy `pattern`, `format`, `multipleOf` or combinators
// (`anyOf`, `oneOf`, `allOf`, `$ref`): an answer breaking those is the kernel's
// invalid answer, as from any real model.
import CPlugboardPlugin
import Foundation

/// One opened instance: the model name it reports. Immutable, so calls may run on any thread at once.
final class SchemaModel: Sendable {
    let model: String

    init(model: String) { self.model = model }

    func generate(_ a: [String: Any]) throws -> [String: Any] {
        guard let schema = a["schema"] as? [String: Any] else {
            throw PluginFailure(code: "invalid_input", message: "generate: schema is not a JSON object")
        }
        let prompt = a["prompt"] as? String ?? ""
        let object = Self.value(for: schema)
        let text = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? ""
        // A rough tokenizer, as vendors document: about four characters per token.
        return ["object": object, "input_tokens": prompt.count / 4, "output_tokens": text.count / 4,
                "model": model, "provider": "example-schema-llm"]
    }

    /// A value valid against `schema` for the keywords listed at the top of this file.
    static func value(for schema: [String: Any]) -> Any {
        if let values = schema["enum"] as? [Any], let first = values.first { return first }
        if let constant = schema["const"] { return constant }
        switch kind(of: schema) {
        case "object": return object(for: schema)
        case "array":
            let items = schema["items"] as? [String: Any] ?? [:]
            let count = number(schema["minItems"]).map { max(0, Int($0)) } ?? 0
            return (0..<count).map { _ in value(for: items) }
        case "string": return text(for: schema)
        case "integer":
            return Int(number(in: schema, integer: true))
        case "number": return number(in: schema, integer: false)
        case "boolean": return false
        case "null": return NSNull()
        default: return text(for: schema)
        }
    }

    /// The schema's `type` (the first that is not "null" when it lists several), else one its keywords imply.
    static func kind(of schema: [String: Any]) -> String {
        if let t = schema["type"] as? String { return t }
        if let ts = schema["type"] as? [String] { return ts.first { $0 != "null" } ?? ts.first ?? "string" }
        if schema["properties"] != nil || schema["required"] != nil { return "object" }
        if schema["items"] != nil { return "array" }
        if schema["minimum"] != nil || schema["maximum"] != nil { return "number" }
        return "string"
    }

    /// Every declared property, plus required ones the schema does not declare unless
    /// additionalProperties is false (then such a schema cannot be satisfied anyway).
    static func object(for schema: [String: Any]) -> [String: Any] {
        let properties = schema["properties"] as? [String: Any] ?? [:]
        var out: [String: Any] = [:]
        for (name, sub) in properties { out[name] = value(for: sub as? [String: Any] ?? [:]) }
        let closed = (schema["additionalProperties"] as? Bool) == false
        for name in schema["required"] as? [String] ?? [] where out[name] == nil && !closed {
            out[name] = value(for: schema["additionalProperties"] as? [String: Any] ?? [:])
        }
        return out
    }

    /// A short text cut to maxLength and padded to minLength (lengths in Unicode scalars, as JSON Schema counts).
    static func text(for schema: [String: Any]) -> String {
        var s = Array("Deterministic answer from the example schema model.".unicodeScalars)
        if let max = number(schema["maxLength"]).map({ Swift.max(0, Int($0)) }), s.count > max { s = Array(s.prefix(max)) }
        if let min = number(schema["minLength"]).map(Int.init), s.count < min {
            s += Array(repeating: Unicode.Scalar("x"), count: min - s.count)
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s)
        return String(out)
    }

    /// Zero moved inside minimum/maximum and exclusiveMinimum/exclusiveMaximum (draft 6+ numbers).
    static func number(in schema: [String: Any], integer: Bool) -> Double {
        let low = number(schema["minimum"]), high = number(schema["maximum"])
        let exLow = number(schema["exclusiveMinimum"]), exHigh = number(schema["exclusiveMaximum"])
        var v = 0.0
        if let low, v < low { v = integer ? low.rounded(.up) : low }
        if let exLow, v <= exLow { v = integer ? exLow.rounded(.down) + 1 : midpoint(exLow, above: true, high ?? exHigh) }
        if let high, v > high { v = integer ? high.rounded(.down) : high }
        if let exHigh, v >= exHigh { v = integer ? exHigh.rounded(.up) - 1 : midpoint(exHigh, above: false, low ?? exLow) }
        return v
    }

    /// Strictly beyond `bound` in the given direction: halfway to `other` when there is one, else one step.
    static func midpoint(_ bound: Double, above: Bool, _ other: Double?) -> Double {
        if let other { return (bound + other) / 2 }
        return above ? bound + 1 : bound - 1
    }

    static func number(_ v: Any?) -> Double? {
        if v is Bool { return nil }
        return (v as? NSNumber)?.doubleValue
    }
}

/// An error the kernel maps to a PlugboardError of the same code.
struct PluginFailure: Error {
    var code: String
    var message: String
}

// MARK: - The C entry table

func reply(_ object: Any) -> UnsafeMutablePointer<CChar>? {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .withoutEscapingSlashes]))
        ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"unencodable reply\"}}".utf8)
    return strdup(String(decoding: data, as: UTF8.self))
}

let descriptorJSON = """
{"summary": "Example run-time plugin: a deterministic model answering objects built from the request's schema, no service called (Examples/plugin-schema-llm).",
 "fields": [{"name": "model", "kind": "string", "default": "schema-filler-1", "description": "The model name answers report."}],
 "capabilities": ["offline", "deterministic"]}
"""

// nonisolated(unsafe): written once, while the first caller runs the global's initializer, then only read.
nonisolated(unsafe) let entryTable: UnsafeMutablePointer<plugboard_plugin_v1> = {
    let t = UnsafeMutablePointer<plugboard_plugin_v1>.allocate(capacity: 1)
    t.initialize(to: plugboard_plugin_v1(
        abi_version: UInt32(PLUGBOARD_PLUGIN_ABI_VERSION),
        contract_version: UInt32(PLUGBOARD_LLM_CONTRACT_VERSION),
        port: UnsafePointer(strdup("llm")),
        name: UnsafePointer(strdup("example-schema-llm")),
        descriptor_json: UnsafePointer(strdup(descriptorJSON)),
        open: { settings, _ in
            let parsed = settings.flatMap { try? JSONSerialization.jsonObject(with: Data(String(cString: $0).utf8)) } as? [String: Any]
            let model = (parsed?["model"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "schema-filler-1"
            return Unmanaged.passRetained(SchemaModel(model: model)).toOpaque()
        },
        call: { handle, op, args in
            guard let handle, let op, let args else { return reply(["error": ["code": "internal", "message": "null argument"]]) }
            let instance = Unmanaged<SchemaModel>.fromOpaque(handle).takeUnretainedValue()
            do {
                let parsed = try JSONSerialization.jsonObject(with: Data(String(cString: args).utf8)) as? [String: Any] ?? [:]
                switch String(cString: op) {
                case "generate":
                    return reply(["ok": try instance.generate(parsed)])
                case "check":
                    return reply(["ok": ["ok": true, "detail": "model \(instance.model), offline: no service to reach"] as [String: Any]])
                default:
                    return reply(["error": ["code": "unsupported", "message": "unknown operation \(String(cString: op))"]])
                }
            } catch let f as PluginFailure {
                return reply(["error": ["code": f.code, "message": f.message]])
            } catch {
                return reply(["error": ["code": "invalid_input", "message": "\(error)"]])
            }
        },
        close: { handle in if let handle { Unmanaged<SchemaModel>.fromOpaque(handle).release() } },
        free_string: { free($0) }))
    return t
}()

@_cdecl("plugboard_plugin_entry")
public func plugboardPluginEntry() -> UnsafePointer<plugboard_plugin_v1> {
    UnsafePointer(entryTable)
}
