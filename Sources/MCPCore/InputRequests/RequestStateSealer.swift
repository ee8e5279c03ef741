import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Seals and opens 2026-07-28 `requestState` with AES-256-GCM.
///
/// The state travels through the client, which the spec tells servers to treat as an
/// attacker (basic/patterns/mrtr §Server Requirements 4–5): it is encrypted and
/// authenticated, and carries what it is bound to (method, name, principal) and an expiry,
/// all checked on the way back. Keys form a ring: the first seals, every key opens, so
/// boxes that share the ring accept each other's state and a key can be rotated without
/// breaking flows in flight. A token is `base64url(version ‖ key id ‖ nonce ‖ ciphertext ‖ tag)`.
public struct RequestStateSealer: Sendable {
    /// What a sealed state is bound to; all of it must match when it comes back.
    public struct Binding: Sendable, Equatable {
        public var method: String
        public var name: String
        public var principal: String?

        public init(method: String, name: String, principal: String? = nil) {
            self.method = method
            self.name = name
            self.principal = principal
        }
    }

    /// Why a presented state was refused; each maps to -32602 with a message naming the cause.
    public enum Refusal: Error, Sendable, Equatable {
        case malformed
        case unknownKey
        case tampered
        case expired
        case boundElsewhere

        public var message: String {
            switch self {
            case .malformed: "requestState is not a state this server issued"
            case .unknownKey: "requestState was sealed with a key this server does not hold"
            case .tampered: "requestState failed its integrity check"
            case .expired: "requestState has expired; send the request again without it"
            case .boundElsewhere: "requestState belongs to a different request (method, name or principal)"
            }
        }
    }

    private struct Key: Sendable {
        let id: [UInt8]
        let key: SymmetricKey
    }

    private static let version: UInt8 = 1
    private static let additionalData = Array("portico-request-state-v1".utf8)

    private let keys: [Key]
    /// How long a sealed state stays valid.
    public let lifetime: Duration
    private let now: @Sendable () -> Int64

    /// - Parameters:
    ///   - keys: 32-byte keys; the first seals, all open. Empty: one random key for this process.
    ///   - lifetime: validity of a sealed state.
    ///   - now: wall-clock seconds since 1970 (injectable for tests).
    public init(keys: [[UInt8]] = [], lifetime: Duration = .seconds(600), now: @escaping @Sendable () -> Int64 = RequestStateSealer.wallClockSeconds) {
        let material = keys.isEmpty ? [SymmetricKey(size: .bits256)] : keys.map { SymmetricKey(data: $0) }
        self.keys = material.map { key in
            Key(id: key.withUnsafeBytes { Array(SHA256.hash(data: $0)).prefix(4).map { $0 } }, key: key)
        }
        self.lifetime = lifetime
        self.now = now
    }

    public static func wallClockSeconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    /// Seals `payload` bound to `binding`, valid for ``lifetime``.
    public func seal(_ payload: JSONObject, binding: Binding) -> String {
        var envelope: JSONObject = [
            "m": .string(binding.method), "n": .string(binding.name),
            "x": .number(JSONNumber(now() + lifetime.components.seconds)),
        ]
        if let principal = binding.principal { envelope["p"] = .string(principal) }
        envelope["d"] = .object(payload)
        let plaintext = JSONValue.object(envelope).jsonBytes
        let key = keys[0]
        // AES-GCM with a random 96-bit nonce per seal; the key ring rotates long before nonce reuse matters.
        let box = try! AES.GCM.seal(plaintext, using: key.key, authenticating: Self.additionalData)
        var token: [UInt8] = [Self.version]
        token.append(contentsOf: key.id)
        token.append(contentsOf: box.combined!)
        return Base64URL.encode(token)
    }

    /// Opens a state and checks its binding and expiry; returns the payload given to `seal`.
    public func open(_ token: String, binding: Binding) throws(Refusal) -> JSONObject {
        guard token.utf8.count < 65_536, let bytes = Base64URL.decode(token), bytes.count > 1 + 4 + 12 + 16, bytes[0] == Self.version else {
            throw .malformed
        }
        let id = Array(bytes[1..<5])
        guard let key = keys.first(where: { $0.id == id }) else { throw .unknownKey }
        let plaintext: [UInt8]
        do {
            let box = try AES.GCM.SealedBox(combined: bytes[5...])
            plaintext = Array(try AES.GCM.open(box, using: key.key, authenticating: Self.additionalData))
        } catch {
            throw .tampered
        }
        guard case .object(let envelope)? = try? JSONParser.parse(plaintext),
            case .string(let method)? = envelope["m"], case .string(let name)? = envelope["n"],
            let expiry = envelope["x"]?.numberValue?.int64Value, case .object(let payload)? = envelope["d"]
        else { throw .malformed }
        guard expiry >= now() else { throw .expired }
        guard method == binding.method, name == binding.name, envelope["p"]?.stringValue == binding.principal else {
            throw .boundElsewhere
        }
        return payload
    }
}
