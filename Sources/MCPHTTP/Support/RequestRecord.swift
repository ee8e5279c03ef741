public import MCPCore
import Synchronization

/// What the endpoint learned about one HTTP request, for its access-log line: the JSON-RPC
/// method, the tool, the era and who called. Made by ``RequestLogMiddleware`` only when the
/// log is on, so without it a request allocates nothing for logging.
public final class RequestRecord: Sendable {
    public struct Fields: Sendable {
        public var method: String?
        public var tool: String?
        public var era: RequestEra?
        public var principal: String?
    }

    private let state = Mutex(Fields())

    public init() {}

    public var fields: Fields { state.withLock { $0 } }

    func note(principal: Principal?) {
        guard let principal else { return }
        state.withLock { $0.principal = principal.id }
    }

    /// The message's method (or `batch`), its tool for `tools/call`, and its era.
    func note(_ message: JSONRPCMessage, era: RequestEra) {
        state.withLock { fields in
            fields.era = era
            switch message {
            case .request(let request):
                fields.method = request.method
                if request.method == "tools/call" { fields.tool = request.params["name"]?.stringValue }
            case .notification(let notification): fields.method = notification.method
            case .response: fields.method = "response"
            }
        }
    }

    func note(method: String, era: RequestEra) {
        state.withLock { fields in
            fields.method = method
            fields.era = era
        }
    }
}
