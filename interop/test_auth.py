"""Authentication end to end: Portico as an OAuth resource server, with API keys and
client-certificate identities, against a stand-in authorization server (authkit.AuthServer).

Servers (module scoped, started on first use):
  main         demo pack; auth.resource is its own URL (a port picked before start, so the
               metadata it names can be fetched); issuer = the module AS (discovery through
               RFC 8414, introspection for opaque tokens); API keys `ci` (made by
               `portico auth new-key`), `reader` and `offline` (hashes computed here); rules:
               tool add -> mcp:write, prompt summarize -> mcp:prompts, resource prefix
               portico://demo/ -> mcp:read; certificate principal CN=build-bot,O=Example;
               CORS origin https://app.example.com
  keys-only    only API keys: no issuer, so no protected-resource metadata
  shown        like main, hide_forbidden: false
  untrusted    client_certificates.trusted_proxies: [10.9.9.9]
  conformance  `--fixture conformance` with auth (MRTR requestState and task binding)
  passthrough  commands that print their environment / stdin, and a stdio child that
               reveals its environment and logs every byte it is sent
Servers one test owns (fresh_servers): issuer-discovery variants, key rotation, unreachable issuer.
The edge tests run `portico up` (real nginx, auth.edge.offload) through edgekit.Stack.

Waiting is bounded everywhere: AS request counters are read under a lock, recovery is
polled under a deadline; no fixed sleeps synchronise anything.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from authkit import (AUTHKIT, INTROSPECTION_SECRET, INTROSPECTION_SECRET_ENV, AuthServer, SigningKey, api_key_hash,
                     hs256_with_public_key, parse_challenge, portico_new_key, raw_jws)
from edgekit import Stack, free_ports, nginx_binary, run_portico
from mcpwire import (LATEST_LEGACY, Exchange, LegacySession, RawStream, ServerProcess, exact_post, initialize_params,
                     legacy_headers, modern_headers, modern_meta, modern_params, modern_request, new_http_client,
                     notification, portico_bin, post, rpc, run_until_exit, write_config)

HERE = Path(__file__).resolve().parent
LOG_DIR = HERE / ".logs"
PY = sys.executable

ORIGIN = "https://app.example.com"
FOREIGN_ORIGIN = "https://evil.example.net"
CERT_SUBJECT = "CN=build-bot,O=Example"
FIXED_RESOURCE = "http://127.0.0.1:1/mcp"  # an identifier only: servers on --port 0 use it as the audience
EDGE_RESOURCE = "https://mcp.example.test/mcp"
WRITE = "mcp mcp:write"
ALL_SCOPES = "mcp mcp:write mcp:prompts mcp:read"
TASKS_CAPS = {"elicitation": {}, "sampling": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}}
PRM_KEYS = {"resource", "authorization_servers", "bearer_methods_supported", "scopes_supported", "resource_name"}


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def origin_of(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def prm_url_for(resource: str) -> str:
    return origin_of(resource) + "/.well-known/oauth-protected-resource/mcp"


def request(url: str, method: str = "tools/list", params: dict | None = None, headers: dict | None = None,
            rid: Any = 1, meta: dict | None = None, timeout: float = 20.0) -> tuple[Exchange, dict | None]:
    """One stateless 2026-07-28 request with extra (credential) headers."""
    with new_http_client(timeout) as c:
        return modern_request(c, url, method, params or {}, rid, headers=headers, meta=meta, timeout=timeout)


def challenge(headers: httpx.Headers) -> dict[str, str]:
    """The parameters of the one Bearer challenge in `headers`."""
    values = headers.get_list("www-authenticate")
    assert len(values) == 1, f"want exactly one WWW-Authenticate, got {values}"
    scheme, params = parse_challenge(values[0])
    assert scheme.lower() == "bearer", values[0]
    return params


def assert_unauthenticated(ex: Exchange, prm_url: str | None, scope: str = "mcp") -> None:
    """401 with a challenge that only names the metadata and the scope (no error code)."""
    assert ex.status == 401, f"HTTP {ex.status}: {ex.raw[:300]}"
    params = challenge(ex.headers)
    want = {"scope": scope} if prm_url is None else {"resource_metadata": prm_url, "scope": scope}
    assert params == want, params


def assert_invalid_token(ex: Exchange, prm_url: str, token: str | None = None) -> dict:
    assert ex.status == 401, f"HTTP {ex.status}: {ex.raw[:300]}"
    params = challenge(ex.headers)
    assert params.get("error") == "invalid_token", params
    assert params.get("error_description", "").strip(), f"no error_description: {params}"
    assert params.get("resource_metadata") == prm_url and params.get("scope") == "mcp", params
    assert set(params) == {"error", "error_description", "resource_metadata", "scope"}, params
    if token:
        visible = ex.raw + " ".join(f"{k}: {v}" for k, v in ex.headers.multi_items())
        for part in {token, *(p for p in token.split(".") if len(p) > 8)}:
            assert part not in visible, "the refusal echoes (part of) the token"
    return params


def assert_invalid_request(ex: Exchange) -> dict:
    assert ex.status == 400, f"HTTP {ex.status}: {ex.raw[:300]}"
    params = challenge(ex.headers)
    assert params.get("error") == "invalid_request", params
    return params


def assert_insufficient_scope(ex: Exchange, scope: str) -> dict:
    assert ex.status == 403, f"HTTP {ex.status}: {ex.raw[:300]}"
    params = challenge(ex.headers)
    assert params.get("error") == "insufficient_scope", params
    assert params.get("scope") == scope, params
    return params


def tool_names(resp: dict | None) -> set[str]:
    assert resp and "result" in resp, resp
    return {t["name"] for t in resp["result"]["tools"]}


def listed(resp: dict | None, method: str) -> set[str]:
    assert resp and "result" in resp, resp
    key, field_name = {"tools/list": ("tools", "name"), "prompts/list": ("prompts", "name"),
                       "resources/list": ("resources", "uri")}[method]
    return {item[field_name] for item in resp["result"][key]}


def text_of(resp: dict | None) -> str:
    assert resp and "result" in resp, resp
    return "".join(c.get("text", "") for c in resp["result"].get("content", []) if c.get("type") == "text")



def send_with_huge_header(url: str, header_bytes: int, timeout: float = 20.0) -> tuple[int | None, dict[str, str], bool]:
    """POST with an `Authorization: Bearer <header_bytes of 'a'>` header over a raw socket; stops
    sending once the server answers. Returns (status or None, response headers, closed after)."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    body = json.dumps(rpc("tools/list", modern_params({}), 1)).encode()
    head = (f"POST /mcp HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\n"
            f"Authorization: Bearer {'a' * header_bytes}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    view = memoryview(head + body)
    deadline = time.monotonic() + timeout
    s = socket.create_connection((host, int(port)), timeout=5)
    try:
        s.setblocking(False)
        pos, answer = 0, b""
        while time.monotonic() < deadline and b"\r\n\r\n" not in answer:
            r, w, _ = select.select([s], [s] if pos < len(view) else [], [], max(0.0, deadline - time.monotonic()))
            if r:
                try:
                    chunk = s.recv(65536)
                except (ConnectionResetError, BlockingIOError):
                    chunk = b""
                if not chunk:
                    break
                answer += chunk
            elif w:
                try:
                    pos += s.send(view[pos:pos + 65536])
                except BlockingIOError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    pos = len(view)
        head_text = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        lines = head_text.split("\r\n")
        status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/1.") else None
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if ":" in line)}
        # Closed after the answer? Read to EOF (bounded).
        s.setblocking(True)
        s.settimeout(max(0.5, min(5.0, deadline - time.monotonic())))
        closed = False
        try:
            for _ in range(1000):
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
        except ConnectionResetError:
            closed = True
        except socket.timeout:
            closed = False
        return status, headers, closed
    finally:
        s.close()


# --------------------------------------------------------------------------------------------
# deployments
# --------------------------------------------------------------------------------------------


@dataclass
class Deployment:
    """A running server with the AS, keys and credentials its config accepts."""

    proc: ServerProcess
    resource: str
    authz: AuthServer
    keys: dict[str, SigningKey]
    api_keys: dict[str, str] = field(default_factory=dict)
    opaque: dict[str, str] = field(default_factory=dict)
    stdin_log: Path | None = None  # passthrough: what the stdio child was sent
    stack: Stack | None = None  # edge: the `portico up` stack

    @property
    def url(self) -> str:
        return self.stack.https_url if self.stack else self.proc.url

    @property
    def prm_url(self) -> str:
        return prm_url_for(self.resource)

    @property
    def issuer(self) -> str:
        return self.authz.issuer

    def jwt(self, sub: str = "alice", scope: str | None = "mcp", kind: str = "rsa", **kw) -> str:
        return self.authz.mint(self.keys[kind], self.resource, sub=sub, scope=scope, **kw)


def issuer_entry(authz: AuthServer, introspection: bool = True, **extra) -> dict:
    entry: dict[str, Any] = {"issuer": authz.issuer, "jwks_url": None, "audience": None,
                             "algorithms": ["RS256", "ES256", "EdDSA"]}
    if introspection:
        entry["introspection"] = {"endpoint": authz.introspection_url, "client_id": "portico",
                                  "client_secret_env": INTROSPECTION_SECRET_ENV}
    entry.update(extra)
    return entry


def auth_section(resource: str, issuers: list[dict], **extra) -> dict:
    section: dict[str, Any] = {"enabled": True, "resource": resource, "required_scopes": ["mcp"], "scopes_supported": [],
                               "hide_forbidden": True, "leeway_seconds": 60, "cache_seconds": 300,
                               "jwks_refresh_seconds": 30, "issuers": issuers}
    section.update(extra)
    return section


RULES = [{"tool": "add", "scopes": ["mcp:write"]}, {"prompt": "summarize", "scopes": ["mcp:prompts"]},
         {"resource_prefix": "portico://demo/", "scopes": ["mcp:read"]}]
CERTIFICATES = {"trusted_proxies": ["127.0.0.1", "::1"], "principals": [{"subject": CERT_SUBJECT, "scopes": ["mcp"]}]}


@pytest.fixture(scope="module", autouse=True)
def introspection_secret():
    """The introspection client secret, in the environment the servers inherit."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(INTROSPECTION_SECRET_ENV, INTROSPECTION_SECRET)
        yield


@pytest.fixture(scope="module")
def authz():
    """The module's authorization server, with one RSA, one P-256 and one Ed25519 key published."""
    a = AuthServer().start()
    a.module_keys = {kind: a.add_key(kind) for kind in ("rsa", "ec", "ed")}
    yield a
    a.stop()


@pytest.fixture(scope="module")
def credentials_made():
    """API keys: `ci` from `portico auth new-key`, the others hashed here (sha256(salt || key))."""
    ci_key, ci_entry = portico_new_key(portico_bin(), "ci", ["mcp", "mcp:write"])
    reader_key = "rk-" + uuid.uuid4().hex
    offline_key = "ok-" + uuid.uuid4().hex
    entries = [ci_entry,
               {"name": "reader", "hash": api_key_hash(reader_key), "scopes": ["mcp"]},
               {"name": "offline", "hash": api_key_hash(offline_key, bytes(range(16))), "scopes": ["mcp", "offline_access"]}]
    return {"ci": ci_key, "reader": reader_key, "offline": offline_key}, entries


def add_opaque_tokens(authz: AuthServer, resource: str) -> dict[str, str]:
    now = int(time.time())
    return {
        "active": authz.add_opaque({"active": True, "scope": "mcp", "sub": "carol", "iss": authz.issuer, "aud": resource,
                                    "exp": now + 3600, "client_id": "interop"}),
        "inactive": authz.add_opaque({"active": False}),
    }


def start_main_like(pool, name: str, authz: AuthServer, credentials_made, **auth_extra) -> Deployment:
    keys, entries = credentials_made
    (port,) = free_ports(1)
    resource = f"http://127.0.0.1:{port}/mcp"
    config = {
        "server": {"cors_origins": [ORIGIN]},
        "auth": auth_section(resource, [issuer_entry(authz)], api_keys=entries, rules=RULES,
                             client_certificates=CERTIFICATES, **auth_extra),
    }
    proc = pool.get(name, config, "--port", str(port))
    assert proc.url == resource, (proc.url, resource)
    return Deployment(proc, resource, authz, authz.module_keys, dict(keys), add_opaque_tokens(authz, resource))


@pytest.fixture(scope="module")
def main(server_pool, authz, credentials_made) -> Deployment:
    return start_main_like(server_pool, "main", authz, credentials_made)


@pytest.fixture(scope="module")
def shown(server_pool, authz, credentials_made) -> Deployment:
    return start_main_like(server_pool, "shown", authz, credentials_made, hide_forbidden=False)


@pytest.fixture(scope="module")
def keys_only(server_pool, credentials_made) -> Deployment:
    keys, entries = credentials_made
    config = {"auth": auth_section(FIXED_RESOURCE, [], api_keys=entries)}
    proc = server_pool.get("keys-only", config)
    return Deployment(proc, FIXED_RESOURCE, AuthServer(), {}, dict(keys))


@pytest.fixture(scope="module")
def untrusted(server_pool, authz, credentials_made) -> Deployment:
    keys, entries = credentials_made
    config = {"auth": auth_section(FIXED_RESOURCE, [issuer_entry(authz, introspection=False)], api_keys=entries,
                                   client_certificates={**CERTIFICATES, "trusted_proxies": ["10.9.9.9"]})}
    proc = server_pool.get("untrusted", config)
    return Deployment(proc, FIXED_RESOURCE, authz, authz.module_keys, dict(keys))


@pytest.fixture(scope="module")
def conformance(server_pool, authz, credentials_made) -> Deployment:
    keys, entries = credentials_made
    config = {"auth": auth_section(FIXED_RESOURCE, [issuer_entry(authz, introspection=False)], api_keys=entries)}
    proc = server_pool.get("conformance", config, "--fixture", "conformance")
    return Deployment(proc, FIXED_RESOURCE, authz, authz.module_keys, dict(keys))


@pytest.fixture(scope="module")
def passthrough(server_pool, authz, credentials_made, tmp_path_factory) -> Deployment:
    keys, entries = credentials_made
    work = tmp_path_factory.mktemp("passthrough")
    stdin_log = work / "child-stdin.log"
    obj = {"type": "object", "properties": {"text": {"type": "string"}}}
    config = {
        "tools": {"packs": []},
        "limits": {"call_timeout_seconds": 60},
        "sources": {
            "commands": [
                {"name": "env_dump", "description": "print the environment", "input_schema": obj, "argv": ["/usr/bin/env"]},
                {"name": "env_dump_path", "description": "print the environment (PATH, HOME passed on)", "input_schema": obj,
                 "argv": ["/usr/bin/env"], "env": ["PATH", "HOME", "LANG"]},
                {"name": "stdin_dump", "description": "print stdin and argv", "input_schema": obj,
                 "argv": [PY, "-c", "import sys; print(repr(sys.stdin.read())); print(sys.argv)", "{{text}}"],
                 "stdin_json": True},
            ],
            "stdio": [{"name": "kid", "command": [PY, AUTHKIT, "env-server"], "prefix": "kid_",
                       "env": {"AUTHKIT_STDIN_LOG": str(stdin_log)}}],
        },
        "auth": auth_section(FIXED_RESOURCE, [issuer_entry(authz, introspection=False)], api_keys=entries),
    }
    proc = server_pool.get("passthrough", config)
    return Deployment(proc, FIXED_RESOURCE, authz, authz.module_keys, dict(keys), stdin_log=stdin_log)


# After each test, every module server must still be running (a dead one is a Portico crash).
pytestmark = pytest.mark.usefixtures("servers_stay_up")


# Credentials by name, for the principal tables.
CREDENTIALS: dict[str, Callable[[Deployment], dict]] = {
    "alice": lambda d: bearer(d.jwt("alice", WRITE)),
    "alice-new-token": lambda d: bearer(d.jwt("alice", "mcp", kind="ec")),
    "bob": lambda d: bearer(d.jwt("bob", WRITE)),
    "ci-key": lambda d: bearer(d.api_keys["ci"]),
    "reader-key": lambda d: bearer(d.api_keys["reader"]),
    "certificate": lambda d: {"X-Portico-Client-Verify": "SUCCESS", "X-Portico-Client-Subject": CERT_SUBJECT},
    "carol-opaque": lambda d: bearer(d.opaque["active"]),
}


# --------------------------------------------------------------------------------------------
# Protected resource metadata and the plain challenge
# --------------------------------------------------------------------------------------------

PRM_PATHS = ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]


@pytest.mark.parametrize("path", PRM_PATHS, ids=["path-inserted", "root"])
@pytest.mark.parametrize("credential", [None, "Bearer not-a-valid-token"], ids=["anonymous", "with-a-bad-token"])
def test_protected_resource_metadata_is_public_and_names_resource_issuer_and_scopes(main, path, credential):
    headers = {"Authorization": credential} if credential else {}
    with new_http_client() as c:
        r = c.get(origin_of(main.url) + path, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == "application/json"
    doc = r.json()
    assert set(doc) <= PRM_KEYS and {"resource", "authorization_servers", "bearer_methods_supported"} <= set(doc), doc
    assert doc["resource"] == main.resource
    assert doc["authorization_servers"] == [main.issuer]
    assert doc["bearer_methods_supported"] == ["header"]
    # Every scope the file mentions, and never offline_access (an API key in the file grants it).
    assert sorted(doc["scopes_supported"]) == ["mcp", "mcp:prompts", "mcp:read", "mcp:write"], doc
    assert isinstance(doc.get("resource_name", ""), str)


def test_protected_resource_metadata_is_not_served_without_an_issuer(keys_only):
    with new_http_client() as c:
        statuses = [c.get(origin_of(keys_only.url) + p).status_code for p in PRM_PATHS]
    assert statuses == [404, 404]
    ex, _ = request(keys_only.url)
    assert_unauthenticated(ex, prm_url=None)


@pytest.mark.parametrize("path", ["/mcp", "/mcp/"], ids=["mcp", "mcp-slash"])
@pytest.mark.parametrize("http_method", ["POST", "GET", "DELETE"])
def test_request_without_credentials_gets_401_naming_the_metadata_and_scope(main, http_method, path):
    url = origin_of(main.url) + path
    if http_method == "POST":
        ex, _ = request(url)
    else:
        headers = legacy_headers(session_id=uuid.uuid4().hex, version=LATEST_LEGACY, accept="text/event-stream")
        with new_http_client() as c, c.stream(http_method, url, headers=headers) as r:
            ex = Exchange(status=r.status_code, headers=r.headers, content_type=r.headers.get("content-type", ""))
    assert_unauthenticated(ex, main.prm_url)
    with new_http_client() as c:
        named = c.get(challenge(ex.headers)["resource_metadata"])
    assert named.status_code == 200 and named.json()["resource"] == main.resource


# --------------------------------------------------------------------------------------------
# Which tokens are accepted
# --------------------------------------------------------------------------------------------


def _now() -> int:
    return int(time.time())


VALID_TOKENS: dict[str, Callable[[Deployment], str]] = {
    "rs256": lambda d: d.jwt(kind="rsa"),
    "es256": lambda d: d.jwt(kind="ec"),
    "eddsa": lambda d: d.jwt(kind="ed"),
    "audience-list-with-the-resource": lambda d: d.jwt(aud=["https://other.example.com/api", d.resource]),
    "typ-at+jwt": lambda d: d.jwt(headers={"typ": "at+jwt"}),
    "expired-within-leeway": lambda d: d.jwt(exp=_now() - 30, iat=_now() - 330, nbf=_now() - 330),
    "nbf-within-leeway": lambda d: d.jwt(nbf=_now() + 30),
    "scope-with-extra-scopes": lambda d: d.jwt(scope="openid profile mcp email"),
}


@pytest.mark.parametrize("case", list(VALID_TOKENS))
def test_valid_token_is_accepted(main, case):
    token = VALID_TOKENS[case](main)
    ex, resp = request(main.url, headers=bearer(token))
    assert ex.status == 200, f"{case}: HTTP {ex.status} {ex.headers.get('www-authenticate')} {ex.raw[:200]}"
    assert "echo" in tool_names(resp)


def _other_key_same_kid(d: Deployment) -> str:
    impostor = SigningKey.generate("rsa", kid=d.keys["rsa"].kid)
    return d.authz.mint(impostor, d.resource)


def _payload_swapped(d: Deployment) -> str:
    weak = d.jwt(scope="mcp").split(".")
    strong = d.jwt(scope=ALL_SCOPES).split(".")
    return ".".join([weak[0], strong[1], weak[2]])


INVALID_TOKENS: dict[str, Callable[[Deployment], str]] = {
    "expired": lambda d: d.jwt(exp=_now() - 3600, iat=_now() - 7200, nbf=_now() - 7200),
    "expired-beyond-leeway": lambda d: d.jwt(exp=_now() - 120, iat=_now() - 420, nbf=_now() - 420),
    "not-yet-valid": lambda d: d.jwt(nbf=_now() + 3600, exp=_now() + 7200),
    "nbf-beyond-leeway": lambda d: d.jwt(nbf=_now() + 120),
    "no-exp": lambda d: d.jwt(exp=None),
    "no-sub": lambda d: d.jwt(sub=None),
    "wrong-audience": lambda d: d.jwt(aud="https://other.example.com/mcp"),
    "audience-list-without-the-resource": lambda d: d.jwt(aud=["https://a.example.com", "https://b.example.com"]),
    "audience-with-trailing-slash": lambda d: d.jwt(aud=d.resource + "/"),
    "wrong-issuer": lambda d: d.jwt(iss="http://127.0.0.1:1"),
    "issuer-with-trailing-slash": lambda d: d.jwt(iss=d.issuer + "/"),
    "bad-signature": _other_key_same_kid,
    "payload-swapped": _payload_swapped,
    "unknown-kid": lambda d: d.authz.mint(SigningKey.generate("rsa", kid="never-published"), d.resource),
    "alg-none": lambda d: raw_jws({"alg": "none", "typ": "JWT", "kid": d.keys["rsa"].kid}, d.authz.claims(d.resource)),
    "hs256-keyed-with-the-rsa-public-key": lambda d: hs256_with_public_key(d.keys["rsa"], d.authz.claims(d.resource)),
    "alg-not-configured-rs384": lambda d: d.authz.mint(d.keys["rsa"], d.resource, alg="RS384"),
    "unknown-crit-header": lambda d: d.authz.mint(d.keys["rsa"], d.resource, headers={"crit": ["x-must"], "x-must": 1}),
    "garbage": lambda d: "garbage",
    "three-garbage-segments": lambda d: "abc.def.ghi",
}


@pytest.mark.parametrize("case", list(INVALID_TOKENS))
def test_invalid_token_gets_401_invalid_token(main, case):
    token = INVALID_TOKENS[case](main)
    ex, _ = request(main.url, headers=bearer(token))
    assert_invalid_token(ex, main.prm_url, token)


def test_token_over_16_kib_gets_401_invalid_token(main):
    token = "a" * (16 * 1024 + 1)
    ex, _ = request(main.url, headers=bearer(token))
    assert_invalid_token(ex, main.prm_url, token)


@pytest.mark.parametrize("size", [100 * 1024, 1024 * 1024], ids=["100KiB", "1MiB"])
def test_authorization_header_beyond_the_http_limit_gets_400_and_close_and_the_server_keeps_serving(main, size):
    # Measured behaviour: the HTTP layer (not auth) answers 400 with an empty body and closes.
    status, headers, closed = send_with_huge_header(main.url, size)
    assert status == 400, (status, headers)
    assert headers.get("connection", "").lower() == "close" and headers.get("content-length") == "0", headers
    assert closed, "the connection must be closed after the 400"
    ex, resp = request(main.url, headers=bearer(main.jwt()))
    assert ex.status == 200 and "echo" in tool_names(resp)


# --------------------------------------------------------------------------------------------
# Malformed credentials
# --------------------------------------------------------------------------------------------

QUERY_TOKENS = {
    "token-only-in-query": ("?access_token=abc", None),
    "token-in-query-and-header": ("?access_token={token}", "header"),
    "after-another-parameter": ("?x=1&access_token=abc", "header"),
    "bare-access_token": ("?access_token", "header"),
}


@pytest.mark.parametrize("case", list(QUERY_TOKENS))
def test_token_in_the_query_string_gets_400_invalid_request(main, case):
    query, header = QUERY_TOKENS[case]
    token = main.jwt()
    ex, _ = request(main.url + query.format(token=token), headers=bearer(token) if header else None)
    assert_invalid_request(ex)


def test_a_query_parameter_only_resembling_access_token_is_not_refused(main):
    ex, resp = request(main.url + "?my_access_token=1", headers=bearer(main.jwt()))
    assert ex.status == 200 and "echo" in tool_names(resp)


def _exact(d: Deployment, authorization: list[str]) -> Exchange:
    p = modern_params({})
    headers = [(k, v) for k, v in modern_headers("tools/list", p).items()] + [("Authorization", a) for a in authorization]
    return exact_post(d.url, headers, json.dumps(rpc("tools/list", p, 1)).encode())


MALFORMED: dict[str, Callable[[Deployment], list[str]]] = {
    "two-authorization-headers": lambda d: [f"Bearer {d.jwt()}", f"Bearer {d.jwt()}"],
    "two-headers-one-garbage": lambda d: [f"Bearer {d.jwt()}", "Bearer garbage"],
    "bearer-without-token": lambda d: ["Bearer"],
    "bearer-and-a-space": lambda d: ["Bearer "],
    "space-inside-the-token": lambda d: ["Bearer abc def"],
    "valid-token-then-junk": lambda d: [f"Bearer {d.jwt()} junk"],
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_authorization_gets_400_invalid_request(main, case):
    assert_invalid_request(_exact(main, MALFORMED[case](main)))


@pytest.mark.parametrize("value", ["Basic dXNlcjpwYXNz", 'Digest username="u", realm="r"', "Token abc", "Bearerabc"],
                         ids=["basic", "digest", "token", "bearer-glued"])
def test_another_scheme_gets_401_without_an_error_code(main, value):
    assert_unauthenticated(_exact(main, [value]), main.prm_url)


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
def test_the_bearer_scheme_is_case_insensitive(main, scheme):
    ex = _exact(main, [f"{scheme} {main.jwt()}"])
    assert ex.status == 200, ex.raw[:300]


# --------------------------------------------------------------------------------------------
# Scopes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [None, "", "other", "mcp:write", "MCP", "mcpx"],
                         ids=["no-scope-claim", "empty", "other", "write-only", "upper-case", "prefix-lookalike"])
def test_valid_token_without_the_required_scope_gets_403_insufficient_scope(main, scope):
    ex, _ = request(main.url, headers=bearer(main.jwt(scope=scope)))
    assert_insufficient_scope(ex, "mcp")


RULED_ITEMS = {
    "tool-add": ("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, "mcp mcp:write"),
    "prompt-summarize": ("prompts/get", {"name": "summarize", "arguments": {"text": "x"}}, "mcp mcp:prompts"),
    "resource-about": ("resources/read", {"uri": "portico://demo/about"}, "mcp mcp:read"),
    "templated-resource": ("resources/read", {"uri": "portico://demo/echo/hi"}, "mcp mcp:read"),
}


@pytest.mark.parametrize("item", list(RULED_ITEMS))
def test_using_a_ruled_item_without_its_scope_gets_403_naming_every_scope_it_needs(main, item):
    method, params, needed = RULED_ITEMS[item]
    ex, resp = request(main.url, method, params, headers=bearer(main.jwt(scope="mcp")), rid=41)
    assert_insufficient_scope(ex, needed)
    assert resp and "error" in resp and resp["id"] == 41, ex.raw[:300]


def test_a_ruled_tool_works_with_its_scope(main):
    ex, resp = request(main.url, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, headers=bearer(main.jwt(scope=WRITE)))
    assert ex.status == 200 and resp and "result" in resp, ex.raw[:300]
    assert resp["result"]["structuredContent"] == {"sum": 3}


LIST_RULES = {"tools/list": ("add", "echo"), "prompts/list": ("summarize", None),
              "resources/list": ("portico://demo/about", None)}


def _list(d: Deployment, era: str, method: str, cred: dict) -> dict | None:
    if era == "2026-07-28":
        ex, resp = request(d.url, method, headers=cred)
        assert ex.status == 200, ex.raw[:300]
        return resp
    with new_http_client() as c:
        c.headers.update(cred)
        s = LegacySession(d.url, LATEST_LEGACY, client=c)
        s.initialize()
        assert s.session_id, s.init_exchange.raw[:300] if s.init_exchange else None
        _, resp = s.request(method, {})
        s.delete()
        return resp


@pytest.mark.parametrize("era", ["2025-11-25", "2026-07-28"])
@pytest.mark.parametrize("method", list(LIST_RULES))
def test_forbidden_items_are_hidden_from_lists_and_shown_with_the_scope(main, era, method):
    ruled, open_item = LIST_RULES[method]
    without = listed(_list(main, era, method, bearer(main.jwt(scope="mcp"))), method)
    with_all = listed(_list(main, era, method, bearer(main.jwt(scope=ALL_SCOPES))), method)
    assert ruled not in without, f"{ruled} is listed for a principal lacking its scope: {sorted(without)}"
    assert ruled in with_all, sorted(with_all)
    if open_item:
        assert open_item in without and open_item in with_all


SIDE_DOORS = {
    # A principal lacking a ruled item's scope must not reach it by another method either.
    "mcp-name-header-naming-an-open-tool": ("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, {"Mcp-Name": "echo"}),
    "completion-of-a-ruled-prompt": ("completion/complete", {"ref": {"type": "ref/prompt", "name": "summarize"},
                                                             "argument": {"name": "style", "value": ""}}, {}),
    "completion-of-a-ruled-template": ("completion/complete", {"ref": {"type": "ref/resource", "uri": "portico://demo/echo/{message}"},
                                                               "argument": {"name": "message", "value": ""}}, {}),
}


@pytest.mark.parametrize("door", list(SIDE_DOORS))
def test_a_ruled_item_is_not_reachable_through_a_side_door(main, door):
    method, params, extra = SIDE_DOORS[door]
    ex, resp = request(main.url, method, params, headers={**bearer(main.jwt(scope="mcp")), **extra})
    assert ex.status != 200 and resp and "error" in resp and "result" not in resp, \
        f"{door}: answered for a principal without the item's scope: HTTP {ex.status} {ex.raw[:300]}"


def test_subscribing_to_a_ruled_resource_needs_its_scope(main):
    with new_http_client() as c:
        c.headers.update(bearer(main.jwt(scope="mcp")))
        s = LegacySession(main.url, LATEST_LEGACY, client=c)
        s.initialize()
        ex, resp = s.request("resources/subscribe", {"uri": "portico://demo/about"})
        s.delete()
    assert resp and "error" in resp and "result" not in resp, f"subscribed without mcp:read: HTTP {ex.status} {ex.raw[:300]}"


def test_a_2025_03_26_batch_cannot_bypass_item_rules(main):
    with new_http_client() as c:
        c.headers.update(bearer(main.jwt(scope="mcp")))
        s = LegacySession(main.url, "2025-03-26", client=c)
        s.initialize()
        assert s.session_id
        body = [rpc("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, "b-add"),
                rpc("tools/call", {"name": "echo", "arguments": {"text": "ok"}}, "b-echo"),
                rpc("tools/list", {}, "b-list")]
        ex = post(c, main.url, body, s.headers(), wait_for_id=None)
        s.delete()
    answers = {}
    for m in ex.messages:
        for item in (m if isinstance(m, list) else [m]):
            if isinstance(item, dict) and "id" in item:
                answers[item["id"]] = item
    assert set(answers) == {"b-add", "b-echo", "b-list"}, ex.raw[:400]
    assert "error" in answers["b-add"] and "result" not in answers["b-add"], answers["b-add"]
    assert answers["b-echo"]["result"]["content"][0]["text"] == "ok"
    assert "add" not in {t["name"] for t in answers["b-list"]["result"]["tools"]}


class SSEClient:
    """A raw 2024-11-05 HTTP+SSE client (GET /sse, POST /messages?session_id=...) with credentials."""

    def __init__(self, mcp_url: str, headers: dict):
        self.base = mcp_url.rsplit("/mcp", 1)[0]
        self.stream = RawStream(self.base + "/sse", "GET", {"Accept": "text/event-stream", **headers})
        self.endpoint = None
        if self.stream.status == 200:
            self.stream.wait_for(lambda r: bool(r.events), 5)
            if self.stream.events and self.stream.events[0].event == "endpoint":
                self.endpoint = self.stream.events[0].data

    def post(self, message: dict, headers: dict) -> httpx.Response:
        assert self.endpoint, f"no endpoint event: HTTP {self.stream.status} {self.stream.body_text[:200]!r}"
        with new_http_client() as c:
            return c.post(self.base + self.endpoint, content=json.dumps(message).encode(),
                          headers={"Content-Type": "application/json", **headers})


def test_the_2024_11_05_sse_transport_needs_credentials_and_is_bound_to_its_principal(main):
    base = main.url.rsplit("/mcp", 1)[0]
    with new_http_client() as c:
        with c.stream("GET", base + "/sse", headers={"Accept": "text/event-stream"}) as r:
            assert r.status_code == 401 and challenge(r.headers) == {"resource_metadata": main.prm_url, "scope": "mcp"}
        r = c.post(base + "/messages?session_id=x", content=json.dumps(rpc("ping", None, 1)).encode(),
                   headers={"Content-Type": "application/json"})
        assert r.status_code == 401, r.text[:200]
    alice, bob = bearer(main.jwt("alice", "mcp")), bearer(main.jwt("bob", ALL_SCOPES))
    sse = SSEClient(main.url, alice)
    try:
        assert sse.post(rpc("initialize", initialize_params("2024-11-05"), 1), alice).status_code == 202
        assert sse.stream.wait_for_response(1, 10), sse.stream.body_text[-300:]
        assert sse.post(notification("notifications/initialized"), alice).status_code == 202
        foreign = sse.post(rpc("tools/list", {}, 2), bob)
        assert foreign.status_code == 404, f"bob posted into alice's SSE session: HTTP {foreign.status_code}"
        assert sse.post(rpc("tools/list", {}, 3), alice).status_code == 202
        listed_tools = sse.stream.wait_for_response(3, 10)
        assert listed_tools and "add" not in {t["name"] for t in listed_tools["result"]["tools"]}, listed_tools
        assert sse.post(rpc("tools/call", {"name": "add", "arguments": {"a": 1, "b": 1}}, 4), alice).status_code == 202
        refused = sse.stream.wait_for_response(4, 10)
        assert refused and "error" in refused and "result" not in refused, refused
        assert sse.stream.response_for(2) is None, "bob's request was answered on alice's stream"
    finally:
        sse.stream.drop()


def test_with_hide_forbidden_off_a_forbidden_tool_is_listed_but_still_refused(shown):
    cred = bearer(shown.jwt(scope="mcp"))
    _, resp = request(shown.url, headers=cred)
    assert "add" in tool_names(resp)
    ex, _ = request(shown.url, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, headers=cred)
    assert_insufficient_scope(ex, "mcp mcp:write")


# --------------------------------------------------------------------------------------------
# Issuers: discovery, keys, availability
# --------------------------------------------------------------------------------------------

DISCOVERY = {
    "rfc8414-root": dict(path="", metadata=("oauth",), jwks_url=False),
    "rfc8414-issuer-with-path": dict(path="/tenant1", metadata=("oauth",), jwks_url=False),
    "oidc-root": dict(path="", metadata=("oidc",), jwks_url=False),
    "oidc-issuer-with-path": dict(path="/realms/mcp", metadata=("oidc",), jwks_url=False),
    "explicit-jwks-url-no-metadata": dict(path="", metadata=(), jwks_url=True),
}


@pytest.mark.parametrize("case", list(DISCOVERY))
def test_issuer_keys_are_found_by_every_discovery_route(fresh_servers, case):
    spec = DISCOVERY[case]
    a = AuthServer(path=spec["path"], metadata=spec["metadata"]).start()
    try:
        key = a.add_key("ec")
        entry = issuer_entry(a, introspection=False, jwks_url=a.jwks_url if spec["jwks_url"] else None)
        proc = fresh_servers.start(f"discovery-{case}", {"auth": auth_section(FIXED_RESOURCE, [entry])})
        ex, resp = request(proc.url, headers=bearer(a.mint(key, FIXED_RESOURCE)))
        assert ex.status == 200, f"HTTP {ex.status} {ex.headers.get('www-authenticate')}; AS saw {a.requests}"
        assert a.count("jwks") == 1, a.requests
        assert a.count("metadata") == (0 if spec["jwks_url"] else 1), a.requests
    finally:
        a.stop()


AUDIENCES = {
    # name: (auth.resource set?, issuer overrides, {aud: accepted}); "{url}" is the server's own URL
    "public-url-is-the-default-resource": (False, {}, {"{url}": True, FIXED_RESOURCE: False}),
    "issuer-audience-overrides-the-resource": (True, {"audience": "api://portico"}, {"api://portico": True, "{url}": False}),
}


@pytest.mark.parametrize("case", list(AUDIENCES))
def test_the_audience_tokens_need(fresh_servers, authz, case):
    resource_set, issuer_over, auds = AUDIENCES[case]
    (port,) = free_ports(1)
    url = f"http://127.0.0.1:{port}/mcp"
    section = auth_section(url, [issuer_entry(authz, introspection=False, **issuer_over)])
    config: dict[str, Any] = {"auth": section}
    if not resource_set:
        del section["resource"]
        config["server"] = {"public_url": url}
    proc = fresh_servers.start(f"audience-{case}", config, "--port", str(port))
    with new_http_client() as c:
        doc = c.get(origin_of(proc.url) + PRM_PATHS[0]).json()
    assert doc["resource"] == url
    for aud, accepted in auds.items():
        aud = aud.format(url=url)
        ex, _ = request(proc.url, headers=bearer(authz.mint(authz.module_keys["rsa"], aud)))
        if accepted:
            assert ex.status == 200, f"aud {aud}: HTTP {ex.status} {ex.headers.get('www-authenticate')}"
        else:
            assert_invalid_token(ex, prm_url_for(url))


def test_explicit_scopes_supported_are_published_as_given(fresh_servers, authz):
    section = auth_section(FIXED_RESOURCE, [issuer_entry(authz, introspection=False)], scopes_supported=["mcp", "mcp:admin"],
                           rules=RULES)
    proc = fresh_servers.start("scopes-supported", {"auth": section})
    with new_http_client() as c:
        doc = c.get(origin_of(proc.url) + PRM_PATHS[1]).json()
    assert doc["scopes_supported"] == ["mcp", "mcp:admin"]


def test_metadata_naming_another_issuer_is_not_used(fresh_servers):
    a = AuthServer(path="/other").start()  # metadata at /.well-known/oauth-authorization-server/other ...
    try:
        key = a.add_key("rsa")
        a.metadata_document = lambda: {"issuer": a.base_url, "jwks_uri": a.jwks_url}  # ... naming another issuer
        proc = fresh_servers.start("mismatch", {"auth": auth_section(FIXED_RESOURCE, [{"issuer": a.issuer}])})
        ex, _ = request(proc.url, headers=bearer(a.mint(key, FIXED_RESOURCE)))
        assert ex.status in (401, 503) and ex.status != 200, ex.raw[:300]
        assert a.count("jwks") == 0, f"keys fetched from a mismatching document: {a.requests}"
    finally:
        a.stop()


@pytest.mark.parametrize("kind", ["jwt", "opaque"])
def test_unreachable_issuer_gives_503_with_retry_after_and_recovers(fresh_servers, kind):
    a = AuthServer().start()
    try:
        key = a.add_key("rsa")
        proc = fresh_servers.start(f"issuer-down-{kind}", {"auth": auth_section(FIXED_RESOURCE, [issuer_entry(a)],
                                                                              jwks_refresh_seconds=1)})
        token = a.mint(key, FIXED_RESOURCE) if kind == "jwt" else a.add_opaque({"active": True, "scope": "mcp", "sub": "z", "aud": FIXED_RESOURCE})
        a.stop()
        ex, resp = request(proc.url, headers=bearer(token), timeout=40)
        assert ex.status == 503, f"HTTP {ex.status} {ex.headers.get('www-authenticate')} {ex.raw[:200]}"
        retry_after = ex.headers.get("retry-after", "")
        assert retry_after.isdigit() and int(retry_after) >= 1, dict(ex.headers)
        assert [m.get("error", {}).get("code") for m in ex.messages] == [-32603], ex.raw[:300]
        a.restart()
        deadline = time.monotonic() + 20
        statuses = []
        while time.monotonic() < deadline:
            ex, _ = request(proc.url, headers=bearer(token))
            statuses.append(ex.status)
            if ex.status == 200:
                break
            time.sleep(0.25)  # bounded retry of an observable condition (the issuer is back)
        assert statuses[-1] == 200, f"never recovered after the issuer came back: {statuses[-10:]}"
    finally:
        a.stop()


def test_a_new_kid_is_fetched_once_and_a_second_unknown_kid_within_the_interval_is_not(fresh_servers):
    a = AuthServer().start()
    try:
        first = a.add_key("rsa")
        proc = fresh_servers.start("rotation", {"auth": auth_section(FIXED_RESOURCE, [issuer_entry(a, introspection=False)],
                                                                   jwks_refresh_seconds=300)})
        ex, _ = request(proc.url, headers=bearer(a.mint(first, FIXED_RESOURCE)))
        assert ex.status == 200 and a.count("jwks") == 1, (ex.status, a.requests)
        rotated = a.add_key("ec")  # published after Portico fetched the key set
        ex, _ = request(proc.url, headers=bearer(a.mint(rotated, FIXED_RESOURCE)))
        assert ex.status == 200, (f"a token signed with a newly published key is refused: HTTP {ex.status} "
                                  f"{ex.headers.get('www-authenticate')}; jwks fetches {a.count('jwks')}")
        assert a.count("jwks") == 2, f"want exactly one extra JWKS fetch, AS saw {a.requests}"
        third = a.add_key("ed")
        ex, _ = request(proc.url, headers=bearer(a.mint(third, FIXED_RESOURCE)))
        assert_invalid_token(ex, prm_url_for(FIXED_RESOURCE))
        assert a.count("jwks") == 2, f"a second unknown kid within jwks_refresh_seconds refetched: {a.requests}"
    finally:
        a.stop()


def test_a_storm_of_unknown_kids_causes_at_most_one_jwks_fetch(fresh_servers):
    a = AuthServer().start()
    try:
        known = a.add_key("rsa")
        proc = fresh_servers.start("kid-storm", {"auth": auth_section(FIXED_RESOURCE, [issuer_entry(a, introspection=False)],
                                                                    jwks_refresh_seconds=300)})
        assert request(proc.url, headers=bearer(a.mint(known, FIXED_RESOURCE)))[0].status == 200
        before = a.count("jwks")
        for i in range(20):
            rogue = SigningKey.generate("rsa", kid=f"rogue-{i}")
            ex, _ = request(proc.url, headers=bearer(a.mint(rogue, FIXED_RESOURCE)))
            assert_invalid_token(ex, prm_url_for(FIXED_RESOURCE))
        assert a.count("jwks") - before <= 1, a.requests
    finally:
        a.stop()


# --------------------------------------------------------------------------------------------
# Opaque tokens and API keys
# --------------------------------------------------------------------------------------------

INTROSPECTION_ANSWERS: dict[str, tuple[Callable[[Deployment], dict], int]] = {
    "active": (lambda d: {"active": True, "scope": "mcp", "sub": "dave", "iss": d.issuer, "aud": d.resource,
                          "exp": _now() + 600}, 200),
    "active-minimal": (lambda d: {"active": True, "scope": "mcp", "sub": "erin", "aud": d.resource}, 200),
    # Audience binding is a MUST: an answer that names no audience cannot show the token is ours.
    "active-without-audience": (lambda d: {"active": True, "scope": "mcp", "sub": "erin"}, 401),
    "inactive": (lambda d: {"active": False}, 401),
    "inactive-with-claims": (lambda d: {"active": False, "scope": "mcp", "sub": "x", "exp": _now() + 600}, 401),
    "active-wrong-audience": (lambda d: {"active": True, "scope": "mcp", "sub": "f", "aud": "https://other.example.com"}, 401),
    "active-other-issuer": (lambda d: {"active": True, "scope": "mcp", "sub": "g", "iss": "https://other.example.com"}, 401),
    "active-expired": (lambda d: {"active": True, "scope": "mcp", "sub": "h", "exp": _now() - 3600}, 401),
}


@pytest.mark.parametrize("case", list(INTROSPECTION_ANSWERS))
def test_opaque_tokens_are_checked_by_introspection(main, case):
    answer, want = INTROSPECTION_ANSWERS[case]
    token = main.authz.add_opaque(answer(main))
    ex, resp = request(main.url, headers=bearer(token))
    if want == 200:
        assert ex.status == 200 and "echo" in tool_names(resp), ex.raw[:300]
    else:
        assert_invalid_token(ex, main.prm_url, token)
    calls = [i for i in main.authz.introspections if i["token"] == token]
    assert len(calls) == 1, f"introspected {len(calls)} times"
    assert calls[0]["auth_ok"], "Portico did not authenticate with HTTP Basic client_id:secret"
    assert calls[0]["content_type"].startswith("application/x-www-form-urlencoded"), calls[0]


def test_an_active_opaque_token_is_introspected_once_then_cached(main):
    token = main.authz.add_opaque({"active": True, "scope": "mcp", "sub": "cached", "aud": main.resource, "exp": _now() + 600})
    for _ in range(3):
        assert request(main.url, headers=bearer(token))[0].status == 200
    assert main.authz.introspected_tokens().count(token) == 1


def test_a_refused_opaque_token_sent_again_is_not_introspected_again(main):
    """A client retrying a bad token in a loop must not become load on the authorization server."""
    token = main.authz.add_opaque({"active": False})
    for _ in range(5):
        assert request(main.url, headers=bearer(token))[0].status == 401
    assert main.authz.introspected_tokens().count(token) == 1


def test_a_mistyped_api_key_is_never_sent_to_the_introspection_endpoint(main):
    wrong = main.api_keys["ci"][:-4] + ("AAAA" if not main.api_keys["ci"].endswith("AAAA") else "BBBB")
    ex, _ = request(main.url, headers=bearer(wrong))
    assert_invalid_token(ex, main.prm_url, wrong)
    assert wrong not in main.authz.introspected_tokens()


API_KEY_CASES = {
    # name: (credential, tools/list status, tools/call add status, scope in the 403)
    "ci-from-portico-new-key": (lambda d: d.api_keys["ci"], 200, 200),
    "reader-hashed-independently": (lambda d: d.api_keys["reader"], 200, 403),
    "unknown-pk-key": (lambda d: "pk_" + "A" * 43, 401, 401),
    "reader-key-one-char-changed": (lambda d: d.api_keys["reader"][:-1] + ("0" if d.api_keys["reader"][-1] != "0" else "1"), 401, 401),
}


@pytest.mark.parametrize("case", list(API_KEY_CASES))
def test_api_keys_authenticate_with_their_scopes(main, case):
    make, list_status, add_status = API_KEY_CASES[case]
    key = make(main)
    ex, resp = request(main.url, headers=bearer(key))
    assert ex.status == list_status, ex.raw[:300]
    ex, resp = request(main.url, "tools/call", {"name": "add", "arguments": {"a": 2, "b": 2}}, headers=bearer(key))
    assert ex.status == add_status, ex.raw[:300]
    if add_status == 401:
        assert_invalid_token(ex, main.prm_url, key)
    elif add_status == 403:
        assert_insufficient_scope(ex, "mcp mcp:write")
    else:
        assert resp["result"]["structuredContent"] == {"sum": 4}


# --------------------------------------------------------------------------------------------
# The official Python SDK client
# --------------------------------------------------------------------------------------------


def _sdk_http(token: str | None, via: str, hook=None):
    import httpx2

    class BearerAuth(httpx2.Auth):
        def __init__(self, value: str):
            self.value = value

        def auth_flow(self, req):
            req.headers["Authorization"] = f"Bearer {self.value}"
            yield req

    kw: dict[str, Any] = {"timeout": httpx2.Timeout(30.0), "trust_env": False}
    if token and via == "headers":
        kw["headers"] = bearer(token)
    elif token:
        kw["auth"] = BearerAuth(token)
    if hook:
        kw["event_hooks"] = {"response": [hook]}
    return httpx2.AsyncClient(**kw)


@pytest.mark.anyio
@pytest.mark.parametrize("via", ["headers", "httpx-auth"])
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_sdk_client_with_a_token_lists_and_calls_tools(main, mode, via):
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async with _sdk_http(main.jwt(scope=WRITE), via) as http:
        async with Client(streamable_http_client(main.url, http_client=http), mode=mode, read_timeout_seconds=30) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            echoed = await client.call_tool("echo", {"text": "authorized"})
            added = await client.call_tool("add", {"a": 20, "b": 22})
    assert {"echo", "add"} <= names
    assert [c.text for c in echoed.content] == ["authorized"]
    assert not added.is_error and added.structured_content == {"sum": 42}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_sdk_client_without_a_token_gets_401_naming_fetchable_metadata(main, mode):
    from mcp import Client
    from mcp.client.auth.utils import (extract_resource_metadata_from_www_auth, extract_scope_from_www_auth,
                                       handle_protected_resource_response)
    from mcp.client.streamable_http import streamable_http_client

    refused = []

    async def hook(response):
        if response.status_code == 401:
            refused.append(response)

    error: BaseException | None = None
    async with _sdk_http(None, "headers", hook) as http:
        try:
            async with Client(streamable_http_client(main.url, http_client=http), mode=mode, read_timeout_seconds=30) as client:
                await client.list_tools()
        except Exception as e:  # noqa: BLE001 - any client-side failure will do; the 401 is checked below
            error = e
        assert error is not None, "the SDK client succeeded without a token"
        assert refused, f"no 401 reached the SDK's HTTP client (error: {error!r})"
        metadata_url = extract_resource_metadata_from_www_auth(refused[0])
        assert metadata_url == main.prm_url
        assert extract_scope_from_www_auth(refused[0]) == "mcp"
        prm = await handle_protected_resource_response(await http.get(metadata_url))
    assert prm is not None, "the SDK could not parse the protected resource metadata"
    assert str(prm.resource) == main.resource
    assert [str(s).rstrip("/") for s in prm.authorization_servers] == [main.issuer]


# --------------------------------------------------------------------------------------------
# Binding: sessions, requestState, tasks
# --------------------------------------------------------------------------------------------

BINDING_PAIRS = [("alice", "bob"), ("alice", "ci-key"), ("ci-key", "reader-key"), ("certificate", "alice"),
                 ("carol-opaque", "alice"), ("alice", "carol-opaque")]


@pytest.mark.parametrize("owner,other", BINDING_PAIRS, ids=[f"{a}-vs-{b}" for a, b in BINDING_PAIRS])
def test_legacy_session_is_bound_to_the_principal_that_opened_it(main, owner, other):
    own, foreign = CREDENTIALS[owner](main), CREDENTIALS[other](main)
    with new_http_client() as c:
        c.headers.update(own)
        s = LegacySession(main.url, LATEST_LEGACY, client=c)
        s.initialize()
        assert s.session_id, s.init_exchange.raw[:300] if s.init_exchange else None
        with new_http_client() as other_client:
            body = json.dumps(rpc("tools/list", {}, 7)).encode()
            post = other_client.post(main.url, content=body, headers={**s.headers(), **foreign})
            assert post.status_code == 404, f"{other} used {owner}'s session: HTTP {post.status_code} {post.text[:200]}"
            with other_client.stream("GET", main.url, headers={**s.headers(accept="text/event-stream"), **foreign}) as get:
                assert get.status_code == 404, f"{other} opened {owner}'s GET stream: HTTP {get.status_code}"
            delete = other_client.delete(main.url, headers={**s.headers(), **foreign})
            assert delete.status_code == 404, f"{other} deleted {owner}'s session: HTTP {delete.status_code}"
        _, resp = s.request("tools/list", {})
        assert "echo" in tool_names(resp), "the owner lost its session"
        assert s.delete() in (200, 202, 204)


def test_legacy_session_survives_a_new_token_for_the_same_principal(main):
    with new_http_client() as c:
        c.headers.update(CREDENTIALS["alice"](main))
        s = LegacySession(main.url, LATEST_LEGACY, client=c)
        s.initialize()
        assert s.session_id
        c.headers.update(CREDENTIALS["alice-new-token"](main))
        _, resp = s.request("tools/list", {})
        assert "echo" in tool_names(resp)
        assert s.delete() in (200, 202, 204)


RS_TOOL = "test_input_required_result_request_state"


def test_mrtr_request_state_minted_for_one_principal_is_refused_for_another(conformance):
    alice, bob = CREDENTIALS["alice"](conformance), CREDENTIALS["bob"](conformance)
    ex, resp = request(conformance.url, "tools/call", {"name": RS_TOOL, "arguments": {}}, headers=alice, rid=1)
    assert ex.status == 200 and resp and resp["result"].get("resultType") == "input_required", ex.raw[:300]
    r1 = resp["result"]
    retry = {"name": RS_TOOL, "arguments": {}, "requestState": r1["requestState"],
             "inputResponses": {"confirm": {"action": "accept", "content": {"ok": True}}}}
    ex, resp = request(conformance.url, "tools/call", retry, headers=bob, rid=2)
    assert resp and "error" in resp and resp["error"]["code"] == -32602, f"bob used alice's requestState: {ex.raw[:300]}"
    assert ex.status == 400
    ex, resp = request(conformance.url, "tools/call", retry, headers=alice, rid=3)
    assert resp and resp.get("result", {}).get("resultType") == "complete", ex.raw[:300]


def test_a_task_is_visible_only_to_its_principal(conformance):
    alice, bob = CREDENTIALS["alice"](conformance), CREDENTIALS["bob"](conformance)
    meta = modern_meta(caps=TASKS_CAPS)
    ex, resp = request(conformance.url, "tools/call", {"name": "slow_compute", "arguments": {"seconds": 60, "label": "auth"}},
                       headers=alice, meta=meta)
    assert resp and resp.get("result", {}).get("resultType") == "task", ex.raw[:300]
    task_id = resp["result"]["taskId"]
    try:
        for method in ("tasks/get", "tasks/cancel"):
            ex, resp = request(conformance.url, method, {"taskId": task_id}, headers={**bob, "Mcp-Name": task_id}, meta=meta)
            assert resp and "error" in resp, f"bob's {method} on alice's task: {ex.raw[:300]}"
        ex, resp = request(conformance.url, "tasks/get", {"taskId": task_id}, headers={**alice, "Mcp-Name": task_id}, meta=meta)
        assert resp and resp["result"]["taskId"] == task_id and resp["result"]["status"] == "working", ex.raw[:300]
    finally:
        request(conformance.url, "tasks/cancel", {"taskId": task_id}, headers={**alice, "Mcp-Name": task_id}, meta=meta)


# --------------------------------------------------------------------------------------------
# No token passthrough
# --------------------------------------------------------------------------------------------


def _secret_parts(cred: dict) -> list[str]:
    token = cred["Authorization"].split(" ", 1)[1]
    return [token] + [p for p in token.split(".") if len(p) > 16]


PASSTHROUGH_TOOLS = {"env_dump": {}, "env_dump_path": {}, "stdin_dump": {"text": "hello"}, "kid_reveal": {}}


@pytest.mark.parametrize("credential", ["alice", "ci-key"])
@pytest.mark.parametrize("era", ["2025-11-25", "2026-07-28"])
def test_the_token_never_reaches_commands_or_stdio_children(passthrough, era, credential):
    cred = CREDENTIALS[credential](passthrough)
    outputs = {}
    if era == "2026-07-28":
        for name, args in PASSTHROUGH_TOOLS.items():
            ex, resp = request(passthrough.url, "tools/call", {"name": name, "arguments": args}, headers=cred, timeout=60)
            assert resp and "result" in resp and not resp["result"].get("isError"), f"{name}: {ex.raw[:300]}"
            outputs[name] = ex.raw
    else:
        with new_http_client(60) as c:
            c.headers.update(cred)
            s = LegacySession(passthrough.url, LATEST_LEGACY, client=c)
            s.initialize()
            for name, args in PASSTHROUGH_TOOLS.items():
                ex, resp = s.request("tools/call", {"name": name, "arguments": args}, timeout=60)
                assert resp and "result" in resp and not resp["result"].get("isError"), f"{name}: {ex.raw[:300]}"
                outputs[name] = ex.raw
            s.delete()
    assert "hello" in outputs["stdin_dump"], outputs["stdin_dump"][:300]
    assert "AUTHKIT_STDIN_LOG" in outputs["kid_reveal"], "the child's environment did not come back"
    child_input = passthrough.stdin_log.read_text(errors="replace")
    assert "kid_reveal" not in child_input and '"reveal"' in child_input, "the stdin log missed the forwarded call"
    for part in _secret_parts(cred):
        for name, text in outputs.items():
            assert part not in text, f"{name} saw the caller's credential"
        assert part not in child_input, "the stdio child was sent the caller's credential"


# --------------------------------------------------------------------------------------------
# Identities from the edge: client certificates, edge verdicts
# --------------------------------------------------------------------------------------------

CERT_HEADERS = {
    "verified-known-subject": ({"X-Portico-Client-Verify": "SUCCESS", "X-Portico-Client-Subject": CERT_SUBJECT}, 200),
    "verification-failed": ({"X-Portico-Client-Verify": "FAILED:unable to verify", "X-Portico-Client-Subject": CERT_SUBJECT}, 401),
    "not-verified": ({"X-Portico-Client-Verify": "NONE", "X-Portico-Client-Subject": CERT_SUBJECT}, 401),
    "unknown-subject": ({"X-Portico-Client-Verify": "SUCCESS", "X-Portico-Client-Subject": "CN=intruder,O=Example"}, 401),
    "subject-differs-in-case": ({"X-Portico-Client-Verify": "SUCCESS", "X-Portico-Client-Subject": CERT_SUBJECT.lower()}, 401),
    "subject-without-verify": ({"X-Portico-Client-Subject": CERT_SUBJECT}, 401),
}


@pytest.mark.parametrize("case", list(CERT_HEADERS))
def test_client_certificate_headers_from_a_trusted_proxy_identify_only_verified_known_subjects(main, case):
    headers, want = CERT_HEADERS[case]
    ex, resp = request(main.url, headers=headers)
    if want == 200:
        assert ex.status == 200 and "echo" in tool_names(resp), ex.raw[:300]
        ex, _ = request(main.url, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 1}}, headers=headers)
        assert_insufficient_scope(ex, "mcp mcp:write")
    else:
        assert_unauthenticated(ex, main.prm_url)


def test_client_certificate_headers_from_an_untrusted_address_are_ignored(untrusted):
    ex, _ = request(untrusted.url, headers=CREDENTIALS["certificate"](untrusted))
    assert_unauthenticated(ex, untrusted.prm_url)
    ex, resp = request(untrusted.url, headers=CREDENTIALS["ci-key"](untrusted))
    assert ex.status == 200, "bearer credentials still work"


def test_forged_edge_verdict_headers_are_ignored_without_trust_edge(main):
    forged = {"X-Portico-Principal": "key:ci", "X-Portico-Scopes": ALL_SCOPES}
    ex, _ = request(main.url, headers=forged)
    assert_unauthenticated(ex, main.prm_url)
    ex, _ = request(main.url, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 1}},
                    headers={**forged, **bearer(main.jwt(scope="mcp"))})
    assert_insufficient_scope(ex, "mcp mcp:write")


EDGE_VERDICTS = {
    # credential: (principal id, scopes) the verdict names
    "alice": (lambda d: f"{d.issuer}#alice", WRITE),
    "ci-key": (lambda d: "key:ci", WRITE),
    "reader-key": (lambda d: "key:reader", "mcp"),
    "certificate": (lambda d: f"cert:{CERT_SUBJECT}", "mcp"),
    "carol-opaque": (lambda d: f"{d.issuer}#carol", "mcp"),
}


def _ask_edge_endpoint(url: str, headers: dict, method: str = "POST") -> httpx.Response:
    with new_http_client() as c:
        return c.get(origin_of(url) + "/_portico/auth", headers={"X-Original-Method": method, "X-Original-URI": "/mcp", **headers})


@pytest.mark.parametrize("credential", list(EDGE_VERDICTS))
def test_edge_verdict_names_the_principal_id_and_scopes(main, credential):
    principal, scopes = EDGE_VERDICTS[credential]
    r = _ask_edge_endpoint(main.url, CREDENTIALS[credential](main))
    assert r.status_code == 204, (r.status_code, r.text[:200])
    assert r.headers.get("x-portico-principal") == principal(main)
    assert r.headers.get("x-portico-scopes") == scopes


def test_edge_verdict_refuses_bad_or_missing_credentials_with_the_challenge(main):
    bad = main.jwt(exp=_now() - 3600)
    r = _ask_edge_endpoint(main.url, bearer(bad))
    assert r.status_code == 401 and challenge(r.headers).get("error") == "invalid_token", (r.status_code, dict(r.headers))
    assert "x-portico-principal" not in r.headers
    r = _ask_edge_endpoint(main.url, {})
    assert r.status_code == 401 and "error" not in challenge(r.headers)
    r = _ask_edge_endpoint(main.url, {}, method="OPTIONS")
    assert r.status_code == 204 and "x-portico-principal" not in r.headers, "a preflight is never refused"


def test_edge_verdict_endpoint_is_404_for_an_untrusted_peer(untrusted):
    r = _ask_edge_endpoint(untrusted.url, CREDENTIALS["ci-key"](untrusted))
    assert r.status_code == 404 and "x-portico-principal" not in r.headers


# --------------------------------------------------------------------------------------------
# CORS
# --------------------------------------------------------------------------------------------

PREFLIGHT_HEADERS = ["authorization", "content-type", "mcp-protocol-version", "mcp-param-city"]


def _header_list(value: str | None) -> list[str]:
    return [v.strip().lower() for v in (value or "").split(",") if v.strip()]


def test_cors_preflight_from_a_listed_origin_allows_the_auth_and_mcp_headers(main):
    with new_http_client() as c:
        r = c.options(main.url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": ", ".join(PREFLIGHT_HEADERS)})
    assert r.status_code == 204, (r.status_code, r.text[:200])
    assert r.headers.get("access-control-allow-origin") == ORIGIN
    assert set(PREFLIGHT_HEADERS) <= set(_header_list(r.headers.get("access-control-allow-headers"))), dict(r.headers)
    assert "post" in _header_list(r.headers.get("access-control-allow-methods")), dict(r.headers)
    assert "www-authenticate" not in r.headers, "a preflight needs no credentials"


CROSS_ORIGIN_POSTS = {
    "authorized-initialize": (lambda d: bearer(d.jwt()), 200),
    "anonymous": (lambda d: {}, 401),
    "invalid-token": (lambda d: bearer("garbage"), 401),
}


@pytest.mark.parametrize("case", list(CROSS_ORIGIN_POSTS))
def test_cross_origin_answers_expose_the_session_id_and_www_authenticate(main, case):
    cred, want = CROSS_ORIGIN_POSTS[case]
    body = rpc("initialize", initialize_params(LATEST_LEGACY), 1)
    with new_http_client() as c:
        r = c.post(main.url, json=body, headers={**legacy_headers(), "Origin": ORIGIN, **cred(main)})
    assert r.status_code == want, r.text[:300]
    assert r.headers.get("access-control-allow-origin") == ORIGIN, dict(r.headers)
    exposed = _header_list(r.headers.get("access-control-expose-headers"))
    assert {"mcp-session-id", "www-authenticate"} <= set(exposed), dict(r.headers)
    if want == 200:
        assert r.headers.get("mcp-session-id")
        with new_http_client() as c:
            c.delete(main.url, headers={**legacy_headers(r.headers["mcp-session-id"], LATEST_LEGACY), **cred(main)})
    else:
        assert "www-authenticate" in r.headers


@pytest.mark.parametrize("kind", ["preflight", "post"])
def test_an_unlisted_origin_gets_no_cors_headers(main, kind):
    with new_http_client() as c:
        if kind == "preflight":
            r = c.options(main.url, headers={"Origin": FOREIGN_ORIGIN, "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "authorization"})
        else:
            r = c.post(main.url, json=rpc("tools/list", modern_params({}), 1),
                       headers={**modern_headers("tools/list"), "Origin": FOREIGN_ORIGIN, **bearer(main.jwt())})
    cors = [k for k in r.headers if k.lower().startswith("access-control-")]
    assert not cors, f"HTTP {r.status_code}, CORS headers for an unlisted origin: {cors}"
    assert r.status_code != 200 or kind == "preflight", "the foreign origin's POST was served"


# --------------------------------------------------------------------------------------------
# The nginx edge (auth_request offload)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=[False, True], ids=["app-verifies-again", "app-trusts-edge"])
def edge(request, authz, tmp_path_factory):
    """`portico up` with auth.edge.offload; the app either verifies every credential again
    (trust_edge: false, the default) or takes the edge's verdict (trust_edge: true)."""
    nginx_binary()
    LOG_DIR.mkdir(exist_ok=True)
    trust = request.param
    config = {
        "auth": auth_section(EDGE_RESOURCE, [issuer_entry(authz, introspection=False)], rules=RULES,
                             edge={"offload": True, "cache_seconds": 10, "trust_edge": trust}),
    }
    name = "trust" if trust else "verify"
    work = tmp_path_factory.mktemp("edge")
    # `portico edge check` first: a rendering nginx refuses fails here at once, with nginx's words
    # (a `portico up` that exits early is only noticed by Stack.start at its 60 s deadline).
    checked = run_portico("edge", "check", "--config", str(write_config(work / "check.yaml", config)),
                          "--prefix", str(work / "check-prefix"))
    if checked.returncode != 0:
        pytest.fail(f"`portico edge check` refuses the auth edge config (trust_edge: {trust}): "
                    f"{checked.stderr.strip()[-600:]}", pytrace=False)
    stack = Stack(state=work / name, config=config, log_path=LOG_DIR / f"test_auth-edge-{name}.stderr.log")
    try:
        stack.start()
    except Exception:
        stack.stop()
        raise
    yield Deployment(ServerProcess(), EDGE_RESOURCE, authz, authz.module_keys, stack=stack)
    assert stack.stop() == 0, "portico up must exit 0 on SIGTERM"


def _edge_post(edge: Deployment, headers: dict, name: str = "echo", text: str = "via nginx") -> httpx.Response:
    p = modern_params({"name": name, "arguments": {"text": text}})
    with edge.stack.client() as http:
        return http.post(edge.stack.https_url, json=rpc("tools/call", p, 1), headers={**modern_headers("tools/call", p), **headers})


def _direct_post(url: str, headers: dict) -> httpx.Response:
    p = modern_params({"name": "echo", "arguments": {"text": "direct"}})
    with new_http_client() as c:
        return c.post(url, json=rpc("tools/call", p, 1), headers={**modern_headers("tools/call", p), **headers})


def _access_entries_after(edge: Deployment, mark: int, predicate: Callable[[dict], bool], timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in edge.stack.access_log()[mark:] if predicate(e)]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)  # nginx writes the log line after the response: poll under a deadline


EDGE_REFUSALS = {
    "expired-token": lambda d: bearer(d.authz.mint(d.keys["rsa"], EDGE_RESOURCE, exp=_now() - 3600)),
    "wrong-audience": lambda d: bearer(d.authz.mint(d.keys["rsa"], EDGE_RESOURCE, aud="https://other.example.com/mcp")),
    "garbage": lambda d: bearer("garbage." + uuid.uuid4().hex + ".x"),
    "no-credential": lambda d: {},
}


@pytest.mark.parametrize("case", list(EDGE_REFUSALS))
def test_edge_refuses_bad_credentials_itself_with_the_apps_challenge(edge, case):
    cred = EDGE_REFUSALS[case](edge)
    mark = len(edge.stack.access_log())
    r = _edge_post(edge, cred)
    assert r.status_code == 401, (r.status_code, r.text[:300])
    direct = _direct_post(edge.stack.app_url, cred)
    assert direct.status_code == 401
    assert r.headers.get_list("www-authenticate") == direct.headers.get_list("www-authenticate")
    # nginx answered, not the app: nginx's own 401 page rather than the app's JSON-RPC error ...
    assert '"jsonrpc"' not in r.text and "Unauthorized" not in r.text, r.text[:300]
    # ... and the logged main request has no upstream answer of its own.
    entries = _access_entries_after(edge, mark, lambda e: e["method"] == "POST" and e["uri"] == "/mcp" and e["status"] == 401)
    assert len(entries) == 1, entries
    assert entries[0]["upstream_status"] == "" and entries[0]["upstream_addr"] == "", entries[0]


def test_edge_passes_a_valid_token_through_to_the_tool(edge):
    mark = len(edge.stack.access_log())
    r = _edge_post(edge, bearer(edge.authz.mint(edge.keys["rsa"], EDGE_RESOURCE)), text="through the edge")
    assert r.status_code == 200, r.text[:300]
    assert r.json()["result"]["content"][0]["text"] == "through the edge"
    entries = _access_entries_after(edge, mark, lambda e: e["method"] == "POST" and e["uri"] == "/mcp" and e["status"] == 200)
    assert len(entries) == 1 and entries[0]["upstream_status"] == "200" and entries[0]["upstream_addr"], entries


def test_a_client_cannot_forge_the_edge_verdict_through_nginx(edge):
    forged = {"X-Portico-Principal": "key:ci", "X-Portico-Scopes": ALL_SCOPES}
    r = _edge_post(edge, forged)
    assert r.status_code == 401, (r.status_code, r.text[:300])
    p = modern_params({"name": "add", "arguments": {"a": 1, "b": 1}})
    with edge.stack.client() as http:
        r = http.post(edge.stack.https_url, json=rpc("tools/call", p, 1),
                      headers={**modern_headers("tools/call", p), **forged,
                               **bearer(edge.authz.mint(edge.keys["rsa"], EDGE_RESOURCE, scope="mcp"))})
    assert r.status_code == 403, (r.status_code, r.text[:300])
    assert challenge(r.headers).get("scope") == "mcp mcp:write"


def test_edge_leaves_malformed_credentials_to_the_app(edge):
    r = _edge_post(edge, {"Authorization": "Bearer abc def"})
    assert r.status_code == 400, r.text[:300]
    assert challenge(r.headers).get("error") == "invalid_request"


@pytest.mark.parametrize("path", PRM_PATHS, ids=["path-inserted", "root"])
def test_edge_serves_the_protected_resource_metadata(edge, path):
    with edge.stack.client() as http:
        r = http.get(f"https://127.0.0.1:{edge.stack.https_port}{path}")
    assert r.status_code == 200, r.text[:300]
    assert r.json()["resource"] == EDGE_RESOURCE and r.json()["authorization_servers"] == [edge.issuer]


def test_edge_auth_endpoint_is_not_reachable_from_outside(edge):
    token = bearer(edge.authz.mint(edge.keys["rsa"], EDGE_RESOURCE))
    with edge.stack.client() as http:
        # The trailing-slash and deeper forms too: the app would answer them, and it trusts nginx.
        for path in ("/_portico/auth", "/_portico/auth/", "/_portico/auth/x", "/_portico/"):
            for method in ("GET", "POST"):
                r = http.request(method, f"https://127.0.0.1:{edge.stack.https_port}{path}", headers={**token, "X-Original-Method": "POST"})
                assert r.status_code == 404, (method, path, r.status_code)
                assert "x-portico-principal" not in r.headers


def test_with_cors_origins_the_edge_leaves_credentials_to_the_app(tmp_path):
    """nginx's own 401 would carry no CORS headers, so a browser client could not read the
    challenge: with server.cors_origins there is no auth_request, and the render says why."""
    config = {"server": {"cors_origins": [ORIGIN]},
              "auth": auth_section(EDGE_RESOURCE, [], api_keys=[{"name": "ci", "hash": api_key_hash("k"), "scopes": ["mcp"]}])}
    rendered = run_portico("edge", "render", "--config", str(write_config(tmp_path / "cors.yaml", config)))
    assert rendered.returncode == 0, rendered.stderr
    assert "auth_request" not in rendered.stdout
    assert "cors_origins" in rendered.stderr, rendered.stderr
    without = run_portico("edge", "render", "--config", str(write_config(tmp_path / "plain.yaml", {"auth": config["auth"]})))
    assert "auth_request /_portico/auth;" in without.stdout


# --------------------------------------------------------------------------------------------
# Configuration errors
# --------------------------------------------------------------------------------------------


def valid_config() -> dict:
    return {"auth": {
        "enabled": True, "resource": "https://mcp.example.com/mcp", "required_scopes": ["mcp"],
        "issuers": [{"issuer": "https://login.example.com/realms/mcp",
                     "introspection": {"endpoint": "https://login.example.com/introspect", "client_id": "portico",
                                       "client_secret_env": INTROSPECTION_SECRET_ENV}}],
        "api_keys": [{"name": "ci", "hash": api_key_hash("k"), "scopes": ["mcp"]}],
        "rules": [{"tool": "add", "scopes": ["mcp:write"]}],
        "client_certificates": {"trusted_proxies": ["127.0.0.1"], "principals": [{"subject": CERT_SUBJECT, "scopes": ["mcp"]}]},
        "edge": {"offload": True, "cache_seconds": 10},
    }}


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """A mutation setting `auth.<path>` (dots and [i]); value `...` deletes the key."""
    def mutate(config: dict) -> None:
        node: Any = config
        parts = [int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".")]
        for p in parts[:-1]:
            node = node[p]
        if value is ...:
            del node[parts[-1]]
        else:
            node[parts[-1]] = value
    return mutate


def _append(path: str, value: Any) -> Callable[[dict], None]:
    def mutate(config: dict) -> None:
        node: Any = config
        for p in path.split("."):
            node = node[p]
        node.append(value)
    return mutate


def _both(*mutations: Callable[[dict], None]) -> Callable[[dict], None]:
    def mutate(config: dict) -> None:
        for m in mutations:
            m(config)
    return mutate


BAD_CONFIGS = {
    "api-key-hash-malformed": (_set("auth.api_keys[0].hash", "sha256:abc"), "auth.api_keys[0].hash"),
    "api-key-hash-is-a-key": (_set("auth.api_keys[0].hash", "pk_" + "A" * 43), "auth.api_keys[0].hash"),
    "api-key-hash-other-algorithm": (_set("auth.api_keys[0].hash", "md5:" + "0" * 32 + ":" + "0" * 64), "auth.api_keys[0].hash"),
    "api-key-without-name": (_set("auth.api_keys[0].name", ""), "auth.api_keys[0].name"),
    "api-key-name-twice": (_append("auth.api_keys", {"name": "ci", "hash": api_key_hash("j"), "scopes": ["mcp"]}),
                           "auth.api_keys[1].name"),
    "resource-trailing-slash": (_set("auth.resource", "https://mcp.example.com/mcp/"), "auth.resource"),
    "resource-plain-http-remote": (_set("auth.resource", "http://mcp.example.com/mcp"), "auth.resource"),
    "resource-with-query": (_set("auth.resource", "https://mcp.example.com/mcp?x=1"), "auth.resource"),
    "resource-relative": (_set("auth.resource", "/mcp"), "auth.resource"),
    "no-resource-and-no-public-url": (_set("auth.resource", ...), "auth.resource"),
    "issuer-plain-http-remote": (_set("auth.issuers[0].issuer", "http://login.example.com"), "auth.issuers[0].issuer"),
    "issuer-empty": (_set("auth.issuers[0].issuer", ""), "auth.issuers[0].issuer"),
    "issuer-listed-twice": (_append("auth.issuers", {"issuer": "https://login.example.com/realms/mcp"}), "auth.issuers[1].issuer"),
    "jwks-url-plain-http-remote": (_set("auth.issuers[0].jwks_url", "http://login.example.com/jwks"), "auth.issuers[0].jwks_url"),
    "algorithm-hs256": (_set("auth.issuers[0].algorithms", ["HS256"]), "auth.issuers[0].algorithms"),
    "algorithm-none": (_set("auth.issuers[0].algorithms", ["none"]), "auth.issuers[0].algorithms"),
    "no-algorithms": (_set("auth.issuers[0].algorithms", []), "auth.issuers[0].algorithms"),
    "audience-empty": (_set("auth.issuers[0].audience", ""), "auth.issuers[0].audience"),
    "introspection-without-secret-env": (_set("auth.issuers[0].introspection.client_secret_env", ""),
                                         "auth.issuers[0].introspection.client_secret_env"),
    "introspection-plain-http-remote": (_set("auth.issuers[0].introspection.endpoint", "http://login.example.com/i"),
                                        "auth.issuers[0].introspection.endpoint"),
    "rule-with-tool-and-prompt": (_set("auth.rules[0]", {"tool": "add", "prompt": "summarize", "scopes": ["x"]}), "auth.rules[0]"),
    "rule-without-target": (_set("auth.rules[0]", {"scopes": ["x"]}), "auth.rules[0]"),
    "rule-without-scopes": (_set("auth.rules[0].scopes", []), "auth.rules[0].scopes"),
    "offline-access-in-scopes-supported": (_set("auth.scopes_supported", ["mcp", "offline_access"]), "auth.scopes_supported[1]"),
    "scope-with-a-space": (_set("auth.required_scopes", ["mcp write"]), "auth.required_scopes[0]"),
    "enabled-without-credentials": (_both(_set("auth.issuers", []), _set("auth.api_keys", []),
                                          _set("auth.client_certificates.principals", [])), "auth.enabled"),
    "leeway-too-large": (_set("auth.leeway_seconds", 601), "auth.leeway_seconds"),
    "negative-cache": (_set("auth.cache_seconds", -1), "auth.cache_seconds"),
    "jwks-refresh-zero": (_set("auth.jwks_refresh_seconds", 0), "auth.jwks_refresh_seconds"),
    "trusted-proxy-not-an-ip": (_set("auth.client_certificates.trusted_proxies", ["localhost"]),
                                "auth.client_certificates.trusted_proxies[0]"),
    "principal-without-subject": (_set("auth.client_certificates.principals[0].subject", ""),
                                  "auth.client_certificates.principals[0].subject"),
    "edge-cache-too-long": (_set("auth.edge.cache_seconds", 3601), "auth.edge.cache_seconds"),
    "misspelled-key": (_set("auth.required_scope", ["mcp"]), "auth.required_scope"),
}


def test_the_base_auth_config_is_valid(tmp_path):
    path = write_config(tmp_path / "ok.yaml", valid_config())
    result = run_portico("check-config", str(path))
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_check_config_names_the_key_path_of_an_auth_error(tmp_path, case):
    mutate, key_path = BAD_CONFIGS[case]
    config = valid_config()
    mutate(config)
    path = write_config(tmp_path / f"{case}.yaml", config)
    result = run_portico("check-config", str(path))
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert key_path in result.stderr, result.stderr


def test_serve_refuses_to_start_without_the_introspection_secret(tmp_path):
    config = valid_config()
    path = write_config(tmp_path / "nosecret.yaml", config)
    env = {k: v for k, v in os.environ.items() if k != INTROSPECTION_SECRET_ENV}
    rc, _, err = run_until_exit([portico_bin(), "serve", "--config", str(path), "--host", "127.0.0.1", "--port", "0"], env=env)
    assert rc not in (None, 0), f"serve kept running / exited 0 without {INTROSPECTION_SECRET_ENV}: {err[-400:]}"
    assert INTROSPECTION_SECRET_ENV in err, err[-400:]
