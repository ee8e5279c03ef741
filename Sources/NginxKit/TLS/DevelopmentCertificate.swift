import Crypto
import Foundation
import SwiftASN1
import X509

/// A self-signed certificate for `portico up` on a box without a real one: P-256, valid for
/// 30 days, for `localhost`, `127.0.0.1` and `::1`. Kept and reused while it has a week left.
public enum DevelopmentCertificate {
    /// Makes or reuses `<directory>/dev-cert.pem` and `dev-key.pem`; returns their paths.
    public static func ensure(in directory: String, names: [String] = ["localhost"]) throws -> (certificate: String, key: String) {
        let certificatePath = directory + "/dev-cert.pem"
        let keyPath = directory + "/dev-key.pem"
        if case .success(let facts) = CertificateFacts.read(certificatePath),
           facts.notAfter > Date().addingTimeInterval(7 * 86_400),
           FileManager.default.fileExists(atPath: keyPath) {
            return (certificatePath, keyPath)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            CommonName(names.first ?? "localhost")
            OrganizationName("Portico development")
        }
        let now = Date()
        var alternativeNames: [GeneralName] = names.map { .dnsName($0) }
        alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])))
        alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))))
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternativeNames)
            },
            issuerPrivateKey: .init(key))
        let pem = try certificate.serializeAsPEM().pemString + "\n"
        unlink(keyPath)
        guard FileManager.default.createFile(atPath: keyPath, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EdgeError("could not write \(keyPath)")
        }
        try pem.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        return (certificatePath, keyPath)
    }
}
