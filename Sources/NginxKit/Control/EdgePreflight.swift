import Foundation
import PorticoConfig
import SwiftASN1
import X509

/// Checks what the renderer cannot see: files named in the config exist and parse, and the
/// certificate suits the options (OCSP stapling without an OCSP URL is a silent no-op).
public enum EdgePreflight {
    /// Errors (stop before writing) and warnings for `edge` as it will be rendered.
    public static func check(_ edge: PorticoConfiguration.Edge, certificate fallback: String? = nil) -> (errors: [String], warnings: [EdgeWarning]) {
        var errors: [String] = []
        var warnings: [EdgeWarning] = []
        let files: [(String, String?)] = [
            ("edge.tls.certificate", edge.tls.certificate), ("edge.tls.certificate_key", edge.tls.certificateKey),
            ("edge.tls.trusted_certificate", edge.tls.trustedCertificate), ("edge.mtls.client_certificate", edge.mtls.clientCertificate),
        ]
        for (key, path) in files {
            guard let path else { continue }
            if !FileManager.default.fileExists(atPath: path) {
                errors.append("\(key): '\(path)' does not exist")
            } else if !FileManager.default.isReadableFile(atPath: path) {
                errors.append("\(key): '\(path)' is not readable")
            }
        }
        if let path = edge.tls.certificate ?? fallback, errors.isEmpty {
            switch CertificateFacts.read(path) {
            case .failure(let error):
                errors.append("edge.tls.certificate: \(error.message)")
            case .success(let facts):
                if facts.notAfter < Date() {
                    warnings.append(EdgeWarning(feature: "edge.tls.certificate", message: "expired on \(facts.notAfter); clients will refuse it", isOmission: false))
                }
                if edge.tls.ocspStapling && !facts.hasOCSPResponder {
                    warnings.append(EdgeWarning(
                        feature: "edge.tls.ocsp_stapling",
                        message: "the certificate names no OCSP responder (Let's Encrypt dropped them in 2025), so nginx ignores stapling; set ocsp_stapling: false",
                        isOmission: false))
                }
            }
        }
        return (errors, warnings)
    }
}

/// What the edge needs to know about a PEM certificate.
public struct CertificateFacts: Sendable {
    public var notAfter: Date
    public var hasOCSPResponder: Bool
    public var subject: String

    public static func read(_ path: String) -> Result<CertificateFacts, EdgeError> {
        do {
            let pem = try String(contentsOfFile: path, encoding: .utf8)
            // The leaf comes first; a full chain (certbot's fullchain.pem) carries its intermediates after it.
            guard let leaf = try PEMDocument.parseMultiple(pemString: pem).first(where: { $0.discriminator == "CERTIFICATE" }) else {
                return .failure(EdgeError("'\(path)' holds no PEM certificate"))
            }
            let certificate = try Certificate(pemDocument: leaf)
            var ocsp = false
            if let access = try certificate.extensions.authorityInformationAccess {
                ocsp = access.contains { $0.method == .ocspServer }
            }
            return .success(CertificateFacts(notAfter: certificate.notValidAfter, hasOCSPResponder: ocsp, subject: "\(certificate.subject)"))
        } catch {
            return .failure(EdgeError("'\(path)' is not a PEM certificate: \(error)"))
        }
    }
}
