import MCPCore
import Testing

/// An event as comparable text: "message …", "final …" or "end" for nil.
func describe(_ event: MessageStream.Event?) -> String {
    switch event {
    case .message(let bytes)?: "message \(utf8(bytes))"
    case .final(let bytes)?: "final \(utf8(bytes))"
    case .idle?: "idle"
    case .disconnect?: "disconnect"
    case nil: "end"
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// An ordered log written by several tasks and read by the test, used instead of timing.
struct OrderedLog {
    let entries: AsyncStream<String>
    let writer: AsyncStream<String>.Continuation
    private var iterator: AsyncStream<String>.Iterator
    private(set) var seen: [String] = []

    init() {
        (entries, writer) = AsyncStream.makeStream(of: String.self)
        iterator = entries.makeAsyncIterator()
    }

    /// Reads the log up to and including `entry`.
    mutating func until(_ entry: String) async {
        while let next = await iterator.next() {
            seen.append(next)
            if next == entry { return }
        }
        Issue.record("log ended before '\(entry)'; saw \(seen)")
    }
}

@Suite("MessageStream", .timeLimit(.minutes(1)))
struct MessageStreamTests {
    @Test("events arrive in order and the final reply comes last", arguments: [0, 1, 3, 10])
    func deliversInOrder(_ count: Int) async {
        let stream = MessageStream(capacity: 16)
        for index in 0..<count { #expect(await stream.send(bytes("m\(index)"))) }
        stream.finish(bytes("reply"))
        var received: [String] = []
        while let event = await stream.next() { received.append(describe(event)) }
        #expect(received == (0..<count).map { "message m\($0)" } + ["final reply"])
    }

    @Test("after finish, sends are dropped and a second final is ignored")
    func dropsAfterFinish() async {
        let stream = MessageStream()
        #expect(await stream.send(bytes("before")))
        stream.finish(bytes("first"))
        #expect(await stream.send(bytes("after")) == false)
        stream.finish(bytes("second"))
        #expect(describe(await stream.next()) == "message before")
        #expect(describe(await stream.next()) == "final first")
        #expect(describe(await stream.next()) == "end")
    }

    @Test("a consumer already waiting gets the next message and the final")
    func deliversToWaitingConsumer() async {
        let stream = MessageStream()
        let reader = Task { [describe(await stream.next()), describe(await stream.next())] }
        #expect(await stream.send(bytes("hello")))
        stream.finish(bytes("bye"))
        #expect(await reader.value == ["message hello", "final bye"])
    }

    @Test("a full queue suspends the producer until the consumer reads")
    func fullQueueSuspendsProducer() async {
        let stream = MessageStream(capacity: 2)
        var log = OrderedLog()
        let writer = log.writer
        let producer = Task {
            for index in 1...4 {
                writer.yield("sending \(index)")
                let delivered = await stream.send(bytes("m\(index)"))
                writer.yield("sent \(index) \(delivered)")
            }
            stream.finish(bytes("reply"))
            writer.yield("finished")
        }
        // Two messages fit; the third send can only return after the consumer has started reading.
        await log.until("sending 3")
        writer.yield("reading 1")
        #expect(describe(await stream.next()) == "message m1")
        await log.until("sending 4")
        writer.yield("reading 2")
        #expect(describe(await stream.next()) == "message m2")
        await log.until("finished")
        await producer.value
        #expect(
            log.seen == [
                "sending 1", "sent 1 true", "sending 2", "sent 2 true", "sending 3", "reading 1", "sent 3 true", "sending 4", "reading 2",
                "sent 4 true", "finished",
            ])
        var rest: [String] = []
        while let event = await stream.next() { rest.append(describe(event)) }
        #expect(rest == ["message m3", "message m4", "final reply"])
    }

    @Test("close makes a pending send and every later send return false, and drops what was queued")
    func closeReleasesProducers() async {
        let stream = MessageStream(capacity: 1)
        #expect(await stream.send(bytes("queued")))
        var log = OrderedLog()
        let writer = log.writer
        let pending = Task {
            writer.yield("sending")
            return await stream.send(bytes("blocked"))
        }
        await log.until("sending")
        stream.close()
        #expect(await pending.value == false)
        #expect(await stream.send(bytes("later")) == false)
        #expect(stream.isClosed)
        stream.finish(bytes("reply"))
        #expect(describe(await stream.next()) == "end")
    }

    @Test("close wakes a waiting consumer with nil")
    func closeWakesConsumer() async {
        let stream = MessageStream()
        let reader = Task { describe(await stream.next()) }
        stream.close()
        #expect(await reader.value == "end")
    }

    @Test("cancelling the consumer closes the stream")
    func cancellingConsumerCloses() async {
        let stream = MessageStream()
        let reader = Task { describe(await stream.next()) }
        reader.cancel()
        #expect(await reader.value == "end")
        #expect(stream.isClosed)
        #expect(await stream.send(bytes("x")) == false)
    }

    @Test("forwardsMessages false drops messages but still delivers the final")
    func dropsMessagesWhenNotForwarding() async {
        let stream = MessageStream(capacity: 1, forwardsMessages: false)
        for index in 0..<3 { #expect(await stream.send(bytes("m\(index)")) == false) }
        stream.finish(bytes("reply"))
        #expect(describe(await stream.next()) == "final reply")
        #expect(describe(await stream.next()) == "end")
    }

    @Test("abandon ends the stream after what is queued, without a final")
    func abandonEndsWithoutFinal() async {
        let stream = MessageStream()
        #expect(await stream.send(bytes("m")))
        stream.abandon()
        #expect(await stream.send(bytes("late")) == false)
        #expect(describe(await stream.next()) == "message m")
        #expect(describe(await stream.next()) == "end")
        #expect(!stream.isClosed)
    }

    @Test("abandon wakes a waiting consumer with nil")
    func abandonWakesConsumer() async {
        let stream = MessageStream()
        let reader = Task { describe(await stream.next()) }
        stream.abandon()
        #expect(await reader.value == "end")
    }
}
