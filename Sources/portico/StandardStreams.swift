import MCPHTTP

/// Text to the standard streams, unbuffered (see ``StandardStream``): the `listening` line
/// must reach a pipe at once.
enum StandardStreams {
    static func writeOutput(_ text: String) { StandardStream.output.write(Array(text.utf8)) }
    static func writeError(_ text: String) { StandardStream.error.write(Array(text.utf8)) }
}
