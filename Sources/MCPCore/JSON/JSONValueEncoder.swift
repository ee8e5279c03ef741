/// Encodes `Encodable` types into a `JSONValue` tree.
///
/// Results (`structuredContent`, tool schemas, responses) are embedded in larger
/// messages before serialisation, so producing the tree directly avoids an
/// encode-to-bytes-then-parse round trip. Object members keep the order in which the
/// type encoded them, which for synthesized conformances is declaration order, so the
/// wire output reads the way the Swift type was written.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if T.self == JSONValue.self, let tree = value as? JSONValue { return tree }
        let encoder = JSONValueEncoderImpl(path: .root)
        try value.encode(to: encoder)
        guard let result = encoder.resolve() else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [],
                debugDescription: "Top-level \(T.self) did not encode any values."
            ))
        }
        return result
    }
}

// MARK: - Storage

/// A slot in a container under construction.
///
/// Nested containers are handed out before they are filled, so they are shared by
/// reference and only turned into `JSONValue`s once the enclosing `encode(to:)` returns.
enum JSONEncodingSlot {
    case value(JSONValue)
    case object(JSONObjectBuilder)
    case array(JSONArrayBuilder)
    /// A `superEncoder()` that may be written after the slot is created.
    case encoder(JSONValueEncoderImpl)

    func resolve() -> JSONValue {
        switch self {
        case .value(let value): value
        case .object(let builder): builder.resolve()
        case .array(let builder): builder.resolve()
        // A super encoder that wrote nothing stands for an empty object, as in Foundation.
        case .encoder(let encoder): encoder.resolve() ?? .object(JSONObject())
        }
    }
}

/// Object members in first-write order; a repeated key replaces the value in place.
final class JSONObjectBuilder {
    private var keys: [String] = []
    private var slots: [JSONEncodingSlot] = []
    /// Only built for large objects (encoded dictionaries) to keep writes linear.
    private var index: [String: Int]?

    func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    func slot(forKey key: String) -> JSONEncodingSlot? { position(of: key).map { slots[$0] } }

    func set(_ key: String, _ slot: JSONEncodingSlot) {
        if let position = position(of: key) {
            slots[position] = slot
            return
        }
        keys.append(key)
        slots.append(slot)
        if index != nil {
            index?[key] = keys.count - 1
        } else if keys.count > 16 {
            var built = [String: Int](minimumCapacity: keys.count * 2)
            for (position, key) in keys.enumerated() { built[key] = position }
            index = built
        }
    }

    func resolve() -> JSONValue {
        var object = JSONObject()
        // Keys are unique by construction, so the duplicate check can be skipped.
        for (key, slot) in zip(keys, slots) { object.appendUnchecked(key, slot.resolve()) }
        return .object(object)
    }
}

final class JSONArrayBuilder {
    private(set) var slots: [JSONEncodingSlot] = []

    func append(_ slot: JSONEncodingSlot) { slots.append(slot) }

    func resolve() -> JSONValue { .array(slots.map { $0.resolve() }) }
}

// MARK: - Boxing

/// Converts values to tree nodes; shared by all three container kinds.
enum JSONValueBoxer {
    static func double(_ value: Double, at path: @autoclosure () -> JSONCodingPath) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: path().keys,
                debugDescription: "Unable to encode Double.\(value) directly in JSON."
            ))
        }
        return .number(JSONNumber(value))
    }

    static func float(_ value: Float, at path: @autoclosure () -> JSONCodingPath) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: path().keys,
                debugDescription: "Unable to encode Float.\(value) directly in JSON."
            ))
        }
        // Float's own shortest description ("0.1") beats widening to Double ("0.10000000149011612").
        if value == value.rounded(), abs(value) < 1e15 { return .number(JSONNumber(Double(value))) }
        return .number(JSONNumber(unchecked: "\(value)"))
    }

    /// Encodes any `Encodable`, short-cutting the common leaf types so arrays of
    /// strings or numbers do not allocate an encoder per element.
    static func box<T: Encodable>(_ value: T, at path: @autoclosure () -> JSONCodingPath) throws -> JSONValue {
        // Comparing metadata first keeps failed dynamic casts off the path of every
        // struct, and stops `Optional<JSONValue>` from being unwrapped by `as?`.
        if T.self == JSONValue.self, let tree = value as? JSONValue { return tree }
        if T.self == String.self, let string = value as? String { return .string(string) }
        if T.self == Int.self, let int = value as? Int { return .number(JSONNumber(int)) }
        if T.self == Double.self, let double = value as? Double { return try Self.double(double, at: path()) }
        if T.self == Bool.self, let bool = value as? Bool { return .bool(bool) }
        let encoder = JSONValueEncoderImpl(path: path())
        try value.encode(to: encoder)
        // A value that encoded nothing still occupies its key; Foundation writes `{}`.
        return encoder.resolve() ?? .object(JSONObject())
    }
}

// MARK: - Encoder

/// The `Encoder` handed to `encode(to:)`; it is also its own single-value container.
final class JSONValueEncoderImpl: Encoder, SingleValueEncodingContainer {
    let path: JSONCodingPath
    private var storage: JSONEncodingSlot?

    init(path: JSONCodingPath) { self.path = path }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func resolve() -> JSONValue? { storage?.resolve() }

    /// Embeds a finished subtree; used by `JSONValue.encode(to:)` to skip the containers.
    func store(_ value: JSONValue) { storage = .value(value) }

    /// Asking twice for a keyed container yields the same object (superclass and
    /// subclass both writing into one object); asking after writing something else
    /// starts over rather than trapping, since a server must not crash on a bad type.
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let builder: JSONObjectBuilder
        if case .object(let existing) = storage {
            builder = existing
        } else {
            builder = JSONObjectBuilder()
            storage = .object(builder)
        }
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<Key>(builder: builder, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let builder: JSONArrayBuilder
        if case .array(let existing) = storage {
            builder = existing
        } else {
            builder = JSONArrayBuilder()
            storage = .array(builder)
        }
        return JSONUnkeyedEncodingContainer(builder: builder, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() throws { storage = .value(.null) }
    func encode(_ value: Bool) throws { storage = .value(.bool(value)) }
    func encode(_ value: String) throws { storage = .value(.string(value)) }
    func encode(_ value: Double) throws { storage = .value(try JSONValueBoxer.double(value, at: path)) }
    func encode(_ value: Float) throws { storage = .value(try JSONValueBoxer.float(value, at: path)) }
    func encode(_ value: Int) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: Int8) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: Int16) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: Int32) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: Int64) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt8) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt16) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt32) throws { storage = .value(.number(JSONNumber(value))) }
    func encode(_ value: UInt64) throws { storage = .value(.number(JSONNumber(value))) }
    func encode<T: Encodable>(_ value: T) throws { storage = .value(try JSONValueBoxer.box(value, at: path)) }
}

// MARK: - Keyed container

struct JSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let builder: JSONObjectBuilder
    let path: JSONCodingPath

    var codingPath: [any CodingKey] { path.keys }

    private func put(_ value: JSONValue, _ key: Key) { builder.set(key.stringValue, .value(value)) }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        put(try JSONValueBoxer.double(value, at: path.appending(key)), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        put(try JSONValueBoxer.float(value, at: path.appending(key)), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try JSONValueBoxer.box(value, at: path.appending(key)), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested: JSONObjectBuilder
        if case .object(let existing) = builder.slot(forKey: key.stringValue) {
            nested = existing
        } else {
            nested = JSONObjectBuilder()
            builder.set(key.stringValue, .object(nested))
        }
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(builder: nested, path: path.appending(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested: JSONArrayBuilder
        if case .array(let existing) = builder.slot(forKey: key.stringValue) {
            nested = existing
        } else {
            nested = JSONArrayBuilder()
            builder.set(key.stringValue, .array(nested))
        }
        return JSONUnkeyedEncodingContainer(builder: nested, path: path.appending(key))
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = JSONValueEncoderImpl(path: path.appending(JSONStringKey.super))
        builder.set(JSONStringKey.super.stringValue, .encoder(encoder))
        return encoder
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = JSONValueEncoderImpl(path: path.appending(key))
        builder.set(key.stringValue, .encoder(encoder))
        return encoder
    }
}

// MARK: - Unkeyed container

struct JSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let builder: JSONArrayBuilder
    let path: JSONCodingPath

    var codingPath: [any CodingKey] { path.keys }
    var count: Int { builder.slots.count }

    private var nextPath: JSONCodingPath { .index(count, path) }
    private func put(_ value: JSONValue) { builder.append(.value(value)) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try JSONValueBoxer.double(value, at: nextPath)) }
    mutating func encode(_ value: Float) throws { put(try JSONValueBoxer.float(value, at: nextPath)) }
    mutating func encode(_ value: Int) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int8) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int16) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int32) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int64) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt8) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt16) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt32) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt64) throws { put(.number(JSONNumber(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { put(try JSONValueBoxer.box(value, at: nextPath)) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONObjectBuilder()
        let elementPath = nextPath
        builder.append(.object(nested))
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(builder: nested, path: elementPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBuilder()
        let elementPath = nextPath
        builder.append(.array(nested))
        return JSONUnkeyedEncodingContainer(builder: nested, path: elementPath)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = JSONValueEncoderImpl(path: nextPath)
        builder.append(.encoder(encoder))
        return encoder
    }
}

// MARK: - JSONValue: Encodable

extension JSONValue: Encodable {
    /// Under `JSONValueEncoder` the subtree is embedded as-is (number literals and
    /// member order intact); under any other encoder it is written through containers.
    public func encode(to encoder: any Encoder) throws {
        if let tree = encoder as? JSONValueEncoderImpl {
            tree.store(self)
            return
        }
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let bool):
            var container = encoder.singleValueContainer()
            try container.encode(bool)
        case .number(let number):
            var container = encoder.singleValueContainer()
            // Integers first so large ids keep every digit; other literals go through Double.
            if let int = Int64(number.text) {
                try container.encode(int)
            } else if let uint = UInt64(number.text) {
                try container.encode(uint)
            } else if let double = number.doubleValue {
                try container.encode(double)
            } else {
                throw EncodingError.invalidValue(self, EncodingError.Context(
                    codingPath: encoder.codingPath,
                    debugDescription: "JSON number literal \(number.text) is not representable."
                ))
            }
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .object(let object):
            var container = encoder.container(keyedBy: JSONStringKey.self)
            for (key, value) in object { try container.encode(value, forKey: JSONStringKey(key)) }
        }
    }
}
