import MCPCore
import Synchronization
import Testing

@Suite("RequestStateSealer")
struct RequestStateSealerTests {
    static let keyA = [UInt8](repeating: 1, count: 32)
    static let keyB = [UInt8](repeating: 2, count: 32)
    static let binding = RequestStateSealer.Binding(method: "tools/call", name: "book")

    @Test("a sealed state opens to the same payload under the same binding")
    func roundTrips() throws {
        let sealer = RequestStateSealer(keys: [Self.keyA])
        let payload: JSONObject = ["a": ["x": 1], "s": "state"]
        let token = sealer.seal(payload, binding: Self.binding)
        #expect(try sealer.open(token, binding: Self.binding) == payload)
        #expect(!token.contains("state"), "the payload must not be readable in the token")
    }

    @Test("state is refused when anything differs", arguments: [
        (RequestStateSealer.Binding(method: "tools/call", name: "other"), RequestStateSealer.Refusal.boundElsewhere),
        (RequestStateSealer.Binding(method: "prompts/get", name: "book"), .boundElsewhere),
        (RequestStateSealer.Binding(method: "tools/call", name: "book", principal: "mallory"), .boundElsewhere),
    ])
    func refusesOtherBindings(_ binding: RequestStateSealer.Binding, _ refusal: RequestStateSealer.Refusal) {
        let sealer = RequestStateSealer(keys: [Self.keyA])
        let token = sealer.seal([:], binding: Self.binding)
        #expect(throws: refusal) { try sealer.open(token, binding: binding) }
    }

    @Test("tampered, truncated and foreign tokens are refused", arguments: [
        ("flip", RequestStateSealer.Refusal.tampered), ("truncate", .malformed), ("garbage", .malformed), ("empty", .malformed),
        ("foreign", .unknownKey),
    ])
    func refusesBadTokens(_ kind: String, _ refusal: RequestStateSealer.Refusal) {
        let sealer = RequestStateSealer(keys: [Self.keyA])
        let token = sealer.seal(["a": 1], binding: Self.binding)
        var bytes = Base64URL.decode(token)!
        let presented: String
        switch kind {
        case "flip":
            bytes[bytes.count - 20] ^= 0x01
            presented = Base64URL.encode(bytes)
        case "truncate": presented = Base64URL.encode(bytes.prefix(20))
        case "garbage": presented = "not base64 at all!"
        case "empty": presented = ""
        default: presented = RequestStateSealer(keys: [Self.keyB]).seal(["a": 1], binding: Self.binding)
        }
        #expect(throws: refusal) { try sealer.open(presented, binding: Self.binding) }
    }

    @Test("rotation: a ring with a new first key still opens state sealed under the old one")
    func rotation() throws {
        let old = RequestStateSealer(keys: [Self.keyA])
        let rotated = RequestStateSealer(keys: [Self.keyB, Self.keyA])
        let token = old.seal(["k": "v"], binding: Self.binding)
        #expect(try rotated.open(token, binding: Self.binding) == ["k": "v"])
        let fresh = rotated.seal(["k": "w"], binding: Self.binding)
        #expect(throws: RequestStateSealer.Refusal.unknownKey) { try old.open(fresh, binding: Self.binding) }
    }

    @Test("state expires after its lifetime")
    func expires() throws {
        let clock = Atomic<Int64>(1_000_000)
        let sealer = RequestStateSealer(keys: [Self.keyA], lifetime: .seconds(60)) { clock.load(ordering: .relaxed) }
        let token = sealer.seal([:], binding: Self.binding)
        clock.store(1_000_060, ordering: .relaxed)
        #expect(try sealer.open(token, binding: Self.binding) == [:])
        clock.store(1_000_061, ordering: .relaxed)
        #expect(throws: RequestStateSealer.Refusal.expired) { try sealer.open(token, binding: Self.binding) }
    }
}

@Suite("WallClock")
struct WallClockTests {
    @Test("ISO 8601 text of known instants", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"), (951_782_400_123, "2000-02-29T00:00:00.123Z"),
        (1_795_809_406_007, "2026-11-27T19:56:46.007Z"), (-1, "1969-12-31T23:59:59.999Z"),
    ])
    func formats(_ milliseconds: Int64, _ text: String) {
        #expect(WallClock.iso8601(milliseconds: milliseconds) == text)
    }
}
