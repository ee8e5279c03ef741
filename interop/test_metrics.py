"""Prometheus metrics, the JSON request log and `portico status`, against the real binary.

Every server here gets its own free metrics port (`serve --metrics-port N`, `up --metrics-port N`):
many servers run at once, and the default 9464 would be shared. Scrapes are parsed with
prometheus_client's text-format parser (an independent reader of Portico's exposition).

What is proved, with exact numbers wherever the workload fixes them:
  requests    a known mix in all three eras (stateless / session / http_sse) leaves exactly its
              portico_requests_total series, histogram _count per method and tool; single exchanges
              (batch, cancel, refused at HTTP level, bad initialize, ...) leave exactly theirs;
              unknown tools and methods share `other`; concurrent calls are counted exactly
  gauges      listen / legacy GET / 2024-11-05 /sse / POST-reply streams, sessions, event-log bytes,
              held open and closed again (polled back to 0)
  auth        refusals by reason with an API-key config (a module server), never as requests;
              the admitted key is the log line's principal
  bridge      a stdio source (bridge_fixture_server.py) with pool 2: children, up, restarts after a
              crash, in-flight, call durations; per-session children
  nginx       `portico up` with a real nginx: stub_status figures, the request counter's exact
              growth, X-Request-ID shared by the app log and nginx's access log; a stand-in
              stub_status page for exact parsing and nginx_up 0
  listener    metrics off, port 0, port taken, bad settings refused at start
  status      `portico status --once [--json]` over a burst, children, nginx, a closed port

Nothing sleeps to synchronise: state is polled under a deadline (`wait_scrape`, `wait_lines`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from authkit import AuthServer, SigningKey, api_key_hash, hs256_with_public_key, portico_new_key
from edgekit import Stack, free_ports, nginx_binary
from mcpwire import (RawStream, ServerProcess, LegacySession, initialize_params, log_tail, modern_headers,
                     modern_params, modern_request, new_http_client, notification, open_legacy_get, open_listen,
                     portico_bin, rpc, run_until_exit, write_config)

HERE = Path(__file__).resolve().parent
LOG_DIR = HERE / ".logs"
FIXTURE = str(HERE / "bridge_fixture_server.py")
PY = sys.executable
JSON_LOG = {"logging": {"format": "json"}}
HEX32 = re.compile(r"^[0-9a-f]{32}$")
# `portico status --json`: always present, and present only when there is a value (Swift's
# JSONEncoder leaves out nil optionals: no p50/p99 without calls, no nginxUp without nginx).
# Every key on every line: figures without a value are null, so scripts see one shape.
STATUS_KEYS = {"callsPerSecond", "requestsPerSecond", "errorsPerSecond", "openStreams", "sessions", "listenSubscribers",
               "children", "childrenUp", "nginx", "p50Milliseconds", "p99Milliseconds", "nginxUp"}
METHODS = ["initialize", "ping", "server/discover", "tools/list", "tools/call", "resources/list",
           "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe", "prompts/list",
           "prompts/get", "completion/complete", "logging/setLevel", "tasks/get", "tasks/update", "tasks/cancel",
           "tasks/result", "tasks/list", "subscriptions/listen", "other"]
AUTH_REASONS = ["missing_credential", "invalid_request", "insufficient_scope", "malformed", "expired", "not_yet_valid",
                "wrong_issuer", "wrong_audience", "bad_signature", "unknown_key", "algorithm_not_allowed", "inactive",
                "unknown_api_key", "too_large", "unavailable"]
STREAM_KINDS = ["reply", "get", "listen", "http_sse"]


# --------------------------------------------------------------------------------------------
# scraping
# --------------------------------------------------------------------------------------------


class Scrape:
    """One GET /metrics, parsed by prometheus_client."""

    def __init__(self, text: str):
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = [(s.name, dict(s.labels), s.value) for f in self.families.values() for s in f.samples]

    def find(self, name: str, **labels: str) -> list[tuple[dict, float]]:
        return [(l, v) for n, l, v in self.samples if n == name and all(l.get(k) == w for k, w in labels.items())]

    def value(self, name: str, **labels: str) -> float | None:
        """The one sample `name` whose labels include `labels`; None when there is none."""
        found = self.find(name, **labels)
        assert len(found) <= 1, f"{name}{labels} matches {len(found)} samples: {found}"
        return found[0][1] if found else None

    def total(self, name: str, **labels: str) -> float:
        return sum(v for _, v in self.find(name, **labels))

    def requests(self) -> dict[tuple[str, str, str, str], float]:
        """portico_requests_total by (era, method, tool, outcome)."""
        return {(l["era"], l["method"], l["tool"], l["outcome"]): v for l, v in self.find("portico_requests_total")}

    def nonzero_requests(self) -> dict[tuple[str, str, str, str], float]:
        return {k: v for k, v in self.requests().items() if v}

    def auth_failures(self) -> dict[str, float]:
        return {l["reason"]: v for l, v in self.find("portico_auth_failures_total")}

    def streams(self) -> dict[str, float]:
        return {l["kind"]: v for l, v in self.find("portico_open_streams")}


def metrics_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/metrics"


def scrape(port: int) -> Scrape:
    r = httpx.get(metrics_url(port), timeout=10, trust_env=False)
    assert r.status_code == 200, f"GET /metrics: HTTP {r.status_code} {r.text[:200]!r}"
    ctype = r.headers.get("content-type", "")
    assert ctype.startswith("text/plain") and "version=0.0.4" in ctype, ctype
    return Scrape(r.text)


def wait_scrape(port: int, pred: Callable[[Scrape], bool], timeout: float = 15.0, what: str = "") -> Scrape:
    """Scrape until `pred` holds; fails with the last scrape's relevant figures after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        s = scrape(port)
        if pred(s):
            return s
        if time.monotonic() >= deadline:
            pytest.fail(f"metrics did not reach {what or 'the expected state'} within {timeout}s; last scrape: "
                        f"streams={s.streams()} sessions={s.value('portico_sessions')} "
                        f"listen={s.value('portico_listen_subscribers')} sse={s.value('portico_http_sse_connections')} "
                        f"requests={s.nonzero_requests()}")
        time.sleep(0.05)  # polling an observable figure under a deadline


def wait_listening(port: int, timeout: float = 15.0) -> Scrape:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return scrape(port)
        except httpx.TransportError as e:
            if time.monotonic() >= deadline:
                pytest.fail(f"nothing answers on the metrics port {port} within {timeout}s: {e!r}")
            time.sleep(0.05)  # polling for the listener under a deadline


def refuses_connections(port: int) -> bool:
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        return False
    except ConnectionRefusedError:
        return True
    finally:
        s.close()


# --------------------------------------------------------------------------------------------
# servers and logs
# --------------------------------------------------------------------------------------------


def start_with_metrics(pool, name: str, config: dict | None = None, *args: str) -> tuple[ServerProcess, int]:
    (port,) = free_ports(1)
    proc = pool.start(name, config, "--metrics-port", str(port), *args)
    wait_listening(port)
    return proc, port


def log_records(proc_or_path) -> list[dict]:
    path = proc_or_path if isinstance(proc_or_path, Path) else proc_or_path.log_path
    out = []
    for line in path.read_text(errors="replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def request_lines(proc_or_path) -> list[dict]:
    return [r for r in log_records(proc_or_path) if r.get("message") == "request"]


def wait_lines(proc_or_path, pred: Callable[[list[dict]], bool], timeout: float = 10.0, what: str = "") -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        lines = request_lines(proc_or_path)
        if pred(lines):
            return lines
        if time.monotonic() >= deadline:
            pytest.fail(f"the request log did not show {what} within {timeout}s; request lines: {lines[-10:]}")
        time.sleep(0.05)  # polling the log file under a deadline


def modern(url: str, method: str, params: dict | None = None, rid: Any = 1, headers: dict | None = None):
    with new_http_client() as c:
        return modern_request(c, url, method, params or {}, rid, headers=headers)


def echo(url: str, text: str, rid: Any = 1, headers: dict | None = None) -> dict:
    ex, resp = modern(url, "tools/call", {"name": "echo", "arguments": {"text": text}}, rid, headers)
    assert ex.status == 200 and resp and resp["result"]["content"][0]["text"] == text, (ex.status, ex.raw[:300])
    return resp


class SSEConnection:
    """A raw 2024-11-05 client: GET /sse, then POSTs to the endpoint it announces."""

    def __init__(self, mcp_url: str):
        self.base = mcp_url.rsplit("/mcp", 1)[0]
        self.stream = RawStream(self.base + "/sse", "GET", {"Accept": "text/event-stream"})
        assert self.stream.status == 200, f"GET /sse: HTTP {self.stream.status}"
        assert self.stream.wait_for(lambda r: bool(r.events), 5), "no endpoint event"
        assert self.stream.events[0].event == "endpoint", self.stream.events[0]
        self.endpoint = self.stream.events[0].data

    def post(self, message: dict) -> int:
        with new_http_client() as c:
            return c.post(self.base + self.endpoint, content=json.dumps(message).encode(),
                          headers={"Content-Type": "application/json"}).status_code

    def request(self, method: str, params: dict | None, rid: int) -> dict:
        assert self.post(rpc(method, params, rid)) == 202
        resp = self.stream.wait_for_response(rid, 10)
        assert resp is not None, f"no answer to {method} on /sse: {self.stream.body_text[-300:]!r}"
        return resp

    def initialize(self) -> None:
        resp = self.request("initialize", initialize_params("2024-11-05"), 1)
        assert resp["result"]["protocolVersion"] == "2024-11-05", resp
        assert self.post(notification("notifications/initialized")) == 202

    def close(self) -> None:
        self.stream.drop()


def legacy_session(url: str, version: str) -> LegacySession:
    s = LegacySession(url, version)
    ex = s.initialize()
    assert s.session_id and ex.response_for(1) and "result" in ex.response_for(1), ex.raw[:300]
    assert s.initialized_status == 202, s.initialized_status
    return s


def counter_key(era: str, method: str, tool: str = "", outcome: str = "ok") -> tuple[str, str, str, str]:
    return (era, method, tool, outcome)


# --------------------------------------------------------------------------------------------
# 1. a known workload, exact series
# --------------------------------------------------------------------------------------------

N_STATELESS_ECHO = 5
LEGACY_VERSIONS_USED = ["2025-03-26", "2025-06-18", "2025-11-25"]

# What the workload below must produce, and nothing else.
WORKLOAD_EXPECTED = {
    counter_key("stateless", "tools/call", "echo"): N_STATELESS_ECHO,
    counter_key("stateless", "tools/call", "other", "error"): 1,         # unknown tool
    counter_key("stateless", "tools/call", "add", "tool_error"): 1,      # a non-finite sum: isError true
    counter_key("stateless", "other", "", "error"): 1,                   # method not found
    counter_key("stateless", "tools/list"): 1,
    counter_key("stateless", "server/discover"): 1,
    counter_key("session", "initialize"): len(LEGACY_VERSIONS_USED),
    counter_key("session", "tools/list"): len(LEGACY_VERSIONS_USED),
    counter_key("session", "tools/call", "echo"): len(LEGACY_VERSIONS_USED),
    counter_key("session", "ping"): len(LEGACY_VERSIONS_USED),
    counter_key("session", "tools/call", "add", "tool_error"): 1,        # bad arguments: isError true
    counter_key("session", "prompts/get", "", "error"): 1,               # unknown prompt
    counter_key("http_sse", "initialize"): 1,
    counter_key("http_sse", "tools/call", "echo"): 1,
}


def run_workload(url: str) -> dict[str, int]:
    """Sends the workload; returns how many HTTP requests went to each path kind."""
    sent = {"/mcp": 0, "/messages": 0}
    for i in range(N_STATELESS_ECHO):
        echo(url, f"stateless-{i}", rid=i + 1)
        sent["/mcp"] += 1
    ex, resp = modern(url, "tools/call", {"name": "no_such_tool", "arguments": {}}, 20)
    assert resp and "error" in resp, ex.raw[:300]
    ex, resp = modern(url, "foo/bar", {}, 21)
    assert resp and resp["error"]["code"] == -32601, ex.raw[:300]
    ex, resp = modern(url, "tools/call", {"name": "add", "arguments": {"a": 1e308, "b": 1e308}}, 22)
    assert resp and resp["result"].get("isError") is True, ex.raw[:300]
    ex, resp = modern(url, "tools/list", {}, 23)
    assert resp and "result" in resp, ex.raw[:300]
    ex, resp = modern(url, "server/discover", {}, 24)
    assert resp and "result" in resp, ex.raw[:300]
    # Refused at the HTTP level (Mcp-Method does not match the body): not a counted request.
    ex, resp = modern(url, "tools/list", {}, 25, headers={"Mcp-Method": "tools/call"})
    assert ex.status == 400, (ex.status, ex.raw[:300])
    sent["/mcp"] += 6
    for n, version in enumerate(LEGACY_VERSIONS_USED):
        s = legacy_session(url, version)
        try:
            _, r = s.request("tools/list", {})
            assert r and "result" in r, r
            _, r = s.request("tools/call", {"name": "echo", "arguments": {"text": f"legacy-{version}"}})
            assert r and r["result"]["content"][0]["text"] == f"legacy-{version}", r
            _, r = s.request("ping", {})
            assert r and r.get("result") == {}, r
            sent["/mcp"] += 5  # initialize, initialized, tools/list, tools/call, ping
            if n == 0:
                _, r = s.request("tools/call", {"name": "add", "arguments": {"a": "two", "b": 2}})
                assert r and r["result"].get("isError") is True, r
                _, r = s.request("prompts/get", {"name": "no_such_prompt", "arguments": {}})
                assert r and "error" in r, r
                sent["/mcp"] += 2
            assert s.delete() in (200, 202, 204)
            sent["/mcp"] += 1
        finally:
            s.close()
    sse = SSEConnection(url)
    try:
        sse.initialize()
        resp = sse.request("tools/call", {"name": "echo", "arguments": {"text": "over sse"}}, 2)
        assert resp["result"]["content"][0]["text"] == "over sse", resp
        sent["/messages"] += 3  # initialize, initialized, tools/call
    finally:
        sse.close()
    return sent


def test_a_known_workload_gives_exact_request_counts_and_histogram_counts(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "workload", JSON_LOG)
    before = scrape(port)
    assert before.nonzero_requests() == {}, f"a fresh server has counted requests: {before.nonzero_requests()}"
    sent = run_workload(proc.url)
    s = scrape(port)

    got = s.nonzero_requests()
    assert got == WORKLOAD_EXPECTED, (
        "portico_requests_total differs from the workload:\n"
        f"  missing/wrong: { {k: (v, got.get(k, 0)) for k, v in WORKLOAD_EXPECTED.items() if got.get(k, 0) != v} }\n"
        f"  unexpected:    { {k: v for k, v in got.items() if k not in WORKLOAD_EXPECTED} }")
    # The family: counter named portico_requests (prometheus_client strips _total), every method
    # and era present (zeros included), labels exactly era/method/tool/outcome.
    fam = s.families["portico_requests"]
    assert fam.type == "counter"
    assert {sm.name for sm in fam.samples} == {"portico_requests_total"}
    assert all(set(sm.labels) == {"era", "method", "tool", "outcome"} for sm in fam.samples)
    keys = s.requests()
    for method in METHODS:
        if method == "tools/call":
            continue
        for era in ("stateless", "session", "http_sse"):
            for outcome in ("ok", "tool_error", "error", "cancelled"):
                assert (era, method, "", outcome) in keys, f"no series for {(era, method, '', outcome)}"
    assert {k[2] for k in keys if k[1] == "tools/call"} == {"echo", "add", "other"}, \
        "tool series exist only for tools that were called (and `other`)"
    assert all(k[2] == "" for k in keys if k[1] != "tools/call")

    # Histogram counts match the counter, per method and per tool.
    by_method: dict[str, int] = {}
    by_tool: dict[str, int] = {}
    for (era, method, tool, outcome), v in WORKLOAD_EXPECTED.items():
        by_method[method] = by_method.get(method, 0) + v
        if method == "tools/call":
            by_tool[tool] = by_tool.get(tool, 0) + v
    for method in METHODS:
        count = s.value("portico_request_duration_seconds_count", method=method)
        assert count == by_method.get(method, 0), f"request_duration _count{{method={method}}} = {count}"
        inf = s.value("portico_request_duration_seconds_bucket", method=method, le="+Inf")
        assert inf == count, (method, inf, count)
        total = s.value("portico_request_duration_seconds_sum", method=method)
        assert (total > 0) == (count > 0), (method, total, count)
    for tool, n in by_tool.items():
        assert s.value("portico_tool_duration_seconds_count", tool=tool) == n, tool
        assert s.value("portico_tool_duration_seconds_bucket", tool=tool, le="+Inf") == n, tool
    assert {l["tool"] for l, _ in s.find("portico_tool_duration_seconds_count")} == set(by_tool)
    buckets = s.find("portico_request_duration_seconds_bucket", method="tools/call")
    bounds = [float(l["le"]) for l, _ in buckets]
    assert bounds == [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
                      float("inf")], bounds
    counts = [v for _, v in buckets]
    assert counts == sorted(counts), f"buckets must be cumulative: {counts}"
    assert s.families["portico_request_duration_seconds"].type == "histogram"

    # Series that must stay zero.
    assert all(v == 0 for v in s.auth_failures().values()), s.auth_failures()
    assert set(s.auth_failures()) == set(AUTH_REASONS)
    assert s.value("portico_listen_subscribers") == 0
    assert "portico_bridge_children" not in s.families, "no stdio source, no bridge series"
    assert "portico_nginx_up" not in s.families, "no nginx, no nginx series"

    # The request log: one line per HTTP request, with era / method / tool as sent.
    lines = wait_lines(proc, lambda ls: sum(1 for l in ls if l.get("http.path") == "/sse") == 1, what="the /sse line")
    mcp_lines = [l for l in lines if l.get("http.path") == "/mcp"]
    assert len(mcp_lines) == sent["/mcp"], f"{len(mcp_lines)} log lines for /mcp, {sent['/mcp']} requests sent"
    messages = [l for l in lines if l.get("http.path", "").startswith("/messages")]
    assert len(messages) == sent["/messages"], messages
    assert {l["mcp.era"] for l in messages} == {"http_sse"}
    for l in lines:
        assert HEX32.match(l["request_id"]), l
        assert float(l["duration_ms"]) >= 0 and isinstance(l["http.status"], int) and isinstance(l["duration_ms"], (int, float)) and l["level"] == "info", l
        assert l["label"] == "portico" and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", l["ts"]), l
    assert len({l["request_id"] for l in lines}) == len(lines), "request ids repeat"
    echo_lines = [l for l in mcp_lines if l.get("mcp.method") == "tools/call" and l.get("mcp.tool") == "echo"]
    assert len(echo_lines) == N_STATELESS_ECHO + len(LEGACY_VERSIONS_USED)
    assert sorted(l["mcp.era"] for l in echo_lines) == sorted(["stateless"] * N_STATELESS_ECHO
                                                              + ["session"] * len(LEGACY_VERSIONS_USED))
    assert all(l["http.status"] == 200 for l in echo_lines)
    notfound = [l for l in mcp_lines if l.get("mcp.method") == "foo/bar"]
    assert len(notfound) == 1 and notfound[0]["http.status"] == 404, notfound
    refused = [l for l in mcp_lines if l["http.status"] == 400]
    assert len(refused) == 1 and refused[0]["mcp.method"] == "tools/list", refused
    deletes = [l for l in mcp_lines if l["http.method"] == "DELETE"]
    assert len(deletes) == len(LEGACY_VERSIONS_USED), deletes


def _legacy_post(url: str, body: Any, headers: dict) -> int:
    with new_http_client() as c:
        return c.post(url, content=body if isinstance(body, bytes) else json.dumps(body).encode(), headers=headers).status_code


def _x_initialize_without_version(url: str) -> None:
    params = {"capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}
    assert _legacy_post(url, rpc("initialize", params, 1), {"Content-Type": "application/json",
                                                            "Accept": "application/json, text/event-stream"}) == 400


def _x_batch(url: str) -> None:
    s = legacy_session(url, "2025-03-26")
    try:
        with new_http_client() as c:
            r = c.post(url, content=json.dumps([rpc("tools/list", {}, 5), rpc("ping", {}, 6)]).encode(), headers=s.headers())
        assert r.status_code == 200 and {m["id"] for m in r.json()} == {5, 6}, r.text[:300]
    finally:
        s.close()


def _x_unknown_session(url: str) -> None:
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
         "Mcp-Session-Id": "no-such-session", "MCP-Protocol-Version": "2025-11-25"}
    assert _legacy_post(url, rpc("tools/list", {}, 7), h) == 404


def _x_header_mismatch(url: str) -> None:
    ex, _ = modern(url, "tools/list", {}, 3, headers={"Mcp-Method": "prompts/list"})
    assert ex.status == 400, ex.raw[:300]


def _x_bad_json(url: str) -> None:
    h = modern_headers("tools/list", {})
    assert _legacy_post(url, b'{"jsonrpc": "2.0", "id": 1, "method": ', h) == 400


def _x_legacy_cancelled(url: str) -> None:
    s = legacy_session(url, "2025-11-25")
    body = rpc("tools/call", {"name": "slow_count", "arguments": {"n": 100, "delay_ms": 100},
                              "_meta": {"progressToken": "c"}}, 77)
    with RawStream(url, "POST", s.headers(), body) as rs:
        assert rs.status == 200 and rs.wait_for(lambda r: bool(r.notifications), 5), rs.body_text[:300]
        assert _legacy_post(url, notification("notifications/cancelled", {"requestId": 77}), s.headers()) == 202
        rs.read_all(10)
        assert rs.response_for(77) is None, rs.messages
    s.close()


def _x_sse_initialize_error(url: str) -> None:
    sse = SSEConnection(url)
    try:
        resp = sse.request("initialize", {"capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}, 1)
        assert "error" in resp, resp
    finally:
        sse.close()


def _x_prompt_and_resource(url: str) -> None:
    ex, resp = modern(url, "prompts/get", {"name": "summarize", "arguments": {"text": "t"}}, 1)
    assert resp and "result" in resp, ex.raw[:300]
    ex, resp = modern(url, "resources/read", {"uri": "portico://demo/about"}, 2)
    assert resp and "result" in resp, ex.raw[:300]
    ex, resp = modern(url, "completion/complete", {"ref": {"type": "ref/prompt", "name": "summarize"},
                                                    "argument": {"name": "style", "value": "b"}}, 3)
    assert resp and "result" in resp, ex.raw[:300]


# name: (exchange, the non-zero portico_requests_total series it must leave)
SINGLE_EXCHANGES = {
    "legacy-initialize-without-protocolVersion": (_x_initialize_without_version,
                                                  {counter_key("session", "initialize", "", "error"): 1}),
    "legacy-batch-2025-03-26": (_x_batch, {counter_key("session", "initialize"): 1, counter_key("session", "tools/list"): 1,
                                           counter_key("session", "ping"): 1}),
    "legacy-unknown-session-404": (_x_unknown_session, {}),
    "modern-header-mismatch-400": (_x_header_mismatch, {}),
    "modern-unparseable-body-400": (_x_bad_json, {}),
    "legacy-notifications-cancelled": (_x_legacy_cancelled, {counter_key("session", "initialize"): 1,
                                                             counter_key("session", "tools/call", "slow_count", "cancelled"): 1}),
    "http-sse-initialize-error": (_x_sse_initialize_error, {counter_key("http_sse", "initialize", "", "error"): 1}),
    "modern-prompt-resource-completion": (_x_prompt_and_resource, {counter_key("stateless", "prompts/get"): 1,
                                                                   counter_key("stateless", "resources/read"): 1,
                                                                   counter_key("stateless", "completion/complete"): 1}),
}


@pytest.mark.parametrize("case", list(SINGLE_EXCHANGES))
def test_single_exchanges_leave_exactly_their_series(fresh_servers, case):
    exchange, expected = SINGLE_EXCHANGES[case]
    proc, port = start_with_metrics(fresh_servers, "single-" + case)
    exchange(proc.url)
    # A cancelled call is counted when its handler unwinds: poll for the expected figures.
    s = wait_scrape(port, lambda s: s.nonzero_requests() == expected, 10, f"requests {expected}")
    by_method: dict[str, float] = {}
    for (_, method, _, _), v in expected.items():
        by_method[method] = by_method.get(method, 0) + v
    got = {l["method"]: v for l, v in s.find("portico_request_duration_seconds_count") if v}
    assert got == by_method, f"request_duration _count {got} != requests {by_method}"


def test_a_streamed_reply_is_logged_once_when_its_stream_ends(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "streamed-log", JSON_LOG)
    rid = "stream-" + uuid.uuid4().hex
    p = modern_params({"name": "slow_count", "arguments": {"n": 4, "delay_ms": 150}, "_meta": {"progressToken": "s"}})
    h = {**modern_headers("tools/call", p), "X-Request-ID": rid}
    with RawStream(proc.url, "POST", h, rpc("tools/call", p, 1)) as rs:
        assert rs.status == 200 and rs.is_sse
        assert rs.wait_for(lambda r: bool(r.notifications), 5)
        mid = [l for l in request_lines(proc) if l["request_id"] == rid]
        assert mid == [], f"a streamed reply must be logged when its stream ends, not at its head: {mid}"
        assert rs.read_all(10) and rs.response_for(1), rs.body_text[-300:]
    lines = wait_lines(proc, lambda ls: any(l["request_id"] == rid for l in ls), what=f"the line of {rid}")
    mine = [l for l in lines if l["request_id"] == rid]
    assert len(mine) == 1, mine
    assert float(mine[0]["duration_ms"]) >= 3 * 150, f"duration_ms must cover the stream's life: {mine[0]}"
    assert (mine[0]["mcp.method"], mine[0]["mcp.tool"], mine[0]["http.status"]) == ("tools/call", "slow_count", 200)


def test_unknown_names_share_the_other_series_so_clients_cannot_grow_the_exposition(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "cardinality")
    echo(proc.url, "warm up")  # the echo series exist from here on
    before = scrape(port)
    n = 25
    for i in range(n):
        ex, resp = modern(proc.url, "tools/call", {"name": f"tool-{uuid.uuid4().hex}", "arguments": {}}, i)
        assert resp and "error" in resp, ex.raw[:200]
        ex, resp = modern(proc.url, f"made/up-{uuid.uuid4().hex}", {}, i)
        assert resp and resp["error"]["code"] == -32601, ex.raw[:200]
    after = scrape(port)
    assert len(after.samples) == len(before.samples), "unknown tools / methods must not add series"
    assert {l["tool"] for l, _ in after.find("portico_tool_duration_seconds_count")} == {"echo", "other"}
    grown = {k: v - before.requests().get(k, 0) for k, v in after.requests().items() if v != before.requests().get(k, 0)}
    assert grown == {counter_key("stateless", "tools/call", "other", "error"): n,
                     counter_key("stateless", "other", "", "error"): n}, grown


def test_concurrent_calls_are_counted_exactly_while_scrapes_run(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "concurrent")
    threads, per_thread = 8, 25
    failures: list[str] = []
    scrapes: list[float] = []
    done = threading.Event()

    def caller(t: int) -> None:
        with new_http_client() as c:
            for i in range(per_thread):
                if i % 5 == 4:
                    _, resp = modern_request(c, proc.url, "tools/call", {"name": "add", "arguments": {"a": "x", "b": 1}}, i)
                    ok = bool(resp) and resp["result"].get("isError") is True
                else:
                    _, resp = modern_request(c, proc.url, "tools/call", {"name": "echo", "arguments": {"text": f"{t}-{i}"}}, i)
                    ok = bool(resp) and resp["result"]["content"][0]["text"] == f"{t}-{i}"
                if not ok:
                    failures.append(f"{t}-{i}: {resp}")

    def scraper() -> None:
        while not done.is_set():
            try:
                scrapes.append(scrape(port).total("portico_requests_total"))
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(f"scrape: {e!r}")
                return

    watcher = threading.Thread(target=scraper, daemon=True)
    watcher.start()
    workers = [threading.Thread(target=caller, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    done.set()
    watcher.join(15)
    assert not any(w.is_alive() for w in workers) and not watcher.is_alive(), "calls or scrapes did not finish in time"
    assert not failures, failures[:5]
    assert len(scrapes) >= 2 and scrapes == sorted(scrapes), "the counter total must never go down between scrapes"
    errors = threads * (per_thread // 5)
    s = scrape(port)
    assert s.nonzero_requests() == {counter_key("stateless", "tools/call", "echo"): threads * per_thread - errors,
                                     counter_key("stateless", "tools/call", "add", "tool_error"): errors}
    assert s.value("portico_tool_duration_seconds_count", tool="echo") == threads * per_thread - errors
    assert s.value("portico_tool_duration_seconds_count", tool="add") == errors
    assert s.value("portico_request_duration_seconds_count", method="tools/call") == threads * per_thread


@pytest.mark.parametrize("era", ["stateless", "session"])
def test_a_call_past_call_timeout_seconds_is_counted_as_the_tool_error_the_client_gets(fresh_servers, era):
    proc, port = start_with_metrics(fresh_servers, "timeout-" + era, {"limits": {"call_timeout_seconds": 1}})
    args = {"name": "slow_count", "arguments": {"n": 100, "delay_ms": 100}}
    if era == "stateless":
        _, resp = modern(proc.url, "tools/call", args, 1)
    else:
        session = legacy_session(proc.url, "2025-11-25")
        try:
            _, resp = session.request("tools/call", args, timeout=20)
        finally:
            session.close()
    assert resp and resp["result"].get("isError") is True and "call_timeout_seconds" in resp["result"]["content"][0]["text"], resp
    if era == "stateless":
        # A result the deadline wrote is still a complete 2026-07-28 result.
        assert resp["result"].get("resultType") == "complete" and "_meta" in resp["result"], resp
    key = counter_key(era, "tools/call", "slow_count", "tool_error")
    s = wait_scrape(port, lambda s: s.value("portico_tool_duration_seconds_count", tool="slow_count") == 1, 10,
                    "the timed-out call recorded")
    got = {k: v for k, v in s.nonzero_requests().items() if k[1] == "tools/call"}
    assert got == {key: 1}, f"the client got a result with isError: true, the counter says {got}"


def test_incoming_x_request_id_is_the_log_lines_request_id(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "request-id", JSON_LOG)
    rid = "test-" + uuid.uuid4().hex
    echo(proc.url, "with an id", headers={"X-Request-ID": rid})
    echo(proc.url, "without an id")
    lines = wait_lines(proc, lambda ls: len(ls) >= 2, what="two request lines")
    assert [l["request_id"] for l in lines][0] == rid, lines
    assert HEX32.match(lines[1]["request_id"]) and lines[1]["request_id"] != rid, lines
    assert "principal" not in lines[0], "no auth, no principal"
    odd = 'quote" back\\slash {json}'
    echo(proc.url, "odd id", headers={"X-Request-ID": odd})
    lines = wait_lines(proc, lambda ls: len(ls) >= 3, what="the third request line")
    assert lines[2]["request_id"] == odd, lines[2]
    raw = [l for l in proc.log_path.read_text().splitlines() if l.startswith("{")]
    for l in raw:
        json.loads(l)  # every JSON log line stays valid JSON, whatever the client sent


def test_text_log_mode_writes_no_per_request_line(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "text-log")
    rid = "text-" + uuid.uuid4().hex
    echo(proc.url, "quiet", headers={"X-Request-ID": rid})
    assert scrape(port).value("portico_requests_total", era="stateless", method="tools/call", tool="echo",
                              outcome="ok") == 1
    log = proc.log_path.read_text(errors="replace")
    assert rid not in log and "request_id" not in log, log[-800:]


def test_json_log_at_warning_writes_no_per_request_line(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "json-warning", {"logging": {"format": "json", "level": "warning"}})
    echo(proc.url, "quiet")
    assert scrape(port).value("portico_requests_total", era="stateless", method="tools/call", tool="echo", outcome="ok") == 1
    assert request_lines(proc) == [], "the request line is an info line: level warning leaves it out"


@pytest.mark.parametrize("host, status", [("127.0.0.1", 200), ("localhost", 200), ("evil.example", 403)])
def test_a_loopback_metrics_listener_answers_only_loopback_host_names(fresh_servers, host, status):
    proc, port = start_with_metrics(fresh_servers, "metrics-host-" + host)
    with new_http_client() as c:
        r = c.get(metrics_url(port), headers={"Host": f"{host}:{port}"})
    assert r.status_code == status, (host, r.status_code, r.text[:200])


def test_an_http_sse_session_counts_as_http_sse_whatever_version_it_negotiates(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "sse-2025")
    sse = SSEConnection(proc.url)
    try:
        resp = sse.request("initialize", initialize_params("2025-06-18"), 1)
        assert resp["result"]["protocolVersion"] == "2025-06-18", resp
        assert sse.post(notification("notifications/initialized")) == 202
        assert "result" in sse.request("tools/call", {"name": "echo", "arguments": {"text": "x"}}, 2)
    finally:
        sse.close()
    s = scrape(port)
    assert s.nonzero_requests() == {counter_key("http_sse", "initialize"): 1, counter_key("http_sse", "tools/call", "echo"): 1}


def test_build_info_and_process_figures_describe_the_server_process(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "process")
    s = scrape(port)
    info = s.find("portico_build_info")
    version = run_until_exit([portico_bin(), "--version"], timeout=20)[1].strip()
    assert len(info) == 1 and info[0][1] == 1 and info[0][0]["version"] == version, (info, version)
    assert re.match(r"^\d+(\.\d+)?$", info[0][0]["swift"]), info
    pid = proc.proc.pid
    soft = None
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft = int(line.split()[3])
    assert s.value("process_max_fds") == soft, (s.value("process_max_fds"), soft)
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    assert abs(s.value("process_open_fds") - fds) <= 4, (s.value("process_open_fds"), fds)
    rss_kb = next(int(l.split()[1]) for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("VmRSS"))
    assert 0.5 <= s.value("process_resident_memory_bytes") / (rss_kb * 1024) <= 2.0, (s.value("process_resident_memory_bytes"), rss_kb)
    assert s.value("portico_event_log_limit_bytes") > 0 and s.value("portico_event_log_bytes") == 0


def test_metrics_port_on_the_command_line_overrides_the_config(fresh_servers):
    config_port, cli_port = free_ports(2)
    proc = fresh_servers.start("override", {"metrics": {"port": config_port}}, "--metrics-port", str(cli_port))
    wait_listening(cli_port)
    assert refuses_connections(config_port), "metrics.port from the config must not be bound when --metrics-port is given"
    echo(proc.url, "x")


# --------------------------------------------------------------------------------------------
# 2. gauges read at scrape
# --------------------------------------------------------------------------------------------


def test_open_streams_sessions_and_listen_gauges_follow_streams_open_and_closed(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "gauges")
    url = proc.url
    s0 = scrape(port)
    assert s0.streams() == {k: 0 for k in STREAM_KINDS}, s0.streams()
    assert (s0.value("portico_sessions"), s0.value("portico_http_sse_connections"),
            s0.value("portico_listen_subscribers")) == (0, 0, 0)

    held: list[RawStream] = []
    session = legacy_session(url, "2025-11-25")
    sse = None
    try:
        listen = open_listen(url, {"toolsListChanged": True}, 7)
        held.append(listen)
        assert listen.status == 200 and listen.wait_for(lambda r: bool(r.messages), 5), listen.body_text[:300]
        get = open_legacy_get(session)
        held.append(get)
        assert get.status == 200 and get.is_sse, (get.status, get.body_text[:300])
        sse = SSEConnection(url)
        sse.initialize()
        # A POST answered as SSE: slow_count with a progress token streams progress before its result.
        p = modern_params({"name": "slow_count", "arguments": {"n": 200, "delay_ms": 100}, "_meta": {"progressToken": "g"}})
        reply = RawStream(url, "POST", modern_headers("tools/call", p), rpc("tools/call", p, 8))
        held.append(reply)
        assert reply.status == 200 and reply.is_sse, (reply.status, reply.body_text[:300])
        assert reply.wait_for(lambda r: bool(r.notifications), 5), "no progress on the reply stream"

        want = {"reply": 1, "get": 1, "listen": 1, "http_sse": 1}
        s = wait_scrape(port, lambda s: s.streams() == want, what=f"open_streams {want}")
        assert s.value("portico_listen_subscribers") == 1
        assert s.value("portico_sessions") == 2, "the 2025-11-25 session and the 2024-11-05 one"
        assert s.value("portico_http_sse_connections") == 1
        assert s.value("portico_requests_total", era="stateless", method="subscriptions/listen", tool="",
                       outcome="ok") == 1
        assert s.value("portico_request_duration_seconds_count", method="subscriptions/listen") == 0, \
            "a listen stream has no duration sample"

        # Dropping the reply stream cancels the call: outcome `cancelled`.
        reply.drop()
        listen.drop()
        get.drop()
        sse.close()
        assert session.delete() in (200, 202, 204)
        zero = {k: 0 for k in STREAM_KINDS}
        s = wait_scrape(port, lambda s: s.streams() == zero and s.value("portico_sessions") == 0
                        and s.value("portico_listen_subscribers") == 0
                        and s.value("portico_http_sse_connections") == 0
                        and s.value("portico_requests_total", era="stateless", method="tools/call",
                                    tool="slow_count", outcome="cancelled") == 1,
                        what="every gauge back at 0 and the dropped call counted as cancelled")
        assert s.value("portico_requests_total", era="stateless", method="tools/call", tool="slow_count",
                       outcome="ok") == 0
    finally:
        for r in held:
            r.drop()
        if sse:
            sse.close()
        session.close()


def test_legacy_reply_stream_resumption_and_the_event_log_bytes(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "resume")
    url = proc.url
    session = legacy_session(url, "2025-11-25")
    try:
        body = rpc("tools/call", {"name": "slow_count", "arguments": {"n": 12, "delay_ms": 100},
                                  "_meta": {"progressToken": "r"}}, 77)
        reply = RawStream(url, "POST", session.headers(), body)
        assert reply.status == 200 and reply.wait_for(lambda r: len(r.notifications) >= 2, 5), reply.body_text[:300]
        s = wait_scrape(port, lambda s: s.streams()["reply"] == 1, what="one reply stream")
        assert s.value("portico_event_log_bytes") > 0, "a resumable reply keeps its events"
        last_id = [e.id for e in reply.events if e.id][-1]
        reply.drop()
        wait_scrape(port, lambda s: s.streams() == {k: 0 for k in STREAM_KINDS}, what="the reply stream closed")
        with open_legacy_get(session, last_id) as resumed:
            assert resumed.status == 200, (resumed.status, resumed.body_text[:300])
            wait_scrape(port, lambda s: s.streams()["get"] == 1 and s.streams()["reply"] == 0, what="one GET stream")
            assert resumed.read_all(15) and resumed.response_for(77), resumed.body_text[-300:]
        s = wait_scrape(port, lambda s: s.streams()["get"] == 0, what="the resumed stream closed")
        assert s.value("portico_event_log_bytes") > 0 and s.value("portico_sessions") == 1
        assert s.value("portico_requests_total", era="session", method="tools/call", tool="slow_count", outcome="ok") == 1
        assert session.delete() in (200, 202, 204)
        s = wait_scrape(port, lambda s: s.value("portico_sessions") == 0, what="the session gone")
        assert s.value("portico_event_log_bytes") == 0, "a deleted session's events must be released"
    finally:
        session.close()


def test_a_refused_listen_is_counted_as_an_error_without_a_stream(fresh_servers):
    proc, port = start_with_metrics(fresh_servers, "listen-refused")
    with open_listen(proc.url, ..., 3) as refused:  # `notifications` missing
        refused.read_all(5)
        assert refused.status == 400, (refused.status, refused.body_text[:300])
    s = scrape(port)
    assert s.nonzero_requests() == {counter_key("stateless", "subscriptions/listen", "", "error"): 1}
    assert s.streams()["listen"] == 0 and s.value("portico_listen_subscribers") == 0


# --------------------------------------------------------------------------------------------
# 3. auth failures by reason
# --------------------------------------------------------------------------------------------


@dataclass
class KeysServer:
    proc: ServerProcess
    port: int
    keys: dict[str, str]


@pytest.fixture(scope="module")
def keys_server(server_pool) -> KeysServer:
    ci_key, ci_entry = portico_new_key(portico_bin(), "ci", ["mcp"])
    bare_key = "pk_" + uuid.uuid4().hex + uuid.uuid4().hex[:11]
    entries = [ci_entry, {"name": "bare", "hash": api_key_hash(bare_key), "scopes": ["other"]}]
    config = {**JSON_LOG, "auth": {"enabled": True, "resource": "http://127.0.0.1:1/mcp", "required_scopes": ["mcp"],
                                   "issuers": [], "api_keys": entries,
                                   "rules": [{"tool": "add", "scopes": ["mcp:write"]}]}}
    (port,) = free_ports(1)
    proc = server_pool.get("keys", config, "--metrics-port", str(port))
    wait_listening(port)
    return KeysServer(proc, port, {"ci": ci_key, "bare": bare_key})


def _tools_list(url: str, headers: list[tuple[str, str]]) -> int:
    """A stateless tools/list with `headers` sent as given (repeats kept) to `url` (its query kept:
    mcpwire.exact_post sends only the path)."""
    import http.client
    from urllib.parse import urlsplit

    p = modern_params({})
    body = json.dumps(rpc("tools/list", p, 1)).encode()
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    try:
        conn.putrequest("POST", u.path + (f"?{u.query}" if u.query else ""), skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", u.netloc)
        for k, v in list(modern_headers("tools/list", p).items()) + headers:
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


UNKNOWN_KEY = "pk_" + "A" * 43

# name: (how to send, HTTP status, reason counted[, requests counted per send: only a legacy session's initialize])
AUTH_CASES = {
    "no-credential": (lambda k, url: _tools_list(url, []), 401, "missing_credential"),
    "basic-scheme": (lambda k, url: _tools_list(url, [("Authorization", "Basic dXNlcjpwdw==")]), 401, "missing_credential"),
    "unknown-api-key": (lambda k, url: _tools_list(url, [("Authorization", f"Bearer {UNKNOWN_KEY}")]), 401, "unknown_api_key"),
    "two-authorization-headers": (lambda k, url: _tools_list(url, [("Authorization", f"Bearer {k['ci']}"),
                                                                  ("Authorization", f"Bearer {k['ci']}")]), 400, "invalid_request"),
    "token-in-query": (lambda k, url: _tools_list(url + f"?access_token={k['ci']}", [("Authorization", f"Bearer {k['ci']}")]),
                       400, "invalid_request"),
    "key-without-base-scope": (lambda k, url: _tools_list(url, [("Authorization", f"Bearer {k['bare']}")]), 403, "insufficient_scope"),
    "oversized-token": (lambda k, url: _tools_list(url, [("Authorization", "Bearer " + "a" * 20000)]), 401, "too_large"),
    "neither-key-nor-jwt": (lambda k, url: _tools_list(url, [("Authorization", "Bearer not-a-token")]), 401, "malformed"),
    "sse-get-without-credential": (lambda k, url: _get_sse(url, []), 401, "missing_credential"),
    "sse-get-unknown-api-key": (lambda k, url: _get_sse(url, [("Authorization", f"Bearer {UNKNOWN_KEY}")]), 401,
                                "unknown_api_key"),
    "tool-rule-scope-modern": (lambda k, url: _add_modern(url, k["ci"]), 403, "insufficient_scope"),
    "tool-rule-scope-legacy": (lambda k, url: _add_legacy(url, k["ci"]), 403, "insufficient_scope",
                               {counter_key("session", "initialize"): 1}),
    # A batch element cannot carry a 403: it gets an in-band error, counted like the 403.
    "tool-rule-scope-batch": (lambda k, url: _add_batch(url, k["ci"]), 200, "insufficient_scope",
                              {counter_key("session", "initialize"): 1, counter_key("session", "ping"): 1}),
}


def _add_batch(url: str, key: str) -> int:
    s = LegacySession(url, "2025-03-26")
    s.client.headers["Authorization"] = f"Bearer {key}"
    try:
        s.initialize()
        assert s.session_id, s.init_exchange.raw[:300]
        with new_http_client() as c:
            r = c.post(url, content=json.dumps([rpc("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, 5),
                                               rpc("ping", {}, 6)]).encode(),
                       headers={**s.headers(), "Authorization": f"Bearer {key}"})
        replies = {m["id"]: m for m in r.json()}
        assert "Forbidden" in replies[5]["error"]["message"] and "result" in replies[6], replies
        return r.status_code
    finally:
        s.delete()
        s.close()


def _get_sse(url: str, headers: list[tuple[str, str]]) -> int:
    with RawStream(url.rsplit("/mcp", 1)[0] + "/sse", "GET", {"Accept": "text/event-stream", **dict(headers)}) as rs:
        return rs.status or 0


def _add_modern(url: str, key: str) -> int:
    ex, _ = modern(url, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, 1,
                   headers={"Authorization": f"Bearer {key}"})
    return ex.status


def _add_legacy(url: str, key: str) -> int:
    s = LegacySession(url, "2025-11-25")
    s.client.headers["Authorization"] = f"Bearer {key}"
    try:
        s.initialize()
        assert s.session_id, s.init_exchange.raw[:300]
        ex, _ = s.request("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}})
        return ex.status
    finally:
        s.delete()
        s.close()


@pytest.mark.parametrize("case", list(AUTH_CASES))
@pytest.mark.parametrize("times", [1, 3])
def test_auth_refusals_are_counted_by_reason_and_not_as_requests(keys_server, case, times):
    send, status, reason, *rest = AUTH_CASES[case]
    counted = rest[0] if rest else {}
    before = scrape(keys_server.port)
    for _ in range(times):
        assert send(keys_server.keys, keys_server.proc.url) == status, case
    after = scrape(keys_server.port)
    delta = {r: after.auth_failures()[r] - before.auth_failures()[r] for r in AUTH_REASONS}
    assert delta == {r: (times if r == reason else 0) for r in AUTH_REASONS}, f"{case}: {delta}"
    grown = {k: v - before.requests().get(k, 0) for k, v in after.requests().items() if v != before.requests().get(k, 0)}
    assert grown == {k: v * times for k, v in counted.items()}, \
        f"{case}: a request refused by the gate is not a counted MCP request; grew: {grown}"


def test_an_admitted_key_is_the_log_lines_principal_and_a_counted_request(keys_server):
    url = keys_server.proc.url
    before = scrape(keys_server.port)
    rid = "auth-" + uuid.uuid4().hex
    echo(url, "as ci", headers={"Authorization": f"Bearer {keys_server.keys['ci']}", "X-Request-ID": rid})
    after = scrape(keys_server.port)
    key = counter_key("stateless", "tools/call", "echo")
    assert after.requests()[key] - before.requests().get(key, 0) == 1
    assert after.auth_failures() == before.auth_failures()
    lines = wait_lines(keys_server.proc, lambda ls: any(l["request_id"] == rid for l in ls), what=f"request {rid}")
    line = next(l for l in lines if l["request_id"] == rid)
    assert line["principal"] == "key:ci", line
    assert (line["mcp.method"], line["mcp.tool"], line["http.status"]) == ("tools/call", "echo", 200), line
    refused = [l for l in lines if l["http.status"] == 401]
    assert refused and all("principal" not in l for l in refused), refused[:3]


JWT_RESOURCE = "http://127.0.0.1:1/mcp"  # the audience: an identifier only


@dataclass
class JWTServer:
    proc: ServerProcess
    port: int
    authz: AuthServer
    key: SigningKey
    stranger: SigningKey


@pytest.fixture(scope="module")
def jwt_server(server_pool):
    authz = AuthServer().start()
    key = authz.add_key("rsa")
    stranger = SigningKey.generate("rsa")  # never published
    issuer = {"issuer": authz.issuer, "jwks_url": None, "audience": None, "algorithms": ["RS256"]}
    config = {**JSON_LOG, "auth": {"enabled": True, "resource": JWT_RESOURCE, "required_scopes": ["mcp"],
                                   "leeway_seconds": 60, "issuers": [issuer]}}
    (port,) = free_ports(1)
    proc = server_pool.get("jwt", config, "--metrics-port", str(port))
    wait_listening(port)
    yield JWTServer(proc, port, authz, key, stranger)
    authz.stop()


def _bearer(token: str) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {token}")]


# name: (token maker, reason counted)
JWT_CASES = {
    "expired": (lambda j: j.authz.mint(j.key, JWT_RESOURCE, lifetime=-3600, iat=int(time.time()) - 7200,
                                       nbf=int(time.time()) - 7200), "expired"),
    "not-yet-valid": (lambda j: j.authz.mint(j.key, JWT_RESOURCE, nbf=int(time.time()) + 3600), "not_yet_valid"),
    "wrong-audience": (lambda j: j.authz.mint(j.key, "http://127.0.0.1:2/elsewhere"), "wrong_audience"),
    "unpublished-key": (lambda j: j.authz.mint(j.stranger, JWT_RESOURCE), "unknown_key"),
    "bad-signature": (lambda j: j.authz.mint(j.stranger, JWT_RESOURCE, headers={"kid": j.key.kid}), "bad_signature"),
    "hs256-with-the-public-key": (lambda j: hs256_with_public_key(j.key, j.authz.claims(JWT_RESOURCE)),
                                  "algorithm_not_allowed"),
    "no-mcp-scope": (lambda j: j.authz.mint(j.key, JWT_RESOURCE, scope="other"), "insufficient_scope"),
}


@pytest.mark.parametrize("case", list(JWT_CASES))
def test_jwt_refusals_are_counted_by_reason(jwt_server, case):
    make, reason = JWT_CASES[case]
    token = make(jwt_server)
    before = scrape(jwt_server.port)
    status = _tools_list(jwt_server.proc.url, _bearer(token))
    assert status in (401, 403), (case, status)
    after = scrape(jwt_server.port)
    delta = {r: after.auth_failures()[r] - before.auth_failures()[r] for r in AUTH_REASONS}
    assert delta == {r: (1 if r == reason else 0) for r in AUTH_REASONS}, f"{case}: {delta}"
    assert after.requests() == before.requests()


def test_a_valid_jwt_is_admitted_uncounted_as_a_failure(jwt_server):
    before = scrape(jwt_server.port)
    assert _tools_list(jwt_server.proc.url, _bearer(jwt_server.authz.mint(jwt_server.key, JWT_RESOURCE))) == 200
    after = scrape(jwt_server.port)
    assert after.auth_failures() == before.auth_failures()
    key = counter_key("stateless", "tools/list")
    assert after.requests()[key] - before.requests().get(key, 0) == 1


# --------------------------------------------------------------------------------------------
# 4. the stdio bridge
# --------------------------------------------------------------------------------------------

BRIDGE_CALLS = 4


def bridge_figures(s: Scrape, source: str = "fx") -> dict[str, float | None]:
    return {name: s.value(f"portico_bridge_{name}", source=source)
            for name in ("children", "children_up", "child_restarts_total", "in_flight")}


def test_bridge_children_restarts_in_flight_and_call_durations(fresh_servers):
    source = {"name": "fx", "command": [PY, FIXTURE], "env": {"FIXTURE_NAME": "fx"}, "pool": 2, "prefix": "fx_",
              "restart_backoff_seconds": 0.2}
    config = {"limits": {"call_timeout_seconds": 120}, "tools": {"packs": []}, "sources": {"stdio": [source]}}
    proc, port = start_with_metrics(fresh_servers, "bridge", config)
    url = proc.url
    s = wait_scrape(port, lambda s: s.value("portico_bridge_children_up", source="fx") == 2, 30, "2 children up")
    assert bridge_figures(s) == {"children": 2, "children_up": 2, "child_restarts_total": 0, "in_flight": 0}
    assert s.families["portico_bridge_child_restarts"].type == "counter"
    assert s.value("portico_bridge_call_duration_seconds_count", source="fx") == 0, "no call yet"

    for i in range(BRIDGE_CALLS):
        echo_resp = modern(url, "tools/call", {"name": "fx_echo", "arguments": {"text": f"b{i}"}}, i + 1)[1]
        assert echo_resp and echo_resp["result"]["content"][0]["text"] == f"b{i}", echo_resp
    s = scrape(port)
    assert s.value("portico_bridge_call_duration_seconds_count", source="fx") == BRIDGE_CALLS
    assert s.value("portico_requests_total", era="stateless", method="tools/call", tool="fx_echo", outcome="ok") == BRIDGE_CALLS
    assert s.value("portico_tool_duration_seconds_count", tool="fx_echo") == BRIDGE_CALLS

    # One call held in a child: in_flight 1 while it runs.
    p = modern_params({"name": "fx_sleep_echo", "arguments": {"text": "held", "ms": 1500}})
    held = RawStream(url, "POST", modern_headers("tools/call", p), rpc("tools/call", p, 50), read_head=False)
    try:
        wait_scrape(port, lambda s: s.value("portico_bridge_in_flight", source="fx") == 1, 10, "in_flight 1")
        held.read_head(10)
        assert held.wait_for_response(50, 10), held.body_text[-300:]
    finally:
        held.drop()
    wait_scrape(port, lambda s: s.value("portico_bridge_in_flight", source="fx") == 0, 10, "in_flight 0")

    # A child dies mid-call: the call fails, the child is restarted once.
    ex, resp = modern(url, "tools/call", {"name": "fx_crash", "arguments": {"code": 3}}, 60)
    assert resp and "error" in resp, ex.raw[:300]
    s = wait_scrape(port, lambda s: s.value("portico_bridge_child_restarts_total", source="fx") == 1
                    and s.value("portico_bridge_children_up", source="fx") == 2, 30, "1 restart and 2 children up")
    assert bridge_figures(s) == {"children": 2, "children_up": 2, "child_restarts_total": 1, "in_flight": 0}
    calls = BRIDGE_CALLS + 2  # the echoes, sleep_echo, crash
    assert s.value("portico_bridge_call_duration_seconds_count", source="fx") == calls
    assert s.value("portico_bridge_call_duration_seconds_bucket", source="fx", le="+Inf") == calls
    assert s.value("portico_requests_total", era="stateless", method="tools/call", tool="fx_crash", outcome="error") == 1
    assert s.value("portico_bridge_call_duration_seconds_sum", source="fx") >= 1.5, "sleep_echo held 1.5 s"


def test_per_session_children_are_counted_and_are_not_restarts(fresh_servers):
    source = {"name": "ps", "command": [PY, FIXTURE], "env": {"FIXTURE_NAME": "ps"}, "prefix": "ps_", "mode": "per-session"}
    config = {"tools": {"packs": []}, "sources": {"stdio": [source]}}
    proc, port = start_with_metrics(fresh_servers, "per-session", config)
    s = wait_scrape(port, lambda s: s.value("portico_bridge_children_up", source="ps") == 1, 30, "the shared child up")
    assert bridge_figures(s, "ps") == {"children": 1, "children_up": 1, "child_restarts_total": 0, "in_flight": 0}
    sessions = [legacy_session(proc.url, "2025-11-25") for _ in range(2)]
    try:
        pids = set()
        for sess in sessions:
            _, r = sess.request("tools/call", {"name": "ps_whoami", "arguments": {}}, timeout=30)
            assert r and "result" in r, r
            pids.add(r["result"]["structuredContent"]["pid"])
        assert len(pids) == 2, "each session has its own child"
        s = wait_scrape(port, lambda s: s.value("portico_bridge_children", source="ps") == 3
                        and s.value("portico_bridge_children_up", source="ps") == 3, 30, "3 children up")
        assert s.value("portico_bridge_child_restarts_total", source="ps") == 0, "a new session's child is no restart"
        assert s.value("portico_bridge_call_duration_seconds_count", source="ps") == 2
        for sess in sessions:
            assert sess.delete() in (200, 202, 204)
        s = wait_scrape(port, lambda s: s.value("portico_bridge_children", source="ps") == 1, 30,
                        "the session children stopped")
        assert bridge_figures(s, "ps") == {"children": 1, "children_up": 1, "child_restarts_total": 0, "in_flight": 0}
    finally:
        for sess in sessions:
            sess.close()


# --------------------------------------------------------------------------------------------
# 5. nginx in front (`portico up`)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx_binary()
    LOG_DIR.mkdir(exist_ok=True)
    s = Stack(state=tmp_path_factory.mktemp("edge-metrics") / "stack", config=dict(JSON_LOG),
                     log_path=LOG_DIR / "test_metrics-stack.stderr.log")
    try:
        s.start()
    except Exception:
        s.stop()
        raise
    wait_listening(s.metrics_port)
    yield s
    assert s.stop() == 0, "portico up must exit 0 on SIGTERM"


def nginx_requests(s: Scrape) -> float:
    v = s.value("portico_nginx_http_requests_total")
    assert v is not None, "no portico_nginx_http_requests_total"
    return v


def test_nginx_figures_are_scraped_from_stub_status(stack):
    s = scrape(stack.metrics_port)
    assert s.value("portico_nginx_up") == 1
    for state in ("active", "reading", "writing", "waiting"):
        assert s.families[f"portico_nginx_connections_{state}"].type == "gauge"
        assert s.value(f"portico_nginx_connections_{state}") >= 0
    for name in ("connections_accepted", "connections_handled", "http_requests"):
        assert s.families[f"portico_nginx_{name}"].type == "counter", name
    # The scrape's own stub_status request is one active, writing connection.
    assert s.value("portico_nginx_connections_active") >= 1 and s.value("portico_nginx_connections_writing") >= 1
    assert s.value("portico_nginx_connections_handled_total") <= s.value("portico_nginx_connections_accepted_total")


@pytest.mark.parametrize("k", [1, 5])
def test_nginx_request_counter_grows_by_the_requests_sent_plus_the_scrapes_own(stack, k):
    # stub_status counts every request nginx serves, its own included: a scrape adds exactly 1.
    first = nginx_requests(scrape(stack.metrics_port))
    idle = nginx_requests(scrape(stack.metrics_port))
    assert idle - first == 1, f"with no traffic the counter must grow by the scrape's own request, got {idle - first}"
    with stack.client() as http:
        for i in range(k):
            r = http.get(f"https://127.0.0.1:{stack.https_port}/healthz")
            assert r.status_code == 200, r.status_code
    after = nginx_requests(scrape(stack.metrics_port))
    assert after - idle == k + 1, f"{k} requests through nginx + 1 stub_status read; counter grew by {after - idle}"


def test_x_request_id_joins_the_app_log_and_the_nginx_access_log(stack):
    texts = [f"join-{uuid.uuid4().hex[:8]}-{i}" for i in range(3)]
    before = {l["request_id"] for l in request_lines(stack.log_path)}
    logged_before = {l.get("request_id") for l in stack.access_log()}
    m_before = scrape(stack.metrics_port)
    with stack.client() as http:
        for i, text in enumerate(texts):
            p = modern_params({"name": "echo", "arguments": {"text": text}})
            r = http.post(stack.https_url, json=rpc("tools/call", p, i + 1), headers=modern_headers("tools/call", p))
            assert r.status_code == 200 and text in r.text, (r.status_code, r.text[:300])
    app = wait_lines(stack.log_path, lambda ls: len([l for l in ls if l["request_id"] not in before]) >= len(texts),
                     what="the app's lines for the requests through nginx")
    app_ids = {l["request_id"] for l in app if l["request_id"] not in before}
    new_app = [l for l in app if l["request_id"] in app_ids]
    assert all(l["mcp.method"] == "tools/call" and l["mcp.tool"] == "echo" for l in new_app), new_app
    deadline = time.monotonic() + 10
    while True:
        access = [l for l in stack.access_log() if l.get("request_id") not in logged_before
                  and l.get("mcp_method") == "tools/call"]
        if len(access) >= len(texts) or time.monotonic() >= deadline:
            break
        time.sleep(0.05)  # polling nginx's access log under a deadline
    nginx_ids = {l["request_id"] for l in access}
    assert len(app_ids) == len(texts) and nginx_ids == app_ids, (
        f"request ids differ between the app log {sorted(app_ids)} and nginx's access log {sorted(nginx_ids)}")
    assert all(HEX32.match(i) for i in app_ids), app_ids
    m_after = scrape(stack.metrics_port)
    key = counter_key("stateless", "tools/call", "echo")
    assert m_after.requests()[key] - m_before.requests().get(key, 0) == len(texts)


STUB_BODY = ("Active connections: 291 \nserver accepts handled requests\n 16630948 16630947 31070465 \n"
             "Reading: 6 Writing: 179 Waiting: 106 \n")
STUB_FIGURES = {"connections_active": 291, "connections_reading": 6, "connections_writing": 179,
                "connections_waiting": 106, "connections_accepted_total": 16630948,
                "connections_handled_total": 16630947, "http_requests_total": 31070465}


class FakeStubStatus:
    """A stand-in stub_status page on 127.0.0.1 that counts its reads."""

    def __init__(self, status: int, body: str):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.hits = 0
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                with outer.lock:
                    outer.hits += 1
                data = body.encode()
                self.send_response(status if self.path == "/nginx_status" else 404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


# name: (HTTP status of the page, its body; None = nothing listens), nginx_up
STUB_CASES = {
    "answers": ((200, STUB_BODY), 1),
    "http-500": ((500, STUB_BODY), 0),
    "not-a-stub-status-page": ((200, "hello, I am not nginx\n"), 0),
    "nothing-listens": (None, 0),
}


@pytest.mark.parametrize("case", list(STUB_CASES))
def test_nginx_status_url_is_read_at_each_scrape(fresh_servers, case):
    page, up = STUB_CASES[case]
    fake = FakeStubStatus(*page) if page else None
    stub_port = fake.port if fake else free_ports(1)[0]
    try:
        config = {"metrics": {"nginx_status_url": f"http://127.0.0.1:{stub_port}/nginx_status"}}
        proc, port = start_with_metrics(fresh_servers, "stub-" + case, config)
        hits = fake.hits if fake else 0
        s = scrape(port)
        if fake:
            assert fake.hits - hits == 1, f"one stub_status read per scrape, got {fake.hits - hits}"
        assert s.value("portico_nginx_up") == up, s.value("portico_nginx_up")
        figures = {name: s.value(f"portico_nginx_{name}") for name in STUB_FIGURES}
        if up:
            assert figures == STUB_FIGURES, figures
            assert s.families["portico_nginx_http_requests"].type == "counter"
        else:
            assert set(figures.values()) == {None}, f"no connection figures when the page does not answer: {figures}"
        echo(proc.url, "unaffected")
        rc, out, err = run_until_exit([portico_bin(), "status", "--metrics-port", str(port), "--once", "--json",
                                       "--interval", "0.2"], timeout=20)
        assert rc == 0, err
        shown = json.loads(out)
        assert shown["nginxUp"] is bool(up), shown
        want = {k.split("_")[1]: v for k, v in STUB_FIGURES.items() if k.split("_")[1] in ("active", "reading", "writing", "waiting")}
        assert shown["nginx"] == (want if up else {}), shown
    finally:
        if fake:
            fake.stop()


# --------------------------------------------------------------------------------------------
# 6. metrics off / 8. metrics port taken
# --------------------------------------------------------------------------------------------


def test_metrics_disabled_nothing_listens_and_the_server_still_serves(fresh_servers):
    (port,) = free_ports(1)
    proc = fresh_servers.start("disabled", {"metrics": {"enabled": False}}, "--metrics-port", str(port))
    echo(proc.url, "still serving")
    assert refuses_connections(port), f"metrics.enabled: false, yet something listens on {port}"
    echo(proc.url, "still serving after the probe")
    assert "metrics listener" not in log_tail(proc, 5000)


def test_metrics_port_already_taken_logs_an_error_and_mcp_still_serves(fresh_servers):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        proc = fresh_servers.start("taken", JSON_LOG, "--metrics-port", str(port))
        echo(proc.url, "serving without metrics")
        deadline = time.monotonic() + 10
        while True:
            errors = [r for r in log_records(proc) if r.get("level") == "error"]
            if errors or time.monotonic() >= deadline:
                break
            time.sleep(0.05)  # polling the log under a deadline
        assert len(errors) == 1, f"want one error line about the metrics listener; got {errors}; log: {log_tail(proc)}"
        assert "metrics listener" in errors[0]["message"] and str(port) in json.dumps(errors[0]), errors[0]
        assert proc.proc.poll() is None, "the server must keep running"
        echo(proc.url, "still serving")
    finally:
        holder.close()


def test_metrics_port_0_picks_a_free_port_named_in_the_log(fresh_servers):
    proc = fresh_servers.start("port-0", JSON_LOG, "--metrics-port", "0")
    deadline = time.monotonic() + 10
    while True:
        serving = [r for r in log_records(proc) if r.get("message") == "metrics listener is serving"]
        if serving or time.monotonic() >= deadline:
            break
        time.sleep(0.05)  # polling the log under a deadline
    assert len(serving) == 1, log_tail(proc)
    m = re.match(r"^http://127\.0\.0\.1:(\d+)/metrics$", serving[0].get("url", ""))
    assert m and int(m.group(1)) != 0, serving[0]
    echo(proc.url, "x")
    assert scrape(int(m.group(1))).value("portico_requests_total", era="stateless", method="tools/call", tool="echo",
                                         outcome="ok") == 1


# name: (config, extra serve args, key path named, message part)
BAD_METRICS = {
    "port-out-of-range": ({"metrics": {"port": 70000}}, [], "metrics.port", "between 0 and 65535"),
    "same-port-as-server": ({}, ["--port", "{free}", "--metrics-port", "{free}"], "metrics.port",
                            "must differ from server.port"),
    "nginx-status-not-loopback": ({"metrics": {"nginx_status_url": "http://example.com/nginx_status"}}, [],
                                  "metrics.nginx_status_url", "loopback"),
    "unknown-key": ({"metrics": {"prot": 1}}, [], "metrics.prot", ""),
}


@pytest.mark.parametrize("case", list(BAD_METRICS))
def test_bad_metrics_settings_are_refused_at_start(tmp_path, case):
    config, args, key, message = BAD_METRICS[case]
    (free,) = free_ports(1)
    args = [a.replace("{free}", str(free)) for a in args]
    path = write_config(tmp_path / "bad.yaml", config)
    cmd = [portico_bin(), "serve", "--config", str(path), "--host", "127.0.0.1"]
    if "--port" not in args:
        cmd += ["--port", "0"]
    if "--metrics-port" not in args and "port" not in config.get("metrics", {}):
        cmd += ["--metrics-port", str(free_ports(1)[0])]  # never the shared default 9464
    rc, out, err = run_until_exit(cmd + args, timeout=20)
    assert rc not in (0, None), f"{case}: the server started (rc={rc}); stderr: {err[-400:]}"
    assert key in err and message in err, err[-600:]
    assert "listening" not in out


# --------------------------------------------------------------------------------------------
# 7. portico status
# --------------------------------------------------------------------------------------------


def _burst_during(status: subprocess.Popen, call: Callable[[int], None], timeout: float = 20) -> int:
    """Calls `call` until `portico status` exits (it has then taken both its scrapes)."""
    calls = 0
    deadline = time.monotonic() + timeout
    while status.poll() is None and time.monotonic() < deadline:
        call(calls)
        calls += 1
    return calls


def _unknown_tool(url: str, i: int) -> None:
    ex, resp = modern(url, "tools/call", {"name": "no_such_tool", "arguments": {}}, i + 1)
    assert resp and "error" in resp, ex.raw[:200]


# name: (one call of the burst, errors per call)
BURSTS = {
    "echo": (lambda url, i: echo(url, f"burst-{i}", rid=i + 1), 0),
    "unknown-tool": (_unknown_tool, 1),
}


@pytest.mark.parametrize("burst", list(BURSTS))
def test_status_once_json_reports_the_burst_of_calls(fresh_servers, burst):
    call, errors_per_call = BURSTS[burst]
    proc, port = start_with_metrics(fresh_servers, "status-" + burst)
    session = legacy_session(proc.url, "2025-11-25")
    try:
        status = subprocess.Popen([portico_bin(), "status", "--metrics-port", str(port), "--once", "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        calls = _burst_during(status, lambda i: call(proc.url, i))
        out, err = status.communicate(timeout=10)
    finally:
        session.delete()
        session.close()
    assert status.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) == 1, lines
    figures = json.loads(lines[0])
    assert set(figures) == STATUS_KEYS, set(figures)
    assert figures["nginxUp"] is None, "no nginx in front: null, not false"
    assert calls >= 2
    # Only tools/call requests fall inside the interval: every rate is the same count over the same time.
    assert figures["callsPerSecond"] > 0 and figures["requestsPerSecond"] == figures["callsPerSecond"], figures
    assert figures["errorsPerSecond"] == figures["callsPerSecond"] * errors_per_call, figures
    assert 0 < figures["p50Milliseconds"] <= figures["p99Milliseconds"] <= 60_000, figures
    assert figures["sessions"] == 1 and figures["listenSubscribers"] == 0, figures
    assert figures["openStreams"] == {k: 0 for k in STREAM_KINDS}, figures
    assert figures["children"] == {} and figures["childrenUp"] == {} and figures["nginx"] == {}, figures
    assert figures.get("nginxUp") is None, figures
    # The interval is about one second (the default): the rate cannot exceed every call made in 0.5 s.
    assert figures["callsPerSecond"] <= calls / 0.5, (figures, calls)


def test_status_reads_the_port_from_the_config_and_prints_a_table(fresh_servers, tmp_path):
    proc, port = start_with_metrics(fresh_servers, "status-table")
    path = write_config(tmp_path / "status.yaml", {"metrics": {"port": port}})
    status = subprocess.Popen([portico_bin(), "status", "--config", str(path), "--once", "--interval", "0.5"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _burst_during(status, lambda i: echo(proc.url, f"t{i}", rid=i + 1))
    out, err = status.communicate(timeout=10)
    assert status.returncode == 0, err.decode()
    text = out.decode()
    assert text.startswith(f"portico status  (127.0.0.1:{port}/metrics)\n"), text
    assert "\x1b[" not in text, "--once prints plain lines"
    for label in ("calls", "latency", "errors", "streams", "sessions"):
        assert re.search(rf"^{label} ", text, re.M), (label, text)
    assert re.search(r"^calls\s+[0-9.]+/s tools/call", text, re.M) and "0.0/s tools/call" not in text, text


def test_status_once_json_shows_stdio_children(fresh_servers):
    source = {"name": "fx", "command": [PY, FIXTURE], "env": {"FIXTURE_NAME": "fx"}, "pool": 2}
    config = {"tools": {"packs": []}, "sources": {"stdio": [source]}}
    proc, port = start_with_metrics(fresh_servers, "status-bridge", config)
    wait_scrape(port, lambda s: s.value("portico_bridge_children_up", source="fx") == 2, 30, "2 children up")
    rc, out, err = run_until_exit([portico_bin(), "status", "--metrics-port", str(port), "--once", "--json",
                                   "--interval", "0.2"], timeout=20)
    assert rc == 0, err
    figures = json.loads(out)
    assert figures["children"] == {"fx": 2} and figures["childrenUp"] == {"fx": 2}, figures
    assert set(figures) == STATUS_KEYS, set(figures)
    assert figures["callsPerSecond"] == 0 and figures.get("p50Milliseconds") is None, figures


def test_status_once_json_through_nginx_reports_nginx(stack):
    rc, out, err = run_until_exit([portico_bin(), "status", "--metrics-port", str(stack.metrics_port), "--once",
                                   "--json", "--interval", "0.2"], timeout=20)
    assert rc == 0, err
    figures = json.loads(out)
    assert figures["nginxUp"] is True, figures
    assert set(figures) == STATUS_KEYS, set(figures)
    assert set(figures["nginx"]) == {"active", "reading", "writing", "waiting"} and figures["nginx"]["active"] >= 1, figures


def test_status_against_a_port_that_is_not_a_metrics_listener_exits_non_zero(fresh_servers):
    proc = fresh_servers.start("status-wrong-port", None, "--metrics-port", str(free_ports(1)[0]))
    mcp_port = int(proc.host_port.rsplit(":", 1)[1])
    rc, out, err = run_until_exit([portico_bin(), "status", "--metrics-port", str(mcp_port), "--once", "--json"],
                                  timeout=20)
    assert rc not in (0, None), (rc, out, err)
    assert str(mcp_port) in err and out.strip() == "", (out, err)


@pytest.mark.parametrize("as_json", [False, True])
def test_status_against_a_closed_port_exits_non_zero_naming_the_port(as_json):
    (port,) = free_ports(1)
    assert refuses_connections(port)
    args = [portico_bin(), "status", "--metrics-port", str(port), "--once"] + (["--json"] if as_json else [])
    rc, out, err = run_until_exit(args, timeout=20)
    assert rc not in (0, None), (rc, out, err)
    assert str(port) in err and "metrics" in err, err
    assert out.strip() == "", out
