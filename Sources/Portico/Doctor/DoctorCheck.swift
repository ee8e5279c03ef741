/// The verdict of one `portico doctor` check. The `id` is a contract (scripts and the tests
/// match on it); `fix` says what to change whenever the status is not `pass`.
public struct DoctorCheck: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case pass, warn, fail, skip
    }

    public var id: String
    public var status: Status
    public var summary: String
    public var fix: String?

    public init(id: String, status: Status, summary: String, fix: String? = nil) {
        self.id = id
        self.status = status
        self.summary = summary
        self.fix = fix
    }

    public static func pass(_ id: String, _ summary: String) -> DoctorCheck {
        DoctorCheck(id: id, status: .pass, summary: summary)
    }

    public static func warn(_ id: String, _ summary: String, fix: String) -> DoctorCheck {
        DoctorCheck(id: id, status: .warn, summary: summary, fix: fix)
    }

    public static func fail(_ id: String, _ summary: String, fix: String) -> DoctorCheck {
        DoctorCheck(id: id, status: .fail, summary: summary, fix: fix)
    }

    public static func skip(_ id: String, _ summary: String, fix: String? = nil) -> DoctorCheck {
        DoctorCheck(id: id, status: .skip, summary: summary, fix: fix)
    }
}
