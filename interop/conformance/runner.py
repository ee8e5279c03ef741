#!/usr/bin/env python3
"""Portico's re-implementation of the official MCP conformance suite's *server* scenarios.

Source of truth: shared/docs/mcp-conformance.md §4 (catalog), §5 (fixture), §6 (checks).
Each scenario runs once per applicable protocol version (stateful wire for 2025-03-26 /
2025-06-18 / 2025-11-25, stateless wire for 2026-07-28), and every JSON-RPC message received
is validated against interop/schemas/<version>/schema.json (check `wire-schema-valid`).

Usage:
  python interop/conformance/runner.py --url http://127.0.0.1:PORT/mcp [--baseline FILE]
  python interop/conformance/runner.py --spawn [--baseline FILE]   # starts portico itself

Output: a scenario x version table, one JSON line per check in --results, and a final line
`N passed, N failed` (checks; failures covered by the baseline are not counted, stale
baseline entries are). Exit 1 on any FAILURE not in the baseline or any stale baseline entry.
Baseline YAML: `server: [ {scenario: name, version: v, reason: "..."} ]`.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import json
import re
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import httpx  # noqa: E402
import yaml  # noqa: E402

from mcpwire import (  # noqa: E402
    JSON_AND_SSE,
    LEGACY_VERSIONS,
    META_CAPS,
    META_INFO,
    META_LOGLEVEL,
    META_SERVERINFO,
    META_VERSION,
    MODERN_VERSION,
    Exchange,
    LegacySession,
    ServerProcess,
    WireValidator,
    exact_post,
    initialize_params,
    legacy_headers,
    modern_headers,
    modern_meta,
    modern_params,
    new_http_client,
    notification,
    post,
    rpc,
)

V0326, V0618, V1125, V2026 = "2025-03-26", "2025-06-18", "2025-11-25", MODERN_VERSION
ALL = (V0326, V0618, V1125, V2026)

SUCCESS, FAILURE, WARNING, INFO, SKIPPED = "SUCCESS", "FAILURE", "WARNING", "INFO", "SKIPPED"

SAMPLING_ANSWER = {
    "role": "assistant",
    "content": {"type": "text", "text": "This is a test response from the client"},
    "model": "test-model",
    "stopReason": "endTurn",
}
ELICIT_ANSWER = {"action": "accept", "content": {"username": "testuser", "email": "test@example.com"}}
ROOTS_ANSWER = {"roots": [{"uri": "file:///test/root", "name": "Test Root"}]}

NOT_IN_MILESTONE = [
    *(f"input-required-result-{n}" for n in (
        "basic-elicitation", "basic-sampling", "basic-list-roots", "request-state", "multiple-input-requests",
        "multi-round", "missing-input-response", "non-tool-request", "result-type", "unsupported-methods",
        "tampered-state", "capability-check", "ignore-extra-params", "validate-input")),
    *(f"tasks-{n}" for n in (
        "lifecycle", "capability-negotiation", "wire-fields", "request-state-removal", "mrtr-input",
        "request-headers", "dispatch-and-envelope", "status-notifications", "required-task-error",
        "mrtr-composition")),
    "server-stateless: sep-2575-server-sends-subscription-ack / -tags-subscription-id / "
    "-honors-notification-filter / -sends-tools-list-changed-on-subscription / "
    "-sends-prompts-list-changed-on-subscription (subscriptions/listen)",
]


# ============================================================================================
# Context
# ============================================================================================


@dataclass
class Check:
    scenario: str
    version: str
    id: str
    status: str
    message: str = ""
    details: Any = None

    def as_json(self) -> dict:
        d = {"scenario": self.scenario, "version": self.version, "id": self.id, "status": self.status,
             "message": self.message}
        if self.details is not None:
            d["details"] = self.details
        return d


class ScenarioError(Exception):
    """Abort the scenario; already-recorded checks stay."""


@dataclass
class Ctx:
    url: str
    scenario: str
    version: str
    checks: list[Check] = field(default_factory=list)
    wire_problems: list[dict] = field(default_factory=list)
    wire_count: int = 0
    sessions: list[LegacySession] = field(default_factory=list)
    _session: LegacySession | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    verbose: bool = False
    _next_id: int = 1000

    # -------- recording
    def check(self, id: str, ok: bool | None, message: str = "", details: Any = None,
              fail: str = FAILURE) -> bool:
        status = SUCCESS if ok else fail
        if ok is None:
            status = SKIPPED
        self.checks.append(Check(self.scenario, self.version, id, status, message, details))
        return bool(ok)

    def add(self, id: str, status: str, message: str = "", details: Any = None) -> None:
        self.checks.append(Check(self.scenario, self.version, id, status, message, details))

    @property
    def modern(self) -> bool:
        return self.version == V2026

    def nid(self) -> int:
        self._next_id += 1
        return self._next_id

    # -------- wire validation
    def observe(self, ex: Exchange, method: str | None, request: Any = None) -> Exchange:
        v = WireValidator.for_version(self.version)
        with self._lock:
            for m in ex.messages:
                self.wire_count += 1
                problems = v.validate(m, method)
                if problems:
                    self.wire_problems.append({"method": method, "message": _clip(m), "problems": problems})
            for p in ex.parse_errors:
                if "stream broken" not in p:
                    self.wire_problems.append({"method": method, "problems": [p]})
        return ex

    def finish_wire(self) -> None:
        if self.wire_count == 0 and not self.wire_problems:
            return
        if self.wire_problems:
            self.add("wire-schema-valid", FAILURE,
                     f"{len(self.wire_problems)} received message(s) violate schema/{self.version}/schema.json",
                     self.wire_problems[:10])
        else:
            self.add("wire-schema-valid", SUCCESS, f"{self.wire_count} received message(s) valid")

    # -------- transport helpers
    def http(self, timeout: float = 15.0) -> httpx.Client:
        return new_http_client(timeout)

    def session(self) -> LegacySession:
        """A stateful session initialized at self.version (one per scenario run)."""
        if self._session is None:
            s = LegacySession(self.url, self.version)
            s.responders = {
                "sampling/createMessage": lambda r: SAMPLING_ANSWER,
                "elicitation/create": lambda r: ELICIT_ANSWER,
                "roots/list": lambda r: ROOTS_ANSWER,
                "ping": lambda r: {},
            }
            ex = s.initialize()
            self.observe(ex, "initialize")
            resp = ex.response_for(1)
            self.sessions.append(s)
            if not resp or "result" not in resp:
                self.add("connect", FAILURE, f"initialize at {self.version} failed: HTTP {ex.status}",
                         {"body": ex.raw[:500]})
                raise ScenarioError("initialize failed")
            if resp["result"].get("protocolVersion") != self.version:
                self.add("connect", FAILURE,
                         f"requested {self.version}, server negotiated {resp['result'].get('protocolVersion')}")
                raise ScenarioError("version not negotiated")
            if s.initialized_status is not None and not (200 <= s.initialized_status < 300):
                self.add("connect", FAILURE, f"notifications/initialized answered HTTP {s.initialized_status}")
                raise ScenarioError("initialized rejected")
            self._session = s
        return self._session

    def call(self, method: str, params: dict | None = None, *, meta: dict | None = None,
             progress_token: Any = None, timeout: float = 15.0, rid: Any = None,
             headers: dict | None = None, accept: str = JSON_AND_SSE,
             stop_after: Callable[[Exchange], bool] | None = None) -> tuple[Exchange, dict | None]:
        """One request in the era of self.version; returns (exchange, response-or-None)."""
        params = dict(params or {})
        if progress_token is not None:
            params.setdefault("_meta", {})["progressToken"] = progress_token
        rid = self.nid() if rid is None else rid
        if self.modern:
            p = modern_params(params, meta)
            h = modern_headers(method, p, accept=accept)
            for k, v in (headers or {}).items():
                for e in [e for e in h if e.lower() == k.lower()]:
                    del h[e]
                if v is not None:
                    h[k] = v
            with self.http(timeout) as c:
                ex = post(c, self.url, rpc(method, p, rid), h, timeout=timeout, stop_after=stop_after)
        else:
            s = self.session()
            h = s.headers(accept=accept)
            h.update({k: v for k, v in (headers or {}).items() if v is not None})
            ex = post(s.client, self.url, rpc(method, params or None, rid), h, timeout=timeout,
                      on_server_request=s._answer, stop_after=stop_after)
        self.observe(ex, method)
        return ex, ex.response_for(rid)

    def result_or_fail(self, check_id: str, method: str, params: dict | None = None, **kw) -> dict:
        ex, resp = self.call(method, params, **kw)
        if not resp:
            self.add(check_id, FAILURE, f"{method}: no response (HTTP {ex.status})", {"body": ex.raw[:500]})
            raise ScenarioError(f"{method} had no response")
        if "error" in resp:
            self.add(check_id, FAILURE, f"{method}: JSON-RPC error {resp['error'].get('code')}: "
                                        f"{resp['error'].get('message')}", resp["error"])
            raise ScenarioError(f"{method} failed")
        if self.modern and resp["result"].get("resultType") != "complete":
            self.add(f"{check_id}-result-type", FAILURE,
                     f"{method}: 2026-07-28 result lacks resultType \"complete\" "
                     f"(got {resp['result'].get('resultType')!r})")
        return resp["result"]

    def close(self) -> None:
        for s in self.sessions:
            s.delete()
            s.close()


def _clip(m: Any, n: int = 600) -> Any:
    s = json.dumps(m)
    return m if len(s) <= n else s[:n] + "…"


# ============================================================================================
# Scenario registry
# ============================================================================================


@dataclass
class Scenario:
    name: str
    versions: tuple[str, ...]
    fn: Callable[[Ctx], None]
    pending: bool = False  # pending upstream (not in the official `active` suite)


SCENARIOS: list[Scenario] = []

S_0618 = (V0618, V1125)            # 06-18 <= v < 2026, stateful
S_0618_ALL = (V0618, V1125, V2026)  # 06-18+
S_1125_ALL = (V1125, V2026)


def scenario(name: str, versions: tuple[str, ...], pending: bool = False):
    def deco(fn):
        SCENARIOS.append(Scenario(name, versions, fn, pending))
        return fn
    return deco


# ---------------------------------------------------------------- transport (stateful)


@scenario("server-initialize", S_0618)
def s_server_initialize(ctx: Ctx) -> None:
    s = ctx.session()
    init = s.init_exchange.response_for(1)["result"]
    ok = bool(init.get("serverInfo", {}).get("name")) and isinstance(init.get("capabilities"), dict)
    ctx.check("server-initialize", ok, f"initialized at {ctx.version}", {"serverInfo": init.get("serverInfo")})
    with ctx.http() as c:
        ex = post(c, ctx.url, rpc("initialize", initialize_params(ctx.version), 1), legacy_headers())
        ctx.observe(ex, "initialize")
        sid = ex.headers.get("mcp-session-id")
        if sid is None:
            ctx.add("server-session-id-visible-ascii", INFO, "no Mcp-Session-Id issued")
        else:
            ctx.check("server-session-id-visible-ascii", re.fullmatch(r"[\x21-\x7E]+", sid) is not None,
                      f"session id {sid!r}")
            c.delete(ctx.url, headers=legacy_headers(sid, ctx.version))


@scenario("server-session-lifecycle", (V0326, V0618, V1125))
def s_session_lifecycle(ctx: Ctx) -> None:
    with ctx.http() as c:
        h = {"Content-Type": "application/json", "Accept": JSON_AND_SSE}  # no MCP-Protocol-Version
        ex = post(c, ctx.url, rpc("initialize", initialize_params(ctx.version), 1), h)
        ctx.observe(ex, "initialize")
        if not 200 <= ex.status < 300:
            ctx.add("server-session-initialize", FAILURE, f"initialize: HTTP {ex.status}", {"body": ex.raw[:300]})
            return
        sid = ex.headers.get("mcp-session-id")
        if not sid:
            ctx.add("server-session-lifecycle", INFO, "server issued no session id; lifecycle checks skipped")
            return
        h["Mcp-Session-Id"] = sid
        r = c.post(ctx.url, content=json.dumps(notification("notifications/initialized")).encode(), headers=h)
        ctx.check("server-session-initialized-accepted", 200 <= r.status_code < 300,
                  f"notifications/initialized: HTTP {r.status_code}")
        d = c.delete(ctx.url, headers=h)
        if d.status_code == 405:
            ctx.add("server-session-delete-accepted", SKIPPED, "DELETE not allowed (405)")
            return
        if 200 <= d.status_code < 300:
            ctx.add("server-session-delete-accepted", SUCCESS, f"DELETE: HTTP {d.status_code}")
        elif d.status_code == 404:
            ctx.add("server-session-delete-accepted", WARNING, "DELETE answered 404")
        else:
            ctx.add("server-session-delete-accepted", WARNING, f"DELETE: HTTP {d.status_code}")
        ex2 = post(c, ctx.url, rpc("tools/list", None, 2), h)
        ctx.observe(ex2, "tools/list")
        ctx.check("server-session-terminated-returns-404", ex2.status == 404,
                  f"tools/list after DELETE: HTTP {ex2.status}", {"body": ex2.raw[:300]})


def _three_concurrent(ctx: Ctx) -> list[Exchange | BaseException]:
    results: list[Exchange | BaseException] = [None] * 3  # type: ignore[list-item]
    if ctx.modern:
        p = modern_params({})
        hdrs = modern_headers("tools/list", p, accept="text/event-stream, application/json")
        mk = lambda i: (rpc("tools/list", p, 1000 + i), hdrs)  # noqa: E731
    else:
        s = ctx.session()
        hdrs = s.headers(accept="text/event-stream, application/json")
        mk = lambda i: (rpc("tools/list", None, 1000 + i), hdrs)  # noqa: E731

    first_event_delay: list[float | None] = [None] * 3

    def worker(i: int) -> None:
        body, h = mk(i)
        t0 = time.monotonic()
        try:
            with new_http_client(10) as c:
                def first(e: Exchange) -> bool:
                    if first_event_delay[i] is None and e.events:
                        first_event_delay[i] = time.monotonic() - t0
                    return False
                results[i] = post(c, ctx.url, body, h, timeout=10, stop_after=first)
        except BaseException as e:  # noqa: BLE001
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    for r in results:
        if isinstance(r, Exchange):
            ctx.observe(r, "tools/list")
    ctx._first_delays = first_event_delay  # type: ignore[attr-defined]
    return results


@scenario("server-sse-multiple-streams", S_1125_ALL)
def s_multiple_streams(ctx: Ctx) -> None:
    if not ctx.modern and not ctx.session().session_id:
        ctx.add("server-sse-multiple-streams", WARNING, "no session id")
    res = _three_concurrent(ctx)
    oks = [isinstance(r, Exchange) and 200 <= r.status < 300 and r.response_for(1000 + i) is not None
           for i, r in enumerate(res)]
    ctx.check("server-accepts-multiple-post-streams", all(oks),
              f"3 concurrent POSTs: {[r.status if isinstance(r, Exchange) else repr(r) for r in res]}")
    sse = [(i, r) for i, r in enumerate(res) if isinstance(r, Exchange) and r.is_sse]
    if not sse:
        ctx.add("server-sse-streams-functional", INFO, "all three answered application/json")
        return
    delays = ctx._first_delays  # type: ignore[attr-defined]
    slow = [i for i, _ in sse if delays[i] is None or delays[i] > 2.0]
    ctx.check("server-sse-streams-functional", not slow, f"first-event delays {delays}")


@scenario("server-sse-polling", (V1125,), pending=True)
def s_sse_polling(ctx: Ctx) -> None:
    listed = [t.get("name") for t in ctx.result_or_fail("server-sse-polling", "tools/list").get("tools", [])]
    if "test_reconnection" not in listed:
        ctx.add("server-sse-polling", WARNING, "tool test_reconnection not implemented (not listed)")
        return
    s = ctx.session()
    h = s.headers(accept="text/event-stream, application/json")
    with new_http_client(12) as c:
        ex = post(c, ctx.url, rpc("tools/call", {"name": "test_reconnection", "arguments": {}}, 1), h, timeout=10)
    ctx.observe(ex, "tools/call")
    if ex.status in (400, 404) or (ex.response_for(1) or {}).get("error", {}).get("code") in (-32601, -32602):
        ctx.add("server-sse-polling", WARNING, "tool test_reconnection not implemented")
        return
    if ex.is_json:
        ctx.add("server-sse-polling", INFO, "tools/call answered application/json; polling not exercised")
        return
    if not ex.events:
        ctx.add("server-sse-priming-event", WARNING, "no SSE events")
        return
    first = ex.events[0]
    ctx.check("server-sse-priming-event", first.id is not None and not first.data.strip(),
              f"first event id={first.id!r} data={first.data[:60]!r}", fail=WARNING)
    ctx.check("server-sse-retry-field", any(e.retry is not None for e in ex.events),
              "retry field present" if any(e.retry is not None for e in ex.events) else "no retry field",
              fail=WARNING)
    if ex.response_for(1) is not None:
        ctx.add("server-sse-disconnect-resume", INFO, "result arrived on the original stream (no disconnect)")
        return
    last_id = next((e.id for e in reversed(ex.events) if e.id is not None), None)
    if last_id is None:
        ctx.add("server-sse-disconnect-resume", WARNING, "stream closed without any event id to resume from")
        return
    gh = s.headers(accept="text/event-stream")
    gh["Last-Event-ID"] = last_id
    with new_http_client(6) as c:
        try:
            with c.stream("GET", ctx.url, headers=gh) as resp:
                from mcpwire import read_exchange
                ex2 = read_exchange(resp, wait_for_id=1, deadline=time.monotonic() + 5)
        except httpx.HTTPError as e:
            ctx.add("server-sse-disconnect-resume", WARNING, f"GET resume failed: {e!r}")
            return
    ctx.observe(ex2, "tools/call")
    ctx.check("server-sse-disconnect-resume", ex2.response_for(1) is not None,
              f"GET Last-Event-ID {last_id!r}: HTTP {ex2.status}, result "
              f"{'delivered' if ex2.response_for(1) else 'missing'}", fail=WARNING)


@scenario("dns-rebinding-protection", S_1125_ALL)
def s_dns_rebinding(ctx: Ctx) -> None:
    u = urlsplit(ctx.url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        ctx.add("localhost-host-rebinding-rejected", FAILURE, "needs a localhost URL")
        ctx.add("localhost-host-valid-accepted", FAILURE, "needs a localhost URL")
        return
    if ctx.modern:
        p = modern_params({})
        body, base = rpc("server/discover", p, 1), modern_headers("server/discover", p)
    else:
        body, base = rpc("initialize", initialize_params(ctx.version), 1), legacy_headers()

    def probe(host: str, origin: str) -> Exchange:
        hdrs = [(k, v) for k, v in base.items()] + [("Origin", origin)]
        return _post_with_host(ctx.url, host, hdrs, json.dumps(body).encode())

    bad = probe("evil.example.com", "http://evil.example.com")
    ctx.check("localhost-host-rebinding-rejected", 400 <= bad.status < 500,
              f"Host/Origin evil.example.com: HTTP {bad.status}")
    good = probe(u.netloc, f"http://{u.netloc}")
    ctx.observe(good, "server/discover" if ctx.modern else "initialize")
    ctx.check("localhost-host-valid-accepted", 200 <= good.status < 300, f"Host {u.netloc}: HTTP {good.status}")
    sid = good.headers.get("mcp-session-id")
    if sid and not ctx.modern:
        with ctx.http() as c:
            c.delete(ctx.url, headers=legacy_headers(sid, ctx.version))


def _post_with_host(url: str, host: str, headers: list[tuple[str, str]], body: bytes) -> Exchange:
    import http.client

    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.putrequest("POST", u.path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        for k, v in headers:
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        raw = r.read().decode("utf-8", errors="replace")
        hdrs = httpx.Headers(r.getheaders())
    finally:
        conn.close()
    ex = Exchange(status=r.status, headers=hdrs, content_type=hdrs.get("content-type", "").split(";")[0], raw=raw)
    from mcpwire import SSEParser
    if ex.is_sse:
        for ev in SSEParser().feed(raw + "\n\n"):
            if ev.data.strip():
                try:
                    ex.messages.append(json.loads(ev.data))
                except ValueError:
                    ex.parse_errors.append("bad SSE JSON")
    elif ex.is_json and raw.strip():
        try:
            ex.messages.append(json.loads(raw))
        except ValueError:
            ex.parse_errors.append("bad JSON")
    return ex


# ---------------------------------------------------------------- utilities


@scenario("logging-set-level", S_0618)
def s_logging_set_level(ctx: Ctx) -> None:
    ex, resp = ctx.call("logging/setLevel", {"level": "info"})
    ok = resp is not None and "result" in resp and not {k for k in resp["result"] if k != "_meta"}
    ctx.check("logging-set-level", ok, f"logging/setLevel → {_clip(resp, 200)}")


@scenario("ping", S_0618)
def s_ping(ctx: Ctx) -> None:
    ex, resp = ctx.call("ping")
    ok = resp is not None and "result" in resp and not {k for k in resp["result"] if k != "_meta"}
    ctx.check("ping", ok, f"ping → {_clip(resp, 200)}")


@scenario("completion-complete", S_0618_ALL)
def s_completion(ctx: Ctx) -> None:
    r = ctx.result_or_fail("completion-complete", "completion/complete", {
        "ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"},
        "argument": {"name": "arg1", "value": "test"},
    })
    vals = (r.get("completion") or {}).get("values")
    ctx.check("completion-complete", isinstance(vals, list), f"completion.values = {_clip(vals, 200)}")


# ---------------------------------------------------------------- tools


@scenario("tools-list", S_0618_ALL)
def s_tools_list(ctx: Ctx) -> None:
    r = ctx.result_or_fail("tools-list", "tools/list")
    tools = r.get("tools") or []
    bad = [t.get("name") for t in tools if not (t.get("name") and "description" in t and isinstance(t.get("inputSchema"), dict))]
    ctx.check("tools-list", bool(tools) and not bad, f"{len(tools)} tools; missing fields: {bad}")
    badn = [t.get("name") for t in tools
            if not (isinstance(t.get("name"), str) and re.fullmatch(r"[A-Za-z0-9_./-]{1,64}", t["name"]))]
    ctx.check("tools-name-format", not badn, f"invalid names: {badn}")


def _tool(ctx: Ctx, name: str, args: dict | None = None, **kw) -> tuple[Exchange, dict]:
    ex, resp = ctx.call("tools/call", {"name": name, "arguments": args or {}}, **kw)
    if not resp:
        ctx.add(f"{ctx.scenario}", FAILURE, f"tools/call {name}: no response (HTTP {ex.status})",
                {"body": ex.raw[:500]})
        raise ScenarioError("no response")
    if "error" in resp:
        ctx.add(f"{ctx.scenario}", FAILURE, f"tools/call {name}: JSON-RPC error {resp['error']}")
        raise ScenarioError("error")
    if ctx.modern and resp["result"].get("resultType") != "complete":
        ctx.add(f"{ctx.scenario}-result-type", FAILURE, f"resultType {resp['result'].get('resultType')!r}")
    return ex, resp["result"]


def _content(r: dict, typ: str) -> list[dict]:
    return [c for c in r.get("content") or [] if isinstance(c, dict) and c.get("type") == typ]


@scenario("tools-call-simple-text", S_0618_ALL)
def s_simple_text(ctx: Ctx) -> None:
    _, r = _tool(ctx, "test_simple_text")
    t = _content(r, "text")
    ctx.check("tools-call-simple-text", bool(t) and bool(t[0].get("text")), f"content {_clip(r.get('content'), 200)}")


def _b64ok(s: Any) -> bool:
    try:
        return isinstance(s, str) and bool(s) and base64.b64decode(s, validate=True) is not None
    except ValueError:
        return False


@scenario("tools-call-image", S_0618_ALL)
def s_image(ctx: Ctx) -> None:
    _, r = _tool(ctx, "test_image_content")
    i = _content(r, "image")
    ctx.check("tools-call-image", bool(i) and _b64ok(i[0].get("data")) and bool(i[0].get("mimeType")),
              f"content {_clip(r.get('content'), 200)}")


@scenario("tools-call-audio", S_0618_ALL)
def s_audio(ctx: Ctx) -> None:
    _, r = _tool(ctx, "test_audio_content")
    a = _content(r, "audio")
    ctx.check("tools-call-audio", bool(a) and _b64ok(a[0].get("data")) and bool(a[0].get("mimeType")),
              f"content {_clip(r.get('content'), 200)}")


@scenario("tools-call-embedded-resource", S_0618_ALL)
def s_embedded(ctx: Ctx) -> None:
    _, r = _tool(ctx, "test_embedded_resource")
    e = _content(r, "resource")
    res = (e[0].get("resource") or {}) if e else {}
    ctx.check("tools-call-embedded-resource", bool(res.get("uri")) and ("text" in res or "blob" in res),
              f"content {_clip(r.get('content'), 200)}")


@scenario("tools-call-mixed-content", S_0618_ALL)
def s_mixed(ctx: Ctx) -> None:
    _, r = _tool(ctx, "test_multiple_content_types")
    types = [c.get("type") for c in r.get("content") or []]
    ctx.check("tools-call-mixed-content", len(types) >= 2 and {"text", "image", "resource"} <= set(types),
              f"content types {types}")


@scenario("tools-call-with-logging", S_0618)
def s_with_logging(ctx: Ctx) -> None:
    ex, r = _tool(ctx, "test_tool_with_logging")
    msgs = [m for m in ex.notifications if m.get("method") == "notifications/message"]
    ctx.check("tools-call-with-logging", len(msgs) >= 3, f"{len(msgs)} notifications/message during the call")


@scenario("tools-call-error", S_0618_ALL)
def s_error(ctx: Ctx) -> None:
    ex, resp = ctx.call("tools/call", {"name": "test_error_handling", "arguments": {}})
    if resp and "error" in resp:
        ctx.add("tools-call-error", FAILURE, f"JSON-RPC error instead of isError result: {resp['error']}")
        return
    r = (resp or {}).get("result") or {}
    ctx.check("tools-call-error", r.get("isError") is True and bool(r.get("content")), f"result {_clip(r, 300)}")


@scenario("tools-call-with-progress", S_0618_ALL)
def s_with_progress(ctx: Ctx) -> None:
    ex, r = _tool(ctx, "test_tool_with_progress", progress_token="progress-test-1")
    prog = [m["params"] for m in ex.notifications if m.get("method") == "notifications/progress"]
    echo = all(p.get("progressToken") == "progress-test-1" for p in prog)
    vals = [p.get("progress") for p in prog]
    nondec = all(isinstance(v, (int, float)) for v in vals) and vals == sorted(vals)
    ctx.check("tools-call-with-progress", len(prog) >= 3 and echo and nondec,
              f"{len(prog)} progress notifications, values {vals}, token echoed={echo}")


@scenario("tools-call-sampling", S_0618)
def s_sampling(ctx: Ctx) -> None:
    ex, r = _tool(ctx, "test_sampling", {"prompt": "Test prompt for sampling"}, timeout=20)
    reqs = [m for m in ex.server_requests if m.get("method") == "sampling/createMessage"]
    ctx.check("tools-call-sampling-request", bool(reqs), f"{len(reqs)} sampling/createMessage request(s) on the stream")
    answered = [q.get("_answer_status") for q in reqs]
    ctx.check("tools-call-sampling-answer-accepted", bool(answered) and all(a == 202 for a in answered),
              f"POSTed answers got HTTP {answered} (want 202)")
    ctx.check("tools-call-sampling", bool(r.get("content")), f"result {_clip(r, 300)}")


def _elicit(ctx: Ctx, tool: str, args: dict) -> tuple[dict, list[dict]]:
    ex, r = _tool(ctx, tool, args, timeout=20)
    reqs = [m for m in ex.server_requests if m.get("method") == "elicitation/create"]
    return r, reqs


@scenario("tools-call-elicitation", S_0618)
def s_elicitation(ctx: Ctx) -> None:
    r, reqs = _elicit(ctx, "test_elicitation", {"message": "Please provide your information"})
    ctx.check("tools-call-elicitation-request", bool(reqs), f"{len(reqs)} elicitation/create request(s)")
    if reqs:
        schema = reqs[0].get("params", {}).get("requestedSchema", {})
        props = schema.get("properties", {})
        ctx.check("tools-call-elicitation-schema", {"username", "email"} <= set(props), f"schema {_clip(schema, 300)}",
                  fail=WARNING)
    ctx.check("tools-call-elicitation", bool(r.get("content")), f"result {_clip(r, 300)}")


@scenario("elicitation-sep1034-defaults", (V1125,))
def s_sep1034(ctx: Ctx) -> None:
    r, reqs = _elicit(ctx, "test_elicitation_sep1034_defaults", {})
    if not reqs:
        ctx.add("sep1034-general", FAILURE, "no elicitation/create request")
        return
    props = reqs[0].get("params", {}).get("requestedSchema", {}).get("properties", {})
    ctx.check("sep1034-general", bool(props), f"{len(props)} properties")
    expect = [("string", "name", "string", "John Doe"), ("integer", "age", "integer", 30),
              ("number", "score", "number", 95.5), ("enum", "status", "string", "active"),
              ("boolean", "verified", "boolean", True)]
    for label, key, typ, default in expect:
        p = props.get(key, {})
        ok = p.get("type") == typ and p.get("default") == default and type(p.get("default")) is type(default)
        if label == "enum":
            ok = ok and set(p.get("enum", [])) == {"active", "inactive", "pending"}
        ctx.check(f"sep1034-{label}-default", ok, f"{key}: {_clip(p, 200)}")


@scenario("elicitation-sep1330-enums", (V1125,))
def s_sep1330(ctx: Ctx) -> None:
    r, reqs = _elicit(ctx, "test_elicitation_sep1330_enums", {})
    if not reqs:
        ctx.add("sep1330-general", FAILURE, "no elicitation/create request")
        return
    props = list(reqs[0].get("params", {}).get("requestedSchema", {}).get("properties", {}).values())

    def has(pred) -> bool:
        return any(pred(p) for p in props if isinstance(p, dict))

    ctx.check("sep1330-untitled-single", has(lambda p: p.get("type") == "string" and isinstance(p.get("enum"), list)
                                              and "enumNames" not in p), "enum")
    ctx.check("sep1330-titled-single", has(lambda p: isinstance(p.get("oneOf"), list) and p["oneOf"]
                                            and all("const" in o and "title" in o for o in p["oneOf"])), "oneOf const/title")
    ctx.check("sep1330-legacy-enumnames", has(lambda p: isinstance(p.get("enumNames"), list)), "enumNames")
    ctx.check("sep1330-untitled-multi", has(lambda p: p.get("type") == "array"
                                             and isinstance((p.get("items") or {}).get("enum"), list)), "items.enum")
    ctx.check("sep1330-titled-multi", has(lambda p: p.get("type") == "array"
                                           and isinstance((p.get("items") or {}).get("anyOf"), list)), "items.anyOf")


@scenario("json-schema-2020-12", S_1125_ALL, pending=True)
def s_json_schema_2020_12(ctx: Ctx) -> None:
    r = ctx.result_or_fail("json-schema-2020-12", "tools/list")
    tool = next((t for t in r.get("tools", []) if t.get("name") == "json_schema_2020_12_tool"), None)
    if tool is None:
        ctx.add("json-schema-2020-12", FAILURE, "tool json_schema_2020_12_tool not listed")
        return
    s = tool.get("inputSchema", {})
    dump = json.dumps(s)
    ctx.check("json-schema-2020-12-$schema", s.get("$schema") == "https://json-schema.org/draft/2020-12/schema",
              f"$schema={s.get('$schema')!r}")
    ctx.check("json-schema-2020-12-$defs", isinstance(s.get("$defs"), dict) and '"$anchor": "addressDef"' in dump,
              "$defs with $anchor addressDef")
    ctx.check("json-schema-2020-12-additionalProperties", s.get("additionalProperties") is False,
              f"additionalProperties={s.get('additionalProperties')!r}")
    ctx.check("json-schema-2020-12-composition", '"allOf"' in dump or '"anyOf"' in dump, "allOf/anyOf kept")
    ctx.check("json-schema-2020-12-conditional", all(f'"{k}"' in dump for k in ("if", "then", "else")),
              "if/then/else kept")


# ---------------------------------------------------------------- resources


@scenario("resources-list", S_0618_ALL)
def s_resources_list(ctx: Ctx) -> None:
    r = ctx.result_or_fail("resources-list", "resources/list")
    res = r.get("resources") or []
    bad = [x for x in res if not (x.get("uri") and x.get("name"))]
    ctx.check("resources-list", isinstance(r.get("resources"), list) and not bad, f"{len(res)} resources; bad: {bad[:3]}")


@scenario("resources-read-text", S_0618_ALL)
def s_read_text(ctx: Ctx) -> None:
    r = ctx.result_or_fail("resources-read-text", "resources/read", {"uri": "test://static-text"})
    c = (r.get("contents") or [{}])[0]
    ctx.check("resources-read-text", bool(c.get("uri") and c.get("mimeType") and "text" in c), f"{_clip(c, 200)}")


@scenario("resources-read-binary", S_0618_ALL)
def s_read_binary(ctx: Ctx) -> None:
    r = ctx.result_or_fail("resources-read-binary", "resources/read", {"uri": "test://static-binary"})
    c = (r.get("contents") or [{}])[0]
    ctx.check("resources-read-binary", bool(c.get("uri") and c.get("mimeType")) and _b64ok(c.get("blob")),
              f"{_clip(c, 200)}")


@scenario("resources-templates-read", S_0618_ALL)
def s_templates_read(ctx: Ctx) -> None:
    r = ctx.result_or_fail("resources-templates-read", "resources/read", {"uri": "test://template/123/data"})
    c = (r.get("contents") or [{}])[0]
    ok = bool(c.get("uri")) and ("text" in c or "blob" in c) and "123" in (c.get("text") or "")
    ctx.check("resources-templates-read", ok, f"{_clip(c, 200)}")


@scenario("resources-subscribe", S_0618)
def s_subscribe(ctx: Ctx) -> None:
    ex, resp = ctx.call("resources/subscribe", {"uri": "test://watched-resource"})
    ctx.check("resources-subscribe", bool(resp and "result" in resp), f"{_clip(resp, 200)}")


@scenario("resources-unsubscribe", S_0618)
def s_unsubscribe(ctx: Ctx) -> None:
    _, r1 = ctx.call("resources/subscribe", {"uri": "test://watched-resource"})
    _, r2 = ctx.call("resources/unsubscribe", {"uri": "test://watched-resource"})
    ctx.check("resources-unsubscribe", bool(r1 and "result" in r1 and r2 and "result" in r2),
              f"subscribe {_clip(r1, 150)}; unsubscribe {_clip(r2, 150)}")


@scenario("sep-2164-resource-not-found", (V2026,))
def s_resource_not_found(ctx: Ctx) -> None:
    uri = "test://nonexistent-resource-for-conformance-testing"
    ex, resp = ctx.call("resources/read", {"uri": uri})
    if resp and "result" in resp:
        empty = not resp["result"].get("contents")
        ctx.check("sep-2164-no-empty-contents", not empty, "result with empty contents for a missing resource")
        return
    if not resp or "error" not in resp:
        ctx.add("sep-2164-error-or-contents", FAILURE, f"neither error nor contents (HTTP {ex.status})")
        return
    err = resp["error"]
    ctx.add("sep-2164-error-or-contents", SUCCESS, "error returned")
    ctx.check("sep-2164-error-code", err.get("code") == -32602, f"code {err.get('code')}", fail=WARNING)
    ctx.check("sep-2164-error-data-uri", (err.get("data") or {}).get("uri") == uri if isinstance(err.get("data"), dict)
              else False, f"data {err.get('data')!r}", fail=WARNING)


# ---------------------------------------------------------------- prompts


@scenario("prompts-list", S_0618_ALL)
def s_prompts_list(ctx: Ctx) -> None:
    r = ctx.result_or_fail("prompts-list", "prompts/list")
    ps = r.get("prompts") or []
    ctx.check("prompts-list", isinstance(r.get("prompts"), list) and all(p.get("name") for p in ps),
              f"{len(ps)} prompts")


@scenario("prompts-get-simple", S_0618_ALL)
def s_prompt_simple(ctx: Ctx) -> None:
    r = ctx.result_or_fail("prompts-get-simple", "prompts/get", {"name": "test_simple_prompt"})
    ms = r.get("messages") or []
    ctx.check("prompts-get-simple", bool(ms) and all("role" in m and "content" in m for m in ms), f"{_clip(ms, 200)}")


@scenario("prompts-get-with-args", S_0618_ALL)
def s_prompt_args(ctx: Ctx) -> None:
    r = ctx.result_or_fail("prompts-get-with-args", "prompts/get",
                           {"name": "test_prompt_with_arguments", "arguments": {"arg1": "testValue1", "arg2": "testValue2"}})
    dump = json.dumps(r.get("messages"))
    ctx.check("prompts-get-with-args", "testValue1" in dump and "testValue2" in dump, f"{_clip(r.get('messages'), 200)}")


@scenario("prompts-get-embedded-resource", S_0618_ALL)
def s_prompt_embedded(ctx: Ctx) -> None:
    r = ctx.result_or_fail("prompts-get-embedded-resource", "prompts/get",
                           {"name": "test_prompt_with_embedded_resource",
                            "arguments": {"resourceUri": "test://example-resource"}})
    ok = any((m.get("content") or {}).get("type") == "resource" for m in r.get("messages") or [])
    ctx.check("prompts-get-embedded-resource", ok, f"{_clip(r.get('messages'), 200)}")


@scenario("prompts-get-with-image", S_0618_ALL)
def s_prompt_image(ctx: Ctx) -> None:
    r = ctx.result_or_fail("prompts-get-with-image", "prompts/get", {"name": "test_prompt_with_image"})
    imgs = [m["content"] for m in r.get("messages") or [] if (m.get("content") or {}).get("type") == "image"]
    ctx.check("prompts-get-with-image", bool(imgs) and _b64ok(imgs[0].get("data")) and bool(imgs[0].get("mimeType")),
              f"{_clip(r.get('messages'), 200)}")


# ---------------------------------------------------------------- 2026 stateless


def _raw_modern(ctx: Ctx, body: dict, headers: dict, timeout: float = 10.0, **kw) -> Exchange:
    with ctx.http(timeout) as c:
        ex = post(c, ctx.url, body, headers, timeout=timeout, **kw)
    ctx.observe(ex, body.get("method"))
    return ex


def _err(ex: Exchange, rid: Any) -> dict | None:
    r = ex.response_for(rid)
    return r.get("error") if r and "error" in r else None


@scenario("server-stateless", (V2026,))
def s_stateless(ctx: Ctx) -> None:
    ids_ok: list[str] = []
    ids_bad: list[str] = []

    def err_check(check_id: str, ex: Exchange, rid: Any, code: int, status: int, http_id: str | None = None):
        e = _err(ex, rid)
        ctx.check(check_id, e is not None and e.get("code") == code,
                  f"HTTP {ex.status}, error {e}", {"body": ex.raw[:300]} if e is None else None)
        if http_id:
            ctx.check(http_id, ex.status == status, f"HTTP {ex.status} (want {status})")
        any_err = [m for m in ex.messages if isinstance(m, dict) and "error" in m]
        if any_err:
            (ids_ok if any(m.get("id") == rid and type(m.get("id")) is type(rid) for m in any_err)
             else ids_bad).append(check_id)

    h = modern_headers("server/discover")
    full = modern_meta()
    # --- _meta validation
    ex = _raw_modern(ctx, rpc("server/discover", {}, 101), h)
    err_check("sep-2575-request-meta-invalid-missing-meta", ex, 101, -32602, 400,
              "sep-2575-http-server-meta-invalid-400")
    m = {k: v for k, v in full.items() if k != META_VERSION}
    ex = _raw_modern(ctx, rpc("server/discover", {"_meta": m}, 102), h)
    err_check("sep-2575-request-meta-invalid-missing-protocol-version", ex, 102, -32602, 400)
    m = {k: v for k, v in full.items() if k != META_CAPS}
    ex = _raw_modern(ctx, rpc("server/discover", {"_meta": m}, 104), h)
    err_check("sep-2575-request-meta-invalid-missing-client-capabilities", ex, 104, -32602, 400)
    m = {k: v for k, v in full.items() if k != META_INFO}
    ex = _raw_modern(ctx, rpc("server/discover", {"_meta": m}, 105), h)
    ctx.check("sep-2575-request-meta-client-info-optional", ex.status == 200 and bool(ex.response_for(105))
              and "result" in ex.response_for(105), f"HTTP {ex.status}")

    # --- discover
    ex = _raw_modern(ctx, rpc("server/discover", {"_meta": full}, 201), h)
    resp = ex.response_for(201) or {}
    disc = resp.get("result") or {}
    ctx.check("sep-2575-server-implements-discover", isinstance(disc.get("supportedVersions"), list)
              and isinstance(disc.get("capabilities"), dict) and V2026 in disc.get("supportedVersions", []),
              f"{_clip(disc, 300)}")
    ctx.check("sep-2575-server-identifies-in-result-meta", bool((disc.get("_meta") or {}).get(META_SERVERINFO)),
              "serverInfo in result _meta", fail=WARNING)
    caps = disc.get("capabilities") or {}

    # --- capabilities match handlers
    mismatches = []
    prompts_ok = None
    for cap, method in (("tools", "tools/list"), ("prompts", "prompts/list"), ("resources", "resources/list")):
        p = modern_params({})
        e2 = _raw_modern(ctx, rpc(method, p, 210), modern_headers(method, p))
        r2 = e2.response_for(210) or {}
        answered = "result" in r2
        not_found = (r2.get("error") or {}).get("code") == -32601
        if cap in caps and not answered:
            mismatches.append(f"{cap} declared but {method} → {r2.get('error')}")
        if cap not in caps and not not_found:
            mismatches.append(f"{cap} not declared but {method} → {'result' if answered else r2.get('error')}")
        if cap == "prompts":
            prompts_ok = not ((answered and cap not in caps) or (cap in caps and not answered))
    ctx.check("sep-2575-server-declares-prompts-in-discover", prompts_ok, "prompts capability vs prompts/list")
    ctx.check("sep-2575-discover-capabilities-match-handlers", not mismatches, "; ".join(mismatches) or "consistent")

    # --- versions
    supported = set(disc.get("supportedVersions") or [])
    mv = modern_meta(version="v999.0.0")
    ex = _raw_modern(ctx, rpc("server/discover", {"_meta": mv}, 301),
                     modern_headers("server/discover", version="v999.0.0"))
    e = _err(ex, 301) or {}
    data = e.get("data") if isinstance(e.get("data"), dict) else {}
    ctx.check("sep-2575-server-unsupported-version-error",
              e.get("code") == -32022 and bool(data.get("supported")) and set(data.get("supported", [])) <= supported
              and data.get("requested") == "v999.0.0", f"HTTP {ex.status}, error {e}")
    ctx.check("sep-2575-http-server-unsupported-version-400", ex.status == 400, f"HTTP {ex.status}")
    if e:
        (ids_ok if (ex.response_for(301) or {}).get("id") == 301 else ids_bad).append("unsupported-version")
    ex = _raw_modern(ctx, rpc("server/discover", {"_meta": mv}, 302), modern_headers("server/discover"))
    e = _err(ex, 302) or {}
    ctx.check("sep-2575-http-server-header-mismatch-400", ex.status == 400 and e.get("code") == -32020,
              f"HTTP {ex.status}, error {e}")
    if e:
        (ids_ok if (ex.response_for(302) or {}).get("id") == 302 else ids_bad).append("header-mismatch")

    # --- missing capability
    p = modern_params({"name": "test_missing_capability", "arguments": {}}, modern_meta(caps={}))
    ex = _raw_modern(ctx, rpc("tools/call", p, 401), modern_headers("tools/call", p))
    r = ex.response_for(401) or {}
    e = r.get("error") or {}
    rc = (e.get("data") or {}).get("requiredCapabilities") if isinstance(e.get("data"), dict) else None
    ctx.check("sep-2575-server-rejects-undeclared-capability",
              "result" not in r and e.get("code") == -32021 and isinstance(rc, dict) and "sampling" in rc,
              f"HTTP {ex.status}, {_clip(r, 300)}")
    ctx.check("sep-2575-missing-capability-http-400", ex.status == 400, f"HTTP {ex.status}")
    if e:
        (ids_ok if r.get("id") == 401 else ids_bad).append("missing-capability")
    p = modern_params({"name": "test_missing_capability", "arguments": {}}, modern_meta(caps={"sampling": {}}))
    ex = _raw_modern(ctx, rpc("tools/call", p, 402), modern_headers("tools/call", p))
    r = (ex.response_for(402) or {}).get("result") or {}
    ctx.check("portico-declared-capability-executes", any("Success" in c.get("text", "") for c in _content(r, "text")),
              f"with sampling declared: {_clip(r, 200)}")

    # --- removed / unknown methods
    removed = {
        "initialize": ("initialize", initialize_params(V2026)),
        "ping": ("ping", {}),
        "logging-setlevel": ("logging/setLevel", {"level": "info"}),
        "resources-subscribe": ("resources/subscribe", {"uri": "test://watched-resource"}),
        "resources-unsubscribe": ("resources/unsubscribe", {"uri": "test://watched-resource"}),
    }
    for label, (method, params) in removed.items():
        p = modern_params(params)
        ex = _raw_modern(ctx, rpc(method, p, 500), modern_headers(method, p))
        err_check(f"sep-2575-http-server-method-not-found-404-{label}", ex, 500, -32601, 404)
        ctx.checks[-1].message += f" (HTTP {ex.status})"
        if ex.status != 404:
            ctx.checks[-1].status = FAILURE
    p = modern_params({})
    ex = _raw_modern(ctx, rpc("portico/no-such-method", p, 501), modern_headers("portico/no-such-method", p))
    err_check("sep-2575-http-server-method-not-found-404", ex, 501, -32601, 404)
    if ex.status != 404:
        ctx.checks[-1].status = FAILURE
        ctx.checks[-1].message += f" (HTTP {ex.status})"

    # --- no independent requests on a response stream
    p = modern_params({"name": "test_streaming_elicitation", "arguments": {}}, modern_meta(caps={"elicitation": {}}))
    ex = _raw_modern(ctx, rpc("tools/call", p, 601), modern_headers("tools/call", p), timeout=5)
    indep = [m.get("method") for m in ex.messages if isinstance(m, dict) and "method" in m
             and not str(m["method"]).startswith("notifications/")]
    r = ex.response_for(601)
    ctx.check("sep-2575-http-server-no-independent-requests-on-stream", not indep and r is not None and "result" in r,
              f"frames {len(ex.messages)}, independent requests {indep}, final {'result' if r and 'result' in r else r}")

    # --- logging only with logLevel
    p = modern_params({"name": "test_logging_tool", "arguments": {}})
    ex = _raw_modern(ctx, rpc("tools/call", p, 701), modern_headers("tools/call", p), timeout=5)
    logs = [m for m in ex.notifications if m.get("method") == "notifications/message"]
    ctx.check("sep-2575-server-no-log-without-loglevel", not logs and ex.response_for(701) is not None,
              f"{len(logs)} notifications/message without logLevel")
    p = modern_params({"name": "test_logging_tool", "arguments": {}}, modern_meta(**{META_LOGLEVEL: "debug"}))
    ex = _raw_modern(ctx, rpc("tools/call", p, 702), modern_headers("tools/call", p), timeout=5)
    logs = [m for m in ex.notifications if m.get("method") == "notifications/message"]
    ctx.check("portico-log-with-loglevel", bool(logs) and ex.is_sse,
              f"{len(logs)} notifications/message with logLevel=debug ({ex.content_type})")

    # --- error ids
    ctx.check("sep-2575-http-server-error-jsonrpc-id", not ids_bad,
              f"{len(ids_ok)} error responses echoed the id; not echoed: {ids_bad}")


@scenario("caching", (V2026,))
def s_caching(ctx: Ctx) -> None:
    results = {}
    for method in ("tools/list", "prompts/list", "resources/list", "resources/templates/list"):
        results[method] = ctx.result_or_fail(f"caching-{method}", method)
    res = results["resources/list"].get("resources") or []
    if res:
        uri = res[0]["uri"]
        results[f"resources/read {uri}"] = ctx.result_or_fail("caching-resources/read", "resources/read", {"uri": uri})
    missing = [m for m, r in results.items() if "ttlMs" not in r or "cacheScope" not in r]
    ctx.check("caching-fields-present", not missing, f"missing ttlMs/cacheScope on {missing}")
    bad_ttl = [m for m, r in results.items() if "ttlMs" in r and not (isinstance(r["ttlMs"], int)
                                                                         and not isinstance(r["ttlMs"], bool)
                                                                         and r["ttlMs"] >= 0)]
    ctx.check("caching-TtlNonNegative", not bad_ttl, f"bad ttlMs on {bad_ttl}")
    bad_scope = [m for m, r in results.items() if "cacheScope" in r and r["cacheScope"] not in ("public", "private")]
    ctx.check("caching-CacheScopeValid", not bad_scope, f"bad cacheScope on {bad_scope}")


@scenario("http-header-validation", (V2026,), pending=True)
def s_header_validation(ctx: Ctx) -> None:
    tools = ctx.result_or_fail("http-header-validation", "tools/list").get("tools") or []
    tool = next((t["name"] for t in tools if t["name"] == "test_simple_text"), tools[0]["name"] if tools else None)
    if tool is None:
        ctx.add("sep-2243-server-reject-invalid-headers", SKIPPED, "no tool listed")
        return

    def send(method: str, params: dict, header_list: list[tuple[str, str]], rid: int) -> Exchange:
        p = modern_params(params)
        ex = exact_post(ctx.url, header_list, json.dumps(rpc(method, p, rid)).encode(), timeout=10)
        ctx.observe(ex, method)
        return ex

    base = [("Content-Type", "application/json"), ("Accept", JSON_AND_SSE), ("MCP-Protocol-Version", V2026)]
    call = {"name": tool, "arguments": {}}
    cases = [
        ("method-mismatch", "tools/list", {}, base + [("Mcp-Method", "prompts/list")], False),
        ("name-mismatch", "tools/call", call, base + [("Mcp-Method", "tools/call"), ("Mcp-Name", "wrong_tool_name")], False),
        ("name-missing", "tools/call", call, base + [("Mcp-Method", "tools/call")], False),
        ("method-value-case", "tools/list", {}, base + [("Mcp-Method", "TOOLS/LIST")], False),
        ("method-missing", "tools/list", {}, base, False),
        ("name-whitespace", "tools/call", call, base + [("Mcp-Method", "tools/call"), ("Mcp-Name", f"  {tool}  ")], True),
        ("lowercase-header-name", "tools/list", {}, base + [("mcp-method", "tools/list")], True),
    ]
    rejected_codes = []
    for i, (label, method, params, hl, accept) in enumerate(cases):
        ex = send(method, params, hl, 800 + i)
        r = ex.response_for(800 + i) or {}
        if accept:
            cid = "sep-2243-server-accepts-whitespace-header-value" if label == "name-whitespace" \
                else "sep-2243-server-accepts-header-name-case-insensitive"
            ctx.check(cid, ex.status == 200 and "result" in r, f"{label}: HTTP {ex.status}")
        else:
            ctx.check(f"sep-2243-server-reject-invalid-headers[{label}]", ex.status == 400, f"HTTP {ex.status}")
            rejected_codes.append((label, (r.get("error") or {}).get("code")))
    bad = [(lbl, c) for lbl, c in rejected_codes if c != -32020]
    ctx.check("sep-2243-server-reject-error-code", not bad, f"codes {rejected_codes}")


@scenario("http-custom-header-server-validation", (V2026,), pending=True)
def s_custom_headers(ctx: Ctx) -> None:
    tools = ctx.result_or_fail("http-custom-header-server-validation", "tools/list").get("tools") or []
    target = None
    for t in tools:
        for pname, ps in ((t.get("inputSchema") or {}).get("properties") or {}).items():
            if isinstance(ps, dict) and ps.get("type") == "string" and ps.get("x-mcp-header"):
                target = (t["name"], pname, ps["x-mcp-header"])
                break
        if target:
            break
    if not target:
        for cid in ("sep-2243-server-decode-base64", "sep-2243-server-validate-param-match",
                    "sep-2243-server-reject-invalid-param-chars", "sep-2243-server-reject-param-mismatch"):
            ctx.add(cid, SKIPPED, "no tool with a string x-mcp-header parameter (untestable)")
        return
    tool, pname, hname = target
    base = [("Content-Type", "application/json"), ("Accept", JSON_AND_SSE), ("MCP-Protocol-Version", V2026),
            ("Mcp-Method", "tools/call"), ("Mcp-Name", tool)]

    def send(body_value: str, header_value: str | None, rid: int) -> Exchange:
        p = modern_params({"name": tool, "arguments": {pname: body_value}})
        hl = base + ([(f"Mcp-Param-{hname}", header_value)] if header_value is not None else [])
        ex = exact_post(ctx.url, hl, json.dumps(rpc("tools/call", p, rid)).encode(), timeout=10)
        ctx.observe(ex, "tools/call")
        return ex

    def accepted(ex: Exchange, rid: int) -> bool:
        return ex.status == 200 and "result" in (ex.response_for(rid) or {})

    def rejected(ex: Exchange, rid: int) -> bool:
        return ex.status == 400 and ((ex.response_for(rid) or {}).get("error") or {}).get("code") == -32020

    ex = send("Hello", "=?base64?SGVsbG8=?=", 901)
    ctx.check("sep-2243-server-decode-base64", accepted(ex, 901), f"HTTP {ex.status}")
    ex1 = send("SGVsbG8=", "SGVsbG8=", 902)
    ex2 = send("=?base64?SGVsbG8=", "=?base64?SGVsbG8=", 903)
    ex3 = send("Hello", "Hello", 904)
    ctx.check("sep-2243-server-validate-param-match", accepted(ex1, 902) and accepted(ex2, 903) and accepted(ex3, 904),
              f"literal values: HTTP {ex1.status}/{ex2.status}/{ex3.status}")
    ex4 = send("Hello", "=?base64?SGVs!!!bG8=?=", 905)
    ex5 = send("Hello", "=?base64?SGVsbG8?=", 906)
    ctx.check("sep-2243-server-reject-invalid-param-chars", rejected(ex4, 905) and ex5.status == 400,
              f"bad base64: HTTP {ex4.status}; bad padding: HTTP {ex5.status}")
    ex6 = send("Hello", None, 907)
    ex7 = send("Hello", "Goodbye", 908)
    ctx.check("sep-2243-server-reject-param-mismatch", rejected(ex6, 907) and rejected(ex7, 908),
              f"omitted: HTTP {ex6.status}; mismatch: HTTP {ex7.status}")


# ============================================================================================
# Driver
# ============================================================================================


def load_baseline(path: str | None) -> list[dict]:
    if not path:
        return []
    doc = yaml.safe_load(Path(path).read_text()) or {}
    entries = doc.get("server") or []
    out = []
    for e in entries:
        if isinstance(e, str):
            out.append({"scenario": e, "version": None, "reason": ""})
        else:
            out.append({"scenario": e["scenario"], "version": e.get("version"), "reason": e.get("reason", "")})
    return out


def run(url: str, selected: list[Scenario], versions: tuple[str, ...], include_0326: bool,
        verbose: bool) -> list[tuple[Scenario, str, list[Check]]]:
    out = []
    for sc in selected:
        vs = list(sc.versions)
        if include_0326 and V0618 in vs and V0326 not in vs and not sc.name.startswith("elicitation") \
                and sc.name != "tools-call-elicitation":  # elicitation arrived in 2025-06-18
            vs.insert(0, V0326)
        for v in vs:
            if v not in versions:
                continue
            ctx = Ctx(url, sc.name, v, verbose=verbose)
            t0 = time.monotonic()
            try:
                sc.fn(ctx)
            except ScenarioError:
                pass
            except Exception as e:  # noqa: BLE001 — a harness/transport crash is a scenario failure
                ctx.add("scenario-completed", FAILURE, f"{type(e).__name__}: {e}",
                        traceback.format_exc(limit=4).splitlines()[-6:])
            finally:
                ctx.close()
            ctx.finish_wire()
            if not ctx.checks:
                ctx.add("scenario-completed", FAILURE, "scenario recorded no checks")
            out.append((sc, v, ctx.checks))
            if verbose:
                print(f"  {sc.name} @ {v}: {summarize(ctx.checks)} ({time.monotonic() - t0:.1f}s)", file=sys.stderr)
    return out


def summarize(checks: list[Check]) -> str:
    st = {c.status for c in checks}
    if FAILURE in st:
        return "FAIL"
    if WARNING in st:
        return "WARN"
    if any(c.status == SUCCESS and c.id != "wire-schema-valid" for c in checks):
        return "PASS"
    return "SKIP"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--url", help="MCP endpoint, e.g. http://127.0.0.1:PORT/mcp")
    g.add_argument("--spawn", action="store_true", help="start `portico serve --fixture conformance --port 0`")
    ap.add_argument("--bin", help="server binary for --spawn (default $PORTICO_BIN or .build/release/portico)")
    ap.add_argument("--baseline", help="expected-failures YAML")
    ap.add_argument("--results", help="JSON-lines output (default interop/.logs/conformance-<ts>.jsonl)")
    ap.add_argument("--scenario", action="append", help="run only these scenarios (repeatable)")
    ap.add_argument("--version", action="append", choices=ALL, help="run only at these versions (repeatable)")
    ap.add_argument("--include-2025-03-26", action="store_true",
                    help="also run the 06-18+ stateful feature scenarios at 2025-03-26")
    ap.add_argument("--verbose", "-v", action="store_true")
    a = ap.parse_args(argv)

    selected = [s for s in SCENARIOS if not a.scenario or s.name in a.scenario]
    if a.scenario:
        unknown = set(a.scenario) - {s.name for s in SCENARIOS}
        if unknown:
            print(f"unknown scenario(s): {sorted(unknown)}", file=sys.stderr)
            return 2
    versions = tuple(a.version) if a.version else ALL

    proc = None
    url = a.url
    if a.spawn:
        log_dir = HERE.parent / ".logs"
        log_dir.mkdir(exist_ok=True)
        kw = {"binary": a.bin} if a.bin else {}
        proc = ServerProcess(extra_args=["--fixture", "conformance"], log_path=log_dir / "conformance-server.stderr.log",
                             **kw)
        try:
            url = proc.start()
        except Exception as e:  # noqa: BLE001
            print(f"FAILURE: could not start {proc.binary} serve --fixture conformance: {e}")
            print(f"server stderr: {log_dir / 'conformance-server.stderr.log'}")
            print("0 passed, 1 failed")
            return 1
        print(f"spawned {proc.binary} → {url}")
    try:
        runs = run(url, selected, versions, a.include_2025_03_26, a.verbose)
    finally:
        stop_problem = None
        if proc:
            rc, took = proc.stop(10.0)
            if rc is None:
                stop_problem = f"server did not exit within 10 s of SIGTERM ({took:.1f}s)"

    baseline = load_baseline(a.baseline)

    def in_baseline(sc: str, v: str) -> dict | None:
        return next((b for b in baseline if b["scenario"] == sc and b["version"] in (None, v)), None)

    results_path = Path(a.results) if a.results else (
        HERE.parent / ".logs" / f"conformance-{_dt.datetime.now().strftime('%Y%m%dT%H%M%S')}.jsonl")
    results_path.parent.mkdir(parents=True, exist_ok=True)
    passed = failed = expected = 0
    used_baseline: set[int] = set()
    unexpected: list[Check] = []
    cells: dict[tuple[str, str], str] = {}
    with results_path.open("w") as f:
        for sc, v, checks in runs:
            b = in_baseline(sc.name, v)
            for c in checks:
                f.write(json.dumps(c.as_json()) + "\n")
                if c.status == SUCCESS:
                    passed += 1
                elif c.status == FAILURE:
                    if b is not None:
                        expected += 1
                    else:
                        failed += 1
                        unexpected.append(c)
            verdict = summarize(checks)
            if b is not None:
                used_baseline.add(id(b))
                if verdict == "FAIL":
                    verdict = "XFAIL"
                else:
                    verdict = "STALE"
            cells[(sc.name, v)] = verdict

    stale = [b for b in baseline if id(b) in used_baseline and any(
        cells.get((b["scenario"], v)) == "STALE" for v in ALL)]
    unknown_baseline = [b for b in baseline if id(b) not in used_baseline]

    # ---- table
    names = [s.name for s in selected]
    w = max(len(n) for n in names) + 2
    print()
    print("scenario".ljust(w) + "".join(v.ljust(12) for v in ALL) + "note")
    for s in selected:
        row = s.name.ljust(w)
        for v in ALL:
            row += cells.get((s.name, v), "-").ljust(12)
        row += "pending upstream" if s.pending else ""
        print(row)
    print()
    print("not in this milestone (not run, not counted):")
    for n in NOT_IN_MILESTONE:
        print(f"  - {n}")
    if unexpected:
        print()
        print("FAILURES:")
        for c in unexpected:
            det = f" | {json.dumps(c.details)[:400]}" if c.details is not None else ""
            print(f"  {c.scenario} @ {c.version} :: {c.id}: {c.message}{det}")
    warns = [c for _, _, cs in runs for c in cs if c.status == WARNING]
    if warns:
        print()
        print("WARNINGS:")
        for c in warns:
            print(f"  {c.scenario} @ {c.version} :: {c.id}: {c.message}")
    if stale:
        print()
        for b in stale:
            print(f"STALE baseline entry (scenario passes now): {b['scenario']} @ {b['version']}")
    if unknown_baseline:
        for b in unknown_baseline:
            print(f"note: baseline entry not run in this invocation: {b['scenario']} @ {b['version']}")
    if expected:
        print(f"expected failures (baseline): {expected} check(s)")
    if stop_problem:
        print(f"FAILURE: {stop_problem}")
    print(f"results: {results_path}")
    failed += len(stale) + (1 if stop_problem else 0)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
