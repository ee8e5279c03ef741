import Synchronization

/// Who published each tool and prompt name, so a clash between two sources is reported with
/// both names ("a name clash without a prefix is a config error naming both sources").
public final class ToolOwners: Sendable {
    private let owners = Mutex<[String: String]>([:])

    public init() {}

    /// Records `owner` for `name`; returns the earlier owner when the name is taken by someone else.
    func claim(_ name: String, for owner: String) -> String? {
        owners.withLock { owners in
            if let earlier = owners[name], earlier != owner { return earlier }
            owners[name] = owner
            return nil
        }
    }

    func release(_ name: String, for owner: String) {
        owners.withLock { owners in
            if owners[name] == owner { owners[name] = nil }
        }
    }
}
