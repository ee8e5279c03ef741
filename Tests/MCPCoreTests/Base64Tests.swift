import MCPCore
import Testing

@Suite("Base64")
struct Base64Tests {
    /// Standard, padded base64: input and the bytes it decodes to (`nil`: refused).
    static let standard: [(text: String, bytes: [UInt8]?)] = [
        // RFC 4648 §10 test vectors
        ("", []),
        ("Zg==", Array("f".utf8)),
        ("Zm8=", Array("fo".utf8)),
        ("Zm9v", Array("foo".utf8)),
        ("Zm9vYg==", Array("foob".utf8)),
        ("Zm9vYmE=", Array("fooba".utf8)),
        ("Zm9vYmFy", Array("foobar".utf8)),
        ("+/+/", [0xFB, 0xFF, 0xBF]),
        ("AAAA", [0, 0, 0]),
        // padding rules
        ("Zg", nil),
        ("Zg=", nil),
        ("Zg===", nil),
        ("Zm8", nil),
        ("Zm8==", nil),
        ("Zm9v=", nil),
        ("Zm9v====", nil),
        ("=", nil),
        ("====", nil),
        ("Z===", nil),
        ("Z", nil),
        ("Zm9vY", nil),
        ("Zg=a", nil),
        ("Z=g=", nil),
        ("Zg==Zg==", nil),
        // characters outside the standard alphabet
        ("-_-_", nil),
        ("Zm9v\n", nil),
        ("Zm 9v", nil),
        (" Zm9v", nil),
        ("Zm9*", nil),
        ("Zm9é", nil),
        // non-zero trailing bits
        ("Zh==", nil),
        ("Zm9=", nil),
        ("Zm+=", nil),
    ]

    @Test("standard decoding is strict about alphabet, padding and trailing bits", arguments: standard)
    func decodesStandard(_ text: String, _ bytes: [UInt8]?) {
        #expect(Base64.decode(text) == bytes)
    }

    /// Unpadded base64url.
    static let url: [(text: String, bytes: [UInt8]?)] = [
        ("", []),
        ("Zg", Array("f".utf8)),
        ("Zm8", Array("fo".utf8)),
        ("Zm9v", Array("foo".utf8)),
        ("Zm9vYmFy", Array("foobar".utf8)),
        ("-_-_", [0xFB, 0xFF, 0xBF]),
        ("Zg==", nil),
        ("Zm8=", nil),
        ("+/+/", nil),
        ("Z", nil),
        ("Zm9vY", nil),
        ("Zh", nil),
        ("Zm9", nil),
        ("Zm9v.", nil),
        ("Zm9v\r\n", nil),
    ]

    @Test("base64url decoding refuses padding, the standard alphabet and trailing bits", arguments: url)
    func decodesURL(_ text: String, _ bytes: [UInt8]?) {
        #expect(Base64URL.decode(text) == bytes)
    }

    @Test("encoding matches the RFC 4648 vectors", arguments: [
        ("", "", ""), ("f", "Zg==", "Zg"), ("fo", "Zm8=", "Zm8"), ("foo", "Zm9v", "Zm9v"),
        ("foob", "Zm9vYg==", "Zm9vYg"), ("fooba", "Zm9vYmE=", "Zm9vYmE"), ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
    ])
    func encodesVectors(_ plain: String, _ standard: String, _ url: String) {
        #expect(Base64.encode(Array(plain.utf8)) == standard)
        #expect(Base64URL.encode(Array(plain.utf8)) == url)
    }

    @Test("every byte string round-trips through both alphabets", arguments: Array(0...17) + [63, 64, 65, 255, 256, 257])
    func roundTrips(_ length: Int) {
        // A deterministic spread over all byte values, different for each length.
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ length &* 31) }
        let standard = Base64.encode(bytes)
        let url = Base64URL.encode(bytes)
        #expect(standard.utf8.count % 4 == 0)
        #expect(!url.contains("=") && !url.contains("+") && !url.contains("/"))
        #expect(Base64.decode(standard) == bytes)
        #expect(Base64URL.decode(url) == bytes)
    }

    @Test("all 256 byte values survive a round trip")
    func roundTripsAllBytes() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }
}
