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
    META_SUBSCRIPTION_ID,
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
    open_listen,
    post,
    read_exchange,
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

NOT_IN_MILESTONE: list[str] = []


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
    # Upstream reports these as WARNINGs (SHOULD-level); Portico implements SSE polling, so here
    # every gap is a FAILURE (see shared/docs/mcp-streamable-http.md 6.7-6.9).
    listed = [t.get("name") for t in ctx.result_or_fail("server-sse-polling", "tools/list").get("tools", [])]
    if "test_reconnection" not in listed:
        ctx.add("server-sse-polling", FAILURE, "tool test_reconnection not implemented (not listed)")
        return
    s = ctx.session()
    h = s.headers(accept="text/event-stream, application/json")
    with new_http_client(12) as c:
        ex = post(c, ctx.url, rpc("tools/call", {"name": "test_reconnection", "arguments": {}}, 1), h, timeout=10)
    ctx.observe(ex, "tools/call")
    if ex.status in (400, 404) or (ex.response_for(1) or {}).get("error", {}).get("code") in (-32601, -32602):
        ctx.add("server-sse-polling", FAILURE, f"tool test_reconnection not implemented (HTTP {ex.status})")
        return
    if not ex.is_sse:
        ctx.add("server-sse-polling", FAILURE,
                f"tools/call answered {ex.content_type or 'HTTP ' + str(ex.status)}; an SSE-accepting 2025-11-25 "
                f"client must get a priming event and a server-closed stream")
        return
    if not ex.events:
        ctx.add("server-sse-priming-event", FAILURE, "no SSE events")
        return
    first = ex.events[0]
    ctx.check("server-sse-priming-event", first.id is not None and not first.data.strip(),
              f"first event id={first.id!r} data={first.data[:60]!r}")
    ctx.check("server-sse-retry-field", any(e.retry is not None for e in ex.events),
              "retry field present" if any(e.retry is not None for e in ex.events) else "no retry field")
    if ex.response_for(1) is not None:
        ctx.add("server-sse-disconnect-resume", FAILURE,
                "the result arrived on the original stream: test_reconnection must close the connection first")
        return
    if ex.timed_out:
        ctx.add("server-sse-disconnect-resume", FAILURE, "the server kept the stream open (10 s) without the result")
        return
    last_id = next((e.id for e in reversed(ex.events) if e.id is not None), None)
    if last_id is None:
        ctx.add("server-sse-disconnect-resume", FAILURE, "stream closed without any event id to resume from")
        return
    gh = s.headers(accept="text/event-stream")
    gh["Last-Event-ID"] = last_id
    with new_http_client(6) as c:
        try:
            with c.stream("GET", ctx.url, headers=gh) as resp:
                ex2 = read_exchange(resp, wait_for_id=1, deadline=time.monotonic() + 5)
        except httpx.HTTPError as e:
            ctx.add("server-sse-disconnect-resume", FAILURE, f"GET resume failed: {e!r}")
            return
    ctx.observe(ex2, "tools/call")
    ctx.check("server-sse-disconnect-resume", ex2.response_for(1) is not None,
              f"GET Last-Event-ID {last_id!r}: HTTP {ex2.status}, result "
              f"{'delivered' if ex2.response_for(1) else 'missing'}", {"body": ex2.raw[:300]})


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

    # --- subscriptions/listen
    _listen_checks(ctx, caps, discover_observed=bool(disc))

    # --- error ids
    ctx.check("sep-2575-http-server-error-jsonrpc-id", not ids_bad,
              f"{len(ids_ok)} error responses echoed the id; not echoed: {ids_bad}")


LISTEN_ACK = "notifications/subscriptions/acknowledged"


def _listen_frames(ctx: Ctx, notifications: dict, max_frames: int, timeout: float,
                   trigger: str | None = None) -> tuple[list[dict], Any, dict]:
    """POST subscriptions/listen; after the first frame call `trigger` (a fixture tool) on a separate
    request; read up to `max_frames` frames until `timeout` (from the start) - mirrors the official
    listenToStream(). Returns (frames, listen id, {"trigger": response-or-None, "error": ...})."""
    rid = ctx.nid()
    info: dict = {"trigger": None}
    deadline = time.monotonic() + timeout
    try:
        rs = open_listen(ctx.url, notifications, rid, timeout=timeout + 5)
    except (OSError, TimeoutError, ConnectionError) as e:
        info["error"] = repr(e)
        return [], rid, info
    try:
        rs.wait_for(lambda r: bool(r.messages), max(0.0, deadline - time.monotonic()))
        if rs.messages and trigger:
            _, info["trigger"] = ctx.call("tools/call", {"name": trigger, "arguments": {}}, timeout=5)
        rs.wait_for(lambda r: len(r.messages) >= max_frames, max(0.0, deadline - time.monotonic()))
    finally:
        rs.drop()
    info["status"] = rs.status
    ctx.observe(rs.to_exchange(), "subscriptions/listen")
    return rs.messages[:max_frames], rid, info


def _listen_checks(ctx: Ctx, caps: dict, discover_observed: bool) -> None:
    """§6.3 listen rows (official server-stateless section 6/7)."""
    advertises = bool((caps.get("tools") or {}).get("listChanged") or (caps.get("prompts") or {}).get("listChanged")
                      or (caps.get("resources") or {}).get("listChanged")
                      or (caps.get("resources") or {}).get("subscribe"))

    def rejected(frames: list[dict]) -> tuple[str, str] | None:
        first = frames[0] if frames else {}
        if (first.get("error") or {}).get("code") != -32601:
            return None
        if discover_observed and not advertises:
            return SKIPPED, "server advertises no subscription-delivered capability; subscriptions/listen n/a"
        return FAILURE, ("server advertises listChanged/subscribe capabilities but answers subscriptions/listen "
                         "with -32601" if advertises else "server/discover not observed; -32601 on listen untestable")

    frames, rid, info = _listen_frames(ctx, {"toolsListChanged": True}, 2, 0.8, "test_trigger_tool_change")
    rej = rejected(frames)
    if rej:
        ctx.add("sep-2575-server-sends-subscription-ack", rej[0], rej[1])
        ctx.add("sep-2575-server-tags-subscription-id", rej[0], rej[1])
    else:
        first = frames[0] if frames else None
        if first is None:
            ctx.add("sep-2575-server-sends-subscription-ack", FAILURE,
                    f"no frames from the subscriptions/listen stream (HTTP {info.get('status')}, {info.get('error', '')})")
        else:
            ctx.check("sep-2575-server-sends-subscription-ack", first.get("method") == LISTEN_ACK,
                      f"first frame {first.get('method')!r}", {"firstFrame": _clip(first, 300)})
        notes = [f for f in frames if str(f.get("method", "")).startswith("notifications/")]
        if not notes:
            ctx.add("sep-2575-server-tags-subscription-id", FAILURE, "listen stream carried no notification frames",
                    {"frames": _clip(frames, 300)})
        else:
            bad = [f for f in notes if ((f.get("params") or {}).get("_meta") or {}).get(META_SUBSCRIPTION_ID) != rid]
            ctx.check("sep-2575-server-tags-subscription-id", not bad,
                      f"{len(notes) - len(bad)}/{len(notes)} frames carry subscriptionId {rid}",
                      {"untagged": _clip(bad, 300)} if bad else None)

    frames, _, info = _listen_frames(ctx, {"promptsListChanged": True}, 3, 1.5, "test_trigger_tool_change")
    rej = rejected(frames)
    if rej:
        ctx.add("sep-2575-server-honors-notification-filter", rej[0], rej[1])
    elif not frames:
        ctx.add("sep-2575-server-honors-notification-filter", FAILURE, f"no frames (HTTP {info.get('status')})")
    else:
        leaked = [f for f in frames if f.get("method") == "notifications/tools/list_changed"]
        ctx.check("sep-2575-server-honors-notification-filter", not leaked,
                  f"{len(frames)} frames on a prompts-only stream; tools/list_changed leaked: {bool(leaked)}")

    for kind, trigger in (("prompts", "test_trigger_prompt_change"), ("tools", "test_trigger_tool_change")):
        cid = f"sep-2575-server-sends-{kind}-list-changed-on-subscription"
        if not (caps.get(kind) or {}).get("listChanged"):
            ctx.add(cid, SKIPPED, f"server did not declare {kind}.listChanged in server/discover")
            continue
        frames, _, info = _listen_frames(ctx, {f"{kind}ListChanged": True}, 2, 1.5, trigger)
        trig = info.get("trigger") or {}
        if (trig.get("error") or {}).get("code") == -32601 or ((trig.get("error") or {}).get("code") == -32602
                                                                 and "not found" in str(trig.get("error")).lower()):
            ctx.add(cid, WARNING, f"{kind}.listChanged declared but no {trigger} hook to mutate the list")
        elif not frames:
            ctx.add(cid, WARNING, f"no frames from the listen stream (HTTP {info.get('status')})")
        else:
            ok = any(f.get("method") == f"notifications/{kind}/list_changed" for f in frames)
            ctx.check(cid, ok, f"notifications/{kind}/list_changed {'arrived' if ok else 'missing'} "
                               f"({[f.get('method') for f in frames]})", fail=WARNING)


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


# ---------------------------------------------------------------- MRTR (input-required-result-*)

MRTR = "test_input_required_result_"


def _mock_elicit(content: dict) -> dict:
    return {"action": "accept", "content": content}


def _mock_sampling(text: str) -> dict:
    return {"role": "assistant", "content": {"type": "text", "text": text}, "model": "test-model",
            "stopReason": "endTurn"}


def _is_ir(r: Any) -> bool:
    return isinstance(r, dict) and r.get("resultType") == "input_required"


def _is_complete(r: Any) -> bool:
    return isinstance(r, dict) and r.get("resultType") != "input_required"


def _rpc(ctx: Ctx, method: str, params: dict, caps: dict | None = None) -> tuple[dict | None, dict | None, str]:
    """(result, error, note) of one stateless request; note describes a missing JSON-RPC answer."""
    ex, resp = ctx.call(method, params, meta=modern_meta(caps=caps) if caps is not None else None)
    if resp is None:
        return None, None, f"no JSON-RPC response (HTTP {ex.status}, {ex.content_type}): {ex.raw[:200]!r}"
    return resp.get("result"), resp.get("error"), ""


def _round1(ctx: Ctx, method: str, params: dict, check_id: str, want_state: bool = False,
            key: str | None = None, key_method: str | None = None, caps: dict | None = None) -> dict | None:
    """Round 1 must be an InputRequiredResult; records `check_id`; returns the result when usable."""
    r, err, note = _rpc(ctx, method, params, caps)
    errors = []
    if err is not None:
        errors.append(f"JSON-RPC error: {err.get('message')} ({err.get('code')})")
    elif r is None:
        errors.append(note or "no result in response")
    elif not _is_ir(r):
        errors.append(f"expected InputRequiredResult, got resultType {r.get('resultType')!r}")
    else:
        reqs = r.get("inputRequests")
        if not reqs:
            errors.append("InputRequiredResult missing inputRequests")
        elif key and key not in reqs:
            errors.append(f"inputRequests missing expected key {key!r} (got {sorted(reqs)})")
        elif key_method:
            k = key or next(iter(reqs))
            if reqs[k].get("method") != key_method:
                errors.append(f"expected method {key_method!r}, got {reqs[k].get('method')!r}")
        if want_state and not (isinstance(r.get("requestState"), str) and r.get("requestState")):
            errors.append("InputRequiredResult missing requestState (must be a non-empty string)")
    ctx.check(check_id, not errors, "; ".join(errors) or "InputRequiredResult", {"result": _clip(r, 400)})
    return r if not errors else None


def _round_complete(ctx: Ctx, method: str, params: dict, check_id: str, need: str | None = None,
                    need_messages: bool = False) -> dict | None:
    r, err, note = _rpc(ctx, method, params)
    errors = []
    if err is not None:
        errors.append(f"JSON-RPC error: {err.get('message')} ({err.get('code')})")
    elif r is None:
        errors.append(note or "no result in response")
    elif not _is_complete(r):
        errors.append("expected a complete result after the retry")
    elif need_messages:
        if not r.get("messages"):
            errors.append("complete result missing messages (expected GetPromptResult)")
    else:
        if not isinstance(r.get("content"), list) or not r["content"]:
            errors.append("complete result missing content array")
        elif need and need not in json.dumps(r.get("content")):
            errors.append(f"result text does not contain {need!r}")
    ctx.check(check_id, not errors, "; ".join(errors) or "complete", {"result": _clip(r, 400)})
    return r if not errors else None


def _retry_params(name_key: str, name: str, responses: dict, r1: dict, extra: dict | None = None) -> dict:
    p = {name_key: name, **(extra or {}), "inputResponses": responses}
    if r1.get("requestState") is not None:
        p["requestState"] = r1["requestState"]
    return p


def _first_key(r: dict) -> str:
    return next(iter(r.get("inputRequests") or {"": None}))


@scenario("input-required-result-basic-elicitation", (V2026,))
def s_irr_elicitation(ctx: Ctx) -> None:
    name = MRTR + "elicitation"
    r1 = _round1(ctx, "tools/call", {"name": name, "arguments": {}}, "sep-2322-elicitation-incomplete",
                 key="user_name", key_method="elicitation/create")
    if r1:
        _round_complete(ctx, "tools/call", _retry_params("name", name, {"user_name": _mock_elicit({"name": "Alice"})},
                                                         r1, {"arguments": {}}), "sep-2322-elicitation-complete")


@scenario("input-required-result-basic-sampling", (V2026,))
def s_irr_sampling(ctx: Ctx) -> None:
    name = MRTR + "sampling"
    r1 = _round1(ctx, "tools/call", {"name": name, "arguments": {}}, "sep-2322-sampling-incomplete",
                 key_method="sampling/createMessage")
    if r1:
        resp = {_first_key(r1): _mock_sampling("The capital of France is Paris.")}
        _round_complete(ctx, "tools/call", _retry_params("name", name, resp, r1, {"arguments": {}}),
                        "sep-2322-sampling-complete")


@scenario("input-required-result-basic-list-roots", (V2026,))
def s_irr_roots(ctx: Ctx) -> None:
    name = MRTR + "list_roots"
    r1 = _round1(ctx, "tools/call", {"name": name, "arguments": {}}, "sep-2322-list-roots-incomplete",
                 key_method="roots/list")
    if r1:
        _round_complete(ctx, "tools/call", _retry_params("name", name, {_first_key(r1): ROOTS_ANSWER}, r1,
                                                         {"arguments": {}}), "sep-2322-list-roots-complete")


@scenario("input-required-result-request-state", (V2026,))
def s_irr_request_state(ctx: Ctx) -> None:
    name = MRTR + "request_state"
    r1 = _round1(ctx, "tools/call", {"name": name, "arguments": {}}, "sep-2322-request-state-incomplete",
                 want_state=True)
    if r1:
        _round_complete(ctx, "tools/call", _retry_params("name", name, {_first_key(r1): _mock_elicit({"ok": True})},
                                                         r1, {"arguments": {}}),
                        "sep-2322-request-state-complete", need="state-ok")


@scenario("input-required-result-multiple-input-requests", (V2026,))
def s_irr_multiple(ctx: Ctx) -> None:
    name = MRTR + "multiple_inputs"
    r, err, note = _rpc(ctx, "tools/call", {"name": name, "arguments": {}})
    errors = []
    if err is not None or r is None or not _is_ir(r):
        errors.append(f"expected InputRequiredResult: {err or note or r}")
    elif not r.get("inputRequests"):
        errors.append("InputRequiredResult missing inputRequests")
    else:
        if not r.get("requestState"):
            errors.append("InputRequiredResult missing requestState")
        methods = {v.get("method") for v in r["inputRequests"].values()}
        if len(r["inputRequests"]) < 3:
            errors.append(f"expected at least 3 inputRequests, got {len(r['inputRequests'])}")
        for m in ("elicitation/create", "sampling/createMessage", "roots/list"):
            if m not in methods:
                errors.append(f"expected a {m} inputRequest")
    ctx.check("sep-2322-multiple-inputs-incomplete", not errors, "; ".join(errors) or "3 input requests",
              {"result": _clip(r, 400)})
    if errors:
        return
    responses = {}
    for key, req in r["inputRequests"].items():
        responses[key] = {"elicitation/create": _mock_elicit({"name": "Alice"}),
                          "sampling/createMessage": _mock_sampling("Hello there!"),
                          "roots/list": ROOTS_ANSWER}.get(req.get("method"))
    _round_complete(ctx, "tools/call", _retry_params("name", name, responses, r, {"arguments": {}}),
                    "sep-2322-multiple-inputs-complete")


@scenario("input-required-result-multi-round", (V2026,))
def s_irr_multi_round(ctx: Ctx) -> None:
    name = MRTR + "multi_round"
    r1, err, note = _rpc(ctx, "tools/call", {"name": name, "arguments": {}})
    ok1 = err is None and _is_ir(r1) and bool(r1.get("inputRequests")) and bool(r1.get("requestState"))
    ctx.check("sep-2322-multi-round-r1", ok1, "InputRequiredResult with inputRequests and requestState" if ok1
              else f"expected InputRequiredResult with inputRequests and requestState: {err or note or _clip(r1, 300)}")
    if not ok1:
        return
    r2, err, note = _rpc(ctx, "tools/call", _retry_params("name", name, {_first_key(r1): _mock_elicit({"name": "Alice"})},
                                                          r1, {"arguments": {}}))
    ok2 = err is None and _is_ir(r2) and bool(r2.get("inputRequests")) and bool(r2.get("requestState")) \
        and r2["requestState"] != r1["requestState"]
    ctx.check("sep-2322-multi-round-r2", ok2, "new InputRequiredResult with a different requestState" if ok2
              else f"expected a new InputRequiredResult with a different requestState: {err or note or _clip(r2, 300)}")
    if not ok2:
        return
    r3, err, note = _rpc(ctx, "tools/call", _retry_params("name", name, {_first_key(r2): _mock_elicit({"color": "blue"})},
                                                          r2, {"arguments": {}}))
    ok3 = err is None and r3 is not None and _is_complete(r3)
    ctx.check("sep-2322-multi-round-r3", ok3, "complete" if ok3 else f"expected complete: {err or note or _clip(r3, 300)}")


@scenario("input-required-result-missing-input-response", (V2026,))
def s_irr_missing(ctx: Ctx) -> None:
    r, err, note = _rpc(ctx, "tools/call", {"name": MRTR + "elicitation", "arguments": {},
                                            "inputResponses": {"wrong_key": _mock_elicit({"data": "wrong"})}})
    if err is not None:
        msg = "JSON-RPC error instead of re-requesting via InputRequiredResult (SEP-2322 recommends re-requesting)"
    elif r is None:
        msg = note or "no result"
    elif not _is_ir(r):
        msg = "expected InputRequiredResult re-requesting the missing information, got a complete result"
    else:
        msg = ""
    ctx.check("sep-2322-missing-response-rerequests", not msg, msg or "re-requested", {"result": _clip(r or err, 300)},
              fail=WARNING)


@scenario("input-required-result-non-tool-request", (V2026,))
def s_irr_prompt(ctx: Ctx) -> None:
    name = MRTR + "prompt"
    r1 = _round1(ctx, "prompts/get", {"name": name}, "sep-2322-non-tool-incomplete")
    if r1:
        _round_complete(ctx, "prompts/get", _retry_params("name", name, {_first_key(r1): _mock_elicit({"context": "test context"})},
                                                          r1), "sep-2322-non-tool-complete", need_messages=True)


@scenario("input-required-result-result-type", (V2026,))
def s_irr_result_type(ctx: Ctx) -> None:
    r, err, note = _rpc(ctx, "tools/call", {"name": MRTR + "elicitation", "arguments": {}})
    if err is not None or r is None:
        msg = f"no result: {err or note}"
    elif "resultType" not in r:
        msg = "resultType field is missing (servers MUST include it)"
    elif r["resultType"] != "input_required":
        msg = f"expected resultType \"input_required\", got {r['resultType']!r}"
    else:
        msg = ""
    ctx.check("sep-2322-result-type-included", not msg, msg or "resultType input_required present")


@scenario("input-required-result-unsupported-methods", (V2026,))
def s_irr_unsupported(ctx: Ctx) -> None:
    bad = []
    for method in ("tools/list", "prompts/list"):
        r, err, note = _rpc(ctx, method, {})
        if _is_ir(r):
            bad.append(method)
        elif r is None and err is None:
            bad.append(f"{method}: {note}")
    ctx.check("sep-2322-not-on-unsupported-requests", not bad, f"InputRequiredResult on {bad}" if bad else "none")


@scenario("input-required-result-tampered-state", (V2026,))
def s_irr_tampered(ctx: Ctx) -> None:
    name = MRTR + "tampered_state"
    r1, err, note = _rpc(ctx, "tools/call", {"name": name, "arguments": {}})
    if err is not None or not _is_ir(r1):
        ctx.add("sep-2322-reject-tampered-state", FAILURE,
                f"prerequisite failed: no initial InputRequiredResult ({err or note or _clip(r1, 200)})")
        return
    if not r1.get("requestState"):
        ctx.add("sep-2322-reject-tampered-state", FAILURE, "server did not include requestState")
        return
    params = {"name": name, "arguments": {}, "inputResponses": {_first_key(r1): _mock_elicit({"ok": True})},
              "requestState": r1["requestState"] + "-TAMPERED"}
    r2, err, note = _rpc(ctx, "tools/call", params)
    if err is not None:
        ctx.add("sep-2322-reject-tampered-state", SUCCESS, f"rejected with error {err.get('code')}", err)
    elif r2 is not None and _is_complete(r2):
        ctx.add("sep-2322-reject-tampered-state", FAILURE, "accepted tampered requestState and returned a complete result")
    else:
        ctx.add("sep-2322-reject-tampered-state", FAILURE,
                f"no JSON-RPC error for tampered requestState ({note or _clip(r2, 200)})")


@scenario("input-required-result-capability-check", (V2026,))
def s_irr_caps(ctx: Ctx) -> None:
    r, err, note = _rpc(ctx, "tools/call", {"name": MRTR + "capabilities", "arguments": {}}, caps={"sampling": {}})
    errors = []
    if err is not None:
        errors.append(f"JSON-RPC error: {err.get('message')}")
    elif r is None:
        errors.append(note)
    elif _is_ir(r) and r.get("inputRequests"):
        errors += [f"included elicitation/create (key {k!r}) but the client did not declare elicitation"
                   for k, v in r["inputRequests"].items() if v.get("method") == "elicitation/create"]
    elif _is_complete(r):
        errors.append("returned a complete result; expected InputRequiredResult with sampling-only inputRequests")
    ctx.check("sep-2322-respect-client-capabilities", not errors, "; ".join(errors) or "sampling only",
              {"result": _clip(r, 300)})


@scenario("input-required-result-ignore-extra-params", (V2026,))
def s_irr_extra(ctx: Ctx) -> None:
    r, err, note = _rpc(ctx, "tools/call", {"name": MRTR + "elicitation", "arguments": {}, "inputResponses": {
        "user_name": _mock_elicit({"name": "Alice"}),
        "unknown_extra_key": {"action": "accept", "content": {"foo": "bar"}},
        "another_unexpected": {"action": "accept", "content": {"baz": 123}}}})
    if err is not None:
        msg = f"JSON-RPC error when extra keys were included: {err.get('message')}"
    elif r is None:
        msg = note
    elif not _is_complete(r):
        msg = "no complete result for valid inputResponses plus extra keys"
    else:
        msg = ""
    ctx.check("sep-2322-ignore-unexpected-params", not msg, msg or "complete", {"result": _clip(r, 300)}, fail=WARNING)


@scenario("input-required-result-validate-input", (V2026,))
def s_irr_validate(ctx: Ctx) -> None:
    r, err, note = _rpc(ctx, "tools/call", {"name": MRTR + "elicitation", "arguments": {},
                                            "inputResponses": {"user_name": 12345}})
    accepted = err is None and r is not None and _is_complete(r)
    ctx.check("sep-2322-validate-input-responses", not accepted,
              "accepted a number as an elicitation answer" if accepted else
              f"not accepted ({'error ' + str(err.get('code')) if err else 'InputRequiredResult' if r else note})",
              fail=WARNING)
    r, err, note = _rpc(ctx, "tools/call", {"name": MRTR + "elicitation", "arguments": {}, "inputResponses": None})
    accepted = err is None and r is not None and _is_complete(r)
    ctx.check("sep-2322-error-on-protocol-error", not accepted,
              "accepted null inputResponses" if accepted else
              f"not accepted ({'error ' + str(err.get('code')) if err else 'InputRequiredResult' if r else note})",
              fail=WARNING)


# ---------------------------------------------------------------- tasks-* (SEP-2663 extension)
#
# Mirrors modelcontextprotocol/conformance src/scenarios/server/tasks/*.ts (c321dd3): same requests,
# same check ids and pass conditions; `portico-*` checks are extras (docs/notes/tasks-conformance.md).
# Every request is stateless 2026-07-28 with per-request `_meta` capabilities; tasks/get|update|cancel
# carry `Mcp-Name: <taskId>`. Task-typed results (`resultType:"task"`) are schema-validated
# envelope-only: the 2026 schema has no CreateTaskResult and its CallToolResult requires `content`.

TASKS_EXT = "io.modelcontextprotocol/tasks"
TK_CAPS = {"elicitation": {}, "sampling": {}, "extensions": {TASKS_EXT: {}}}  # lifecycle/dispatch/mrtr-input
TK_CAPS_EXT_ONLY = {"extensions": {TASKS_EXT: {}}}                         # wire-fields/request-state/headers
TK_NAMED = ("tasks/get", "tasks/update", "tasks/cancel")
TK_TERMINAL = ("completed", "failed", "cancelled")
TK_STATUSES = ("working", "input_required") + TK_TERMINAL
TK_ENVELOPE_KEYS = ("taskId", "status", "result", "error", "inputRequests")
TK_FIXTURE_TOOLS = ("greet", "slow_compute", "failing_job", "protocol_error_job", "confirm_delete",
                    "multi_input", "test_tool_with_task")
_TK_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")  # upstream isIso8601
_TK_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class _TkFail(Exception):
    """A request that did not yield a result: JSON-RPC error (code set) or no usable response."""

    def __init__(self, message: str, code: int | None = None, data: Any = None, status: int | None = None):
        super().__init__(message)
        self.code, self.data, self.status = code, data, status


def _tk_send(ctx: Ctx, method: str, params: dict | None, caps: dict | None, *,
             headers: dict | None = None, timeout: float = 10.0) -> tuple[Exchange, dict | None]:
    """One stateless request like upstream sendStatelessRequest(): standard headers + _meta with `caps`
    (params["_meta"] keys win); `headers` override case-insensitively (None removes)."""
    p = modern_params(params or {}, modern_meta(caps=caps))
    h = modern_headers(method, p)
    if method in TK_NAMED and isinstance(p.get("taskId"), str):
        h["Mcp-Name"] = p["taskId"]
    for k, v in (headers or {}).items():
        for e in [e for e in h if e.lower() == k.lower()]:
            del h[e]
        if v is not None:
            h[k] = v
    rid = ctx.nid()
    try:
        with ctx.http(timeout) as c:
            ex = post(c, ctx.url, rpc(method, p, rid), h, timeout=timeout)
    except (httpx.HTTPError, OSError) as e:
        raise _TkFail(f"{method}: transport error {type(e).__name__}: {e}") from None
    resp = ex.response_for(rid)
    res = (resp or {}).get("result")
    ctx.observe(ex, None if isinstance(res, dict) and res.get("resultType") == "task" else method)
    return ex, resp


def _tk_req(ctx: Ctx, method: str, params: dict | None, caps: dict | None, **kw) -> dict:
    """Upstream conn.request(): the result, or _TkFail on a JSON-RPC error / missing response."""
    ex, resp = _tk_send(ctx, method, params, caps, **kw)
    if resp is None:
        raise _TkFail(f"HTTP {ex.status}: expected a JSON-RPC result for '{method}', got "
                      f"{ex.content_type or 'no content type'} {ex.raw[:200]!r}", status=ex.status)
    err = resp.get("error")
    if isinstance(err, dict) and isinstance(err.get("code"), int):
        raise _TkFail(f"{method}: JSON-RPC error {err['code']}: {err.get('message')}", err["code"],
                      err.get("data"), ex.status)
    if not isinstance(resp.get("result"), dict):
        raise _TkFail(f"{method}: malformed response {_clip(resp, 200)}", status=ex.status)
    res = resp["result"]
    if method in ("tools/call",) and res.get("resultType") == "task":
        _tk_seen(ctx, "create", res)
    elif method == "tasks/get":
        _tk_seen(ctx, "get", res)
    return res


def _tk_error_code(ctx: Ctx, method: str, params: dict | None, caps: dict | None,
                   **kw) -> tuple[int | None, Any, str]:
    """(code, data, note) of a request expected to fail; code None when it returned a result."""
    try:
        r = _tk_req(ctx, method, params, caps, **kw)
    except _TkFail as e:
        return e.code, e.data, str(e)
    return None, None, f"{method} returned a result: {_clip(r, 200)}"


def _tk_get(ctx: Ctx, task_id: str, caps: dict | None = None) -> dict:
    return _tk_req(ctx, "tasks/get", {"taskId": task_id}, TK_CAPS if caps is None else caps)


def _tk_wait(ctx: Ctx, task_id: str, status: str | None = None, timeout: float = 10.0,
             caps: dict | None = None) -> dict:
    """Upstream waitForTerminal (status None) / waitForStatus: poll tasks/get every 200 ms."""
    start = time.monotonic()
    last: dict = {}
    while time.monotonic() - start < timeout:
        last = _tk_get(ctx, task_id, caps)
        if last.get("status") in TK_TERMINAL or (status is not None and last.get("status") == status):
            return last
        time.sleep(0.2)
    want = f"status {status}" if status else "terminal state"
    raise _TkFail(f"Task {task_id} did not reach {want} within {int(timeout * 1000)}ms "
                  f"(last status {last.get('status')!r})")


def _tk_cancel_quietly(ctx: Ctx, task_id: Any, caps: dict | None = None) -> None:
    if isinstance(task_id, str) and task_id:
        try:
            _tk_req(ctx, "tasks/cancel", {"taskId": task_id}, TK_CAPS if caps is None else caps)
        except _TkFail:
            pass


def _tk_call(ctx: Ctx, name: str, args: dict | None, caps: dict | None = None, **extra) -> dict:
    return _tk_req(ctx, "tools/call", {"name": name, "arguments": args or {}, **extra},
                   TK_CAPS if caps is None else caps)


def _tk_record(ctx: Ctx, cid: str, errs: list[str], ok: str = "ok", details: Any = None,
               fail: str = FAILURE) -> None:
    ctx.add(cid, fail if errs else SUCCESS, "; ".join(errs) if errs else ok, details)


def _tk_untestable(ctx: Ctx, cid: str, why: str = "no task was created by the preceding step") -> None:
    ctx.add(cid, FAILURE, f"Not testable: {why}, so this check could not be exercised", {"untestable": True})


def _is_pos_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


# ---- portico-tasks-wire-shape: every task object seen during a scenario


def _tk_seen(ctx: Ctx, kind: str, obj: Any) -> None:
    seen = getattr(ctx, "_tk_shapes", None)
    if seen is None:
        seen = []
        ctx._tk_shapes = seen  # type: ignore[attr-defined]
    seen.append((kind, obj))


def _tk_shape_errs(kind: str, t: Any) -> list[str]:
    if not isinstance(t, dict):
        return [f"{kind}: not an object"]
    e: list[str] = []
    want_rt = {"create": "task", "get": "complete"}.get(kind)
    if want_rt and t.get("resultType") != want_rt:
        e.append(f"resultType {t.get('resultType')!r} (want {want_rt!r})")
    if not (isinstance(t.get("taskId"), str) and t["taskId"]):
        e.append(f"taskId {t.get('taskId')!r}")
    st = t.get("status")
    if st not in TK_STATUSES:
        e.append(f"status {st!r}")
    for k in ("createdAt", "lastUpdatedAt"):
        if not (isinstance(t.get(k), str) and _TK_RFC3339.match(t[k])):
            e.append(f"{k} {t.get(k)!r} is not an RFC 3339 timestamp")
    if "ttlMs" not in t:
        e.append("ttlMs missing (required: integer ms or null)")
    elif t["ttlMs"] is not None and not _is_pos_int(t["ttlMs"]):
        e.append(f"ttlMs {t['ttlMs']!r}")
    if "pollIntervalMs" in t and not _is_pos_int(t["pollIntervalMs"]):
        e.append(f"pollIntervalMs {t['pollIntervalMs']!r}")
    if "statusMessage" in t and not isinstance(t["statusMessage"], str):
        e.append("statusMessage not a string")
    legacy = [k for k in ("ttl", "pollInterval", "task", "requestState", "parentTaskId") if k in t]
    if legacy:
        e.append(f"legacy/undefined keys {legacy}")
    if kind == "create":
        bad = [k for k in ("result", "error", "inputRequests") if k in t]
        if bad:
            e.append(f"CreateTaskResult carries {bad}")
        return e
    if st == "completed":
        if not (isinstance(t.get("result"), dict) and isinstance(t["result"].get("content"), list)):
            e.append("completed without result{content[]}")
    elif "result" in t:
        e.append(f"result on a {st} task")
    if st == "failed":
        er = t.get("error")
        if not (isinstance(er, dict) and isinstance(er.get("code"), int) and isinstance(er.get("message"), str)):
            e.append(f"failed without error{{code,message}}: {_clip(er, 100)}")
    elif "error" in t:
        e.append(f"error on a {st} task")
    if st == "input_required":
        ir = t.get("inputRequests")
        if not (isinstance(ir, dict) and ir and all(isinstance(v, dict) and isinstance(v.get("method"), str)
                                                    for v in ir.values())):
            e.append(f"input_required without inputRequests{{key:{{method,params}}}}: {_clip(ir, 100)}")
    elif "inputRequests" in t:
        e.append(f"inputRequests on a {st} task")
    return e


def _tk_emit_shapes(ctx: Ctx) -> None:
    seen = getattr(ctx, "_tk_shapes", None) or []
    if not seen:
        return
    problems = []
    for kind, obj in seen:
        errs = _tk_shape_errs(kind, obj)
        if errs:
            problems.append({"kind": kind, "status": (obj or {}).get("status") if isinstance(obj, dict) else None,
                             "problems": errs, "object": _clip(obj, 300)})
    if problems:
        ctx.add("portico-tasks-wire-shape", FAILURE,
                f"{len(problems)}/{len(seen)} task object(s) malformed: {problems[0]['kind']}: "
                f"{'; '.join(problems[0]['problems'])}", problems[:10])
    else:
        kinds = sorted({k for k, _ in seen})
        ctx.add("portico-tasks-wire-shape", SUCCESS, f"{len(seen)} task object(s) well-formed ({', '.join(kinds)})")


def _tasks_scenario(name: str):
    """Register a 2026-07-28 tasks-* scenario (pending upstream) that always reports the shape check."""
    def deco(fn):
        def runner_fn(ctx: Ctx) -> None:
            try:
                fn(ctx)
            finally:
                _tk_emit_shapes(ctx)
        runner_fn.__name__ = fn.__name__
        runner_fn.__doc__ = fn.__doc__
        scenario(name, (V2026,), pending=True)(runner_fn)
        return fn
    return deco


def _tk_no_envelope(ack: dict, what: str) -> list[str]:
    off = [k for k in TK_ENVELOPE_KEYS if k in ack]
    return [f"{what} MUST NOT carry task-envelope fields; got: {', '.join(off)}"] if off else []


# ---- scenarios


@_tasks_scenario("tasks-lifecycle")
def s_tasks_lifecycle(ctx: Ctx) -> None:
    # Portico extra: the fixture tool set (upstream: "tools/list output must include all").
    try:
        tools = {t.get("name"): t for t in _tk_req(ctx, "tools/list", {}, TK_CAPS).get("tools") or []
                 if isinstance(t, dict)}
        missing = [n for n in TK_FIXTURE_TOOLS if n not in tools]
        support = {n: (tools[n]["execution"].get("taskSupport") if isinstance(tools[n].get("execution"), dict)
                       else None) for n in TK_FIXTURE_TOOLS if n in tools}
        _tk_record(ctx, "portico-tasks-fixture-tools-listed",
                   [f"tools/list lacks {missing}"] if missing else [], f"all 7 listed; taskSupport {support}",
                   {"taskSupport": support})
    except _TkFail as e:
        ctx.add("portico-tasks-fixture-tools-listed", FAILURE, str(e))

    # 1
    errs: list[str] = []
    try:
        r = _tk_call(ctx, "greet", {"name": "World"})
        if r.get("resultType") == "task":
            errs.append('sync tool result MUST NOT carry resultType:"task"')
        if r.get("taskId"):
            errs.append(f"sync tool result MUST NOT carry top-level taskId; got {r['taskId']}")
        if not (isinstance(r.get("content"), list) and r["content"]):
            errs.append("sync tool result MUST carry a non-empty content[] array")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-sync-tool-call", errs, "greet answered synchronously")

    # 2
    working_id = None
    errs = []
    details = None
    try:
        r = _tk_call(ctx, "slow_compute", {"seconds": 2, "label": "lifecycle-create"})
        details = {"resultType": r.get("resultType"), "taskId": r.get("taskId"), "status": r.get("status")}
        if r.get("resultType") != "task":
            errs.append(f'expected resultType:"task"; got {json.dumps(r.get("resultType"))}')
        if r.get("task"):
            errs.append("CreateTaskResult MUST be flat (Result & Task); there must be no nested `task` wrapper key")
        if not r.get("taskId"):
            errs.append("CreateTaskResult MUST carry top-level taskId")
        if not r.get("status"):
            errs.append("CreateTaskResult MUST carry top-level status")
        for k in ("result", "error", "inputRequests"):
            if k in r:
                errs.append(f"CreateTaskResult MUST NOT carry `{k}` (lives on tasks/get DetailedTask)")
        for k in ("createdAt", "lastUpdatedAt"):
            if not (isinstance(r.get(k), str) and _TK_ISO_PREFIX.match(r[k])):
                errs.append(f"{k} MUST be an ISO-8601 string; got {json.dumps(r.get(k))}")
        working_id = r.get("taskId") or None
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-result-type-task-on-create", errs, "flat CreateTaskResult", details)

    # 3
    if not working_id:
        _tk_untestable(ctx, "sep-2663-tasks-get-status-working")
    else:
        errs = []
        try:
            t = _tk_get(ctx, working_id)
            if t.get("taskId") != working_id:
                errs.append(f"taskId mismatch: expected {working_id}, got {t.get('taskId')}")
            if not t.get("status"):
                errs.append("tasks/get response MUST carry status")
            details = {"status": t.get("status")}
        except _TkFail as e:
            errs.append(str(e))
        _tk_record(ctx, "sep-2663-tasks-get-status-working", errs, f"status {details and details['status']!r}")

    # 4
    if not working_id:
        _tk_untestable(ctx, "sep-2663-tasks-get-status-completed")
    else:
        errs = []
        try:
            t = _tk_wait(ctx, working_id)
            if t.get("status") != "completed":
                errs.append(f'expected status:"completed"; got {json.dumps(t.get("status"))}')
            if not t.get("result"):
                errs.append("completed task MUST inline `result`")
            elif not (isinstance(t["result"].get("content"), list) and t["result"]["content"]):
                errs.append("completed task `result.content[]` MUST be a non-empty array")
        except _TkFail as e:
            errs.append(str(e))
        _tk_record(ctx, "sep-2663-tasks-get-status-completed", errs, "result inlined on tasks/get")

    # 5
    errs = []
    try:
        created = _tk_call(ctx, "failing_job", {})
        if not created.get("taskId"):
            errs.append("failing_job MUST create a task")
        else:
            t = _tk_wait(ctx, created["taskId"])
            if t.get("status") != "completed":
                errs.append(f'tool error MUST surface as completed (not "{t.get("status")}")')
            if not t.get("result"):
                errs.append("completed task with tool error MUST carry `result`")
            elif t["result"].get("isError") is not True:
                errs.append("result.isError MUST be true for tool execution errors")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-tool-error-uses-completed-status", errs, "completed + result.isError")

    # 6
    errs = []
    try:
        created = _tk_call(ctx, "protocol_error_job", {})
        if not created.get("taskId"):
            errs.append("protocol_error_job MUST create a task")
        else:
            t = _tk_wait(ctx, created["taskId"])
            if t.get("status") != "failed":
                errs.append(f'protocol error MUST surface as failed (not "{t.get("status")}")')
            er = t.get("error")
            if not er:
                errs.append("failed task MUST carry inlined `error`")
            else:
                if not (isinstance(er.get("code"), (int, float)) and not isinstance(er.get("code"), bool)):
                    errs.append("failed task error MUST carry numeric `code`")
                if not isinstance(er.get("message"), str):
                    errs.append("failed task error MUST carry string `message`")
            if t.get("result"):
                errs.append("failed task MUST NOT carry `result`")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-tasks-get-status-failed", errs, "failed + error{code,message}")

    # 7
    errs = []
    after_status = None
    cancel_details: Any = None
    try:
        created = _tk_call(ctx, "slow_compute", {"seconds": 60, "label": "lifecycle-cancel"})
        tid = created.get("taskId")
        if not tid:
            errs.append("slow_compute did not create a task")
        else:
            ack = _tk_req(ctx, "tasks/cancel", {"taskId": tid}, TK_CAPS)
            if ack.get("resultType") != "complete":
                errs.append(f'cancel ack MUST carry resultType:"complete"; got resultType={ack.get("resultType")}')
            errs += _tk_no_envelope(ack, "cancel ack")
            after = _tk_wait(ctx, tid)
            after_status = after.get("status")
            cancel_details = {"cancelAck": ack, "statusAfterCancel": after_status}
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-cancel-ack-empty-result", errs, f"empty ack; settled to {after_status!r}",
               cancel_details)
    if after_status is not None:
        ctx.check("portico-tasks-cancel-settles-cancelled", after_status == "cancelled",
                  f"slow_compute settled to {after_status!r} after tasks/cancel (fixture contract: cancelled)")

    # 8
    errs = []
    try:
        created = _tk_call(ctx, "slow_compute", {"seconds": 1, "label": "lifecycle-cancel-terminal"})
        tid = created.get("taskId")
        if not tid:
            errs.append("slow_compute did not create a task")
        else:
            _tk_wait(ctx, tid)
            ack = _tk_req(ctx, "tasks/cancel", {"taskId": tid}, TK_CAPS)
            if ack.get("resultType") != "complete":
                errs.append('idempotent cancel ack MUST carry resultType:"complete"; '
                            f'got resultType={ack.get("resultType")}')
            errs += _tk_no_envelope(ack, "idempotent cancel ack")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-cancel-terminal-idempotent-ack", errs, "terminal cancel acked")


@_tasks_scenario("tasks-capability-negotiation")
def s_tasks_capability(ctx: Ctx) -> None:
    without: dict = {}
    # 1
    errs = []
    details = None
    try:
        caps = _tk_req(ctx, "server/discover", {}, TK_CAPS).get("capabilities") or {}
        details = {"hasExtensions": bool(caps.get("extensions")),
                   "hasTasksExtension": bool((caps.get("extensions") or {}).get(TASKS_EXT) is not None),
                   "hasV1TasksSlot": bool(caps.get("tasks"))}
        if caps.get("tasks"):
            errs.append("v1-style capabilities.tasks slot MUST NOT be used; tasks lives under capabilities.extensions")
        if not caps.get("extensions"):
            errs.append("capabilities.extensions MUST be advertised")
        elif (caps["extensions"] or {}).get(TASKS_EXT) is None:  # upstream: truthy; `{}` is truthy in JS
            errs.append(f'capabilities.extensions["{TASKS_EXT}"] MUST be present')
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-extension-advertised", errs, f"extensions[{TASKS_EXT}] advertised", details)

    # 2
    errs = []
    for method, params in (("tasks/get", {"taskId": "gate-test"}),
                           ("tasks/update", {"taskId": "gate-test", "inputResponses": {}}),
                           ("tasks/cancel", {"taskId": "gate-test"})):
        code, _, note = _tk_error_code(ctx, method, params, without)
        if code is None and "returned a result" in note:
            errs.append(f"{method} MUST reject (it returned a result)")
        elif code != -32021:
            errs.append(f"{method} MUST return -32021; got {code if code is not None else '<missing>'} ({note})")
    _tk_record(ctx, "sep-2663-tasks-methods-non-declaring", errs, "tasks/get|update|cancel → -32021")

    # 3
    errs = []
    try:
        r = _tk_call(ctx, "slow_compute", {"seconds": 0, "label": "capability-no-ext"}, without)
        details = {"resultType": r.get("resultType"), "hasTaskId": bool(r.get("taskId"))}
        if r.get("resultType") == "task":
            errs.append('tools/call without extension MUST NOT return resultType:"task"')
        if r.get("taskId"):
            errs.append(f"tools/call without extension MUST NOT carry top-level taskId; got {r['taskId']}")
        if r.get("task"):
            errs.append("tools/call without extension MUST NOT carry the v1-style nested `task` envelope")
        if not r.get("content"):
            errs.append("tools/call without extension MUST return sync ToolResult with content[]")
        _tk_cancel_quietly(ctx, r.get("taskId"))
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-server-rejects-undeclared-client", errs, "sync ToolResult without the extension")

    # 4
    errs = []
    details = None
    try:
        r = _tk_call(ctx, "slow_compute", {"seconds": 1, "label": "capability-meta-opt"}, without,
                     _meta={META_CAPS: {"extensions": {TASKS_EXT: {}}}})
        details = {"resultType": r.get("resultType"), "taskId": r.get("taskId")}
        if r.get("resultType") != "task":
            errs.append(f'expected resultType:"task" via per-request opt-in; got {json.dumps(r.get("resultType"))}')
        if not r.get("taskId"):
            errs.append("per-request opt-in MUST produce a CreateTaskResult with top-level taskId")
        if r.get("task"):
            errs.append("CreateTaskResult MUST be flat (no nested `task` wrapper) even on per-request opt-in path")
        _tk_cancel_quietly(ctx, r.get("taskId"))
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-per-request-meta-opt-in", errs, "per-request _meta opt-in → CreateTaskResult", details)


@_tasks_scenario("tasks-wire-fields")
def s_tasks_wire_fields(ctx: Ctx) -> None:
    caps = TK_CAPS_EXT_ONLY
    created_id = None
    errs = []
    details = None
    try:
        r = _tk_call(ctx, "slow_compute", {"seconds": 1, "label": "wire-fields"}, caps)
        created_id = r.get("taskId") or None
        details = {"ttlMs": r.get("ttlMs"), "pollIntervalMs": r.get("pollIntervalMs"),
                   "hasLegacyTtl": "ttl" in r, "hasLegacyPollInterval": "pollInterval" in r}
        if "ttlMs" not in r:
            errs.append("CreateTaskResult MUST carry ttlMs (renamed from v1 `ttl`)")
        elif r["ttlMs"] is not None and not _is_pos_int(r["ttlMs"]):
            errs.append(f"ttlMs MUST be null or a positive integer (milliseconds); got {json.dumps(r['ttlMs'])}")
        if "ttl" in r:
            errs.append("CreateTaskResult MUST NOT carry the v1 `ttl` key (use ttlMs)")
        if "pollIntervalMs" in r and not _is_pos_int(r["pollIntervalMs"]):
            errs.append("pollIntervalMs MUST be a positive integer when present; "
                        f"got {json.dumps(r['pollIntervalMs'])}")
        if "pollInterval" in r:
            errs.append("CreateTaskResult MUST NOT carry the v1 `pollInterval` key (use pollIntervalMs)")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-wire-field-renames", errs, f"ttlMs/pollIntervalMs {details}", details)

    if not created_id:
        _tk_untestable(ctx, "tasks-no-early-ttl-expiry")
    else:
        errs = []
        try:
            _tk_wait(ctx, created_id, caps=caps)
            time.sleep(0.5)
            after = _tk_get(ctx, created_id, caps)
            if after.get("taskId") != created_id:
                errs.append(f"task MUST still be accessible before TTL; got taskId={after.get('taskId')}")
        except _TkFail as e:
            errs.append(str(e))
        _tk_record(ctx, "tasks-no-early-ttl-expiry", errs, "still retrievable after completion + 500 ms")

    errs = []
    try:
        r = _tk_call(ctx, "slow_compute", {"seconds": 1, "label": "wire-fields-meta"}, caps)
        if not r.get("taskId"):
            _tk_untestable(ctx, "tasks-no-related-task-meta-on-inlined-result")
        else:
            t = _tk_wait(ctx, r["taskId"], caps=caps)
            meta = (t.get("result") or {}).get("_meta") if isinstance(t.get("result"), dict) else None
            if isinstance(meta, dict) and meta.get("io.modelcontextprotocol/related-task"):
                errs.append("related-task _meta MUST NOT appear on tasks/get inlined result")
            _tk_record(ctx, "tasks-no-related-task-meta-on-inlined-result", errs, "no related-task _meta",
                       {"hasMeta": bool(meta)})
    except _TkFail as e:
        _tk_record(ctx, "tasks-no-related-task-meta-on-inlined-result", [str(e)])


@_tasks_scenario("tasks-request-state-removal")
def s_tasks_request_state(ctx: Ctx) -> None:
    caps = TK_CAPS_EXT_ONLY
    try:
        created = _tk_call(ctx, "slow_compute", {"seconds": 60, "label": "request-state-removal"}, caps)
    except _TkFail as e:
        ctx.add("tasks-request-state-removal-setup", FAILURE, f"Failed to create a long-running task: {e}")
        return
    tid = created.get("taskId")
    if not tid:
        ctx.add("tasks-request-state-removal-setup", FAILURE, "no taskId in tools/call response",
                {"result": _clip(created, 300)})
        return
    has = "requestState" in created
    ctx.check("tasks-create-result-no-request-state", not has,
              f"CreateTaskResult carries requestState = {json.dumps(created.get('requestState'))}" if has
              else "no requestState on CreateTaskResult")
    try:
        d = _tk_get(ctx, tid, caps)
        has = "requestState" in d
        ctx.check("tasks-get-detailed-no-request-state", not has,
                  f"DetailedTask carries requestState (status={d.get('status')})" if has
                  else f"no requestState on tasks/get (status {d.get('status')!r})",
                  {"observedStatus": d.get("status")})
    except _TkFail as e:
        ctx.add("tasks-get-detailed-no-request-state", FAILURE, str(e))
    _tk_cancel_quietly(ctx, tid, caps)


@_tasks_scenario("tasks-mrtr-input")
def s_tasks_mrtr_input(ctx: Ctx) -> None:
    # 1
    errs = []
    try:
        created = _tk_call(ctx, "confirm_delete", {"filename": "mrtr-input.txt"})
        tid = created.get("taskId")
        if not tid:
            errs.append("confirm_delete did not create a task")
        else:
            t = _tk_wait(ctx, tid, "input_required", 5.0)
            if t.get("status") != "input_required":
                errs.append(f'expected status:"input_required"; got {json.dumps(t.get("status"))}')
            ir = t.get("inputRequests")
            if not isinstance(ir, dict):
                errs.append("inputRequests MUST be a non-null object (map)")
            elif not ir:
                errs.append("inputRequests MUST have at least one entry")
            elif not (isinstance(next(iter(ir.values())), dict) and next(iter(ir.values())).get("method")):
                errs.append("each inputRequest MUST carry a `method` (e.g., elicitation/create)")
            _tk_cancel_quietly(ctx, tid)
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-tasks-get-status-input-required", errs, "input_required + inputRequests")

    # 2
    errs = []
    try:
        created = _tk_call(ctx, "confirm_delete", {"filename": "mrtr-resume.txt"})
        tid = created.get("taskId")
        if not tid:
            errs.append("confirm_delete did not create a task")
        else:
            t = _tk_wait(ctx, tid, "input_required", 5.0)
            pending = t.get("inputRequests") if isinstance(t.get("inputRequests"), dict) else {}
            responses = {k: {"action": "accept", "content": {"confirm": True}} for k in pending}
            ack = _tk_req(ctx, "tasks/update", {"taskId": tid, "inputResponses": responses}, TK_CAPS)
            if ack.get("resultType") != "complete":
                errs.append('tasks/update ack MUST carry resultType:"complete"; '
                            f'got resultType={ack.get("resultType")}')
            errs += _tk_no_envelope(ack, "tasks/update ack")
            term = _tk_wait(ctx, tid)
            if term.get("status") != "completed":
                errs.append("task MUST resume to completed after tasks/update; "
                            f"got status {json.dumps(term.get('status'))}")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-mrtr-tasks-update-resumes", errs, "update acked; task completed")

    # 3
    errs = []
    try:
        created = _tk_call(ctx, "multi_input", {})
        tid = created.get("taskId")
        if not tid:
            errs.append("multi_input did not create a task")
        else:
            t: dict = {}
            start = time.monotonic()
            while time.monotonic() - start < 5.0:
                t = _tk_get(ctx, tid)
                if t.get("status") == "input_required" and isinstance(t.get("inputRequests"), dict) \
                        and len(t["inputRequests"]) >= 2:
                    break
                time.sleep(0.1)
            if t.get("status") != "input_required":
                errs.append(f"task with two parallel elicits MUST be input_required; got {json.dumps(t.get('status'))}")
            keys = list(t.get("inputRequests") or {}) if isinstance(t.get("inputRequests"), dict) else []
            if len(keys) < 2:
                errs.append(f"multi_input MUST surface 2 inputRequests; got {len(keys)}")
                _tk_cancel_quietly(ctx, tid)
            else:
                first, second = keys[0], keys[1]
                ack = _tk_req(ctx, "tasks/update", {"taskId": tid, "inputResponses": {
                    first: {"action": "accept", "content": {"name": "partial-1", "confirm": True}}}}, TK_CAPS)
                if ack.get("resultType") != "complete":
                    errs.append(f'partial tasks/update ack MUST carry resultType:"complete"; got {json.dumps(ack)}')
                after = _tk_get(ctx, tid)
                if after.get("status") != "input_required":
                    errs.append("task MUST stay input_required while another input is still pending; "
                                f"got {json.dumps(after.get('status'))}")
                left = after.get("inputRequests")
                remaining = list(left) if isinstance(left, dict) else []
                if second not in remaining:
                    errs.append(f"unanswered key MUST remain in inputRequests; got {json.dumps(remaining)}")
                if first in remaining:
                    errs.append(f"answered key MUST be removed from inputRequests; still saw {first}")
                _tk_req(ctx, "tasks/update", {"taskId": tid, "inputResponses": {
                    second: {"action": "accept", "content": {"name": "partial-2", "confirm": True}}}}, TK_CAPS)
                term = _tk_wait(ctx, tid)
                if term.get("status") != "completed":
                    errs.append("task MUST complete after both inputs are satisfied; "
                                f"got {json.dumps(term.get('status'))}")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-mrtr-partial-fulfillment", errs, "partial answers keep only pending keys; completed")


@_tasks_scenario("tasks-request-headers")
def s_tasks_request_headers(ctx: Ctx) -> None:
    caps = TK_CAPS_EXT_ONLY
    # 1
    errs = []
    try:
        r = _tk_call(ctx, "greet", {"name": "sep-2243"}, caps)
        if r.get("resultType") != "complete":
            errs.append('sync ToolResult.resultType MUST be "complete" regardless of routing header; '
                        f"got {json.dumps(r.get('resultType'))}")
        c = r.get("content")
        if not (isinstance(c, list) and c and isinstance(c[0], dict) and c[0].get("text") == "Hello, sep-2243!"):
            errs.append(f"tool result content MUST be unaffected by the Mcp-Method header (want text "
                        f"'Hello, sep-2243!', got {_clip(c, 120)})")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-headers-tolerate-mcp-method-on-tools-call", errs, "greet with Mcp-Method: tools/call")

    # 2
    routing_id = None
    errs = []
    try:
        created = _tk_call(ctx, "slow_compute", {"seconds": 60, "label": "headers-tasks-get"}, caps)
        routing_id = created.get("taskId") or None
        if not routing_id:
            errs.append("slow_compute did not create a task")
        else:
            g = _tk_req(ctx, "tasks/get", {"taskId": routing_id}, caps,
                        headers={"Mcp-Method": "tasks/get", "Mcp-Name": routing_id})
            if g.get("taskId") != routing_id:
                errs.append(f"tasks/get MUST resolve body taskId regardless of routing headers; got {g.get('taskId')}")
            if not g.get("status"):
                errs.append("tasks/get MUST still return status when routing headers are set")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-routing-headers-accepted-on-tasks-get", errs, "matched Mcp-Method + Mcp-Name accepted")

    statuses: dict[str, int | None] = {}
    # 3
    try:
        ex, resp = _tk_send(ctx, "tools/call", {"name": "greet", "arguments": {"name": "header-mismatch"}}, caps,
                            headers={"Mcp-Method": "tasks/get"})
        code = ((resp or {}).get("error") or {}).get("code")
        statuses["method-mismatch"] = ex.status
        ctx.check("tasks-headers-reject-mismatched-method", code == -32020,
                  "tools/call with Mcp-Method: tasks/get returned a successful response" if resp and "result" in resp
                  else f"HTTP {ex.status}, error code {code} (want -32020 HeaderMismatch)")
    except _TkFail as e:
        ctx.add("tasks-headers-reject-mismatched-method", FAILURE, str(e))

    # 4
    if not routing_id:
        ctx.add("sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get", FAILURE,
                "routing-task fixture from Check 2 unavailable; cannot drive negative-path probe")
    else:
        try:
            ex, resp = _tk_send(ctx, "tasks/get", {"taskId": routing_id}, caps,
                                headers={"Mcp-Name": "sep-2663-wrong-task-id-for-routing-header-mismatch"})
            code = ((resp or {}).get("error") or {}).get("code")
            statuses["name-mismatch"] = ex.status
            ctx.check("sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get", code == -32020,
                      "tasks/get with mismatched Mcp-Name returned a result" if resp and "result" in resp
                      else f"HTTP {ex.status}, error code {code} (want -32020 HeaderMismatch)")
        except _TkFail as e:
            ctx.add("sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get", FAILURE, str(e))

        # Portico extras (SEP-2243 + SEP-2663 "Routing Headers"): missing Mcp-Name, update/cancel mismatch.
        probes = []
        for label, method, params, hdrs in (
                ("get-missing", "tasks/get", {"taskId": routing_id}, {"Mcp-Name": None}),
                ("update-mismatch", "tasks/update", {"taskId": routing_id, "inputResponses": {}},
                 {"Mcp-Name": "portico-wrong-task-id"}),
                ("cancel-mismatch", "tasks/cancel", {"taskId": routing_id}, {"Mcp-Name": "portico-wrong-task-id"})):
            try:
                ex, resp = _tk_send(ctx, method, params, caps, headers=hdrs)
                probes.append((label, ex.status, ((resp or {}).get("error") or {}).get("code"),
                               bool(resp and "result" in resp)))
            except _TkFail as e:
                probes.append((label, None, None, False))
                ctx.add(f"portico-tasks-{label}", FAILURE, str(e))
        miss = probes[0]
        ctx.check("portico-tasks-missing-mcp-name-rejected", miss[1] == 400 and miss[2] == -32020,
                  f"tasks/get without Mcp-Name: HTTP {miss[1]}, error {miss[2]}"
                  + (" (it returned a result)" if miss[3] else "") + " (want 400 + -32020)")
        bad = [p for p in probes[1:] if not (p[1] == 400 and p[2] == -32020)]
        ctx.check("portico-tasks-mcp-name-mismatch-update-cancel", not bad,
                  "; ".join(f"{lbl}: HTTP {st}, error {c}" for lbl, st, c, _ in probes[1:]) + " (want 400 + -32020)")
    wrong = {k: v for k, v in statuses.items() if v != 400}
    ctx.check("portico-tasks-mismatch-http-400", bool(statuses) and not wrong,
              f"HTTP statuses of the header-mismatch rejections: {statuses} (want 400)")
    _tk_cancel_quietly(ctx, routing_id, caps)


@_tasks_scenario("tasks-dispatch-and-envelope")
def s_tasks_dispatch(ctx: Ctx) -> None:
    hint = ("(if the server is otherwise compliant, verify it does not validate other dimensions — routing "
            "headers, _meta, params shape — before method dispatch)")
    # 1, 2
    for cid, method, params in (
            ("sep-2663-tasks-result-removed-method-not-found", "tasks/result",
             {"taskId": "tasks-conformance-isolation-probe"}),
            ("tasks-removed-tasks-list", "tasks/list", {})):
        code, _, note = _tk_error_code(ctx, method, params, TK_CAPS)
        if code is None and "returned a result" in note:
            ctx.add(cid, FAILURE, f"{method} returned a result instead of -32601")
        else:
            ctx.check(cid, code == -32601, f"{method} → {code}" if code == -32601
                      else f"expected -32601; got {code if code is not None else '<missing>'} {hint} ({note})")

    # 3
    errs = []
    try:
        r = _tk_call(ctx, "failing_job", {})
        if r.get("resultType") != "task" or not r.get("taskId"):
            errs.append(f"expected CreateTaskResult; got resultType={json.dumps(r.get('resultType'))}, "
                        f"taskId={json.dumps(r.get('taskId'))}")
        if r.get("taskId"):
            try:
                _tk_wait(ctx, r["taskId"])
            except _TkFail:
                pass
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-server-directed-creation-no-hint", errs, "failing_job → CreateTaskResult without a hint")

    # 4
    errs = []
    try:
        r = _tk_call(ctx, "greet", {"name": "legacy-hint"}, task={"ttl": 60_000, "pollInterval": 100})
        if r.get("resultType") == "task":
            errs.append("legacy `task` param MUST NOT promote a sync tool to a task")
        if r.get("taskId"):
            errs.append(f"sync tool with legacy hint MUST NOT carry top-level taskId; got {r['taskId']}")
        if not (isinstance(r.get("content"), list) and r["content"]):
            errs.append("sync tool MUST still return content[]")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-legacy-task-param-ignored", errs, "legacy `task` param tolerated and ignored")

    # 5
    errs = []
    details = None
    try:
        r = _tk_call(ctx, "slow_compute", {"seconds": 0, "label": "instant"})
        details = {"resultType": r.get("resultType")}
        if r.get("resultType") == "task":
            if not r.get("taskId"):
                errs.append("task-path response MUST carry top-level taskId on CreateTaskResult")
        elif not isinstance(r.get("content"), list):
            errs.append("sync-path response MUST carry content[] for the immediate ToolResult")
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-immediate-result-shortcut", errs,
               f"instant slow_compute answered with resultType {details and details['resultType']!r}", details)

    # 6
    errs = []
    try:
        s = _tk_call(ctx, "greet", {"name": "rt"})
        if s.get("resultType") != "complete":
            errs.append(f'sync tools/call resultType = {json.dumps(s.get("resultType"))}, want "complete"')
        c = _tk_call(ctx, "slow_compute", {"seconds": 0, "label": "rt-get"})
        if c.get("taskId"):
            _tk_wait(ctx, c["taskId"])
            g = _tk_get(ctx, c["taskId"])
            if g.get("resultType") != "complete":
                errs.append(f'tasks/get resultType = {json.dumps(g.get("resultType"))}, want "complete"')
        ll = _tk_call(ctx, "slow_compute", {"seconds": 60, "label": "rt-cancel"})
        if ll.get("taskId"):
            a = _tk_req(ctx, "tasks/cancel", {"taskId": ll["taskId"]}, TK_CAPS)
            if a.get("resultType") != "complete":
                errs.append(f'tasks/cancel ack resultType = {json.dumps(a.get("resultType"))}, want "complete"')
        el = _tk_call(ctx, "confirm_delete", {"filename": "rt.txt"})
        if el.get("taskId"):
            _tk_wait(ctx, el["taskId"], "input_required", 5.0)
            a = _tk_req(ctx, "tasks/update", {"taskId": el["taskId"],
                                              "inputResponses": {"unknown-key": {"ignored": True}}}, TK_CAPS)
            if a.get("resultType") != "complete":
                errs.append(f'tasks/update ack resultType = {json.dumps(a.get("resultType"))}, want "complete"')
            _tk_cancel_quietly(ctx, el["taskId"])
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "tasks-result-type-complete-on-non-task-responses", errs,
               'sync tools/call, tasks/get, tasks/cancel, tasks/update all resultType:"complete"')

    # 7
    errs = []
    try:
        created = _tk_call(ctx, "slow_compute", {"seconds": 60, "label": "consistency"})
        tid = created.get("taskId")
        if not tid:
            errs.append("slow_compute did not create a task")
        else:
            g = _tk_get(ctx, tid)
            if g.get("taskId") != tid:
                errs.append(f"immediate tasks/get MUST resolve the same taskId; got {g.get('taskId')}")
            _tk_cancel_quietly(ctx, tid)
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-durable-create-strong-consistency", errs, "immediate tasks/get resolved")

    # 8
    code, _, note = _tk_error_code(ctx, "tasks/get", {"taskId": "tasks-conformance-nonexistent-12345"}, TK_CAPS)
    if code is None and "returned a result" in note:
        ctx.add("sep-2663-tasks-get-invalid-task-id-32602", FAILURE, "tasks/get with unknown taskId returned a result")
    else:
        ctx.check("sep-2663-tasks-get-invalid-task-id-32602", code == -32602,
                  "unknown taskId → -32602" if code == -32602
                  else f"expected -32602; got {code if code is not None else '<missing>'} {hint} ({note})")

    # Portico extra: SEP-2663 "Protocol Errors" — unknown taskId SHOULD be -32602 on update/cancel too.
    got = {}
    for method, params in (("tasks/update", {"taskId": "tasks-conformance-nonexistent-12345", "inputResponses": {}}),
                           ("tasks/cancel", {"taskId": "tasks-conformance-nonexistent-12345"})):
        c2, _, n2 = _tk_error_code(ctx, method, params, TK_CAPS)
        got[method] = c2 if c2 is not None else ("result" if "returned a result" in n2 else n2[:80])
    ctx.check("portico-tasks-unknown-task-id-update-cancel", all(v == -32602 for v in got.values()),
              f"unknown taskId: {got} (SHOULD be -32602)", fail=WARNING)


@_tasks_scenario("tasks-status-notifications")
def s_tasks_status_notifications(ctx: Ctx) -> None:
    """Upstream is a single SKIPPED placeholder (pending a subscriptions/listen rewrite); this exercises
    the SEP-2663 channel: subscriptions/listen with notifications.taskIds."""
    try:
        created = _tk_call(ctx, "slow_compute", {"seconds": 2, "label": "status-notifications"})
    except _TkFail as e:
        ctx.add("tasks-status-notifications-shape", FAILURE, f"Not testable: could not create a task: {e}")
        return
    tid = created.get("taskId")
    if not tid:
        ctx.add("tasks-status-notifications-shape", FAILURE, "Not testable: slow_compute did not create a task",
                {"untestable": True})
        return

    rid = ctx.nid()
    frames: list = []
    status = None
    try:
        rs = open_listen(ctx.url, {"taskIds": [tid]}, rid, meta=modern_meta(caps=TK_CAPS), timeout=10)
        try:
            def done(r) -> bool:
                return any(m.get("method") == "notifications/tasks" and (m.get("params") or {}).get("taskId") == tid
                           and (m.get("params") or {}).get("status") in TK_TERMINAL
                           for m in r.messages if isinstance(m, dict)) or r.response_for(rid) is not None
            rs.wait_for(done, 8.0)
        finally:
            rs.drop()
        status = rs.status
        frames = [m for m in rs.messages if isinstance(m, dict)]
        ctx.observe(rs.to_exchange(), "subscriptions/listen")
    except (OSError, TimeoutError, ConnectionError) as e:
        ctx.add("portico-tasks-listen-ack", FAILURE, f"subscriptions/listen failed: {e!r}")
        ctx.add("tasks-status-notifications-shape", FAILURE, f"Not testable: listen stream unavailable: {e!r}")
        _tk_cancel_quietly(ctx, tid)
        return

    first = frames[0] if frames else {}
    if "error" in first:
        ctx.add("portico-tasks-listen-ack", FAILURE, f"subscriptions/listen with taskIds rejected: "
                f"{_clip(first.get('error'), 200)} (HTTP {status})")
    elif first.get("method") != LISTEN_ACK:
        ctx.add("portico-tasks-listen-ack", FAILURE,
                f"first frame {first.get('method')!r} is not {LISTEN_ACK} (HTTP {status}, {len(frames)} frames)",
                {"frames": _clip(frames, 300)})
    else:
        acked = ((first.get("params") or {}).get("notifications") or {}).get("taskIds")
        ok = isinstance(acked, list) and tid in acked
        ctx.add("portico-tasks-listen-ack", SUCCESS if ok else WARNING,
                f"ack notifications.taskIds = {acked!r}" + ("" if ok else f" (requested [{tid!r}])"))

    notes = [f for f in frames if f.get("method") == "notifications/tasks"]
    for n in notes:
        _tk_seen(ctx, "notify", n.get("params"))
    if not notes:
        ctx.add("tasks-status-notifications-shape", INFO,
                "no notifications/tasks received on the listen stream (optional per SEP-2663)")
    else:
        errs: list[str] = []
        warns: list[str] = []
        for n in notes:
            p = n.get("params") or {}
            if not (isinstance(p.get("taskId"), str) and p["taskId"]):
                errs.append(f"notification without taskId: {_clip(p, 120)}")
            elif p["taskId"] != tid:
                errs.append(f"notification for un-requested task {p['taskId']!r}")
            if p.get("status") not in TK_STATUSES:
                errs.append(f"notification status {p.get('status')!r}")
            if (p.get("_meta") or {}).get(META_SUBSCRIPTION_ID) != rid:
                errs.append(f"notification not tagged with subscriptionId {rid}")
            if p.get("status") == "completed" and not isinstance(p.get("result"), dict):
                warns.append("completed notification without inlined result")
            if p.get("status") == "failed" and not isinstance(p.get("error"), dict):
                warns.append("failed notification without inlined error")
        leaked = [f.get("method") for f in frames
                  if f.get("method") in ("notifications/progress", "notifications/message")]
        if leaked:
            errs.append(f"{leaked} sent on a task listen stream (MUST NOT)")
        seq = [(n.get("params") or {}).get("status") for n in notes]
        if errs:
            ctx.add("tasks-status-notifications-shape", FAILURE, "; ".join(dict.fromkeys(errs)), {"statuses": seq})
        elif warns:
            ctx.add("tasks-status-notifications-shape", WARNING, "; ".join(dict.fromkeys(warns)), {"statuses": seq})
        else:
            ctx.add("tasks-status-notifications-shape", SUCCESS, f"{len(notes)} notifications/tasks: {seq}")
    _tk_cancel_quietly(ctx, tid)

    # SEP-2663: a listen request asking for taskIds without the extension → -32021.
    rid2 = ctx.nid()
    try:
        rs = open_listen(ctx.url, {"taskIds": [tid]}, rid2, meta=modern_meta(caps={}), timeout=10)
        try:
            rs.wait_for(lambda r: r.response_for(rid2) is not None or bool(r.notifications), 3.0)
        finally:
            rs.drop()
        ctx.observe(rs.to_exchange(), "subscriptions/listen")
        r = rs.response_for(rid2) or {}
        e = r.get("error") or {}
        data = e.get("data") if isinstance(e.get("data"), dict) else {}
        has_data = isinstance(((data.get("requiredCapabilities") or {}).get("extensions") or {}).get(TASKS_EXT), dict)
        ctx.check("portico-tasks-listen-requires-extension", e.get("code") == -32021,
                  f"listen taskIds without the extension: HTTP {rs.status}, "
                  + (f"error {e.get('code')}" if e else f"frames {[m.get('method') for m in rs.notifications][:3]}")
                  + ("" if not e or has_data else " (data.requiredCapabilities.extensions[tasks] missing)"))
    except (OSError, TimeoutError, ConnectionError) as ex:
        ctx.add("portico-tasks-listen-requires-extension", FAILURE, f"subscriptions/listen failed: {ex!r}")


@_tasks_scenario("tasks-required-task-error")
def s_tasks_required_error(ctx: Ctx) -> None:
    code, data, note = _tk_error_code(ctx, "tools/call", {"name": "failing_job", "arguments": {}}, {})
    cid = "sep-2663-server-returns-missing-capability-when-required"
    if code is None and "returned a result" in note:
        ctx.add(cid, FAILURE, f"tools/call for failing_job returned a successful response from a client that did "
                              f"not declare {TASKS_EXT}; spec requires -32021 rejection in this case.")
        return
    if code != -32021:
        shown = code if code is not None else "(unknown)"
        ctx.add(cid, FAILURE, f"tools/call for failing_job returned error code {shown}; spec requires -32021. ({note})",
                {"observedCode": code})
        return
    ctx.add(cid, SUCCESS, "-32021 Missing Required Client Capability")
    cid2 = "sep-2663-server-returns-missing-capability-data-shape"
    if data is None:
        ctx.add(cid2, INFO, "Error returned -32021 but carried no `data` field; the spec example shows "
                            "requiredCapabilities, but data is SHOULD.")
    elif not (isinstance(data, dict) and isinstance(data.get("requiredCapabilities"), dict)
              and isinstance(data["requiredCapabilities"].get("extensions"), dict)
              and TASKS_EXT in data["requiredCapabilities"]["extensions"]):
        ctx.add(cid2, FAILURE, f'Error data shape does not include requiredCapabilities.extensions["{TASKS_EXT}"]; '
                               f"got data = {json.dumps(data)[:300]}")
    else:
        ctx.add(cid2, SUCCESS, "data.requiredCapabilities.extensions[tasks] present")


@_tasks_scenario("tasks-mrtr-composition")
def s_tasks_mrtr_composition(ctx: Ctx) -> None:
    caps = {"elicitation": {}, "extensions": {TASKS_EXT: {}}}
    errs: list[str] = []
    try:
        r1 = _tk_call(ctx, "test_tool_with_task", {}, caps)
        if r1.get("resultType") != "input_required":
            errs.append(f"round 1 MUST be InputRequiredResult; got {json.dumps(r1)[:300]}")
            errs.append(f'round 1 resultType MUST be "input_required"; got {json.dumps(r1.get("resultType"))}')
        if "taskId" in r1:
            errs.append("round 1 (MRTR) MUST NOT carry taskId — task is only minted on the final round")
        ir = r1.get("inputRequests") if isinstance(r1.get("inputRequests"), dict) else {}
        key = next(iter(ir), None)
        if not key:
            errs.append("round 1 missing inputRequests; cannot drive round 2")
        task_id = None
        if key:
            extra: dict = {"inputResponses": {key: _mock_elicit({"name": "Alice"})}}
            if r1.get("requestState") is not None:
                extra["requestState"] = r1["requestState"]
            r2 = _tk_call(ctx, "test_tool_with_task", {}, caps, **extra)
            if r2.get("resultType") != "task":
                errs.append('round 2 MUST be CreateTaskResult (resultType:"task"); '
                            f'got {json.dumps(r2.get("resultType"))}')
            if not r2.get("taskId"):
                errs.append("round 2 CreateTaskResult MUST carry top-level taskId")
            else:
                task_id = r2["taskId"]
            if "requestState" in r2:
                errs.append("round 2 CreateTaskResult MUST NOT carry requestState (SEP-2663 spec separation — MRTR "
                            "requestState does not leak into the task envelope)")
            if "inputRequests" in r2:
                errs.append("round 2 CreateTaskResult MUST NOT carry inputRequests (those belong on DetailedTask "
                            "returned by tasks/get)")
        if task_id:
            t = _tk_wait(ctx, task_id, caps=caps)
            if t.get("status") != "completed":
                errs.append(f'final task status MUST be "completed"; got {json.dumps(t.get("status"))}')
            content = (t.get("result") or {}).get("content") if isinstance(t.get("result"), dict) else None
            first = content[0] if isinstance(content, list) and content else None
            text = first.get("text", "") if isinstance(first, dict) else ""
            if "Alice" not in str(text):
                errs.append("final task result MUST reflect the user_name gathered during the MRTR phase "
                            f'(expected "Alice"); got {json.dumps(text)}')
    except _TkFail as e:
        errs.append(str(e))
    _tk_record(ctx, "sep-2663-mrtr-synchronous-before-task-creation", errs,
               "MRTR round → CreateTaskResult → completed with the gathered name")


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
    if NOT_IN_MILESTONE:
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
