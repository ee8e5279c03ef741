/// Decodes `Decodable` types straight from a parsed `JSONValue` tree.
///
/// Tool arguments arrive already parsed (the transport needs the tree for ids and
/// routing), so re-serialising them for Foundation's `JSONDecoder` would parse twice.
/// This decoder walks the tree in place, keeps integers exact (a literal is never
/// routed through `Double` unless it has a fraction or exponent), and attaches enough
/// context to each `DecodingError` for `DecodingError.fieldDescription` to name the
/// offending field and the JSON it actually found.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueUnboxer.unbox(value, as: type, at: .root)
    }
}

// MARK: - Coding paths and keys

/// A coding path built as a parent-linked list.
///
/// Most values decode without error and never ask for their path, so pushing a key
/// must be cheap; the `[any CodingKey]` array is only materialised on demand.
indirect enum JSONCodingPath {
    case root
    case key(any CodingKey, JSONCodingPath)
    case index(Int, JSONCodingPath)

    var keys: [any CodingKey] {
        var reversed: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root:
                return reversed.reversed()
            case .key(let key, let parent):
                reversed.append(key)
                node = parent
            case .index(let index, let parent):
                reversed.append(JSONIndexKey(index))
                node = parent
            }
        }
    }

    func appending(_ key: any CodingKey) -> JSONCodingPath { .key(key, self) }
}

/// The key for an array element; `fieldDescription` renders it as `[n]`.
struct JSONIndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
}

/// A key for any member name, used where the key set is not known statically
/// (generic `JSONValue` coding, `super`).
struct JSONStringKey: CodingKey {
    let stringValue: String
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { stringValue = String(intValue) }
    var intValue: Int? { nil }

    static let `super` = JSONStringKey("super")
}

/// Structured detail carried as a `DecodingError`'s `underlyingError`.
///
/// `debugDescription` is prose for developers; this keeps the expected shape and the
/// offending JSON separate so `fieldDescription` can phrase a message for tool callers.
struct JSONDecodingIssue: Error {
    enum Kind: Sendable {
        /// The value exists but has the wrong type or is out of range.
        case invalid
        /// An unkeyed container ran out of elements.
        case missingElement
    }

    let kind: Kind
    /// A noun phrase such as "an integer" or "an integer between 0 and 255".
    let expected: String
    /// The JSON found: a type name ("string") or, for numbers, often the literal ("1.5").
    let found: String
}

// MARK: - Primitive unboxing

/// Converts tree nodes to primitives; shared by all three container kinds.
///
/// Paths are passed as autoclosures so a successful decode never allocates a path node.
enum JSONValueUnboxer {
    static func mismatch(
        _ type: Any.Type, expected: String, found value: JSONValue, at path: JSONCodingPath
    ) -> DecodingError {
        let issue = JSONDecodingIssue(kind: .invalid, expected: expected, found: value.typeName)
        let context = DecodingError.Context(
            codingPath: path.keys,
            debugDescription: "Expected \(expected) but found \(value.typeName) instead.",
            underlyingError: issue
        )
        // Null is "no value" in Codable's vocabulary; keeping that distinction matches
        // what Foundation's decoder reports and what callers may switch on.
        if case .null = value { return .valueNotFound(type, context) }
        return .typeMismatch(type, context)
    }

    static func bool(_ value: JSONValue, at path: @autoclosure () -> JSONCodingPath) throws -> Bool {
        guard case .bool(let bool) = value else {
            throw mismatch(Bool.self, expected: "a boolean", found: value, at: path())
        }
        return bool
    }

    static func string(_ value: JSONValue, at path: @autoclosure () -> JSONCodingPath) throws -> String {
        guard case .string(let string) = value else {
            throw mismatch(String.self, expected: "a string", found: value, at: path())
        }
        return string
    }

    static func double(_ value: JSONValue, at path: @autoclosure () -> JSONCodingPath) throws -> Double {
        guard case .number(let number) = value else {
            throw mismatch(Double.self, expected: "a number", found: value, at: path())
        }
        guard let double = Double(number.text), double.isFinite else {
            throw outOfRange(Double.self, expected: "a number within Double range", number, at: path())
        }
        return double
    }

    static func float(_ value: JSONValue, at path: @autoclosure () -> JSONCodingPath) throws -> Float {
        guard case .number(let number) = value else {
            throw mismatch(Float.self, expected: "a number", found: value, at: path())
        }
        guard let float = Float(number.text), float.isFinite else {
            throw outOfRange(Float.self, expected: "a number within Float range", number, at: path())
        }
        return float
    }

    static func integer<I: FixedWidthInteger>(
        _ value: JSONValue, as type: I.Type, at path: @autoclosure () -> JSONCodingPath
    ) throws -> I {
        guard case .number(let number) = value else {
            throw mismatch(I.self, expected: "an integer", found: value, at: path())
        }
        // Fast path: a plain integer literal that fits.
        if let exact = I(number.text) { return exact }
        switch JSONExactInteger.parse(number.text, as: I.self) {
        case .value(let exact):
            return exact
        case .fractional:
            let issue = JSONDecodingIssue(kind: .invalid, expected: "an integer", found: number.text)
            throw DecodingError.typeMismatch(I.self, DecodingError.Context(
                codingPath: path().keys,
                debugDescription: "Expected an integer but found \(number.text) instead.",
                underlyingError: issue
            ))
        case .outOfRange:
            throw outOfRange(I.self, expected: "an integer between \(I.min) and \(I.max)", number, at: path())
        }
    }

    static func outOfRange(
        _ type: Any.Type, expected: String, _ number: JSONNumber, at path: JSONCodingPath
    ) -> DecodingError {
        let issue = JSONDecodingIssue(kind: .invalid, expected: expected, found: number.text)
        return .dataCorrupted(DecodingError.Context(
            codingPath: path.keys,
            debugDescription: "Number \(number.text) does not fit in \(type).",
            underlyingError: issue
        ))
    }

    /// Decodes any `Decodable`, short-cutting the types that dominate MCP payloads so
    /// arrays of strings or numbers do not allocate a decoder per element.
    static func unbox<T: Decodable>(
        _ value: JSONValue, as type: T.Type, at path: @autoclosure () -> JSONCodingPath
    ) throws -> T {
        if T.self == JSONValue.self, let same = value as? T { return same }
        if T.self == String.self, let result = try string(value, at: path()) as? T { return result }
        if T.self == Int.self, let result = try integer(value, as: Int.self, at: path()) as? T { return result }
        if T.self == Double.self, let result = try double(value, at: path()) as? T { return result }
        if T.self == Bool.self, let result = try bool(value, at: path()) as? T { return result }
        return try T(from: JSONValueDecoderImpl(value: value, path: path()))
    }
}

// MARK: - Exact integer conversion

/// Converts a JSON number literal to a fixed-width integer without going through
/// `Double`, so `9007199254740993.0` or `1e19` stay exact instead of rounding.
enum JSONExactInteger<I: FixedWidthInteger> {
    case value(I)
    case fractional
    case outOfRange

    /// Parses `-?digits(.digits)?([eE][+-]?digits)?`; "exactly integral" literals such
    /// as `3.0` or `2e2` are accepted because they denote integers.
    static func parse(_ text: String, as type: I.Type) -> JSONExactInteger<I> {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        var digits: [UInt8] = []
        var fractionCount = 0
        var seenPoint = false
        var exponent = 0
        while let byte = bytes.first {
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                digits.append(byte &- UInt8(ascii: "0"))
                if seenPoint { fractionCount += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let parsed = parseExponent(bytes.dropFirst()) else { return .outOfRange }
                exponent = parsed
                break
            } else {
                return .outOfRange
            }
            bytes = bytes.dropFirst()
        }
        // Strip leading zeros so "digit count" measures magnitude.
        let firstNonZero = digits.firstIndex(where: { $0 != 0 }) ?? digits.endIndex
        var significant = Array(digits[firstNonZero...])
        if significant.isEmpty { return .value(0) }
        var scale = exponent - fractionCount
        // Trailing zeros of the mantissa can absorb a negative scale ("3.00" → 3).
        while scale < 0, significant.last == 0 {
            significant.removeLast()
            scale += 1
        }
        if scale < 0 { return .fractional }
        // 40 decimal digits exceed every built-in integer type; stop before allocating
        // a huge digit array for something like 1e1000000.
        guard significant.count + scale <= 40 else { return .outOfRange }
        var result: I = 0
        for digit in significant + Array(repeating: 0, count: scale) {
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(I(digit))
                : shifted.addingReportingOverflow(I(digit))
            if overflow1 || overflow2 { return .outOfRange }
            result = next
        }
        return .value(result)
    }

    private static func parseExponent(_ bytes: ArraySlice<UInt8>) -> Int? {
        var bytes = bytes
        var negative = false
        if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            // Saturate: any exponent past a million is already far outside every range.
            value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 1_000_000)
        }
        return negative ? -value : value
    }
}

// MARK: - Decoder

/// The `Decoder` handed to `init(from:)`; it is also its own single-value container.
final class JSONValueDecoderImpl: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let path: JSONCodingPath

    init(value: JSONValue, path: JSONCodingPath) {
        self.value = value
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw JSONValueUnboxer.mismatch([String: Any].self, expected: "an object", found: value, at: path)
        }
        return KeyedDecodingContainer(JSONKeyedDecodingContainer<Key>(object: object, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else {
            throw JSONValueUnboxer.mismatch([Any].self, expected: "an array", found: value, at: path)
        }
        return JSONUnkeyedDecodingContainer(array: array, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try JSONValueUnboxer.bool(value, at: path) }
    func decode(_ type: String.Type) throws -> String { try JSONValueUnboxer.string(value, at: path) }
    func decode(_ type: Double.Type) throws -> Double { try JSONValueUnboxer.double(value, at: path) }
    func decode(_ type: Float.Type) throws -> Float { try JSONValueUnboxer.float(value, at: path) }
    func decode(_ type: Int.Type) throws -> Int { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONValueUnboxer.integer(value, as: type, at: path) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONValueUnboxer.unbox(value, as: type, at: path) }
}

// MARK: - Keyed container

struct JSONKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let path: JSONCodingPath
    /// Built only for large objects (dictionaries), where a linear scan per key would
    /// make decoding quadratic; MCP argument objects are small and scan faster.
    private let index: [String: Int]?

    init(object: JSONObject, path: JSONCodingPath) {
        self.object = object
        self.path = path
        if object.count > 16 {
            var index = [String: Int](minimumCapacity: object.count)
            for (position, key) in object.keys.enumerated() { index[key] = position }
            self.index = index
        } else {
            self.index = nil
        }
    }

    var codingPath: [any CodingKey] { path.keys }
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    private func lookup(_ key: Key) -> JSONValue? {
        let name = key.stringValue
        if let index {
            return index[name].map { object.values[$0] }
        }
        return object.keys.firstIndex(of: name).map { object.values[$0] }
    }

    private func require(_ key: Key) throws -> JSONValue {
        guard let value = lookup(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: path.keys,
                debugDescription: "No value associated with key \"\(key.stringValue)\"."
            ))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try require(key).isNull }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try JSONValueUnboxer.bool(require(key), at: path.appending(key))
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try JSONValueUnboxer.string(require(key), at: path.appending(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try JSONValueUnboxer.double(require(key), at: path.appending(key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try JSONValueUnboxer.float(require(key), at: path.appending(key))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        try JSONValueUnboxer.integer(require(key), as: type, at: path.appending(key))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try JSONValueUnboxer.unbox(require(key), as: type, at: path.appending(key))
    }

    /// One lookup instead of the default's three (`contains`, `decodeNil`, `decode`);
    /// this is the path every optional property takes.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = lookup(key), !value.isNull else { return nil }
        return try JSONValueUnboxer.unbox(value, as: type, at: path.appending(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try require(key)
        guard case .object(let object) = value else {
            throw JSONValueUnboxer.mismatch(
                [String: Any].self, expected: "an object", found: value, at: path.appending(key))
        }
        return KeyedDecodingContainer(JSONKeyedDecodingContainer<NestedKey>(object: object, path: path.appending(key)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let value = try require(key)
        guard case .array(let array) = value else {
            throw JSONValueUnboxer.mismatch([Any].self, expected: "an array", found: value, at: path.appending(key))
        }
        return JSONUnkeyedDecodingContainer(array: array, path: path.appending(key))
    }

    /// A missing `super` member decodes as null, as with Foundation, so a superclass
    /// with only optional fields still decodes.
    func superDecoder() throws -> any Decoder {
        JSONValueDecoderImpl(value: object["super"] ?? .null, path: path.appending(JSONStringKey.super))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoderImpl(value: lookup(key) ?? .null, path: path.appending(key))
    }
}

// MARK: - Unkeyed container

struct JSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let array: [JSONValue]
    let path: JSONCodingPath
    private(set) var currentIndex = 0

    init(array: [JSONValue], path: JSONCodingPath) {
        self.array = array
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    /// Returns the current element and advances only when `body` succeeds, so a failed
    /// decode can be retried with another type, as the protocol requires. `body` gets
    /// the element's index and the container's path rather than a new path node, so
    /// success allocates nothing (and the closure need not capture `self`).
    private mutating func next<T>(_ type: T.Type, _ body: (JSONValue, Int, JSONCodingPath) throws -> T) throws -> T {
        guard currentIndex < array.count else {
            let issue = JSONDecodingIssue(kind: .missingElement, expected: "\(T.self)", found: "end of array")
            throw DecodingError.valueNotFound(T.self, DecodingError.Context(
                codingPath: JSONCodingPath.index(currentIndex, path).keys,
                debugDescription: "Unkeyed container is at end.",
                underlyingError: issue
            ))
        }
        let result = try body(array[currentIndex], currentIndex, path)
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < array.count else {
            // Throws the standard "at end" error; nothing is consumed.
            _ = try next(JSONValue.self) { value, _, _ in value }
            return false
        }
        if array[currentIndex].isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        try next(type) { try JSONValueUnboxer.bool($0, at: .index($1, $2)) }
    }
    mutating func decode(_ type: String.Type) throws -> String {
        try next(type) { try JSONValueUnboxer.string($0, at: .index($1, $2)) }
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        try next(type) { try JSONValueUnboxer.double($0, at: .index($1, $2)) }
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        try next(type) { try JSONValueUnboxer.float($0, at: .index($1, $2)) }
    }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        try next(type) { try JSONValueUnboxer.integer($0, as: type, at: .index($1, $2)) }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next(type) { try JSONValueUnboxer.unbox($0, as: type, at: .index($1, $2)) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next(KeyedDecodingContainer<NestedKey>.self) { value, index, path in
            try JSONValueDecoderImpl(value: value, path: .index(index, path)).container(keyedBy: type)
        }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { value, index, path in
            try JSONValueDecoderImpl(value: value, path: .index(index, path)).unkeyedContainer()
        }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next((any Decoder).self) { value, index, path in
            JSONValueDecoderImpl(value: value, path: .index(index, path))
        }
    }
}

// MARK: - JSONValue: Decodable

extension JSONValue: Decodable {
    /// Under `JSONValueDecoder` the subtree is returned as-is (exact number text and
    /// member order); under any other decoder it is rebuilt from the containers, which
    /// is the best a format-agnostic decoder allows (Foundation does not expose member
    /// order or number literals).
    public init(from decoder: any Decoder) throws {
        if let tree = decoder as? JSONValueDecoderImpl {
            self = tree.value
            return
        }
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .null
                return
            }
            // Bool first: some decoders bridge numbers and booleans loosely.
            if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
                return
            }
            if let int = try? container.decode(Int64.self) {
                self = .number(JSONNumber(int))
                return
            }
            if let uint = try? container.decode(UInt64.self) {
                self = .number(JSONNumber(uint))
                return
            }
            if let double = try? container.decode(Double.self) {
                self = .number(JSONNumber(double))
                return
            }
            if let string = try? container.decode(String.self) {
                self = .string(string)
                return
            }
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            if let count = array.count { elements.reserveCapacity(count) }
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        let members = try decoder.container(keyedBy: JSONStringKey.self)
        var object = JSONObject()
        for key in members.allKeys {
            object[key.stringValue] = try members.decode(JSONValue.self, forKey: key)
        }
        self = .object(object)
    }
}
