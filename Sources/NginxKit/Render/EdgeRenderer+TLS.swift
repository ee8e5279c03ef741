import PorticoConfig

extension EdgeRenderer {
    /// `listen … ssl` with HTTP/2 in the syntax this release understands, plus QUIC when built in.
    func httpsListeners(warnings: inout [EdgeWarning]) -> [NginxDirective] {
        var listeners: [NginxDirective] = []
        var switches: [NginxDirective] = []
        let http2 = edge.http2 && build.hasHTTP2
        if edge.http2 && !build.hasHTTP2 {
            warnings.append(EdgeWarning(feature: "edge.http2", message: "nginx \(build.version) was built without http_v2_module; serving HTTP/1.1 only", isOmission: true))
        }
        if http2 && !build.usesHTTP2Directive {
            listeners.append(listen(edge.httpsPort, "ssl", "http2"))
        } else {
            listeners.append(listen(edge.httpsPort, "ssl"))
            if http2 { switches.append(NginxDirective("http2", "on")) }
        }
        if edge.http3 {
            if build.hasHTTP3 {
                listeners.append(listen(edge.httpsPort, "quic", "reuseport"))
                switches.append(NginxDirective("http3", "on"))
                if edge.quicRetry { switches.append(NginxDirective("quic_retry", "on")) }
            } else {
                let needs = build.version < .http3
                    ? "nginx \(NginxVersion.http3) or later built with --with-http_v3_module"
                    : "a build with --with-http_v3_module"
                warnings.append(EdgeWarning(
                    feature: "edge.http3", message: "left out: nginx \(build.version) here has no HTTP/3 (needs \(needs)); serving HTTP/2 and HTTP/1.1",
                    isOmission: true))
            }
        }
        return listeners + switches
    }

    func tlsDirectives(_ pair: (certificate: String, key: String), warnings: inout [EdgeWarning]) -> [NginxDirective] {
        let tls = edge.tls
        let protocols = ["TLSv1.2", "TLSv1.3"].filter(tls.protocols.contains)
        var block = [
            NginxDirective("ssl_certificate", pair.certificate),
            NginxDirective("ssl_certificate_key", pair.key),
            // Pinned: the default gained TLSv1.3 only in 1.23.4, and Debian's nginx.conf enables TLSv1.
            NginxDirective("ssl_protocols", protocols),
        ]
        if protocols.contains("TLSv1.2") {
            // Mozilla "intermediate" for TLS 1.2; TLS 1.3 suites are not configurable here and all are strong.
            block.append(NginxDirective("ssl_ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"))
        }
        block += [
            NginxDirective("ssl_prefer_server_ciphers", "off"),
            NginxDirective("ssl_session_cache", "shared:portico_tls:10m"),
            NginxDirective("ssl_session_timeout", "1d"),
            NginxDirective("ssl_session_tickets", "off"),
        ]
        if edge.earlyData {
            block.append(NginxDirective("ssl_early_data", "on"))
        }
        if tls.ocspStapling {
            block.append(NginxDirective("ssl_stapling", "on"))
            block.append(NginxDirective("ssl_stapling_verify", "on"))
            if let trusted = tls.trustedCertificate { block.append(NginxDirective("ssl_trusted_certificate", trusted)) }
        }
        // Stapling and client OCSP both ask responders by name.
        if let resolver = edge.resolver, tls.ocspStapling || (edge.mtls.ocsp && edge.mtls.clientCertificate != nil) {
            block.append(NginxDirective("resolver", resolver))
        }
        let mtls = edge.mtls
        if let clientCertificate = mtls.clientCertificate {
            block += [
                NginxDirective("ssl_client_certificate", clientCertificate),
                NginxDirective("ssl_verify_client", mtls.verify.rawValue),
                NginxDirective("ssl_verify_depth", "\(mtls.depth)"),
            ]
            if mtls.ocsp {
                if build.version >= .clientOCSP {
                    block.append(NginxDirective("ssl_ocsp", "on"))
                } else {
                    warnings.append(EdgeWarning(feature: "edge.mtls.ocsp", message: "left out: ssl_ocsp needs nginx \(NginxVersion.clientOCSP) or later, this is \(build.version)", isOmission: true))
                }
            }
        }
        return block
    }
}
