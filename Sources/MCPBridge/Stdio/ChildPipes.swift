import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child's stdin and stdout as raw pipes, driven without hops between tasks.
///
/// A reply from the child is read by one dedicated thread blocked in `poll`, split into
/// lines and delivered straight to the waiting call; a request is written by the calling
/// task itself, non-blocking, under a lock. Measured against swift-subprocess's async
/// streams (a writer task draining an outbox, an epoll thread resuming a reader task,
/// which resumes the call), this removes two task wake-ups from every call.
final class ChildPipes: Sendable {
    /// The ends the child gets as its fd 0 and fd 1.
    let childInput: Int32
    let childOutput: Int32
    private let input: Int32
    private let output: Int32
    /// Wakes the reader thread when writes start queueing, so it flushes at once.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private struct WriteState {
        /// Bytes the pipe had no room for, from `offset` on; the reader thread flushes them
        /// when the pipe is writable.
        var pending: [UInt8] = []
        var offset = 0
        var closeRequested = false
        var closed = false
    }

    private let writes = Mutex(WriteState())
    private let stopped = Atomic(false)
    private let childEndsClosed = Atomic(false)

    struct SetupFailed: Error, CustomStringConvertible {
        var description: String
    }

    init() throws(SetupFailed) {
        _ = ignoreSIGPIPEOnce
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                let code = errno
                for opened in pipes.joined() { close(opened) }
                throw SetupFailed(description: "pipe() failed: errno \(code)")
            }
            for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            pipes.append(ends)
        }
        childInput = pipes[0][0]
        input = pipes[0][1]
        output = pipes[1][0]
        childOutput = pipes[1][1]
        wakeRead = pipes[2][0]
        wakeWrite = pipes[2][1]
        // Writes never block a task: a full pipe queues the rest for the reader thread. A
        // larger pipe (F_SETPIPE_SZ, best effort) makes that rare.
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
        _ = fcntl(input, 1031 /* F_SETPIPE_SZ */, 1 << 20)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
    }

    // MARK: Writing

    /// Writes one frame, or queues what does not fit; dropped once the input is closed or the
    /// child has gone (its reader then sees the end of the output).
    func write(_ frame: [UInt8]) {
        writes.withLock { state in
            guard !state.closed, !state.closeRequested else { return }
            if !state.pending.isEmpty {
                state.pending += frame
                return
            }
            let written = writeSome(frame[...], state: &state)
            if written < frame.count, !state.closed {
                state.pending = Array(frame[written...])
                state.offset = 0
                var byte: UInt8 = 1
                _ = Glibc.write(wakeWrite, &byte, 1)
            }
        }
    }

    /// Closes the child's stdin once queued bytes are out: stdio servers exit on end of input.
    func closeInput() {
        writes.withLock { state in
            state.closeRequested = true
            if state.pending.isEmpty { closeInputLocked(&state) }
        }
    }

    private func writeSome(_ bytes: ArraySlice<UInt8>, state: inout WriteState) -> Int {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in Glibc.write(input, raw.baseAddress! + offset, raw.count - offset) }
            if result > 0 {
                offset += result
            } else if result < 0 && errno == EINTR {
                continue
            } else if result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                closeInputLocked(&state)
                break
            }
        }
        return offset
    }

    private func closeInputLocked(_ state: inout WriteState) {
        guard !state.closed else { return }
        state.closed = true
        state.pending = []
        close(input)
    }

    private var hasPendingWrites: Bool { writes.withLock { !$0.pending.isEmpty } }

    private func flushPending() {
        writes.withLock { state in
            guard !state.pending.isEmpty, !state.closed else { return }
            state.offset += writeSome(state.pending[state.offset...], state: &state)
            if !state.closed && state.offset == state.pending.count {
                state.pending = []
                state.offset = 0
            }
            if state.pending.isEmpty && state.closeRequested { closeInputLocked(&state) }
        }
    }

    // MARK: Reading

    enum ReadEnd: Sendable {
        /// The child closed its stdout or exited.
        case endOfOutput
        /// `onLine` threw.
        case failed(any Error)
        case stopped
    }

    /// Reads lines on a dedicated thread until the output ends, `onLine` throws or `stop()`
    /// is called; `pid` is checked while idle so a grandchild holding the pipe open cannot
    /// keep a dead child's calls waiting.
    func read(pid: Int32, maximumFrameBytes: Int, onLine: @escaping @Sendable ([UInt8]) throws -> Void) async -> ReadEnd {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ReadEnd, Never>) in
                let started = spawnDetachedThread {
                    continuation.resume(returning: self.readLoop(pid: pid, maximumFrameBytes: maximumFrameBytes, onLine: onLine))
                }
                if !started { continuation.resume(returning: .failed(SetupFailed(description: "could not start the reader thread"))) }
            }
        } onCancel: {
            stop()
        }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    private func readLoop(pid: Int32, maximumFrameBytes: Int, onLine: ([UInt8]) throws -> Void) -> ReadEnd {
        var splitter = LineSplitter(maximumFrameBytes: maximumFrameBytes)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while !stopped.load(ordering: .relaxed) {
            let flushing = hasPendingWrites
            var fds = [
                pollfd(fd: output, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: input, events: Int16(POLLOUT), revents: 0),
            ]
            let ready = poll(&fds, flushing ? 3 : 2, 250)
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(SetupFailed(description: "poll() failed: errno \(errno)"))
            }
            if ready == 0 {
                if Self.hasExited(pid) { return .endOfOutput }
                continue
            }
            if fds[1].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                _ = drain.withUnsafeMutableBytes { Glibc.read(wakeRead, $0.baseAddress, $0.count) }
                continue
            }
            if flushing && fds[2].revents != 0 { flushPending() }
            guard fds[0].revents != 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if count > 0 {
                do {
                    try buffer.withUnsafeBytes { bytes in
                        try splitter.feed(UnsafeRawBufferPointer(rebasing: bytes[..<count]), frame: onLine)
                    }
                } catch {
                    return .failed(error)
                }
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                return .endOfOutput
            }
        }
        return .stopped
    }

    /// Whether the process is gone or a zombie (`/proc/<pid>/stat` state Z or X).
    static func hasExited(_ pid: Int32) -> Bool {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 512)
        let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0, let close = bytes[..<count].lastIndex(of: UInt8(ascii: ")")), close + 2 < count else { return true }
        let state = bytes[close + 2]
        return state == UInt8(ascii: "Z") || state == UInt8(ascii: "X")
    }

    /// Closes the parent's ends; the reader must have stopped.
    func closeAll() {
        writes.withLock { closeInputLocked(&$0) }
        close(output)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Closes the ends that belong to the child, once it has them (or failed to start).
    func closeChildEnds() {
        guard !childEndsClosed.exchange(true, ordering: .relaxed) else { return }
        close(childInput)
        close(childOutput)
    }
}
