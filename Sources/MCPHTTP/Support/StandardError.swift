#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines to standard error with `write(2)`, unbuffered, so a line is never held
/// back or split by a buffer (lines under PIPE_BUF reach a pipe whole even from many threads).
///
/// The write blocks: a reader of standard error that stops reading (a stalled pipe) stalls
/// the writer. journald and files do not; point the log at one of them in production.
public enum StandardError {
    public static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(2, buffer.baseAddress! + offset, buffer.count - offset)
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
