public import Logging

/// What a tool, resource or prompt handler knows about the request it serves, and how it
/// talks back while it runs.
///
/// Progress goes out only when the request carried a `progressToken`; log messages only
/// when the client asked for them (legacy: the session's `logging/setLevel`; modern: the
/// request's `_meta` log level). Cancellation arrives as Swift task cancellation.
public struct HandlerContext: Sendable {
    public let requestID: JSONRPCID
    public let protocolVersion: ProtocolVersion
    public let clientCapabilities: JSONObject
    public let clientInfo: JSONObject?
    public let progressToken: JSONValue?
    /// Who sent the request; `nil` when authentication is off.
    public let principal: Principal?
    public var logger: Logger

    /// The modern request's `_meta` log level; legacy reads the session's level instead.
    let requestLogLevel: LoggingLevel?
    let session: Session?
    let stream: MessageStream?
    /// Answers gathered for this request's input requests (see ``input(_:_:)``).
    var inputRound: InputRound?
    /// Set for a `tools/call` that may become a task (see ``continueAsTask()``).
    var taskPromotion: TaskPromotion?

    public init(
        requestID: JSONRPCID,
        protocolVersion: ProtocolVersion,
        clientCapabilities: JSONObject,
        clientInfo: JSONObject?,
        progressToken: JSONValue?,
        requestLogLevel: LoggingLevel?,
        session: Session?,
        stream: MessageStream?,
        principal: Principal? = nil,
        logger: Logger
    ) {
        self.requestID = requestID
        self.protocolVersion = protocolVersion
        self.clientCapabilities = clientCapabilities
        self.clientInfo = clientInfo
        self.progressToken = progressToken
        self.requestLogLevel = requestLogLevel
        self.session = session
        self.stream = stream
        self.principal = principal
        self.logger = logger
    }

    /// The legacy session this request belongs to, if any.
    public var sessionID: String? { session?.id }

    /// Whether the client declared a capability (`sampling`, `elicitation`, `roots`, …).
    public func clientSupports(_ capability: String) -> Bool { clientCapabilities[capability] != nil }

    /// Sends `notifications/progress` when the client asked for progress; otherwise does nothing.
    /// - SeeAlso: spec basic/utilities/progress (2025-11-25), basic/patterns/progress (2026-07-28).
    public func reportProgress(_ progress: Double, total: Double? = nil, message: String? = nil) async {
        guard let progressToken, let stream else { return }
        var params: JSONObject = ["progressToken": progressToken, "progress": .number(JSONNumber(progress))]
        if let total { params["total"] = .number(JSONNumber(total)) }
        if let message, protocolVersion >= .v2025_03_26 { params["message"] = .string(message) }
        await stream.send(JSONRPCNotification(method: "notifications/progress", params: params).encoded())
    }

    /// The level at or above which log messages reach the client, or `nil` when none may be sent.
    public var logThreshold: LoggingLevel? {
        if protocolVersion.isModern { return requestLogLevel }
        return session?.logLevel
    }

    /// Sends `notifications/message` on this request's stream if the client's level allows it.
    public func log(_ level: LoggingLevel, _ data: JSONValue, logger name: String? = nil) async {
        guard let stream, let threshold = logThreshold, level >= threshold else { return }
        var params: JSONObject = ["level": .string(level.rawValue)]
        if let name { params["logger"] = .string(name) }
        params["data"] = data
        await stream.send(JSONRPCNotification(method: "notifications/message", params: params).encoded())
    }

    /// Turns this `tools/call` into a task, if the client declared the tasks extension and
    /// the tool allows it: the client gets a `CreateTaskResult` now and polls `tasks/get`
    /// for the outcome of the rest of this handler (SEP-2663). Input gathered before the
    /// call is asked synchronously (MRTR); input asked after it moves the task to
    /// `input_required`. Returns whether the call is now a task.
    @discardableResult
    public func continueAsTask() async -> Bool {
        guard let taskPromotion else { return false }
        return await taskPromotion.promote() != nil
    }

    /// The task this handler runs in, if the call became one.
    public var taskID: String? { taskPromotion?.record?.id }

    /// Ends the client's HTTP connection while the work goes on ("polling", 2025-11-25
    /// transports §Sending Messages to the Server): the client waits the `retry:` delay and
    /// resumes with `Last-Event-ID`, picking up every later message and the result. Useful
    /// for long calls behind proxies that cut long responses. Does nothing where the client
    /// could not resume: sessions before 2025-11-25, resumability off, the modern era.
    public func closeSSEStream() {
        guard let session, session.resumable, protocolVersion.supportsPriming, !protocolVersion.isModern else { return }
        stream?.requestDisconnect()
    }

    /// Asks the client something (legacy era: `sampling/createMessage`, `elicitation/create`,
    /// `roots/list`) on this request's own stream and waits for its POSTed answer.
    ///
    /// Throws `MCPError` when the client did not declare the needed capability, or in the
    /// modern era, where server→client requests travel as MRTR input requests instead.
    public func requestFromClient(method: String, params: JSONObject) async throws -> JSONValue {
        guard let session, let stream, !protocolVersion.isModern else {
            throw MCPError(code: .invalidRequest, message: "\(method) needs a legacy session; 2026-07-28 clients are asked through input requests")
        }
        let capability = Self.capability(for: method)
        if let capability, !clientSupports(capability) {
            throw MCPError(code: .invalidRequest, message: "The client did not declare the '\(capability)' capability needed for \(method)")
        }
        return try await session.sendRequest(method: method, params: params, on: stream)
    }

    static func capability(for method: String) -> String? {
        switch method {
        case "sampling/createMessage": "sampling"
        case "elicitation/create": "elicitation"
        case "roots/list": "roots"
        default: nil
        }
    }
}

extension HandlerContext {
    /// The same context writing related messages to `stream`.
    public func withStream(_ stream: MessageStream) -> HandlerContext {
        HandlerContext(
            requestID: requestID, protocolVersion: protocolVersion, clientCapabilities: clientCapabilities, clientInfo: clientInfo,
            progressToken: progressToken, requestLogLevel: requestLogLevel, session: session, stream: stream, principal: principal,
            logger: logger)
    }

    /// A context for a legacy request in `session`.
    public static func legacy(_ request: JSONRPCRequest, session: Session, principal: Principal? = nil, logger: Logger) -> HandlerContext {
        HandlerContext(
            requestID: request.id, protocolVersion: session.protocolVersion, clientCapabilities: session.clientCapabilities,
            clientInfo: session.clientInfo, progressToken: request.meta?[MetaKey.progressToken], requestLogLevel: nil,
            session: session, stream: nil, principal: principal, logger: logger)
    }

    /// A context for a stateless 2026-07-28 request.
    public static func modern(
        _ request: JSONRPCRequest, meta: RequestMeta, version: ProtocolVersion, principal: Principal? = nil, logger: Logger
    ) -> HandlerContext {
        HandlerContext(
            requestID: request.id, protocolVersion: version, clientCapabilities: meta.clientCapabilities, clientInfo: meta.clientInfo,
            progressToken: meta.progressToken, requestLogLevel: meta.logLevel, session: nil, stream: nil, principal: principal, logger: logger)
    }
}
