"""The nginx edge against a real nginx (Debian 1.22.1) on loopback ports.

`portico up` runs the app plus a supervised nginx; `portico edge check/apply/diff/status` are
driven as a user would. Nothing here mocks nginx: every config is tested with `nginx -t`, every
request goes through the real proxy.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from edgekit import (BackgroundCall, Stack, free_ports, installed_revision, make_certificate, nginx_binary, run_portico,
                     served_revision, status_get, timed_tool_call, tool_call_body)
from mcpwire import write_config

LOG_DIR = Path(__file__).resolve().parent / ".logs"


@pytest.fixture(scope="module")
def nginx() -> str:
    return nginx_binary()


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("certs")
    cert, key = make_certificate(directory, "localhost")
    return {"cert": cert, "key": key, "ca": cert}


def start_stack(tmp_path: Path, name: str, config: dict | None = None) -> Stack:
    LOG_DIR.mkdir(exist_ok=True)
    stack = Stack(state=tmp_path / name, config=config or {}, log_path=LOG_DIR / f"test_edge-{name}.stderr.log")
    try:
        return stack.start()
    except Exception:
        stack.stop()
        raise


@pytest.fixture(scope="module")
def stack(nginx, tmp_path_factory):
    """One stack for the read-only checks: a per-tool limit on `add`, a micro-cached /healthz."""
    config = {
        "limits": {"call_timeout_seconds": 60},
        "edge": {
            "rate_limits": {"per_client": None, "tools": [{"tool": "add", "rate": "1r/m", "burst": 0}]},
            "micro_cache": {"routes": ["/healthz"]},
        },
    }
    s = start_stack(tmp_path_factory.mktemp("edge"), "shared", config)
    yield s
    assert s.stop() == 0, "portico up must exit 0 on SIGTERM"


# ---------------------------------------------------------------------------------------------
# Every variant passes nginx -t


def variants(certs: dict[str, Path]) -> dict[str, dict]:
    tls = {"certificate": str(certs["cert"]), "certificate_key": str(certs["key"])}
    return {
        "defaults-plain-http": {"edge": {"http_port": 18980}},
        "tls13": {"edge": {"tls": tls}},
        "tls12-and-13": {"edge": {"tls": {**tls, "protocols": ["TLSv1.3", "TLSv1.2"]}}},
        "no-http2": {"edge": {"tls": tls, "http2": False}},
        "http3-requested": {"edge": {"tls": tls, "http3": True, "quic_retry": True}},
        "early-data": {"edge": {"tls": tls, "early_data": True}},
        "ocsp-stapling": {"edge": {"resolver": "127.0.0.53", "tls": {**tls, "ocsp_stapling": True, "trusted_certificate": str(certs["ca"])}}},
        "mtls-on": {"edge": {"tls": tls, "mtls": {"client_certificate": str(certs["ca"])}}},
        "mtls-optional-ocsp": {"edge": {"tls": tls, "resolver": "127.0.0.53", "mtls": {"client_certificate": str(certs["ca"]), "verify": "optional", "ocsp": True}}},
        "rate-limits": {"edge": {"tls": tls, "rate_limits": {"per_client": "600r/m", "per_client_burst": 0, "tools": [{"tool": "my tool", "rate": "1r/s"}, {"tool": "x", "rate": "5r/s", "burst": 9}]}}},
        "no-rate-limits": {"edge": {"tls": tls, "rate_limits": {"per_client": None}}},
        "micro-cache": {"edge": {"tls": tls, "micro_cache": {"routes": ["/healthz", "/.well-known/oauth-protected-resource"], "valid_seconds": 2}}},
        "realip": {"edge": {"tls": tls, "trusted_proxies": ["10.0.0.0/8", "192.168.1.1", "2001:db8::/32"]}},
        "mcp-over-http": {"edge": {"tls": tls, "mcp_over_http": True}},
        "no-plain-listener": {"edge": {"tls": tls, "http_port": 0}},
        "root-path-no-legacy": {"server": {"path": "/"}, "streams": {"legacy_sse": False}, "edge": {"tls": tls}},
        "custom-log-and-workers": {"edge": {"tls": tls, "access_log": "/tmp/portico-edge-test.json", "worker_connections": 2048, "upstream_keepalive": 0}},
        "ipv6-address": {"edge": {"tls": tls, "address": "::1", "server_names": ["mcp.example.com", "_"]}},
    }


VARIANT_NAMES = list(variants({"cert": Path("c"), "key": Path("k"), "ca": Path("a")}))


@pytest.mark.parametrize("variant", VARIANT_NAMES)
@pytest.mark.parametrize("layout", ["prefix", "system-include"])
def test_every_rendered_variant_passes_nginx_t(nginx, certs, tmp_path, variant, layout):
    config = variants(certs)[variant]
    path = write_config(tmp_path / "portico.yaml", config)
    args = ["edge", "check", "--config", str(path)]
    if layout == "prefix":
        args += ["--prefix", str(tmp_path / "nginx")]
    result = run_portico(*args)
    assert result.returncode == 0, f"{variant}: {result.stdout}\n{result.stderr}"
    assert "configuration OK" in result.stdout
    assert not (tmp_path / "nginx" / "nginx.conf").exists(), "check must not install anything"
    if variant == "http3-requested":
        assert "edge.http3: left out: nginx 1.22.1" in result.stderr
    if variant == "ocsp-stapling":
        assert "names no OCSP responder" in result.stderr


def test_strict_refuses_http3_on_this_nginx(nginx, certs, tmp_path):
    path = write_config(tmp_path / "p.yaml", variants(certs)["http3-requested"])
    result = run_portico("edge", "render", "--config", str(path), "--strict")
    assert result.returncode != 0
    assert "edge.http3" in result.stderr and "1.25.0" in result.stderr


# ---------------------------------------------------------------------------------------------
# Bad input: a clear error before anything is written


BAD_CONFIGS = [
    ({"edge": {"tls": {"protocol": ["TLSv1.3"]}}}, "edge.tls.protocol", "did you mean 'protocols'"),
    ({"edge": {"tls": {"certificate": "/nonexistent/cert.pem", "certificate_key": "/nonexistent/key.pem"}}}, "edge.tls.certificate", "does not exist"),
    ({"edge": {"rate_limits": {"per_client": "0r/s"}}}, "edge.rate_limits.per_client", "at least 1"),
    ({"edge": {"rate_limits": {"tools": [{"tool": "add", "rate": "0r/m"}]}}}, "edge.rate_limits.tools[0].rate", "at least 1"),
    ({"limits": {"call_timeout_seconds": 900}, "edge": {"proxy_timeout_seconds": 600}}, "edge.proxy_timeout_seconds", "shorter than the longest call"),
]


@pytest.mark.parametrize("config,key,message", BAD_CONFIGS, ids=[c[1] for c in BAD_CONFIGS])
def test_bad_edge_config_fails_before_anything_is_written(nginx, tmp_path, config, key, message):
    path = write_config(tmp_path / "bad.yaml", config)
    prefix = tmp_path / "nginx"
    result = run_portico("edge", "apply", "--config", str(path), "--prefix", str(prefix))
    assert result.returncode != 0
    assert key in result.stderr and message in result.stderr, result.stderr
    assert not (prefix / "nginx.conf").exists()
    assert not (prefix / "logs" / "nginx.pid").exists()


# ---------------------------------------------------------------------------------------------
# Through nginx


def test_tools_call_through_nginx_over_http2_with_the_python_sdk(stack):
    import anyio
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def call() -> tuple[str, list[str]]:
        context = ssl.create_default_context(cafile=str(stack.dev_cert))
        async with httpx2.AsyncClient(verify=context, http2=False) as http:
            transport = streamable_http_client(stack.https_url, http_client=http)
            async with Client(transport, mode="2026-07-28", read_timeout_seconds=30) as client:
                result = await client.call_tool("echo", {"text": "through nginx"})
                return client.protocol_version, [c.text for c in result.content]

    version, texts = anyio.run(call)
    assert version == "2026-07-28"
    assert texts == ["through nginx"]
    # curl-like h2 check with an independent client: ALPN must pick HTTP/2.
    out = subprocess.run(["curl", "-s", "--cacert", str(stack.dev_cert), "-o", "/dev/null", "-w", "%{http_version}",
                          f"https://localhost:{stack.https_port}/healthz", "--resolve", f"localhost:{stack.https_port}:127.0.0.1"],
                         capture_output=True, text=True, timeout=20)
    assert out.stdout == "2", out


def test_legacy_session_through_nginx(stack):
    from mcpwire import LegacySession

    with stack.client() as http:
        session = LegacySession(stack.https_url, "2025-11-25", client=http)
        session.initialize()
        _, reply = session.request("tools/call", {"name": "echo", "arguments": {"text": "legacy"}})
        assert reply and reply["result"]["content"][0]["text"] == "legacy"


def test_progress_events_arrive_spread_out_not_bunched(stack):
    # proxy_buffering stays at its default (on) at http level; the MCP location turns it off.
    conf = (stack.prefix / "nginx.conf").read_text()
    assert "proxy_buffering" not in conf.split("upstream portico_app")[0]
    assert "portico_client" not in conf, "per_client: null switches the client limit off"
    with stack.client() as http:
        status, messages = timed_tool_call(http, stack.https_url, "slow_count", {"n": 8, "delay_ms": 150})
    assert status == 200
    progress = [t for t, m in messages if m.get("method") == "notifications/progress"]
    assert len(progress) == 8
    final = messages[-1][1]
    assert final["result"]["content"][0]["text"] == "counted to 8"
    # Bunched delivery would put every event within a few ms of the end (≈1.2 s).
    assert progress[0] < 0.6, f"first progress at {progress[0]:.3f}s: buffered"
    gaps = [b - a for a, b in zip(progress, progress[1:])]
    assert min(gaps) > 0.05 and max(gaps) < 0.6, f"gaps {gaps}"


def test_the_per_tool_limit_returns_429_for_that_tool_only(stack):
    with stack.client() as http:
        statuses = []
        for i in range(3):
            body, headers = tool_call_body("add", {"a": i, "b": 1}, rid=i)
            statuses.append(http.post(stack.https_url, json=body, headers=headers))
        assert [r.status_code for r in statuses][0] == 200
        limited = statuses[1]
        assert limited.status_code == 429
        assert limited.headers.get("retry-after") == "1"
        assert limited.json()["error"]["code"] == -32000
        assert "Rate limit" in limited.json()["error"]["message"]
        for i in range(20):
            body, headers = tool_call_body("echo", {"text": str(i)}, rid=100 + i)
            response = http.post(stack.https_url, json=body, headers=headers)
            assert response.status_code == 200, response.text
        # The one canonical base64 spelling of the header is limited too (the app refuses others).
        body, headers = tool_call_body("add", {"a": 1, "b": 1}, rid=50)
        headers["Mcp-Name"] = "=?base64?YWRk?="
        encoded = http.post(stack.https_url, json=body, headers=headers)
        assert encoded.status_code == 429, encoded.text
    log = [line for line in stack.access_log() if line["mcp_name"] == "add"]
    assert [line["limit_req"] for line in log][:3] == ["PASSED", "REJECTED", "REJECTED"]


def test_stub_status_and_the_json_access_log(stack):
    with stack.client() as http:
        body, headers = tool_call_body("echo", {"text": "log me"}, rid="log-1")
        assert http.post(stack.https_url, json=body, headers=headers).status_code == 200
    figures = status_get(stack.status_port, "/nginx_status").text.split()
    # Active connections: N / server accepts handled requests / A H R / Reading: r Writing: w Waiting: x
    assert figures[:2] == ["Active", "connections:"] and int(figures[2]) >= 1
    accepted, handled, requests = (int(x) for x in figures[7:10])
    assert accepted == handled and requests >= accepted
    entry = next(line for line in reversed(stack.access_log()) if line["mcp_method"] == "tools/call" and line["mcp_name"] == "echo")
    assert entry["status"] == 200 and entry["upstream_status"] == "200"
    for key in ("upstream_connect_time", "upstream_header_time", "upstream_response_time"):
        assert float(entry[key]) >= 0.0, (key, entry)
    assert entry["protocol"] == "HTTP/1.1" and entry["ssl_protocol"] == "TLSv1.3"
    assert len(entry["request_id"]) == 32


def test_edge_status_reports_the_served_revision(stack):
    config = write_config(stack.state.parent / "status.yaml", stack.edge_config())
    result = run_portico("edge", "status", "--prefix", str(stack.prefix), "--config", str(config), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["running"] is True
    assert report["served_revision"] == report["installed_revision"] == installed_revision(stack.prefix / "nginx.conf")
    assert report["installed_unmodified"] is True
    assert report["nginx_version"] == "1.22.1"
    assert report["connections"]["accepted"] >= 1


def test_micro_cache_serves_hits_but_never_caches_mcp(stack):
    with stack.client() as http:
        url = f"https://127.0.0.1:{stack.https_port}/healthz"
        first, second = http.get(url), http.get(url)
        assert first.headers["x-cache-status"] in ("MISS", "EXPIRED")
        assert second.headers["x-cache-status"] == "HIT"
        assert "strict-transport-security" in second.headers, "a location with add_header must repeat HSTS"
        body, headers = tool_call_body("echo", {"text": "x"})
        assert "x-cache-status" not in http.post(stack.https_url, json=body, headers=headers).headers


def test_plain_http_refuses_mcp_and_redirects_the_rest(stack):
    with httpx.Client(trust_env=False, timeout=10) as http:
        body, headers = tool_call_body("echo", {"text": "x"})
        refused = http.post(stack.http_url, json=body, headers=headers)
        assert refused.status_code == 403, "a POST to the MCP endpoint is never redirected"
        assert refused.json()["error"]["code"] == -32600
        assert f":{stack.https_port}/mcp" in refused.json()["error"]["message"]
        other = http.get(f"http://127.0.0.1:{stack.http_port}/healthz")
        assert other.status_code == 301
        assert other.headers["location"] == f"https://127.0.0.1:{stack.https_port}/healthz"


def test_crossplane_parses_the_rendered_file_like_portico(stack):
    conf = stack.prefix / "nginx.conf"
    ours = json.loads(run_portico("edge", "parse", str(conf)).stdout)
    theirs = subprocess.run([str(Path(os.sys.executable).parent / "crossplane"), "parse", "--single-file", "--include-comments", str(conf)],
                            capture_output=True, text=True, timeout=30)
    assert theirs.returncode == 0, theirs.stderr
    payload = json.loads(theirs.stdout)
    assert payload["status"] == "ok", payload
    assert payload["config"][0]["parsed"] == ours


# ---------------------------------------------------------------------------------------------
# Changing a live edge


def test_an_open_stream_survives_edge_apply_of_a_changed_config(nginx, tmp_path):
    s = start_stack(tmp_path, "survive")
    try:
        before = served_revision(s.status_port)
        call = BackgroundCall(s, "slow_count", {"n": 20, "delay_ms": 100})
        call.wait_streaming()
        changed = s.edge_config(rate_limits={"per_client": "100r/s", "per_client_burst": 50})
        applied = s.apply(changed)
        assert applied.returncode == 0, applied.stderr
        assert "edge reloaded" in applied.stdout
        after = served_revision(s.status_port)
        assert after != before and after == installed_revision(s.prefix / "nginx.conf")
        status, messages = call.result()
        assert status == 200
        progress = [m for _, m in messages if m.get("method") == "notifications/progress"]
        assert len(progress) == 20, "every event of the open stream arrived"
        assert messages[-1][1]["result"]["content"][0]["text"] == "counted to 20"
    finally:
        assert s.stop() == 0


def test_a_config_whose_port_is_taken_is_rolled_back_and_the_old_one_keeps_serving(nginx, tmp_path):
    s = start_stack(tmp_path, "rollback")
    blocker = socket.socket()
    try:
        before = served_revision(s.status_port)
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        taken = blocker.getsockname()[1]
        result = s.apply(s.edge_config(https_port=taken), name="taken")
        assert result.returncode == 1
        assert "bind()" in result.stderr and "Address already in use" in result.stderr, result.stderr
        assert "previous configuration" in result.stderr
        assert served_revision(s.status_port) == before
        assert installed_revision(s.prefix / "nginx.conf") == before, "the previous file is restored"
        with s.client() as http:
            body, headers = tool_call_body("echo", {"text": "still here"})
            assert http.post(s.https_url, json=body, headers=headers).json()["result"]["content"][0]["text"] == "still here"
    finally:
        blocker.close()
        assert s.stop() == 0


def test_foreign_edits_are_refused_without_force(nginx, tmp_path):
    s = start_stack(tmp_path, "foreign")
    try:
        conf = s.prefix / "nginx.conf"
        conf.write_text(conf.read_text() + "# ssl_certificate /etc/letsencrypt/live/x/fullchain.pem; # managed by Certbot\n")
        config = s.edge_config()
        refused = s.apply(config, name="refused")
        assert refused.returncode == 1 and "certbot" in refused.stderr
        diff = run_portico("edge", "diff", "--config", str(s.state.parent / f"{s.state.name}-refused.yaml"), "--prefix", str(s.prefix),
                           "--upstream", f"127.0.0.1:{s.app_port}")
        assert diff.returncode == 1 and "-# ssl_certificate" in diff.stdout
        forced = s.apply(config, "--force", name="forced")
        assert forced.returncode == 0, forced.stderr
        assert "managed by Certbot" not in conf.read_text()
    finally:
        assert s.stop() == 0


def test_sighup_rerenders_and_reloads(nginx, tmp_path):
    s = start_stack(tmp_path, "sighup")
    try:
        before = served_revision(s.status_port)
        write_config(s.config_path, {"edge": {"micro_cache": {"routes": ["/healthz"]}}})
        mark = len(s.lines)
        s.proc.send_signal(signal.SIGHUP)
        s.wait_line("edge ", timeout=30, after=mark)
        assert served_revision(s.status_port) != before
        assert "proxy_cache portico_micro" in (s.prefix / "nginx.conf").read_text()
    finally:
        assert s.stop() == 0


def test_nginx_that_dies_is_restarted(nginx, tmp_path):
    s = start_stack(tmp_path, "restart")
    try:
        first = s.master_pid()
        assert first
        revision = served_revision(s.status_port)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pid = s.master_pid()
            if pid and pid != first:
                try:
                    if served_revision(s.status_port) == revision:
                        break
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        else:
            pytest.fail("nginx was not restarted within 30 s")
        with s.client() as http:
            body, headers = tool_call_body("echo", {"text": "back"})
            assert http.post(s.https_url, json=body, headers=headers).status_code == 200
    finally:
        assert s.stop() == 0


def test_sigterm_drains_a_stream_then_stops_both(nginx, tmp_path):
    s = start_stack(tmp_path, "drain", {"server": {"drain_timeout_seconds": 10}})
    call = BackgroundCall(s, "slow_count", {"n": 10, "delay_ms": 100})
    call.wait_streaming()
    master = s.master_pid()
    assert s.stop(timeout=30) == 0
    status, messages = call.result()
    assert status == 200
    assert messages[-1][1]["result"]["content"][0]["text"] == "counted to 10", "the in-flight call finished"
    assert master and not Path(f"/proc/{master}").exists(), "nginx stopped with the app"


def test_streams_are_never_rate_limited(nginx, tmp_path):
    from mcpwire import RawStream, modern_tool_call, open_listen

    s = start_stack(tmp_path, "limits", {"edge": {"mcp_over_http": True, "rate_limits": {"per_client": "1r/m", "per_client_burst": 0}}})
    streams = []
    try:
        statuses = [modern_tool_call(s.http_url, "echo", {"text": str(i)}, rid=i)[0].status for i in range(2)]
        assert statuses == [200, 429], "the per-client limit applies to calls"
        assert modern_tool_call(s.http_url + "/", "echo", {"text": "slash"}, rid=5)[0].status == 429, "and to /mcp/, which the app serves too"
        streams = [open_listen(s.http_url, {"toolsListChanged": True}, rid=10 + i) for i in range(3)]
        assert [stream.status for stream in streams] == [200, 200, 200], "subscriptions/listen is never limited"
        sse = RawStream(f"http://127.0.0.1:{s.http_port}/sse", "GET", {"Accept": "text/event-stream"})
        streams.append(sse)
        assert sse.status == 200, "GET streams are never limited"
    finally:
        for stream in streams:
            stream.drop()
        assert s.stop() == 0


def test_certbot_uses_webroot_and_a_deploy_hook(tmp_path):
    path = write_config(tmp_path / "p.yaml", {"edge": {"acme_webroot": "/srv/acme"}})
    result = run_portico("edge", "certbot", "--config", str(path), "--domain", "mcp.example.com", "--print")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("certbot certonly --webroot -w /srv/acme -d mcp.example.com ")
    assert f"--deploy-hook 'portico edge apply --reload --config {path}'" in result.stdout


def test_an_apply_that_fails_verification_leaves_no_nginx_behind(nginx, tmp_path):
    (closed,) = free_ports(1)  # nothing listens there: the probe through nginx gets 502
    https, http, status = free_ports(3)
    config = write_config(tmp_path / "p.yaml", {"edge": {"https_port": https, "http_port": http, "status_port": status, "address": "127.0.0.1"}})
    prefix = tmp_path / "nginx"
    result = run_portico("edge", "apply", "--config", str(config), "--prefix", str(prefix), "--upstream", f"127.0.0.1:{closed}")
    assert result.returncode == 1
    assert "could not reach the app (502)" in result.stderr and "the nginx this apply started was stopped" in result.stderr, result.stderr
    assert not (prefix / "nginx.conf").exists()
    deadline = time.monotonic() + 10
    while (prefix / "logs" / "nginx.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not (prefix / "logs" / "nginx.pid").exists(), "the started nginx must stop"


def test_sighup_with_a_broken_config_keeps_the_running_edge(nginx, tmp_path):
    s = start_stack(tmp_path, "brokenhup")
    try:
        before = served_revision(s.status_port)
        write_config(s.config_path, {"edge": {"rate_limits": {"per_client": "0r/s"}}})
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while "edge reload failed" not in s.log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        log = s.log_path.read_text()
        assert "edge reload failed" in log and "edge.rate_limits.per_client" in log
        assert served_revision(s.status_port) == before
        with s.client() as http:
            body, headers = tool_call_body("echo", {"text": "ok"})
            assert http.post(s.https_url, json=body, headers=headers).status_code == 200
    finally:
        assert s.stop() == 0


def test_nginx_never_holds_the_app_socket_and_a_killed_stack_is_cleaned_up(nginx, tmp_path):
    s = start_stack(tmp_path, "killed")
    master = s.master_pid()
    app_port = s.app_port
    s.proc.kill()  # SIGKILL: no graceful path at all
    s.proc.wait(timeout=10)
    again = Stack(state=s.state, config={}, log_path=s.log_path)
    try:
        probe = socket.socket()
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine, a listener is not
        try:
            probe.bind(("127.0.0.1", app_port))
            probe.listen(1)  # fails if nginx inherited the app's listening socket
        finally:
            probe.close()
        assert master and Path(f"/proc/{master}").exists(), "nginx outlives a SIGKILLed portico (own process group)"
        again.start()
        deadline = time.monotonic() + 10
        while Path(f"/proc/{master}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{master}").exists(), "the next `up` in the same state dir stops the stale nginx"
        assert again.master_pid() != master
    finally:
        again.stop()
        if master and Path(f"/proc/{master}").exists():
            os.killpg(master, signal.SIGKILL)
