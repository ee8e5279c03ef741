"""Helpers for the authentication tests (test_auth.py): a stand-in authorization server,
signing keys and token minting, API-key hashes, WWW-Authenticate parsing, and a stdio MCP
child that shows what it was given.

AuthServer      RFC 8414 / OIDC metadata, a JWKS and an RFC 7662 introspection endpoint on
                127.0.0.1 (ThreadingHTTPServer in a daemon thread). Every route is counted;
                the server can be stopped and started again on the same port.
SigningKey      an RSA 2048 / P-256 / Ed25519 key made with `cryptography`, its public JWK,
                and JWTs minted with PyJWT (`kid` in the header).
raw_jws         a compact JWS built by hand, for what PyJWT refuses to make (alg none, HS256
                keyed with an RSA public key PEM).
api_key_hash    `sha256:<salt hex>:<sha256(salt || key) hex>`, computed independently of Portico.
parse_challenge an RFC 9110 §11.6.1 challenge parser (strict: malformed input raises).

Run as `python authkit.py env-server`: a stdio MCP server (official SDK) whose tool `reveal`
returns its environment and argv; with AUTHKIT_STDIN_LOG set it also copies every byte it
reads from stdin (everything Portico sends it) to that file.

Everything listens on 127.0.0.1 only; every wait is bounded by a deadline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs

HERE = Path(__file__).resolve().parent
AUTHKIT = str(Path(__file__).resolve())

INTROSPECTION_CLIENT_ID = "portico"
INTROSPECTION_SECRET_ENV = "PORTICO_TEST_INTROSPECTION_SECRET"
INTROSPECTION_SECRET = "s3cret-for-introspection"


# --------------------------------------------------------------------------------------------
# Keys and tokens
# --------------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass
class SigningKey:
    """A private signing key with its `kid` and JWS algorithm."""

    kind: str  # "rsa" | "ec" | "ed"
    kid: str
    alg: str
    private: Any

    @classmethod
    def generate(cls, kind: str, kid: str | None = None) -> "SigningKey":
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

        kid = kid or f"{kind}-{uuid.uuid4().hex[:12]}"
        if kind == "rsa":
            return cls(kind, kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))
        if kind == "ec":
            return cls(kind, kid, "ES256", ec.generate_private_key(ec.SECP256R1()))
        if kind == "ed":
            return cls(kind, kid, "EdDSA", ed25519.Ed25519PrivateKey.generate())
        raise ValueError(kind)

    def public_jwk(self) -> dict:
        from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

        algo = {"rsa": RSAAlgorithm, "ec": ECAlgorithm, "ed": OKPAlgorithm}[self.kind]
        jwk = algo.to_jwk(self.private.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": self.alg})
        return jwk

    def public_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, claims: dict, headers: dict | None = None, alg: str | None = None) -> str:
        import jwt

        h = {"kid": self.kid}
        h.update(headers or {})
        return jwt.encode(claims, self.private, algorithm=alg or self.alg, headers=h)


def raw_jws(header: dict, claims: dict, sign: Callable[[bytes], bytes] | None = None) -> str:
    """header.payload.signature built by hand; `sign` None gives an empty signature (alg none)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = sign(signing_input.encode()) if sign else b""
    return f"{signing_input}.{b64url(signature)}"


def hs256_with_public_key(key: SigningKey, claims: dict) -> str:
    """The RFC 8725 §2.1 key-confusion token: HS256 whose HMAC secret is the RSA public key PEM."""
    pem = key.public_pem()
    return raw_jws({"alg": "HS256", "typ": "JWT", "kid": key.kid}, claims,
                   lambda data: hmac.new(pem, data, hashlib.sha256).digest())


# --------------------------------------------------------------------------------------------
# The authorization server
# --------------------------------------------------------------------------------------------


class AuthServer:
    """A stand-in OAuth authorization server on 127.0.0.1.

    `path` makes the issuer `http://127.0.0.1:PORT<path>`. `metadata` chooses where its
    metadata is served: "oauth" = RFC 8414 `/.well-known/oauth-authorization-server<path>`,
    "oidc" = `<issuer>/.well-known/openid-configuration`; an empty tuple serves none (the
    test then configures `jwks_url`). `opaque` maps opaque tokens to introspection answers
    (unknown tokens are `{"active": false}`). `counts` counts requests per route name
    ("metadata", "jwks", "introspect", "other").
    """

    def __init__(self, path: str = "", metadata: tuple[str, ...] = ("oauth",),
                 client_id: str = INTROSPECTION_CLIENT_ID, client_secret: str = INTROSPECTION_SECRET):
        self.path = path
        self.metadata = metadata
        self.client_id = client_id
        self.client_secret = client_secret
        self.keys: dict[str, SigningKey] = {}
        self.published: list[str] = []
        self.opaque: dict[str, dict] = {}
        self.counts: Counter = Counter()
        self.introspections: list[dict] = []
        self.requests: list[tuple[str, str]] = []
        self.port = 0
        self._lock = threading.Condition()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle
    def start(self) -> "AuthServer":
        handler = self._handler_class()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        assert self._thread is not None
        self._thread.join(timeout=5)
        self._httpd = None

    def restart(self) -> "AuthServer":
        """Start again on the same port (after stop())."""
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    # ---- URLs
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return self.base_url + self.path

    @property
    def jwks_url(self) -> str:
        return self.base_url + "/jwks"

    @property
    def introspection_url(self) -> str:
        return self.base_url + "/introspect"

    def metadata_document(self) -> dict:
        return {
            "issuer": self.issuer,
            "jwks_uri": self.jwks_url,
            "introspection_endpoint": self.introspection_url,
            "token_endpoint": self.base_url + "/token",
            "authorization_endpoint": self.base_url + "/authorize",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["mcp", "mcp:write"],
        }

    def metadata_paths(self) -> set[str]:
        paths = set()
        if "oauth" in self.metadata:
            paths.add("/.well-known/oauth-authorization-server" + self.path)
        if "oidc" in self.metadata:
            paths.add(self.path + "/.well-known/openid-configuration")
        return paths

    # ---- keys, tokens
    def add_key(self, kind: str = "rsa", kid: str | None = None, publish: bool = True) -> SigningKey:
        key = SigningKey.generate(kind, kid)
        with self._lock:
            self.keys[key.kid] = key
            if publish:
                self.published.append(key.kid)
        return key

    def publish(self, key: SigningKey) -> None:
        with self._lock:
            self.keys[key.kid] = key
            if key.kid not in self.published:
                self.published.append(key.kid)

    def jwks(self) -> dict:
        with self._lock:
            return {"keys": [self.keys[k].public_jwk() for k in self.published]}

    def claims(self, audience: Any, *, sub: str = "alice", scope: str | None = "mcp", lifetime: int = 300,
               **overrides) -> dict:
        """Default access-token claims; an override of None removes the claim."""
        now = int(time.time())
        c: dict[str, Any] = {"iss": self.issuer, "aud": audience, "sub": sub, "iat": now, "nbf": now,
                             "exp": now + lifetime, "jti": uuid.uuid4().hex, "client_id": "interop-client"}
        if scope is not None:
            c["scope"] = scope
        for k, v in overrides.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
        return c

    def mint(self, key: SigningKey, audience: Any, headers: dict | None = None, alg: str | None = None, **kw) -> str:
        return key.sign(self.claims(audience, **kw), headers=headers, alg=alg)

    def add_opaque(self, answer: dict, token: str | None = None) -> str:
        token = token or "opq-" + secrets.token_urlsafe(24)
        with self._lock:
            self.opaque[token] = answer
        return token

    # ---- observation
    def count(self, route: str) -> int:
        with self._lock:
            return self.counts[route]

    def wait_count(self, route: str, at_least: int, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.counts[route] < at_least:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return self.counts[route]

    def introspected_tokens(self) -> list[str]:
        with self._lock:
            return [i["token"] for i in self.introspections]

    def _record(self, route: str, method: str, path: str) -> None:
        with self._lock:
            self.counts[route] += 1
            self.requests.append((method, path))
            self._lock.notify_all()

    # ---- HTTP
    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: stop() really stops serving

            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, status: int, doc: Any, headers: dict | None = None) -> None:
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path in server.metadata_paths():
                    server._record("metadata", "GET", path)
                    self._send(200, server.metadata_document())
                elif path == "/jwks":
                    server._record("jwks", "GET", path)
                    self._send(200, server.jwks())
                else:
                    server._record("other", "GET", path)
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                path = self.path.split("?", 1)[0]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if path != "/introspect":
                    server._record("other", "POST", path)
                    self._send(404, {"error": "not_found"})
                    return
                form = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
                expected = "Basic " + base64.b64encode(f"{server.client_id}:{server.client_secret}".encode()).decode()
                entry = {
                    "token": (form.get("token") or [""])[0],
                    "auth_ok": hmac.compare_digest(self.headers.get("Authorization", ""), expected),
                    "content_type": self.headers.get("Content-Type", ""),
                    "form": form,
                }
                with server._lock:
                    server.introspections.append(entry)
                server._record("introspect", "POST", path)
                if not entry["auth_ok"]:
                    self._send(401, {"error": "invalid_client"}, {"WWW-Authenticate": 'Basic realm="as"'})
                    return
                with server._lock:
                    answer = server.opaque.get(entry["token"], {"active": False})
                self._send(200, answer)

        return Handler


# --------------------------------------------------------------------------------------------
# API keys
# --------------------------------------------------------------------------------------------


def api_key_hash(key: str, salt: bytes | None = None) -> str:
    """The config `hash` for `key`: sha256:<salt hex>:<sha256(salt bytes || key utf-8) hex>."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    return f"sha256:{salt.hex()}:{hashlib.sha256(salt + key.encode()).hexdigest()}"


def portico_new_key(binary: str, name: str, scopes: list[str], timeout: float = 30.0) -> tuple[str, dict]:
    """Runs `portico auth new-key`; returns (key, the api_keys entry it printed, parsed as YAML)."""
    import yaml

    args = [binary, "auth", "new-key", "--name", name]
    for s in scopes:
        args += ["--scope", s]
    out = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=True).stdout
    m = re.search(r"^key: (\S+)$", out, re.M)
    assert m, f"no 'key:' line in `portico auth new-key` output: {out!r}"
    entry_text = out[out.index("- name:"):]
    entries = yaml.safe_load(entry_text)
    assert isinstance(entries, list) and len(entries) == 1, entry_text
    return m.group(1), entries[0]


# --------------------------------------------------------------------------------------------
# WWW-Authenticate
# --------------------------------------------------------------------------------------------

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'


def parse_challenge(value: str) -> tuple[str, dict[str, str]]:
    """One challenge `scheme [ auth-param *( OWS "," OWS auth-param ) ]` -> (scheme, params).

    Parameter names are lower-cased; duplicates, junk between parameters or a second
    challenge raise ValueError (the tests want exactly one well-formed Bearer challenge).
    """
    m = re.match(rf"\s*({_TOKEN})", value)
    if not m:
        raise ValueError(f"no auth-scheme in {value!r}")
    scheme, pos, params = m.group(1), m.end(), {}
    rest = value[pos:]
    if rest.strip() == "":
        return scheme, params
    if not rest.startswith(" "):
        raise ValueError(f"no space after the scheme in {value!r}")
    param_re = re.compile(rf"\s*({_TOKEN})\s*=\s*({_TOKEN}|{_QUOTED})\s*")
    pos += 1
    while pos < len(value):
        m = param_re.match(value, pos)
        if not m:
            raise ValueError(f"malformed auth-param at {value[pos:]!r} in {value!r}")
        name, raw = m.group(1).lower(), m.group(2)
        if name in params:
            raise ValueError(f"parameter {name!r} given twice in {value!r}")
        params[name] = re.sub(r"\\(.)", r"\1", raw[1:-1]) if raw.startswith('"') else raw
        pos = m.end()
        if pos < len(value):
            if value[pos] != ",":
                raise ValueError(f"expected ',' at {value[pos:]!r} in {value!r}")
            pos += 1
    return scheme, params


# --------------------------------------------------------------------------------------------
# A stdio MCP child that reveals what it was given
# --------------------------------------------------------------------------------------------


def _tee_stdin(log_path: str) -> None:
    """Put a pipe on fd 0 and copy every byte of the real stdin both into it and into `log_path`."""
    original = os.dup(0)
    read_end, write_end = os.pipe()
    os.dup2(read_end, 0)
    os.close(read_end)

    def pump() -> None:
        with open(log_path, "ab") as log:
            while True:
                chunk = os.read(original, 65536)
                if not chunk:
                    break
                log.write(chunk)
                log.flush()
                view = memoryview(chunk)
                while view:
                    view = view[os.write(write_end, view):]
        os.close(write_end)

    threading.Thread(target=pump, daemon=True).start()


def run_env_server() -> None:
    log_path = os.environ.get("AUTHKIT_STDIN_LOG")
    if log_path:
        _tee_stdin(log_path)
    from mcp.server.mcpserver import MCPServer

    app = MCPServer("authkit-env")

    @app.tool(description="This process's environment, argv and working directory")
    async def reveal() -> dict[str, Any]:
        return {"env": dict(os.environ), "argv": sys.argv, "cwd": os.getcwd()}

    app.run()  # stdio


if __name__ == "__main__":
    if sys.argv[1:] == ["env-server"]:
        run_env_server()
    else:
        print("usage: authkit.py env-server", file=sys.stderr)
        sys.exit(2)
