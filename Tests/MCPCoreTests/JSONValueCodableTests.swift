import Foundation
import MCPCore
import Testing

// MARK: - Fixtures

private struct Item: Codable, Equatable {
    var name: String
    var quantity: Int
}

private enum Mode: String, Codable, Equatable {
    case fast, careful
}

private enum Priority: Int, Codable, Equatable {
    case low = 1, high = 2
}

private enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case rect(width: Int, height: Int)
    case empty
}

private struct Order: Codable, Equatable {
    var id: UInt64
    var mode: Mode
    var priority: Priority?
    var items: [Item]
    var tags: [String: String]
    var notes: String?
    var shape: Shape
}

private struct Counter: Codable, Equatable {
    var count: Int
}

private struct Level: Codable, Equatable {
    var level: UInt8
}

private struct Ratio: Codable, Equatable {
    var ratio: Double
}

private struct Required: Codable, Equatable {
    var a: Int
    var b: String?
}

private struct Config: Codable, Equatable {
    var name: String
}

private struct Settings: Codable, Equatable {
    var config: Config
}

private struct Tagged: Codable, Equatable {
    var tags: [String: String]
}

private struct Moded: Codable, Equatable {
    var mode: Mode
}

private struct Prioritised: Codable, Equatable {
    var priority: Priority
}

private struct Basket: Codable, Equatable {
    var items: [Item]
}

/// Two integers carried as a fixed-size array, decoded through an unkeyed container.
private struct Pair: Codable, Equatable {
    var first: Int
    var second: Int

    init(first: Int, second: Int) {
        self.first = first
        self.second = second
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        first = try container.decode(Int.self)
        second = try container.decode(Int.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(first)
        try container.encode(second)
    }
}

private struct Span: Codable, Equatable {
    var pair: Pair
}

/// Carries raw JSON next to typed fields, as tool results with `structuredContent` do.
private struct Envelope: Codable, Equatable {
    var kind: String
    var payload: JSONValue
    var extra: JSONValue?
}

/// Writes its keys in a deliberately non-alphabetical order, through nested containers.
private struct Layout: Codable, Equatable {
    var zeta: Int
    var alpha: String
    var point: [Int]
    var inner: Int

    enum CodingKeys: String, CodingKey { case zeta, alpha, point, nested }
    enum NestedKeys: String, CodingKey { case inner }

    init(zeta: Int, alpha: String, point: [Int], inner: Int) {
        self.zeta = zeta
        self.alpha = alpha
        self.point = point
        self.inner = inner
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        zeta = try container.decode(Int.self, forKey: .zeta)
        alpha = try container.decode(String.self, forKey: .alpha)
        var point = try container.nestedUnkeyedContainer(forKey: .point)
        var values: [Int] = []
        while !point.isAtEnd { values.append(try point.decode(Int.self)) }
        self.point = values
        let nested = try container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        inner = try nested.decode(Int.self, forKey: .inner)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(zeta, forKey: .zeta)
        try container.encode(alpha, forKey: .alpha)
        var point = container.nestedUnkeyedContainer(forKey: .point)
        for value in self.point { try point.encode(value) }
        var nested = container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        try nested.encode(inner, forKey: .inner)
    }
}

private class Animal: Codable {
    var name: String
    init(name: String) { self.name = name }
}

/// Encodes its superclass under `super`, the pattern `superEncoder()` exists for.
private final class Dog: Animal {
    var goodBoy: Bool

    enum CodingKeys: String, CodingKey { case goodBoy }

    init(name: String, goodBoy: Bool) {
        self.goodBoy = goodBoy
        super.init(name: name)
    }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        goodBoy = try container.decode(Bool.self, forKey: .goodBoy)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(goodBoy, forKey: .goodBoy)
        try super.encode(to: container.superEncoder())
    }
}

private func number(_ literal: String) -> JSONValue { .number(JSONNumber(unchecked: literal)) }

private func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
    let tree = try JSONValueEncoder().encode(value)
    return try JSONValueDecoder().decode(T.self, from: tree)
}

/// Runs a decode expected to fail and returns the `DecodingError` it threw.
private func decodingError(_ body: () throws -> Void) -> DecodingError? {
    do {
        try body()
        return nil
    } catch let error as DecodingError {
        return error
    } catch {
        return nil
    }
}

// MARK: - Round trips

@Suite("JSONValue Codable")
struct JSONValueCodableTests {
    fileprivate static let orders: [Order] = [
        Order(
            id: 1, mode: .fast, priority: .high,
            items: [Item(name: "bolt", quantity: 3), Item(name: "nut", quantity: 0)],
            tags: ["colour": "red", "size": "M"], notes: "fragile", shape: .circle(radius: 2.5)
        ),
        Order(id: 0, mode: .careful, priority: nil, items: [], tags: [:], notes: nil, shape: .empty),
        Order(
            id: UInt64.max, mode: .careful, priority: .low, items: [Item(name: "", quantity: Int.min)],
            tags: ["": ""], notes: "", shape: .rect(width: -1, height: Int.max)
        ),
    ]

    @Test("nested structs, enums, optionals, arrays and dictionaries round-trip", arguments: orders)
    fileprivate func nestedStructRoundTrips(order: Order) throws {
        #expect(try roundTrip(order) == order)
    }

    @Test(
        "optional elements and nested collections round-trip",
        arguments: [
            [[1, nil, 3], [], [nil]],
            [[Int.max, Int.min]],
        ] as [[[Int?]]]
    )
    func nestedOptionalArraysRoundTrip(value: [[Int?]]) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test(
        "dictionaries of any size round-trip",
        arguments: [0, 1, 16, 17, 200]
    )
    func dictionariesRoundTrip(size: Int) throws {
        let dictionary = Dictionary(uniqueKeysWithValues: (0..<size).map { ("key\($0)", $0) })
        #expect(try roundTrip(dictionary) == dictionary)
        let intKeyed = Dictionary(uniqueKeysWithValues: (0..<size).map { ($0, "v\($0)") })
        #expect(try roundTrip(intKeyed) == intKeyed)
    }

    @Test("synthesized keys are written in declaration order")
    func encoderKeepsDeclarationOrder() throws {
        let tree = try JSONValueEncoder().encode(Self.orders[0])
        #expect(tree.objectValue?.keys == ["id", "mode", "priority", "items", "tags", "notes", "shape"])
    }

    @Test("keys are written in the order the type encodes them, through nested containers")
    func encoderKeepsCallOrder() throws {
        let layout = Layout(zeta: 1, alpha: "a", point: [3, 4], inner: 9)
        let tree = try JSONValueEncoder().encode(layout)
        #expect(tree.objectValue?.keys == ["zeta", "alpha", "point", "nested"])
        #expect(tree == ["zeta": 1, "alpha": "a", "point": [3, 4], "nested": ["inner": 9]])
        #expect(try roundTrip(layout) == layout)
    }

    @Test("superEncoder and superDecoder nest the superclass under 'super'")
    func superclassRoundTripsUnderSuperKey() throws {
        let tree = try JSONValueEncoder().encode(Dog(name: "Rex", goodBoy: true))
        #expect(tree == ["goodBoy": true, "super": ["name": "Rex"]])
        let dog = try JSONValueDecoder().decode(Dog.self, from: tree)
        #expect(dog.name == "Rex" && dog.goodBoy)
    }

    // MARK: - Numbers

    @Test(
        "integral doubles print as integers, others keep their shortest form",
        arguments: [
            (3.0, "3"), (-0.0, "0"), (0.1, "0.1"), (-2.5, "-2.5"), (1e20, "1e+20"), (123_456_789_012.0, "123456789012"),
        ] as [(Double, String)]
    )
    func encoderPrintsDoubles(value: Double, text: String) throws {
        #expect(try JSONValueEncoder().encode(value) == number(text))
        #expect(try JSONValueEncoder().encode(["x": value]) == ["x": number(text)])
    }

    @Test("floats print their own shortest form", arguments: [(Float(0.1), "0.1"), (Float(4), "4")])
    func encoderPrintsFloats(value: Float, text: String) throws {
        #expect(try JSONValueEncoder().encode([value]) == [number(text)])
    }

    @Test("non-finite numbers are rejected with invalidValue", arguments: [Double.nan, .infinity, -.infinity])
    func encoderRejectsNonFinite(value: Double) {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Ratio(ratio: value)) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([Float(value)]) }
    }

    @Test(
        "integer literals decode exactly, including integral fractions and exponents",
        arguments: [
            ("127", "Int8", "127"), ("-128", "Int8", "-128"), ("255", "UInt8", "255"),
            ("3.0", "Int", "3"), ("1e2", "Int", "100"), ("2.50e1", "Int16", "25"), ("-0", "Int", "0"),
            ("0e999999", "UInt8", "0"), ("9007199254740993.0", "Int64", "9007199254740993"),
            ("-9223372036854775808", "Int64", "-9223372036854775808"),
            ("18446744073709551615", "UInt64", "18446744073709551615"),
            ("1.8446744073709551615e19", "UInt64", "18446744073709551615"),
            ("4294967295", "UInt32", "4294967295"), ("-2147483648", "Int32", "-2147483648"),
            ("65535", "UInt16", "65535"),
            ("42", "UInt", "42"),
        ]
    )
    func integersDecodeExactly(literal: String, type: String, expected: String) throws {
        #expect(try decodeInteger(number(literal), as: type) == expected)
        // The same rules apply inside arrays (unkeyed containers).
        #expect(try decodeInteger([number(literal)], as: "[\(type)]") == "[\(expected)]")
    }

    @Test(
        "integers outside the type's range are rejected",
        arguments: [
            ("128", "Int8"), ("-129", "Int8"), ("256", "UInt8"), ("-1", "UInt8"), ("-1", "UInt"),
            ("18446744073709551616", "UInt64"), ("9223372036854775808", "Int64"), ("1e19", "Int64"),
            ("1e400", "Int"), ("65536", "UInt16"), ("2147483648", "Int32"),
        ]
    )
    func outOfRangeIntegersAreRejected(literal: String, type: String) {
        let error = decodingError { _ = try decodeInteger(number(literal), as: type) }
        #expect(error?.fieldDescription.hasPrefix("input must be an integer between") == true)
    }

    @Test("fractional numbers are rejected for integer types", arguments: ["1.5", "-0.1", "1e-1", "12.25e1"])
    func fractionalNumbersAreRejected(literal: String) {
        let error = decodingError { _ = try JSONValueDecoder().decode(Counter.self, from: ["count": number(literal)]) }
        #expect(error?.fieldDescription == "field 'count' must be an integer, got \(literal)")
    }

    @Test("doubles accept any finite literal", arguments: [("1", 1.0), ("2.5", 2.5), ("-1e-3", -0.001)])
    func doublesDecode(literal: String, expected: Double) throws {
        #expect(try JSONValueDecoder().decode(Ratio.self, from: ["ratio": number(literal)]) == Ratio(ratio: expected))
    }

    // MARK: - JSONValue as a property

    @Test("a JSONValue property decodes and encodes as the exact subtree")
    func jsonValuePropertyIsEmbeddedAsIs() throws {
        let payload: JSONValue = ["z": number("1.0"), "a": [number("18446744073709551617"), nil, "s"]]
        let tree: JSONValue = ["kind": "k", "payload": payload, "extra": nil]
        let envelope = try JSONValueDecoder().decode(Envelope.self, from: tree)
        #expect(envelope.payload.objectValue?.keys == ["z", "a"])
        #expect(envelope.payload["z"] == number("1.0"))
        #expect(envelope.extra == nil)
        let encoded = try JSONValueEncoder().encode(envelope)
        #expect(encoded == ["kind": "k", "payload": payload])
        #expect(encoded["payload"]?.objectValue?.keys == ["z", "a"])
        #expect(encoded["payload"]?["a"]?.arrayValue?.first == number("18446744073709551617"))
    }

    @Test(
        "JSONValue round-trips through Foundation's JSONEncoder and JSONDecoder",
        arguments: [
            ["a": [1, 2.5, "x", true, nil, ["b": [:]]]],
            [],
            "text",
            nil,
            ["big": number("18446744073709551615"), "neg": -7],
        ] as [JSONValue]
    )
    func jsonValueRoundTripsThroughFoundation(value: JSONValue) throws {
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    // MARK: - Error messages

    fileprivate static let failures: [(String, JSONValue, String)] = [
        ("Required", [:], "missing required field 'a'"),
        ("Required", ["a": nil], "field 'a' must be an integer, got null"),
        ("Required", ["a": 1, "b": false], "field 'b' must be a string, got boolean"),
        ("Required", [1, 2], "input must be an object"),
        ("Required", "text", "input must be an object"),
        ("Basket", ["items": [["name": "a", "quantity": 1], ["name": "b", "quantity": 2], ["name": 2.5]]],
         "field 'items[2].name' must be a string, got number"),
        ("Basket", ["items": [["name": "a", "quantity": 1], ["name": 7, "quantity": 3]]],
         "field 'items[1].name' must be a string, got integer"),
        ("Basket", ["items": [["name": "a"]]], "missing required field 'items[0].quantity'"),
        ("Basket", ["items": ["name": "a"]], "field 'items' must be an array, got object"),
        ("Counter", ["count": 1.5], "field 'count' must be an integer, got 1.5"),
        ("Counter", ["count": "1"], "field 'count' must be an integer, got string"),
        ("Level", ["level": 300], "field 'level' must be an integer between 0 and 255, got 300"),
        ("Ratio", ["ratio": number("1e400")], "field 'ratio' must be a number within Double range, got 1e400"),
        ("Moded", ["mode": "x"], "unknown value 'x' for field 'mode'"),
        ("Prioritised", ["priority": 7], "unknown value '7' for field 'priority'"),
        ("Settings", ["config": "x"], "field 'config' must be an object, got string"),
        ("Settings", ["config": [:]], "missing required field 'config.name'"),
        ("Tagged", ["tags": ["k": 1]], "field 'tags.k' must be a string, got integer"),
        ("Span", ["pair": [1]], "missing required field 'pair[1]'"),
    ]

    @Test("decoding errors name the field and what was found", arguments: failures)
    func decodingErrorsNameTheField(type: String, input: JSONValue, message: String) {
        let error = decodingError { try decodeFixture(type, from: input) }
        #expect(error?.fieldDescription == message)
    }

    @Test("decoding errors carry the full coding path")
    func decodingErrorsCarryCodingPath() throws {
        let input: JSONValue = ["items": [["name": "a", "quantity": 1], ["name": true, "quantity": 1]]]
        let error = try #require(decodingError { _ = try JSONValueDecoder().decode(Basket.self, from: input) })
        guard case .typeMismatch(let type, let context) = error else {
            Issue.record("expected typeMismatch, got \(error)")
            return
        }
        #expect(ObjectIdentifier(type) == ObjectIdentifier(String.self))
        #expect(context.codingPath.map(\.stringValue) == ["items", "Index 1", "name"])
        #expect(context.codingPath.map(\.intValue) == [nil, 1, nil])
    }

    @Test(
        "errors from Foundation's JSONDecoder also name the field",
        arguments: [
            (#"{}"#, "missing required field 'a'"),
            (#"{"items":[{"name":1,"quantity":1}]}"#, "field 'items[0].name' must be a string, got number"),
        ]
    )
    func foundationErrorsNameTheField(json: String, message: String) {
        let data = Data(json.utf8)
        let error = decodingError {
            if json == "{}" {
                _ = try JSONDecoder().decode(Required.self, from: data)
            } else {
                _ = try JSONDecoder().decode(Basket.self, from: data)
            }
        }
        #expect(error?.fieldDescription == message)
    }
}

// MARK: - Table helpers

/// Decodes `value` as the integer type named in a test table and prints the result.
private func decodeInteger(_ value: JSONValue, as type: String) throws -> String {
    let decoder = JSONValueDecoder()
    switch type {
    case "Int": return String(try decoder.decode(Int.self, from: value))
    case "Int8": return String(try decoder.decode(Int8.self, from: value))
    case "Int16": return String(try decoder.decode(Int16.self, from: value))
    case "Int32": return String(try decoder.decode(Int32.self, from: value))
    case "Int64": return String(try decoder.decode(Int64.self, from: value))
    case "UInt": return String(try decoder.decode(UInt.self, from: value))
    case "UInt8": return String(try decoder.decode(UInt8.self, from: value))
    case "UInt16": return String(try decoder.decode(UInt16.self, from: value))
    case "UInt32": return String(try decoder.decode(UInt32.self, from: value))
    case "UInt64": return String(try decoder.decode(UInt64.self, from: value))
    case "[Int]": return "\(try decoder.decode([Int].self, from: value))"
    case "[Int8]": return "\(try decoder.decode([Int8].self, from: value))"
    case "[Int16]": return "\(try decoder.decode([Int16].self, from: value))"
    case "[Int32]": return "\(try decoder.decode([Int32].self, from: value))"
    case "[Int64]": return "\(try decoder.decode([Int64].self, from: value))"
    case "[UInt]": return "\(try decoder.decode([UInt].self, from: value))"
    case "[UInt8]": return "\(try decoder.decode([UInt8].self, from: value))"
    case "[UInt16]": return "\(try decoder.decode([UInt16].self, from: value))"
    case "[UInt32]": return "\(try decoder.decode([UInt32].self, from: value))"
    case "[UInt64]": return "\(try decoder.decode([UInt64].self, from: value))"
    default:
        Issue.record("unknown integer type \(type)")
        return ""
    }
}

/// Decodes `value` as the fixture type named in a test table.
private func decodeFixture(_ type: String, from value: JSONValue) throws {
    let decoder = JSONValueDecoder()
    switch type {
    case "Required": _ = try decoder.decode(Required.self, from: value)
    case "Basket": _ = try decoder.decode(Basket.self, from: value)
    case "Counter": _ = try decoder.decode(Counter.self, from: value)
    case "Level": _ = try decoder.decode(Level.self, from: value)
    case "Ratio": _ = try decoder.decode(Ratio.self, from: value)
    case "Moded": _ = try decoder.decode(Moded.self, from: value)
    case "Prioritised": _ = try decoder.decode(Prioritised.self, from: value)
    case "Settings": _ = try decoder.decode(Settings.self, from: value)
    case "Tagged": _ = try decoder.decode(Tagged.self, from: value)
    case "Span": _ = try decoder.decode(Span.self, from: value)
    default: Issue.record("unknown fixture type \(type)")
    }
}
