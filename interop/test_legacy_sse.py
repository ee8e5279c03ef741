"""The 2024-11-05 HTTP+SSE transport (`GET /sse` + `POST /messages?session_id=...`), and
legacy-session resumption as the official SDK client (mcp 2.3.0) performs it.

HTTP+SSE contract: GET /sse (Accept: text/event-stream) answers an SSE stream whose first event is
`event: endpoint` / `data: /messages?session_id=<id>`; every JSON-RPC message POSTed to that URL
gets 202 and its answer (and any progress notification) arrives on the /sse stream as
`event: message`; a POST without session_id is 400, with an unknown one 404. streams.legacy_sse
false removes both endpoints; the keep-alive comment applies to /sse too.

Resumption (streamable HTTP, legacy session): the SDK reconnects on its own with GET +
Last-Event-ID when a POST reply ends before its response (after the `retry:` delay). Two cases:
the fixture's test_reconnection (the server closes after priming), and a client-side cut of a
slow_count reply (the connection is lost mid-call; the call must keep running).
"""

from __future__ import annotations

import json
import re

import httpx
import httpx2
import pytest

from mcpwire import (
    LEGACY_VERSIONS,
    RawStream,
    SSEParser,
    WireValidator,
    initialize_params,
    new_http_client,
    notification,
    parse_event_id,
    rpc,
)

ENDPOINT_RE = re.compile(r"^/messages\?session_id=([\x21-\x7E]+)$")
KEEPALIVE_STREAMS = {"keepalive_seconds": 0.3, "retry_ms": 100}


def base_of(url: str) -> str:
    return url.rsplit("/mcp", 1)[0]


class SSESession:
    """A raw 2024-11-05 client: the /sse stream plus POSTs to the endpoint it announced."""

    def __init__(self, mcp_url: str, headers: dict | None = None):
        self.base = base_of(mcp_url)
        self.stream = RawStream(self.base + "/sse", "GET", {"Accept": "text/event-stream", **(headers or {})})
        self.endpoint: str | None = None
        self.session_id: str | None = None
        if self.stream.status == 200:
            self.stream.wait_for(lambda r: bool(r.events), 5)
            first = self.stream.events[0] if self.stream.events else None
            if first is not None and first.event == "endpoint":
                self.endpoint = first.data
                m = ENDPOINT_RE.match(first.data)
                self.session_id = m.group(1) if m else None

    def post(self, message: dict, headers: dict | None = None) -> httpx.Response:
        assert self.endpoint, f"no endpoint event (GET /sse: HTTP {self.stream.status} {self.stream.body_text[:200]!r})"
        with new_http_client() as c:
            return c.post(self.base + self.endpoint, content=json.dumps(message).encode(),
                          headers={"Content-Type": "application/json", **(headers or {})})

    def request(self, method: str, params: dict | None, rid, timeout: float = 10) -> tuple[httpx.Response, dict | None]:
        r = self.post(rpc(method, params, rid))
        if r.status_code != 202:
            return r, None
        return r, self.stream.wait_for_response(rid, timeout)

    def initialize(self, version: str = "2025-03-26") -> dict:
        r, resp = self.request("initialize", initialize_params(version), 1)
        assert r.status_code == 202, f"initialize POST: HTTP {r.status_code} {r.text[:200]!r}"
        assert resp and "result" in resp, f"no initialize result on /sse: {self.stream.body_text[-300:]!r}"
        n = self.post(notification("notifications/initialized"))
        assert n.status_code == 202, f"notifications/initialized: HTTP {n.status_code}"
        return resp["result"]

    def message_event_types(self) -> list[str | None]:
        return [e.event for e in self.stream.events[1:] if e.data.strip()]

    def close(self) -> None:
        self.stream.drop()


@pytest.fixture
def sse_sessions():
    made: list[SSESession] = []

    def make(url: str, headers: dict | None = None) -> SSESession:
        s = SSESession(url, headers)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def _valid(messages, version: str) -> None:
    v = WireValidator.for_version(version)
    problems = [p for m in messages for p in v.validate(m)]
    assert not problems, problems[:3]


# ------------------------------------------------------------------------------ raw 2024-11-05 checks


def test_sse_first_event_is_the_endpoint_event(portico, sse_sessions):
    s = sse_sessions(portico.url)
    assert s.stream.status == 200, f"GET /sse: HTTP {s.stream.status} {s.stream.body_text[:200]!r}"
    assert s.stream.is_sse, s.stream.content_type
    assert s.stream.headers.get("x-accel-buffering", "").lower() == "no"
    first = s.stream.events[0]
    assert first.event == "endpoint", f"first event must be `event: endpoint`, got {first}"
    assert ENDPOINT_RE.match(first.data), f"endpoint data {first.data!r} is not /messages?session_id=<id>"
    assert len(s.session_id) >= 22, f"session id {s.session_id!r} too short to hold 128 bits"
    other = sse_sessions(portico.url)
    assert other.session_id and other.session_id != s.session_id


def test_posted_requests_get_202_and_answers_arrive_as_message_events(portico, sse_sessions):
    s = sse_sessions(portico.url)
    init = s.initialize("2025-03-26")
    version = init["protocolVersion"]
    assert version in LEGACY_VERSIONS, f"negotiated {version!r}"
    r, tools = s.request("tools/list", None, 2)
    assert r.status_code == 202 and tools and {"echo", "add", "slow_count"} <= {t["name"] for t in tools["result"]["tools"]}
    r, echo = s.request("tools/call", {"name": "echo", "arguments": {"text": "über sse ✓"}}, "e-3")
    assert r.status_code == 202 and echo and echo["result"]["content"][0]["text"] == "über sse ✓", echo
    assert set(s.message_event_types()) == {"message"}, f"server messages must be `event: message`: {s.message_event_types()}"
    _valid(s.stream.messages, version)


def test_progress_notifications_ride_the_sse_stream(portico, sse_sessions):
    s = sse_sessions(portico.url)
    s.initialize()
    r, resp = s.request("tools/call", {"name": "slow_count", "arguments": {"n": 3, "delay_ms": 30},
                                       "_meta": {"progressToken": "sse-p"}}, 4)
    assert r.status_code == 202 and resp and resp["result"]["content"][0]["text"] == "counted to 3"
    prog = [m["params"] for m in s.stream.notifications if m.get("method") == "notifications/progress"]
    assert [p["progress"] for p in prog] == [1, 2, 3] and all(p["progressToken"] == "sse-p" for p in prog), prog
    assert s.stream.messages.index(resp) > max(s.stream.messages.index(n) for n in s.stream.notifications)


def test_two_sse_sessions_only_see_their_own_answers(portico, sse_sessions):
    a, b = sse_sessions(portico.url), sse_sessions(portico.url)
    a.initialize()
    b.initialize()
    _, ra = a.request("tools/call", {"name": "echo", "arguments": {"text": "for a"}}, 10)
    _, rb = b.request("tools/call", {"name": "echo", "arguments": {"text": "for b"}}, 11)
    assert ra and rb
    assert a.stream.response_for(11) is None and b.stream.response_for(10) is None


def test_a_2025_11_25_sse_session_survives_a_polling_disconnect_request(portico_conformance, sse_sessions):
    """test_reconnection asks to close the connection for polling; /sse cannot be resumed, so
    the request is ignored there: the answer arrives and the stream stays usable."""
    s = sse_sessions(portico_conformance.url)
    assert s.initialize("2025-11-25")
    r, resp = s.request("tools/call", {"name": "test_reconnection", "arguments": {}}, 20)
    assert r.status_code == 202 and resp and "result" in resp, resp
    r, again = s.request("ping", None, 21)
    assert r.status_code == 202 and again == {"jsonrpc": "2.0", "id": 21, "result": {}}, again


def test_sse_sessions_receive_list_changed(portico_conformance, sse_sessions):
    s = sse_sessions(portico_conformance.url)
    s.initialize("2025-11-25")
    r, resp = s.request("tools/call", {"name": "test_trigger_tool_change", "arguments": {}}, 30)
    assert resp and "result" in resp, resp
    assert s.stream.wait_for(lambda rs: "notifications/tools/list_changed" in rs.methods(), 5), s.stream.methods()


@pytest.mark.parametrize("query,status", [("", 400), ("?session_id=", 400), ("?session_id=no-such-session", 404),
                                          ("?sessionId=x", 400)],
                         ids=["no-query", "empty-id", "unknown-id", "wrong-parameter"])
def test_messages_post_with_a_bad_session_id(portico, http, query, status):
    r = http.post(base_of(portico.url) + "/messages" + query, content=json.dumps(rpc("ping", None, 1)).encode(),
                  headers={"Content-Type": "application/json"})
    assert r.status_code == status, f"POST /messages{query}: HTTP {r.status_code} (want {status}) {r.text[:200]!r}"


def test_sse_endpoints_validate_origin(portico, sse_sessions):
    evil = {"Origin": "http://evil.example.com"}
    bad = sse_sessions(portico.url, evil)
    assert bad.stream.status == 403, f"GET /sse with a foreign Origin: HTTP {bad.stream.status}"
    good = sse_sessions(portico.url)
    assert good.session_id
    r = good.post(rpc("ping", None, 1), headers=evil)
    assert r.status_code == 403, f"POST /messages with a foreign Origin: HTTP {r.status_code}"


def test_sse_stream_gets_keepalive_comments(server_pool, sse_sessions):
    srv = server_pool.get("sse-keepalive", {"streams": KEEPALIVE_STREAMS})
    s = sse_sessions(srv.url)
    assert s.stream.status == 200 and s.endpoint, f"GET /sse: HTTP {s.stream.status}"
    assert s.stream.wait_for(lambda r: len(r.keepalives) >= 2, 3), f"/sse comments in 3 s: {s.stream.comments}"


def test_legacy_sse_false_removes_both_endpoints(server_pool, http):
    srv = server_pool.get("sse-off", {"streams": {"legacy_sse": False}})
    base = base_of(srv.url)
    with http.stream("GET", base + "/sse", headers={"Accept": "text/event-stream"}) as r:
        assert r.status_code == 404, f"GET /sse with legacy_sse: false -> HTTP {r.status_code}"
    r = http.post(base + "/messages?session_id=x", content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 404
    r = http.post(srv.url, content=json.dumps(rpc("initialize", initialize_params("2025-11-25"), 1)).encode(),
                  headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
    assert r.status_code == 200, "the streamable HTTP endpoint stays up"


# ------------------------------------------------------------------------------ the official SDK over /sse



@pytest.mark.anyio
async def test_sdk_sse_client_initializes_lists_tools_and_calls_echo(portico):
    from mcp import Client
    from mcp.client.sse import sse_client

    got = []

    async def on_progress(progress, total, message):
        got.append(progress)

    async with Client(sse_client(base_of(portico.url) + "/sse"), mode="legacy", read_timeout_seconds=30) as c:
        assert c.protocol_version in LEGACY_VERSIONS
        names = {t.name for t in (await c.list_tools()).tools}
        assert {"echo", "add", "slow_count"} <= names, names
        result = await c.call_tool("echo", {"text": "hello over HTTP+SSE"})
        assert [x.text for x in result.content] == ["hello over HTTP+SSE"]
        result = await c.call_tool("slow_count", {"n": 3, "delay_ms": 20}, progress_callback=on_progress)
        assert result.content[0].text == "counted to 3" and got == [1, 2, 3]


@pytest.mark.anyio
async def test_sdk_sse_client_answers_a_sampling_request(conformance_url):
    import mcp.types as types
    from mcp import Client
    from mcp.client.sse import sse_client

    async def on_sampling(context, params):
        return types.CreateMessageResult(role="assistant", model="test-model", stop_reason="endTurn",
                                         content=types.TextContent(type="text", text="sampled over sse"))

    async with Client(sse_client(base_of(conformance_url) + "/sse"), mode="legacy", sampling_callback=on_sampling,
                      read_timeout_seconds=30) as c:
        result = await c.call_tool("test_sampling", {"prompt": "2+2?"})
    assert "sampled over sse" in " ".join(x.text for x in result.content if x.type == "text")


# ------------------------------------------------------------------------------ SDK resumption (streamable HTTP)


class _CutStream(httpx2.AsyncByteStream):
    """Passes an SSE body through, then ends it (closing the connection) after `after` id'd events."""

    def __init__(self, inner, after: int, log: list):
        self.inner, self.after, self.log = inner, after, log

    async def __aiter__(self):
        parser = SSEParser()
        with_id = 0
        async for part in self.inner:
            yield part
            with_id += sum(1 for e in parser.feed(part.decode("utf-8", "replace")) if e.id)
            if with_id >= self.after:
                self.log.append(f"cut after {with_id} events")
                await self.inner.aclose()
                return

    async def aclose(self):
        await self.inner.aclose()


class RecordingTransport(httpx2.AsyncBaseTransport):
    """httpx2 transport that records (method, Last-Event-ID) of every request and can cut the
    first POST reply whose body contains `cut_match` after `cut_after` id'd SSE events."""

    def __init__(self, cut_match: bytes | None = None, cut_after: int = 3):
        self.inner = httpx2.AsyncHTTPTransport()
        self.cut_match, self.cut_after = cut_match, cut_after
        self.requests: list[tuple[str, str | None]] = []
        self.cuts: list[str] = []

    async def handle_async_request(self, request):
        self.requests.append((request.method, request.headers.get("last-event-id")))
        resp = await self.inner.handle_async_request(request)
        try:
            body = request.content
        except Exception:  # noqa: BLE001 - a streamed body is never the call we cut
            body = b""
        if self.cut_match is not None and request.method == "POST" and not self.cuts and self.cut_match in body:
            self.cuts.append("armed")
            return httpx2.Response(resp.status_code, headers=resp.headers, extensions=resp.extensions,
                                   stream=_CutStream(resp.stream, self.cut_after, self.cuts))
        return resp

    async def aclose(self):
        await self.inner.aclose()


def _sdk_client(url: str, transport, **kw):
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    http_client = httpx2.AsyncClient(transport=transport, timeout=httpx2.Timeout(30, read=60))
    return http_client, Client(streamable_http_client(url, http_client=http_client), mode="legacy",
                               read_timeout_seconds=30, **kw)


@pytest.mark.anyio
async def test_sdk_client_resumes_test_reconnection_with_last_event_id(conformance_url):
    transport = RecordingTransport()
    http_client, client = _sdk_client(conformance_url, transport)
    async with http_client:
        async with client as c:
            assert c.protocol_version == "2025-11-25"
            result = await c.call_tool("test_reconnection", {})
    assert not result.is_error and result.content, result
    resumes = [lei for method, lei in transport.requests if method == "GET" and lei]
    assert resumes, f"the SDK never resumed with Last-Event-ID: {transport.requests}"
    parsed = parse_event_id(resumes[0])
    assert parsed is not None and parsed[1] == 0, f"resumed from {resumes[0]!r}, want the priming id `<stream>-0`"


@pytest.mark.anyio
async def test_sdk_client_resumes_a_post_reply_cut_mid_call(server_pool):
    srv = server_pool.get("sdk-resume", {"streams": KEEPALIVE_STREAMS})
    transport = RecordingTransport(cut_match=b'"slow_count"', cut_after=3)
    http_client, client = _sdk_client(srv.url, transport)
    got = []

    async def on_progress(progress, total, message):
        got.append(progress)

    async with http_client:
        async with client as c:
            result = await c.call_tool("slow_count", {"n": 8, "delay_ms": 100}, progress_callback=on_progress)
    assert any(x.startswith("cut after") for x in transport.cuts), f"the reply was never cut: {transport.cuts}"
    assert result.content[0].text == "counted to 8", result
    assert got == list(range(1, 9)), f"progress across the cut and the resume: {got} (each value exactly once)"
    resumes = [lei for method, lei in transport.requests if method == "GET" and lei]
    assert resumes and all(parse_event_id(x) for x in resumes), transport.requests
