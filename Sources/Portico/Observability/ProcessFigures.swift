#if canImport(Glibc)
import Glibc
#endif

/// The process's own file descriptors and memory, from `/proc/self` and `getrlimit`: what
/// `portico doctor` compares with the streams the config allows.
struct ProcessFigures {
    var openDescriptors: Int?
    var maximumDescriptors: Int?
    var residentBytes: Int?

    static func read() -> ProcessFigures {
        var figures = ProcessFigures()
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { figures.maximumDescriptors = Int(limit.rlim_cur) }
        if let directory = opendir("/proc/self/fd") {
            var count = 0
            while let entry = readdir(directory) {
                if entry.pointee.d_name.0 != CChar(UInt8(ascii: ".")) { count += 1 }
            }
            closedir(directory)
            // The directory's own descriptor was open while counting.
            figures.openDescriptors = count - 1
        }
        if let statm = fopen("/proc/self/statm", "r") {
            var size = 0
            var resident = 0
            if readTwoFields(statm, &size, &resident) { figures.residentBytes = resident * Int(sysconf(Int32(_SC_PAGESIZE))) }
            fclose(statm)
        }
        return figures
    }

    private static func readTwoFields(_ file: UnsafeMutablePointer<FILE>, _ first: inout Int, _ second: inout Int) -> Bool {
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
        guard fields.count >= 2, let a = Int(fields[0]), let b = Int(fields[1]) else { return false }
        first = a
        second = b
        return true
    }
}
