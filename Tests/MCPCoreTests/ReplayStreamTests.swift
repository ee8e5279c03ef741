import MCPCore
import Synchronization
import Testing

/// A replay item as comparable text.
func describe(_ item: ReplayStream.Item) -> String {
    switch item {
    case .message(let sequence, let bytes): "\(sequence):\(utf8(bytes))"
    case .final(let sequence, let bytes): "\(sequence):final \(utf8(bytes))"
    case .idle: "idle"
    case .disconnect: "disconnect"
    case .gap: "gap"
    case .end: "end"
    }
}

/// Reads items until the stream ends, gaps or disconnects (bounded).
func drain(_ stream: ReplayStream, _ attachment: ReplayStream.Attachment, limit: Int = 100) async -> [String] {
    var items: [String] = []
    for _ in 0..<limit {
        let item = await stream.next(for: attachment)
        items.append(describe(item))
        switch item {
        case .final, .end, .gap, .disconnect: return items
        default: continue
        }
    }
    return items
}

@Suite("ReplayStream and EventLog", .timeLimit(.minutes(1)))
struct ReplayStreamTests {
    @Test("a resume replays exactly the events after the position, then the response", arguments: [0, 1, 2, 3])
    func resumesAfterPosition(_ position: Int) async throws {
        let stream = ReplayStream(number: 1, log: EventLog())
        for index in 1...3 { await stream.append(bytes("m\(index)")) }
        stream.finish(bytes("r"))
        let reader = try stream.attach(after: position)
        let expected = (1...3).filter { $0 > position }.map { "\($0):m\($0)" } + ["4:final r"]
        #expect(await drain(stream, reader) == expected)
    }

    @Test("a dropped reader loses nothing: later events wait for the resume")
    func keepsEventsForTheNextReader() async throws {
        let stream = ReplayStream(number: 7, log: EventLog())
        let first = try stream.attach(after: 0)
        await stream.append(bytes("a"))
        #expect(describe(await stream.next(for: first)) == "1:a")
        stream.detach(first)
        await stream.append(bytes("b"))
        stream.finish(bytes("done"))
        let second = try stream.attach(after: 1)
        #expect(await drain(stream, second) == ["2:b", "3:final done"])
    }

    @Test("resume positions outside what the stream holds are refused", arguments: [
        (-1, ReplayStream.ResumeRefusal.unknownPosition), (6, .unknownPosition), (0, .outsideWindow(oldestKept: 3)), (1, .outsideWindow(oldestKept: 3)),
    ])
    func refusesPositions(_ position: Int, _ refusal: ReplayStream.ResumeRefusal) async {
        let stream = ReplayStream(number: 1, log: EventLog(limits: .init(maximumBytes: 1_000, eventsPerStream: 3)))
        for index in 1...5 { await stream.append(bytes("m\(index)")) }
        #expect(throws: refusal) { try stream.attach(after: position) }
    }

    @Test("one reader at a time; a stale detach cannot remove the new reader")
    func oneReaderAtATime() throws {
        let stream = ReplayStream(number: 1, log: EventLog())
        let old = try stream.attachAtEnd()
        #expect(throws: ReplayStream.ResumeRefusal.alreadyAttached) { try stream.attach(after: 0) }
        stream.detach(old)
        _ = try stream.attach(after: 0)
        stream.detach(old)
        #expect(stream.isAttached)
    }

    @Test("a resume takes over from a reader whose loss was not noticed yet; the old reader gets no more events")
    func takeOver() async throws {
        let stream = ReplayStream(number: 1, log: EventLog())
        let old = try stream.attach(after: 0)
        let oldReader = Task { await stream.next(for: old) }
        let new = try stream.attach(after: 0, takeOver: true)
        stream.finish(bytes("r"))
        #expect(describe(await oldReader.value) == "end")
        #expect(await drain(stream, new) == ["1:final r"])
    }

    @Test("a refused take-over leaves the waiting reader untouched", arguments: [99, -1])
    func refusedTakeOverKeepsReader(_ position: Int) async throws {
        let stream = ReplayStream(number: 1, log: EventLog())
        let reader = try stream.attach(after: 0)
        let waiting = Task { await stream.next(for: reader) }
        for _ in 0..<1_000 { await Task.yield() }
        #expect(throws: ReplayStream.ResumeRefusal.unknownPosition) { try stream.attach(after: position, takeOver: true) }
        stream.finish(bytes("r"))
        #expect(describe(await waiting.value) == "1:final r")
        stream.detach(reader)
    }

    @Test("the global byte cap evicts the oldest events of any stream first")
    func globalCapEvictsOldestFirst() async throws {
        let log = EventLog(limits: .init(maximumBytes: 10, eventsPerStream: 100))
        let a = ReplayStream(number: 1, log: log)
        let b = ReplayStream(number: 2, log: log)
        await a.append(bytes("aaaa"))
        await b.append(bytes("bbbb"))
        await a.append(bytes("cccc"))
        #expect(log.bytes == 8)
        #expect(throws: ReplayStream.ResumeRefusal.outsideWindow(oldestKept: 2)) { try a.attach(after: 0) }
        let reader = try b.attach(after: 0)
        #expect(describe(await b.next(for: reader)) == "1:bbbb")
    }

    @Test("a million events through a small log never hold more than its cap")
    func boundedUnderLoad() async {
        let log = EventLog(limits: .init(maximumBytes: 4_096, eventsPerStream: 64))
        let streams = (1...8).map { ReplayStream(number: $0, log: log) }
        var peak = 0
        for index in 0..<1_000_000 {
            streams[index % streams.count].offer(bytes("event-\(index % 1000)"))
            peak = max(peak, log.bytes)
        }
        #expect(peak <= 4_096)
        for stream in streams { stream.discard() }
        #expect(log.bytes == 0)
    }

    @Test("a slow live reader that falls out of the window sees a gap, not silently missing events")
    func liveReaderGap() async throws {
        let stream = ReplayStream(number: 1, log: EventLog(limits: .init(maximumBytes: 1_000, eventsPerStream: 2)))
        let reader = try stream.attach(after: 0)
        for index in 1...4 { stream.offer(bytes("m\(index)")) }
        #expect(describe(await stream.next(for: reader)) == "gap")
    }

    @Test("a disconnect request ends the reader's connection; the stream goes on")
    func disconnect() async throws {
        let stream = ReplayStream(number: 1, log: EventLog())
        let reader = try stream.attach(after: 0)
        stream.requestDisconnect()
        #expect(describe(await stream.next(for: reader)) == "disconnect")
        stream.detach(reader)
        stream.finish(bytes("later"))
        let again = try stream.attach(after: 0)
        #expect(await drain(stream, again) == ["1:final later"])
    }

    @Test("a quiet reader is woken for a keep-alive once the interval has passed")
    func keepAlive() async throws {
        let stream = ReplayStream(number: 1, log: EventLog())
        let attachment = try stream.attachAtEnd()
        let woken = Atomic<Bool>(false)
        let reader = Task {
            let item = await stream.next(for: attachment)
            woken.store(true, ordering: .releasing)
            return item
        }
        // The ticker's view: it calls again until the reader is parked and gets woken (bounded).
        for _ in 0..<100_000 where !woken.load(ordering: .acquiring) {
            stream.wakeIfIdle(now: .now + .seconds(7200), interval: .seconds(3600))
            await Task.yield()
        }
        #expect(describe(await reader.value) == "idle")
    }

    @Test("a reader that was just active is not woken before the interval")
    func noEarlyKeepAlive() async throws {
        let stream = ReplayStream(number: 1, log: EventLog())
        let attachment = try stream.attachAtEnd()
        let reader = Task { await stream.next(for: attachment) }
        for _ in 0..<1_000 {
            stream.wakeIfIdle(now: .now, interval: .seconds(3600))
            await Task.yield()
        }
        stream.offer(bytes("real"))
        #expect(describe(await reader.value) == "1:real")
    }

    @Test("without keepsDeliveredEvents, delivered events leave the log at once")
    func dropsDelivered() async throws {
        let log = EventLog()
        let stream = ReplayStream(number: 1, log: log, keepsDeliveredEvents: false)
        let reader = try stream.attachAtEnd()
        stream.offer(bytes("x"))
        #expect(describe(await stream.next(for: reader)) == "1:x")
        #expect(log.bytes == 0)
    }
}
