#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to the standard streams: the `listening` line must reach a pipe at once.
enum StandardStreams {
    static func writeOutput(_ text: String) { write(fileDescriptor: 1, text) }
    static func writeError(_ text: String) { write(fileDescriptor: 2, text) }

    private static func write(fileDescriptor: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = unistd_write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

#if canImport(Glibc)
private let unistd_write = Glibc.write
#else
private let unistd_write = Darwin.write
#endif
