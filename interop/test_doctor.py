"""`portico doctor` against real `portico up` stacks (real nginx on loopback ports).

A healthy stack must pass (the development certificate is a warning, auth checks skip); each
injected fault must make exactly its check fail with exit status 1. Faults are injected the
way they happen in production: an edited nginx.conf reloaded with SIGHUP, an expired
certificate, a wrong `auth.resource`, a public name the app does not accept.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from edgekit import Stack, nginx_binary, run_portico, timed_tool_call

LOG_DIR = Path(__file__).resolve().parent / ".logs"

CHECK_IDS = ["nginx-build", "nginx-config", "streaming", "read-timeout", "gzip-sse", "http2", "certificate",
             "protected-resource", "host-allow-list", "fd-limit", "jwks", "clock-skew"]

# Small stream caps, so the descriptor limits of this box cover them and fd-limit can pass.
BASE_CONFIG = {"limits": {"max_sessions": 1000}, "streams": {"max_listeners": 1000}}


def merged(*parts: dict) -> dict:
    result: dict = {}
    for part in parts:
        for key, value in part.items():
            result[key] = merged(result.get(key, {}), value) if isinstance(value, dict) else value
    return result


def start_stack(tmp_path: Path, name: str, config: dict) -> Stack:
    LOG_DIR.mkdir(exist_ok=True)
    stack = Stack(state=tmp_path / name, config=config, log_path=LOG_DIR / f"test_doctor-{name}.stderr.log")
    try:
        return stack.start()
    except Exception:
        stack.stop()
        raise


def doctor(stack: Stack, *extra: str, json_output: bool = True, env: dict | None = None):
    """Runs `portico doctor` on `stack`; returns (returncode, report or text)."""
    args = ["doctor", "--config", str(stack.config_path), "--state-dir", str(stack.state), *extra]
    if json_output:
        args.append("--json")
    if env:
        os.environ.update(env)
    try:
        result = run_portico(*args, timeout=120)
    finally:
        for key in env or {}:
            os.environ.pop(key, None)
    assert result.returncode in (0, 1), f"doctor crashed ({result.returncode}): {result.stderr}"
    if not json_output:
        return result.returncode, result.stdout
    report = json.loads(result.stdout)
    return result.returncode, report


def statuses(report: dict) -> dict[str, str]:
    return {check["id"]: check["status"] for check in report["checks"]}


def explain(report: dict) -> str:
    return "\n".join(f"{c['status']:5} {c['id']}: {c['summary']} | fix: {c['fix']}" for c in report["checks"])


# ---------------------------------------------------------------------------------------------
# Reloading an edited live config


def active_workers(master: int) -> set[int]:
    """Workers of `master` that are not draining (what a reload replaces)."""
    workers = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        if parent == master and "worker process" in command and "shutting down" not in command:
            workers.add(int(entry))
    return workers


def edit_live_config(stack: Stack, transform: Callable[[str], str], timeout: float = 20.0, reload: bool = True) -> None:
    """Rewrites the stack's nginx.conf; with `reload`, SIGHUPs the master and returns once new
    workers serve it (without, nginx keeps serving the old config)."""
    conf = stack.prefix / "nginx.conf"
    before = conf.read_text()
    after = transform(before)
    assert after != before, "the fault edit changed nothing"
    master = stack.master_pid()
    assert master, "nginx is not running"
    old = active_workers(master)
    conf.write_text(after)
    if not reload:
        return
    os.kill(master, signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = active_workers(master)
        if current and not current & old:
            return
        time.sleep(0.05)
    log = (stack.prefix / "logs" / "error.log").read_text()[-1500:]
    pytest.fail(f"nginx did not reload the edited config within {timeout}s; error log:\n{log}")


def in_mcp_location(text: str, replacements: list[tuple[str, str]]) -> str:
    """Applies `replacements` inside the `location = /mcp { … }` block only."""
    start = text.index("location = /mcp {")
    end = text.index("}", start)
    block = text[start:end]
    for old, new in replacements:
        assert old in block, f"{old!r} not in the MCP location"
        block = block.replace(old, new)
    return text[:start] + block + text[end:]


def replaced(old: str, new: str) -> Callable[[str], str]:
    """An edit that replaces `old` (which must occur) anywhere in the file."""
    def edit(text: str) -> str:
        assert old in text, f"{old!r} not in the live config"
        return text.replace(old, new)
    return edit


def without_http2(text: str) -> str:
    """The TLS listener without its `http2` flag (nginx 1.22 spells it on the listen line)."""
    edited, count = re.subn(r"(listen \S+ ssl) http2;", r"\1;", text)
    assert count == 1, "expected one TLS listener with http2"
    return edited


# ---------------------------------------------------------------------------------------------
# Fault makers


def expired_certificate(directory: Path) -> tuple[Path, Path]:
    """A P-256 certificate for localhost that expired yesterday (made with `cryptography`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now - datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert, key_path = directory / "expired.crt", directory / "expired.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert, key_path


def chained_certificate(directory: Path, unrelated: bool) -> tuple[Path, Path]:
    """A localhost leaf issued by a CA, saved as leaf + CA certificate (a fullchain.pem). With
    `unrelated`, the CA certificate sent has the issuer's name but another key, so the chain
    names match and the signature does not verify."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Portico Doctor Test CA")])

    def ca_certificate(key):
        return (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=60))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])).issuer_name(ca_name)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    sent_ca = ca_certificate(ec.generate_private_key(ec.SECP256R1()) if unrelated else ca_key)
    cert, key_path = directory / "chain.crt", directory / "chain.key"
    cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + sent_ca.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert, key_path


def serving_chain(unrelated: bool) -> Callable[[Path], dict]:
    """edge.tls naming a two-certificate chain file, as certbot's fullchain.pem is written."""
    def config(tmp: Path) -> dict:
        cert, key = chained_certificate(tmp / "chain", unrelated)
        return {"edge": {"tls": {"certificate": str(cert), "certificate_key": str(key)}}}
    return config


def new_api_key() -> tuple[str, dict]:
    """(key, its auth.api_keys entry) from `portico auth new-key`."""
    result = run_portico("auth", "new-key", "--name", "doctor", "--scope", "mcp")
    assert result.returncode == 0, result.stderr
    key = re.search(r"^key: (\S+)$", result.stdout, re.M).group(1)
    digest = re.search(r'hash: "([^"]+)"', result.stdout).group(1)
    return key, {"name": "doctor", "hash": digest, "scopes": ["mcp"]}


def assert_events_bunched(stack: Stack) -> None:
    """An independent client (httpx, gzip accepted) sees the progress events arrive together."""
    with stack.client() as http:
        status, messages = timed_tool_call(http, stack.https_url, "slow_count", {"n": 6, "delay_ms": 150})
    assert status == 200
    progress = [t for t, m in messages if m.get("method") == "notifications/progress"]
    assert len(progress) == 6
    assert progress[-1] - progress[0] < 0.2, f"the fault must really bunch events: {progress}"


def assert_events_stream(stack: Stack) -> None:
    """An independent client (httpx, gzip accepted) sees the progress events spread out."""
    with stack.client() as http:
        status, messages = timed_tool_call(http, stack.https_url, "slow_count", {"n": 6, "delay_ms": 150})
    assert status == 200
    progress = [t for t, m in messages if m.get("method") == "notifications/progress"]
    assert len(progress) == 6
    assert progress[-1] - progress[0] > 0.5, f"the events must still stream: {progress}"


def assert_nginx_t_fails(stack: Stack) -> None:
    """nginx itself refuses the edited file (while the master keeps serving the old one)."""
    result = subprocess.run([nginx_binary(), "-t", "-p", f"{stack.prefix}/", "-c", str(stack.prefix / "nginx.conf")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0, result.stderr
    assert "portico_doctor_broken" in result.stderr


def assert_alpn_http11(stack: Stack) -> None:
    """An independent TLS client (Python's ssl) offered h2 and got http/1.1."""
    context = ssl.create_default_context(cafile=str(stack.dev_cert))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", stack.https_port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "http/1.1"


def assert_workers_limited(stack: Stack) -> None:
    """Every nginx worker really runs with a soft open-file limit of 64."""
    workers = active_workers(stack.master_pid())
    assert workers
    for pid in workers:
        line = next(l for l in Path(f"/proc/{pid}/limits").read_text().splitlines() if l.startswith("Max open files"))
        assert line.split()[3] == "64", line


@dataclass
class Fault:
    name: str
    failing: set[str]
    config: Callable[[Path], dict] = lambda _: {}
    edit: Callable[[str], str] | None = None
    reload: bool = True
    args: Callable[[Stack], list[str]] = lambda _: []
    env: Callable[[dict], dict] = lambda _: {}
    verify: Callable[[Stack], None] | None = None
    # Statuses other checks must have (besides not failing), and text their summaries must hold.
    statuses: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    context: dict = field(default_factory=dict)


def auth_config(context: dict, **extra) -> Callable[[Path], dict]:
    """Auth on with a loopback issuer (kept in `context["issuer"]`, so the app serves its
    protected-resource metadata) and a fresh API key (`context["key"]`, the probes' token)."""
    def make(_: Path) -> dict:
        from authkit import AuthServer
        issuer = AuthServer().start()
        issuer.add_key("ec")
        context["issuer"] = issuer
        key, entry = new_api_key()
        context["key"] = key
        return merged({"auth": {"enabled": True, "issuers": [{"issuer": issuer.issuer}], "api_keys": [entry]}}, extra)
    return make


AUTH_CONTEXT: dict = {}
PROTO_CONTEXT: dict = {}

BUFFERING = ("proxy_buffering off;", "proxy_buffering on;\n            proxy_ignore_headers X-Accel-Buffering;")
GZIP = ("gzip off;", "gzip on;\n            gzip_types text/event-stream;")

FAULTS = [
    # Buffering nginx keeps on despite the app's X-Accel-Buffering: no holds every event back.
    Fault("buffering", {"streaming"},
          edit=lambda text: in_mcp_location(text, [BUFFERING]),
          verify=assert_events_bunched,
          statuses={"gzip-sse": "pass"},
          summaries={"streaming": "the live config explains it: proxy_buffering on with proxy_ignore_headers X-Accel-Buffering"}),
    # gzip alone: nginx does not buffer (proxy_buffering off), so it flushes every event and
    # they still stream, compressed one by one; only gzip-sse fails.
    Fault("gzip", {"gzip-sse"},
          edit=lambda text: in_mcp_location(text, [GZIP]),
          verify=assert_events_stream,
          statuses={"streaming": "pass"},
          summaries={"gzip-sse": "Content-Encoding: gzip"}),
    # The TLS listener without http2: ALPN picks http/1.1, a warning (exit status 0).
    Fault("http2-off", set(), edit=without_http2, verify=assert_alpn_http11,
          statuses={"http2": "warn"}, summaries={"http2": "ALPN negotiated http/1.1"}),
    # A broken directive written but not reloaded: nginx still serves the old config.
    Fault("nginx-t-fails", {"nginx-config"},
          edit=lambda text: in_mcp_location(text, [("gzip off;", "gzip off;\n            portico_doctor_broken on;")]),
          reload=False, verify=assert_nginx_t_fails,
          statuses={"streaming": "pass"}, summaries={"nginx-config": "nginx -t fails"}),
    # Workers limited to 64 files against worker_connections 5024.
    Fault("low-worker-rlimit", {"fd-limit"},
          edit=lambda text: replaced(re.search(r"worker_rlimit_nofile \d+;", text).group(0), "worker_rlimit_nofile 64;")(text),
          verify=assert_workers_limited, summaries={"fd-limit": "workers may open 64 files"}),
    # The app is told X-Forwarded-Proto: http for an https public URL (auth on, as clients see it).
    Fault("forwarded-proto-http", {"protected-resource"},
          config=auth_config(PROTO_CONTEXT, server={"public_url": "https://mcp.example.test/mcp"}),
          edit=lambda text: in_mcp_location(text, [("proxy_set_header X-Forwarded-Proto $scheme;", "proxy_set_header X-Forwarded-Proto http;")]),
          env=lambda context: {"PORTICO_DOCTOR_TOKEN": context["key"]},
          statuses={"streaming": "pass", "host-allow-list": "pass", "jwks": "pass"},
          summaries={"protected-resource": "nginx tells the app X-Forwarded-Proto: http"},
          context=PROTO_CONTEXT),
    Fault("short-read-timeout", {"read-timeout"},
          edit=lambda text: in_mcp_location(text, [("proxy_read_timeout 3600s;", "proxy_read_timeout 5s;")])),
    # A CA-issued leaf sent with its CA: every link verifies, so the certificate passes.
    Fault("ca-issued-chain", set(), config=serving_chain(unrelated=False),
          statuses={"certificate": "pass"}, summaries={"certificate": "2 certificates sent"}),
    # The same, but the CA certificate sent has the right name and another key.
    Fault("unrelated-intermediate", set(), config=serving_chain(unrelated=True),
          statuses={"certificate": "warn"}, summaries={"certificate": "the chain is broken: the signature of certificate 1"}),
    Fault("expired-certificate", {"certificate"},
          config=lambda tmp: (lambda pair: {"edge": {"tls": {"certificate": str(pair[0]), "certificate_key": str(pair[1])}}})(expired_certificate(tmp / "expired-cert"))),
    Fault("prm-resource-mismatch", {"protected-resource"},
          config=auth_config(AUTH_CONTEXT, auth={"resource": "https://other.example.test/mcp"}),
          env=lambda context: {"PORTICO_DOCTOR_TOKEN": context["key"]},
          statuses={"streaming": "pass", "jwks": "pass"},
          summaries={"protected-resource": "names resource https://other.example.test/mcp"},
          context=AUTH_CONTEXT),
    Fault("public-host-not-allowed", {"host-allow-list"},
          args=lambda stack: ["--url", f"https://mcp.example.test:{stack.https_port}/mcp"]),
]


# ---------------------------------------------------------------------------------------------
# Tests


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    nginx_binary()
    stack = start_stack(tmp_path_factory.mktemp("doctor"), "healthy", BASE_CONFIG)
    yield stack
    assert stack.stop() == 0


def test_a_correct_stack_passes(healthy):
    rc, report = doctor(healthy)
    assert [c["id"] for c in report["checks"]] == CHECK_IDS, "ids and order are a contract"
    assert list(report) == ["checks", "passed", "warnings", "failed", "skipped"]
    assert all(list(c) == ["id", "status", "summary", "fix"] for c in report["checks"])
    assert all(c["fix"] is None for c in report["checks"] if c["status"] == "pass")
    found = statuses(report)
    expected = {check: "pass" for check in CHECK_IDS}
    expected.update({"certificate": "warn",  # the development certificate is self-signed
                     "protected-resource": "skip", "jwks": "skip", "clock-skew": "skip"})  # auth is off
    assert found == expected, explain(report)
    assert rc == 0
    assert (report["passed"], report["warnings"], report["failed"]) == (8, 1, 0)
    assert "self-signed" in next(c for c in report["checks"] if c["id"] == "certificate")["summary"]
    streaming = next(c for c in report["checks"] if c["id"] == "streaming")
    assert "10 progress events arrived as they happened" in streaming["summary"], streaming


def test_text_output_is_aligned_with_a_fix_under_each_problem(healthy):
    rc, text = doctor(healthy, json_output=False)
    assert rc == 0
    lines = text.rstrip("\n").split("\n")
    rows = [line for line in lines if re.match(r"^(PASS|WARN|FAIL|SKIP)  ", line)]
    assert [row.split()[1] for row in rows] == CHECK_IDS
    column = {re.match(r"^\S+\s+\S+\s+", row).end() for row in rows}
    assert len(column) == 1, f"summaries start in one column: {rows}"
    warn = lines.index(next(row for row in rows if row.startswith("WARN  certificate")))
    assert lines[warn + 1].lstrip().startswith("fix: ") and lines[warn + 1].index("fix:") == column.pop()
    assert re.match(r"^8 passed, 1 warning, 0 failed, 3 skipped$", lines[-1]), lines[-1]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_an_injected_fault_fails_its_check(tmp_path, fault):
    nginx_binary()
    stack = start_stack(tmp_path, fault.name, merged(BASE_CONFIG, fault.config(tmp_path)))
    try:
        if fault.edit:
            edit_live_config(stack, fault.edit, reload=fault.reload)
        if fault.verify:
            fault.verify(stack)
        rc, report = doctor(stack, *fault.args(stack), env=fault.env(fault.context))
        failed = {c["id"] for c in report["checks"] if c["status"] == "fail"}
        assert failed == fault.failing, explain(report)
        assert rc == (1 if fault.failing else 0), "exit status 1 exactly when a check fails"
        assert report["failed"] == len(fault.failing)
        found = statuses(report)
        assert {check: found[check] for check in fault.statuses} == fault.statuses, explain(report)
        for check, text in fault.summaries.items():
            summary = next(c for c in report["checks"] if c["id"] == check)["summary"]
            assert text in summary, explain(report)
        for check in report["checks"]:
            if check["status"] in ("fail", "warn"):
                assert check["fix"], f"{check['id']} is {check['status']} without a fix"
    finally:
        issuer = fault.context.pop("issuer", None)
        if issuer:
            issuer.stop()
        assert stack.stop() == 0


def test_without_the_demo_tool_streaming_is_judged_by_the_live_config(tmp_path):
    """Production stacks run without the demo pack, so the streaming probe cannot call
    slow_count: `streaming` then reads the live config. It passes on the rendered config and
    fails once buffering is on with the app's X-Accel-Buffering ignored."""
    nginx_binary()
    stack = start_stack(tmp_path, "no-demo", merged(BASE_CONFIG, {"tools": {"packs": []}}))
    try:
        rc, report = doctor(stack)
        streaming = next(c for c in report["checks"] if c["id"] == "streaming")
        assert streaming["status"] == "pass", explain(report)
        assert streaming["summary"].startswith("by config: proxy_buffering off in location = /mcp"), streaming
        assert "slow_count" in streaming["summary"], "the summary says why the probe could not run"
        assert statuses(report)["gzip-sse"] == "pass", explain(report)
        assert rc == 0

        edit_live_config(stack, lambda text: in_mcp_location(text, [BUFFERING]))
        rc, report = doctor(stack)
        failed = {c["id"] for c in report["checks"] if c["status"] == "fail"}
        assert failed == {"streaming"}, explain(report)
        streaming = next(c for c in report["checks"] if c["id"] == "streaming")
        assert "by config: proxy_buffering on with proxy_ignore_headers X-Accel-Buffering" in streaming["summary"], streaming
        assert "proxy_buffering off;" in streaming["fix"]
        assert rc == 1
    finally:
        assert stack.stop() == 0


def test_auth_with_an_issuer_passes_and_an_unreachable_jwks_fails(tmp_path):
    """Auth on with a loopback authorization server and a public name behind port forwarding
    (public_url on 443, the edge on a free port): the doctor probes with a real token, finds the
    keys and compares clocks; with the issuer gone, `jwks` fails."""
    from authkit import AuthServer

    nginx_binary()
    issuer = AuthServer().start()
    public = "https://mcp.example.test/mcp"
    key = issuer.add_key("ec")
    # public_url alone: the loopback app still answers `portico up`'s own probe (Host 127.0.0.1).
    config = merged(BASE_CONFIG, {"server": {"public_url": public},
                                  "auth": {"enabled": True, "issuers": [{"issuer": issuer.issuer}]}})
    stack = start_stack(tmp_path, "auth-issuer", config)
    try:
        token = issuer.mint(key, public)
        rc, report = doctor(stack, env={"PORTICO_DOCTOR_TOKEN": token})
        found = statuses(report)
        expected = {check: "pass" for check in CHECK_IDS}
        expected["certificate"] = "warn"  # self-signed, and it names localhost, not mcp.example.test
        assert found == expected, explain(report)
        assert rc == 0
        certificate = next(c for c in report["checks"] if c["id"] == "certificate")
        assert "does not name mcp.example.test" in certificate["summary"]
        assert issuer.count("jwks") >= 1
        skew = next(c for c in report["checks"] if c["id"] == "clock-skew")
        assert "the probe token lives 300 s" in skew["summary"], skew

        # The issuer's clock 200 s ahead: under the fixed 300 s bar only a warning, but more
        # than half of the probe JWT's 300 s life, so clock-skew fails.
        import http.server
        original = http.server.BaseHTTPRequestHandler.date_time_string
        http.server.BaseHTTPRequestHandler.date_time_string = lambda self, timestamp=None: original(self, time.time() + 200)
        try:
            rc, report = doctor(stack, env={"PORTICO_DOCTOR_TOKEN": token})
        finally:
            http.server.BaseHTTPRequestHandler.date_time_string = original
        failed = {c["id"] for c in report["checks"] if c["status"] == "fail"}
        assert failed == {"clock-skew"}, explain(report)
        skew = next(c for c in report["checks"] if c["id"] == "clock-skew")
        assert "more than half of the 300 s the probe token lives" in skew["summary"], skew
        assert rc == 1

        issuer.stop()
        rc, report = doctor(stack, env={"PORTICO_DOCTOR_TOKEN": token})
        failed = {c["id"] for c in report["checks"] if c["status"] == "fail"}
        assert failed == {"jwks"}, explain(report)
        assert statuses(report)["clock-skew"] == "skip"
        assert rc == 1
    finally:
        issuer.stop()
        assert stack.stop() == 0
