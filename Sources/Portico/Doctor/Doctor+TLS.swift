import Foundation
import PorticoConfig
import SwiftASN1
import X509

extension Doctor {
    /// `http2`: ALPN must pick `h2`; HTTP/1.1 works, but every stream then holds a connection.
    func http2Check(_ handshake: Result<TLSHandshake, any Error>?) -> DoctorCheck {
        let id = "http2"
        guard edgeReachable else { return .skip(id, "the edge is unreachable (see streaming)") }
        guard let handshake else { return .skip(id, "\(target.publicURL) is plain HTTP: HTTP/2 needs TLS here") }
        switch handshake {
        case .failure(let error):
            return .fail(id, "no TLS handshake with 127.0.0.1:\(target.port): \(Self.describe(error))", fix: "is the stack running with TLS on that port? check edge.https_port and edge.tls")
        case .success(let result):
            switch result.negotiatedProtocol {
            case "h2":
                return .pass(id, "ALPN negotiated h2 on 127.0.0.1:\(target.port)")
            case let other:
                return .warn(id, "ALPN negotiated \(other ?? "nothing") instead of h2: each stream costs the client a connection",
                             fix: "edge.http2: true (listen … ssl http2 before nginx 1.25.1, http2 on; from it); \(applyHint)")
            }
        }
    }

    /// `certificate`: what nginx serves — expiry, chain, name, OCSP responder.
    func certificateCheck(_ handshake: Result<TLSHandshake, any Error>?) -> DoctorCheck {
        let id = "certificate"
        guard edgeReachable else { return .skip(id, "the edge is unreachable (see streaming)") }
        guard let handshake else { return .skip(id, "\(target.publicURL) is plain HTTP: no certificate") }
        guard case .success(let result) = handshake else {
            return .skip(id, "no TLS handshake (see http2)")
        }
        let certificates = result.chain.compactMap { try? Certificate(derEncoded: $0) }
        guard let leaf = certificates.first else {
            return .fail(id, "nginx sent no readable certificate", fix: "check edge.tls.certificate")
        }
        let now = Date()
        let days = leaf.notValidAfter.timeIntervalSince(now) / 86_400
        let selfSigned = leaf.issuer == leaf.subject
        let ocsp = ((try? leaf.extensions.authorityInformationAccess)??.contains { $0.method == .ocspServer }) ?? false
        let until = ISO8601DateFormatter().string(from: leaf.notValidAfter)
        var facts = ["\(leaf.subject)", selfSigned ? "self-signed" : "issued by \(leaf.issuer)",
                     "\(certificates.count) certificate\(certificates.count == 1 ? "" : "s") sent", "OCSP responder: \(ocsp ? "yes" : "none")"]
        let renew = "renew it (portico edge certbot --domain \(target.host)) or point edge.tls.certificate/certificate_key at a valid one, then portico edge apply --reload (or restart portico up)"
        if leaf.notValidAfter < now {
            return .fail(id, "the certificate expired on \(until): clients refuse the connection (\(facts.joined(separator: ", ")))", fix: renew)
        }
        if leaf.notValidBefore > now {
            return .fail(id, "the certificate is not valid before \(ISO8601DateFormatter().string(from: leaf.notValidBefore)) (\(facts.joined(separator: ", ")))", fix: "check the clock of this box, or the certificate")
        }
        facts.insert("valid until \(until) (\(Int(days)) days)", at: 1)
        var warnings: [String] = []
        var fixes: [String] = []
        if days < 14 {
            warnings.append("expires in \(Int(days)) days")
            fixes.append(renew)
        }
        if !Self.covers(leaf, host: target.host) {
            warnings.append("does not name \(target.host)")
            fixes.append("a certificate whose subjectAltName covers \(target.host)")
        }
        if selfSigned {
            warnings.append("self-signed (a development certificate): ChatGPT, Claude and browsers refuse it")
            fixes.append("use a CA-issued certificate for the public name: portico edge certbot --domain \(target.host)")
        } else if certificates.count == 1 {
            warnings.append("no intermediate certificate is sent: clients without it cached cannot build the chain")
            fixes.append("point edge.tls.certificate at the full chain (fullchain.pem, not cert.pem)")
        }
        if certificates.count < result.chain.count {
            warnings.append("\(result.chain.count - certificates.count) of the \(result.chain.count) certificates sent could not be read")
            fixes.append("check the PEM blocks in edge.tls.certificate")
        } else if let broken = Self.brokenLink(in: certificates) {
            warnings.append(broken)
            fixes.append("edge.tls.certificate must hold the leaf first, then each issuer in order (the fullchain.pem the CA issued for this key)")
        }
        if !warnings.isEmpty {
            return .warn(id, warnings.joined(separator: "; ") + " — " + facts.joined(separator: ", "), fix: fixes.joined(separator: "; "))
        }
        return .pass(id, facts.joined(separator: ", "))
    }

    /// The first place the chain as sent is not a chain: each certificate must be issued by
    /// the next one (its issuer is the next's subject, and the next's key verifies its
    /// signature). `nil` when every link holds.
    static func brokenLink(in certificates: [Certificate]) -> String? {
        for index in certificates.indices.dropLast() {
            let child = certificates[index]
            let parent = certificates[index + 1]
            let position = "certificate \(index + 1) (\(child.subject))"
            if child.issuer != parent.subject {
                return "the chain is broken: \(position) is issued by \(child.issuer), but the next certificate sent is \(parent.subject); clients cannot build the chain"
            }
            if !parent.publicKey.isValidSignature(child.signature, for: child) {
                return "the chain is broken: the signature of \(position) does not verify with the key of the next certificate (\(parent.subject)), an unrelated certificate of the same name"
            }
        }
        return nil
    }

    /// Whether the subjectAltName (or, without one, the CN) covers `host`, wildcards one label deep.
    static func covers(_ certificate: Certificate, host: String) -> Bool {
        let address = URLParts.addressBytes(host)
        guard let names = (try? certificate.extensions.subjectAlternativeNames) ?? nil else { return address != nil }
        if let address {
            // IP names compare as bytes (4 for IPv4, 16 for IPv6).
            return names.contains { name in
                if case .ipAddress(let bytes) = name { return Array(bytes.bytes) == address }
                return false
            }
        }
        return names.contains { name in
            guard case .dnsName(let pattern) = name else { return false }
            let lowered = pattern.lowercased()
            if lowered == host { return true }
            if lowered.hasPrefix("*."), let dot = host.firstIndex(of: ".") { return host[dot...] == lowered.dropFirst() }
            return false
        }
    }
}
