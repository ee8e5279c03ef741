import MCPCore
import Testing

@Suite("HandlerContext", .timeLimit(.minutes(1)))
struct HandlerContextTests {
    /// What `stream` held before its final reply: everything the context sent, in order.
    func sent(on stream: MessageStream) async -> [String] {
        stream.finish(bytes("reply"))
        var messages: [String] = []
        while let event = await stream.next() {
            if case .message(let data) = event { messages.append(utf8(data)) }
        }
        return messages
    }

    @Test("reportProgress sends nothing without a progressToken", arguments: ProtocolVersion.allCases)
    func noProgressWithoutToken(_ version: ProtocolVersion) async {
        let stream = MessageStream()
        let context = makeContext(version, stream: stream)
        await context.reportProgress(0.5, total: 1, message: "half")
        #expect(await sent(on: stream) == [])
    }

    static let progressCases: [(token: JSONValue, progress: Double, total: Double?, message: String?, params: String)] = [
        ("tok-1", 0.5, 2, "half", #"{"progressToken":"tok-1","progress":0.5,"total":2,"message":"half"}"#),
        (.number(JSONNumber(unchecked: "18446744073709551617")), 3, nil, nil, #"{"progressToken":18446744073709551617,"progress":3}"#),
        ("t", 0, 10.5, nil, #"{"progressToken":"t","progress":0,"total":10.5}"#),
        ("t", 1, nil, "done \"now\"", #"{"progressToken":"t","progress":1,"message":"done \"now\""}"#),
    ]

    @Test("reportProgress with a token sends notifications/progress echoing it", arguments: progressCases)
    func sendsProgress(_ token: JSONValue, _ progress: Double, _ total: Double?, _ message: String?, _ params: String) async {
        for version in [ProtocolVersion.v2025_11_25, .v2026_07_28] {
            let stream = MessageStream()
            let context = makeContext(version, progressToken: token, stream: stream)
            await context.reportProgress(progress, total: total, message: message)
            #expect(await sent(on: stream) == [#"{"jsonrpc":"2.0","method":"notifications/progress","params":\#(params)}"#])
        }
    }

    @Test("reportProgress without a stream does nothing")
    func progressWithoutStream() async {
        await makeContext(.v2026_07_28, progressToken: "t").reportProgress(1)
    }

    static let logCases: [(threshold: LoggingLevel?, level: LoggingLevel, delivered: Bool)] = [
        (nil, .emergency, false),
        (nil, .debug, false),
        (.warning, .info, false),
        (.warning, .warning, true),
        (.warning, .error, true),
        (.debug, .debug, true),
        (.emergency, .alert, false),
    ]

    @Test("modern log messages follow the request's log level and none are sent without one", arguments: logCases)
    func logsByRequestLevel(_ threshold: LoggingLevel?, _ level: LoggingLevel, _ delivered: Bool) async {
        let stream = MessageStream()
        let context = makeContext(.v2026_07_28, logLevel: threshold, stream: stream)
        #expect(context.logThreshold == threshold)
        await context.log(level, ["disk": 93], logger: "storage")
        let expected = #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"\#(level.rawValue)","logger":"storage","data":{"disk":93}}}"#
        #expect(await sent(on: stream) == (delivered ? [expected] : []))
    }

    @Test("a log message without a logger name omits it")
    func logsWithoutLoggerName() async {
        let stream = MessageStream()
        await makeContext(.v2026_07_28, logLevel: .info, stream: stream).log(.notice, "plain")
        #expect(await sent(on: stream) == [#"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"notice","data":"plain"}}"#])
    }

    @Test("legacy contexts without a session send no log; the request log level is ignored")
    func legacyWithoutSession() async {
        let stream = MessageStream()
        let context = makeContext(.v2025_11_25, logLevel: .debug, stream: stream)
        #expect(context.logThreshold == nil)
        await context.log(.emergency, "x")
        #expect(await sent(on: stream) == [])
    }

    @Test("legacy contexts log at the session's level, info until logging/setLevel")
    func legacyFollowsSession() async throws {
        let session = try #require(SessionStore().create(protocolVersion: .v2025_06_18, clientCapabilities: [:], clientInfo: nil))
        let request = makeRequest("tools/call", ["_meta": ["progressToken": "p"]])
        let stream = MessageStream()
        let context = HandlerContext.legacy(request, session: session, logger: quietLogger).withStream(stream)
        #expect(context.progressToken == "p")
        #expect(context.sessionID == session.id)
        #expect(context.logThreshold == .info)
        await context.log(.debug, "hidden")
        await context.log(.info, "shown")
        session.setLogLevel(.error)
        await context.log(.warning, "hidden")
        await context.log(.error, "shown too")
        let data = await sent(on: stream).compactMap { try? JSONParser.parse($0)["params"]?["data"]?.stringValue }
        #expect(data == ["shown", "shown too"])
    }

    @Test("clientSupports reads the declared capabilities")
    func readsCapabilities() {
        let context = makeContext(.v2026_07_28, capabilities: ["sampling": [:], "roots": ["listChanged": true]])
        #expect(context.clientSupports("sampling"))
        #expect(context.clientSupports("roots"))
        #expect(!context.clientSupports("elicitation"))
    }

    @Test("requestFromClient is refused in the modern era and without a session")
    func refusesServerRequestsWithoutSession() async {
        for version in [ProtocolVersion.v2026_07_28, .v2025_11_25] {
            let context = makeContext(version, capabilities: ["roots": [:]], stream: MessageStream())
            await #expect(throws: MCPError.self) { try await context.requestFromClient(method: "roots/list", params: [:]) }
        }
    }

    @Test("requestFromClient needs the matching client capability", arguments: [
        ("sampling/createMessage", "sampling"), ("elicitation/create", "elicitation"), ("roots/list", "roots"),
    ])
    func refusesUndeclaredCapability(_ method: String, _ capability: String) async throws {
        let session = try #require(SessionStore().create(protocolVersion: .v2025_11_25, clientCapabilities: ["other": [:]], clientInfo: nil))
        let context = HandlerContext.legacy(makeRequest("tools/call"), session: session, logger: quietLogger).withStream(MessageStream())
        let error = await #expect(throws: MCPError.self) { try await context.requestFromClient(method: method, params: [:]) }
        #expect(error?.message.contains("'\(capability)'") == true)
    }

    @Test("requestFromClient sends the request on the stream and returns the client's answer")
    func asksClient() async throws {
        let session = try #require(SessionStore().create(protocolVersion: .v2025_11_25, clientCapabilities: ["roots": [:]], clientInfo: nil))
        let stream = MessageStream()
        let context = HandlerContext.legacy(makeRequest("tools/call"), session: session, logger: quietLogger).withStream(stream)
        let answer = Task { try await context.requestFromClient(method: "roots/list", params: ["x": 1]) }
        let event = await stream.next()
        #expect(describe(event) == #"message {"jsonrpc":"2.0","id":"portico-1","method":"roots/list","params":{"x":1}}"#)
        #expect(session.hasWorkInFlight)
        #expect(session.resolve(.string("portico-1"), with: .success(["roots": []])))
        #expect(try await answer.value == ["roots": []])
        #expect(!session.resolve(.string("portico-1"), with: .success(nil)))
        #expect(!session.hasWorkInFlight)
    }

    @Test("requestFromClient in an already-cancelled task throws CancellationError instead of waiting for the client")
    func honoursEarlierCancellation() async throws {
        let session = try #require(SessionStore().create(protocolVersion: .v2025_11_25, clientCapabilities: ["roots": [:]], clientInfo: nil))
        let stream = MessageStream()
        let context = HandlerContext.legacy(makeRequest("tools/call"), session: session, logger: quietLogger).withStream(stream)
        let asking = Task { () -> String in
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                _ = try await context.requestFromClient(method: "roots/list", params: [:])
                return "answered"
            } catch is CancellationError {
                return "cancelled"
            } catch {
                return "failed: \(error)"
            }
        }
        let outcome = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                let outcome = await asking.value
                stream.close()
                return outcome
            }
            group.addTask {
                // If the request went out regardless, answer it so that the asking task ends.
                if case .message? = await stream.next() { session.resolve(.string("portico-1"), with: .success([:])) }
                return nil
            }
            var outcome: String?
            for await value in group where value != nil { outcome = value }
            return outcome
        }
        #expect(outcome == "cancelled")
    }
}
