import Foundation
import PlugboardKernel

/// Fake OpenAI, Anthropic and Gemini endpoints on one loopback port (Python's
/// `http.server`), answering the workflow's tasks in each vendor's response shape:
///
/// - `POST /v1/chat/completions`: a `chat.completion` (usage 100 in / 20 out);
///   under `/prose/v1/...` the answer is prose, never JSON;
/// - `POST /v1/messages`: a `message` with a `tool_use` block (usage 110 / 21);
/// - `POST /v1beta/models/{model}:generateContent`: a candidate with JSON text (usage 120 / 22).
///
/// - `GET /v1/models/{model}` (OpenAI shape; Anthropic's when `x-api-key` is sent), `GET /v1/models`
///   (OpenAI's list), `GET /v1beta/models/{model}` (Gemini): the models `fake-gpt`, `fake-claude` and
///   `fake-gemini` exist; any key containing `bad` is refused as each vendor refuses a wrong key.
///
/// The task is read from the prompt (`Classify`, `Analyse`, `Draft our reply`). Every
/// request is recorded (path, headers, body) and readable with `requests()`.
final class LLMFakeServer: Sendable {
    let port: Int
    private let process: Process
    private let stdin: Pipe
    private let log: String

    var base: String { "http://127.0.0.1:\(port)" }

    init() throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("pb-llm-fake-\(UUID().uuidString).jsonl").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", LLMFakeServer.script, log]
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "LLM fake server did not start (python3 missing?)"])
        }
        self.process = process
        self.stdin = input
        self.port = port
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: log)
    }

    /// Every request so far: `{"path", "headers" (lower-case names), "body"}`.
    func requests() throws -> [JSON] {
        guard let data = FileManager.default.contents(atPath: log) else { return [] }
        var out: [JSON] = []
        try JSONParser.parseLines([UInt8](data)) { line, _ in out.append(line) }
        return out
    }

    static let script = #"""
import json, os, signal, sys, threading
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
LOG = sys.argv[1]
lock = threading.Lock()

def answer(prompt, vendor):
    if "Draft our reply" in prompt:
        return {"reply": "Bonjour Ana, reply from the fake %s." % vendor, "subject": "Votre commande"}
    if "Classify this" in prompt:
        return {"category": "late_delivery", "confidence": 0.9}
    return {"sentiment": "negative", "category": "late_delivery", "urgency": "high", "summary": "Summary from the fake %s" % vendor}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"null")
        with lock:
            with open(LOG, "a") as f:
                f.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}) + "\n")
        path = self.path
        if path.endswith("/chat/completions"):
            prompt = body["messages"][-1]["content"]
            content = "I think the customer is upset." if path.startswith("/prose/") else json.dumps(answer(prompt, "openai"))
            self.reply(200, {"id": "chatcmpl-1", "object": "chat.completion", "created": 1741569952, "model": body["model"],
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                                          "logprobs": None, "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})
        elif path == "/v1/messages":
            tool = body["tools"][0]["name"]
            self.reply(200, {"id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
                             "content": [{"type": "tool_use", "id": "toolu_1", "name": tool,
                                          "input": answer(body["messages"][-1]["content"], "anthropic")}],
                             "stop_reason": "tool_use", "stop_sequence": None,
                             "usage": {"input_tokens": 110, "output_tokens": 21}})
        elif path.startswith("/v1beta/models/") and path.endswith(":generateContent"):
            text = json.dumps(answer(body["contents"][-1]["parts"][0]["text"], "gemini"))
            self.reply(200, {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
                             "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 22, "totalTokenCount": 142},
                             "modelVersion": path.split("/")[-1].split(":")[0]})
        else:
            self.reply(404, {"error": {"message": "no route " + path, "type": "invalid_request_error", "param": None, "code": None}})

KNOWN = ("fake-gpt", "fake-claude", "fake-gemini")

def do_GET(self):
    with lock:
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": None}) + "\n")
    h = {k.lower(): v for k, v in self.headers.items()}
    path = self.path
    model = path.rsplit("/", 1)[1]
    if path.startswith("/v1beta/models/"):
        if "bad" in h.get("x-goog-api-key", ""):
            self.reply(400, {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT"}})
        elif model not in KNOWN:
            self.reply(404, {"error": {"code": 404, "message": "models/%s is not found for API version v1beta" % model, "status": "NOT_FOUND"}})
        else:
            self.reply(200, {"name": "models/" + model, "displayName": model, "supportedGenerationMethods": ["generateContent", "countTokens"]})
    elif "x-api-key" in h and path.startswith("/v1/models/"):
        if "bad" in h["x-api-key"]:
            self.reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
        elif model not in KNOWN:
            self.reply(404, {"type": "error", "error": {"type": "not_found_error", "message": "model: " + model}})
        else:
            self.reply(200, {"id": model, "type": "model", "display_name": model, "created_at": "2025-01-01T00:00:00Z"})
    elif path.endswith("/v1/models") or "/v1/models/" in path:
        if "bad" in h.get("authorization", ""):
            self.reply(401, {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})
        elif path.endswith("/v1/models"):
            self.reply(200, {"object": "list", "data": [{"id": m, "object": "model", "created": 1741569952, "owned_by": "fake"} for m in KNOWN]})
        elif model not in KNOWN:
            self.reply(404, {"error": {"message": "The model `%s` does not exist or you do not have access to it." % model,
                                       "type": "invalid_request_error", "param": None, "code": "model_not_found"}})
        else:
            self.reply(200, {"id": model, "object": "model", "created": 1741569952, "owned_by": "fake"})
    else:
        self.reply(404, {"error": {"message": "no route " + path, "type": "invalid_request_error", "param": None, "code": None}})

Handler.do_GET = do_GET
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
}
