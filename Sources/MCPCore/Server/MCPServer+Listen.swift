extension MCPServer {
    /// Reads the `notifications` filter of a `subscriptions/listen` request and the subset
    /// this server agrees to honour (kinds it has nothing for are left out of the
    /// acknowledgement, 2026-07-28 basic/patterns/subscriptions §Acknowledgment).
    public func listenFilter(
        _ request: JSONRPCRequest, clientCapabilities: JSONObject, maximumSubscriptions: Int, principal: Principal? = nil
    ) throws(MCPError) -> (ListenerHub.Filter, acknowledged: JSONObject) {
        let requested: JSONObject
        switch request.params["notifications"] {
        case .none:
            throw .invalidParams("subscriptions/listen: 'notifications' is required (an object naming the notification kinds to receive)")
        case .some(.object(let object)): requested = object
        case .some(let other):
            throw .invalidParams("subscriptions/listen: 'notifications' must be an object, got \(other.typeName)")
        }
        let contents = registry.snapshot
        let hasResources = !contents.resources.isEmpty || !contents.templates.isEmpty
        var filter = ListenerHub.Filter()
        var acknowledged = JSONObject()
        for (key, value) in requested {
            switch key {
            case "toolsListChanged", "promptsListChanged", "resourcesListChanged":
                guard case .bool(let wanted) = value else {
                    throw .invalidParams("subscriptions/listen: 'notifications.\(key)' must be a boolean, got \(value.typeName)")
                }
                let supported: Bool
                switch key {
                case "toolsListChanged": supported = !contents.tools.isEmpty
                case "promptsListChanged": supported = !contents.prompts.isEmpty
                default: supported = hasResources
                }
                guard wanted, supported else { continue }
                switch key {
                case "toolsListChanged": filter.toolsListChanged = true
                case "promptsListChanged": filter.promptsListChanged = true
                default: filter.resourcesListChanged = true
                }
                acknowledged[key] = true
            case "resourceSubscriptions":
                guard case .array(let elements) = value else {
                    throw .invalidParams("subscriptions/listen: 'notifications.resourceSubscriptions' must be an array of URI strings, got \(value.typeName)")
                }
                guard elements.count <= maximumSubscriptions else {
                    throw .invalidParams(
                        "subscriptions/listen: 'notifications.resourceSubscriptions' lists \(elements.count) URIs; at most \(maximumSubscriptions) are allowed per stream")
                }
                var uris: [JSONValue] = []
                for (index, element) in elements.enumerated() {
                    guard case .string(let uri) = element else {
                        throw .invalidParams("subscriptions/listen: 'notifications.resourceSubscriptions[\(index)]' must be a string, got \(element.typeName)")
                    }
                    // A resource the principal may not read is not agreed to: its updates would tell about it.
                    guard options.access.missingScopes(for: .resource(uri), principal: principal).isEmpty else { continue }
                    if filter.resourceSubscriptions.insert(uri).inserted { uris.append(element) }
                }
                if hasResources {
                    acknowledged[key] = .array(uris)
                } else {
                    filter.resourceSubscriptions = []
                }
            case "taskIds":
                guard TasksExtension.isDeclared(in: clientCapabilities) else { throw TasksExtension.missing("task status notifications") }
                guard case .array(let elements) = value, elements.count <= maximumSubscriptions else {
                    throw .invalidParams("subscriptions/listen: 'notifications.taskIds' must be an array of at most \(maximumSubscriptions) task ids")
                }
                var agreed: [JSONValue] = []
                for element in elements {
                    guard case .string(let id) = element else {
                        throw .invalidParams("subscriptions/listen: 'notifications.taskIds' must contain strings, got \(element.typeName)")
                    }
                    if tasks.task(id: id, principal: principal?.id) != nil, filter.taskIDs.insert(id).inserted { agreed.append(element) }
                }
                acknowledged[key] = .array(agreed)
            default:
                // Unknown kinds (a newer client's) are not honoured and not acknowledged.
                continue
            }
        }
        return (filter, acknowledged)
    }

    /// The first message on a listen stream.
    public func listenAcknowledgement(subscriptionID: JSONRPCID, acknowledged: JSONObject) -> [UInt8] {
        JSONRPCNotification(
            method: "notifications/subscriptions/acknowledged",
            params: ["_meta": .object([MetaKey.subscriptionId: subscriptionID.json]), "notifications": .object(acknowledged)]
        ).encoded()
    }
}
