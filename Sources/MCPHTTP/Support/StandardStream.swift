#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output or error, written with `write(2)` and no buffer, so a line is never held
/// back or split (the `listening` line must reach a pipe at once; log lines under PIPE_BUF
/// reach a pipe whole even from many threads).
///
/// The write blocks: a reader that stops reading (a stalled pipe) stalls the writer.
/// journald and files do not; point the log at one of them in production.
public enum StandardStream: Int32, Sendable {
    case output = 1
    case error = 2

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(rawValue, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif
