"""Raw-HTTP behaviour of `portico serve` (demo pack) that the SDK client never produces.

Legacy era = initialize + Mcp-Session-Id (2025-03-26, 2025-06-18, 2025-11-25);
modern era = stateless 2026-07-28 (per-request _meta, Mcp-Method / Mcp-Name headers).
Every JSON-RPC message received is also validated against the spec schema of its version.
"""

from __future__ import annotations

import json
import re
import threading
import time

import httpx
import pytest

from mcpwire import (
    JSON_AND_SSE,
    LEGACY_VERSIONS,
    META_CAPS,
    META_INFO,
    META_SERVERINFO,
    META_VERSION,
    MODERN_VERSION,
    Exchange,
    exact_post,
    oversized_post,
    LegacySession,
    WireValidator,
    initialize_params,
    legacy_headers,
    modern_headers,
    modern_meta,
    modern_params,
    modern_request,
    new_http_client,
    notification,
    post,
    rpc,
)

ASCII_VISIBLE = re.compile(r"^[\x21-\x7E]+$")


# ------------------------------------------------------------------------------ helpers


def assert_schema_valid(ex: Exchange, version: str, method: str | None = None) -> None:
    v = WireValidator.for_version(version)
    problems = []
    for m in ex.messages:
        problems += v.validate(m, method)
    assert not problems, f"wire-schema violations at {version}: {problems}"


def assert_jsonrpc_error(ex: Exchange, status: int | tuple[int, ...], code: int, req_id=None, check_id=True):
    statuses = status if isinstance(status, tuple) else (status,)
    assert ex.status in statuses, f"HTTP {ex.status} (want {statuses}); body={ex.raw[:300]!r}"
    assert ex.messages, f"no JSON-RPC error body; content-type={ex.content_type!r} body={ex.raw[:300]!r}"
    err = ex.messages[-1]
    assert isinstance(err, dict) and "error" in err, f"not an error response: {err}"
    assert err["error"].get("code") == code, f"error code {err['error'].get('code')} (want {code}): {err}"
    if check_id:
        assert "id" in err and err["id"] == req_id and type(err["id"]) is type(req_id), (
            f"error must echo the request id {req_id!r}; got {err.get('id')!r}"
        )
    return err


@pytest.fixture
def session_factory(portico_url):
    made: list[LegacySession] = []

    def make(version: str = "2025-11-25", initialized: bool = True) -> LegacySession:
        s = LegacySession(portico_url, version)
        ex = s.initialize(send_initialized=initialized)
        assert ex.status == 200, f"initialize at {version}: HTTP {ex.status} {ex.raw[:300]!r}"
        assert s.session_id, "legacy initialize must mint an Mcp-Session-Id"
        made.append(s)
        return s

    yield make
    for s in made:
        s.delete()
        s.close()


def raw_post(url: str, content: bytes, headers: dict, timeout: float = 15.0) -> Exchange:
    with new_http_client(timeout) as c:
        return post(c, url, None, headers, raw_body=content, wait_for_id=None, timeout=timeout)


# ------------------------------------------------------------------------------ initialize


@pytest.mark.parametrize(
    "requested,expected",
    [
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
        ("1999-01-01", "2025-11-25"),
        ("2099-12-31", "2025-11-25"),
        ("not-a-version", "2025-11-25"),
    ],
    ids=["echo-03-26", "echo-06-18", "echo-11-25", "unknown-old", "unknown-future", "garbage"],
)
def test_initialize_echoes_supported_version_or_answers_latest_legacy(portico_url, http, requested, expected):
    ex = post(http, portico_url, rpc("initialize", initialize_params(requested), 1), legacy_headers())
    assert ex.status == 200, ex.raw[:300]
    resp = ex.response_for(1)
    assert resp and "result" in resp, f"initialize failed: {ex.raw[:300]!r}"
    assert resp["result"]["protocolVersion"] == expected
    assert_schema_valid(ex, expected, "initialize")
    assert resp["result"]["serverInfo"]["name"]
    sid = ex.headers.get("mcp-session-id")
    assert sid
    http.delete(portico_url, headers=legacy_headers(sid, expected))


def test_session_ids_are_visible_ascii_with_at_least_128_bits_and_unique(portico_url, http):
    ids = set()
    for i in range(8):
        ex = post(http, portico_url, rpc("initialize", initialize_params("2025-11-25"), 1), legacy_headers())
        sid = ex.headers.get("mcp-session-id")
        assert sid and ASCII_VISIBLE.match(sid), f"session id {sid!r} is not visible ASCII"
        assert len(sid) >= 22, f"session id {sid!r} is too short to hold 128 bits"
        ids.add(sid)
        http.delete(portico_url, headers=legacy_headers(sid, "2025-11-25"))
    assert len(ids) == 8, "session ids repeat"


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_initialized_notification_is_accepted_with_202_and_empty_body(portico_url, http, version):
    ex = post(http, portico_url, rpc("initialize", initialize_params(version), 1), legacy_headers())
    sid = ex.headers["mcp-session-id"]
    r = http.post(portico_url, json=notification("notifications/initialized"), headers=legacy_headers(sid, version))
    assert r.status_code == 202
    assert r.content == b""
    http.delete(portico_url, headers=legacy_headers(sid, version))


@pytest.mark.parametrize(
    "note",
    [
        notification("notifications/cancelled", {"requestId": 12345, "reason": "nothing to cancel"}),
        notification("notifications/roots/list_changed"),
        notification("notifications/progress", {"progressToken": "x", "progress": 1}),
    ],
    ids=["cancelled-unknown-request", "roots-list-changed", "progress"],
)
def test_client_notifications_get_202_and_empty_body(session_factory, note):
    s = session_factory("2025-11-25")
    r = s.client.post(s.url, json=note, headers=s.headers())
    assert r.status_code == 202
    assert r.content == b""


# ------------------------------------------------------------------------------ batches


def _batch_responses(ex: Exchange) -> list:
    """Responses carried by a batch answer: a JSON array body, or SSE data frames."""
    out = []
    for m in ex.messages:
        out.extend(m if isinstance(m, list) else [m])
    return [m for m in out if isinstance(m, dict) and ("result" in m or "error" in m)]


def test_batch_of_two_requests_at_2025_03_26_gets_two_responses_in_one_json_array(session_factory):
    s = session_factory("2025-03-26")
    body = [rpc("ping", None, "b1"), rpc("tools/list", None, "b2")]
    ex = post(s.client, s.url, body, s.headers(), wait_for_id=None)
    assert ex.status == 200, ex.raw[:300]
    if ex.is_json:
        doc = json.loads(ex.raw)
        assert isinstance(doc, list), f"batch answer must be a JSON array, got {ex.raw[:200]!r}"
        assert len(doc) == 2
    else:
        arrays = [m for m in ex.messages if isinstance(m, list)]
        assert arrays and len(arrays[0]) == 2, f"SSE batch answer must carry one JSON array: {ex.raw[:300]!r}"
    by_id = {m["id"]: m for m in _batch_responses(ex)}
    assert set(by_id) == {"b1", "b2"}
    assert by_id["b1"]["result"] in ({}, {"_meta": by_id["b1"]["result"].get("_meta")})
    assert "tools" in by_id["b2"]["result"]
    assert_schema_valid(ex, "2025-03-26")


def test_batch_of_notifications_only_at_2025_03_26_gets_202(session_factory):
    s = session_factory("2025-03-26")
    body = [notification("notifications/progress", {"progressToken": "x", "progress": 1}),
            notification("notifications/cancelled", {"requestId": 999})]
    r = s.client.post(s.url, json=body, headers=s.headers())
    assert r.status_code == 202
    assert r.content == b""


def test_batch_containing_initialize_is_rejected(portico_url, http):
    body = [rpc("initialize", initialize_params("2025-03-26"), "i1"), rpc("ping", None, "p1")]
    ex = post(http, portico_url, body, legacy_headers(), wait_for_id=None)
    if ex.status == 200:
        by_id = {m.get("id"): m for m in _batch_responses(ex)}
        assert "error" in by_id.get("i1", {}), f"initialize inside a batch was executed: {ex.raw[:300]!r}"
        sid = ex.headers.get("mcp-session-id")
        assert not sid, "a batch containing initialize must not create a session"
    else:
        assert 400 <= ex.status < 500, ex.status


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_batch_array_after_2025_03_26_is_rejected_with_400(session_factory, version):
    s = session_factory(version)
    ex = post(s.client, s.url, [rpc("ping", None, 1), rpc("ping", None, 2)], s.headers(), wait_for_id=None)
    assert ex.status == 400, f"HTTP {ex.status} {ex.raw[:200]!r}"


# ------------------------------------------------------------------------------ sessions


def test_request_without_session_id_gets_400(portico_url, http):
    ex = post(http, portico_url, rpc("tools/list", None, 7), legacy_headers(None, "2025-11-25"))
    assert ex.status == 400, f"HTTP {ex.status} {ex.raw[:200]!r}"


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_unknown_session_id_gets_404_with_jsonrpc_32001(portico_url, http, version):
    ex = post(http, portico_url, rpc("tools/list", None, 7), legacy_headers("no-such-session-0123456789abcdef", version))
    assert_jsonrpc_error(ex, 404, -32001, check_id=False)


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_delete_ends_session_then_requests_get_404(session_factory, version):
    s = session_factory(version)
    r = s.client.delete(s.url, headers=s.headers())
    assert r.status_code in (200, 204), r.status_code
    ex, _ = s.request("tools/list")
    assert_jsonrpc_error(ex, 404, -32001, check_id=False)
    r2 = s.client.delete(s.url, headers=s.headers())
    assert r2.status_code == 404


def test_delete_without_session_id_gets_400(portico_url, http):
    r = http.delete(portico_url, headers={"MCP-Protocol-Version": "2025-11-25"})
    assert r.status_code in (400, 404, 405), r.status_code
    assert r.status_code != 200


def test_get_stream_opens_as_sse_and_second_get_on_same_session_gets_409(session_factory):
    s = session_factory("2025-11-25")
    h = s.headers(accept="text/event-stream")
    with new_http_client(10) as c1, new_http_client(10) as c2:
        with c1.stream("GET", s.url, headers=h) as first:
            assert first.status_code == 200
            assert first.headers.get("content-type", "").startswith("text/event-stream")
            assert first.headers.get("x-accel-buffering", "").lower() == "no"
            second = c2.get(s.url, headers=h)
            assert second.status_code == 409, f"second GET stream: HTTP {second.status_code}"


def test_get_without_session_gets_400(portico_url, http):
    r = http.get(portico_url, headers={"Accept": "text/event-stream", "MCP-Protocol-Version": "2025-11-25"})
    assert r.status_code in (400, 405), r.status_code


def test_get_stream_without_sse_accept_gets_406(session_factory):
    s = session_factory("2025-11-25")
    r = s.client.get(s.url, headers=s.headers(accept="application/json"))
    assert r.status_code == 406


@pytest.mark.parametrize("bad", ["1999-01-01", "2025-13-45", "banana"])
def test_bad_protocol_version_header_in_session_gets_400(session_factory, bad):
    s = session_factory("2025-06-18")
    h = s.headers()
    h["MCP-Protocol-Version"] = bad
    ex = post(s.client, s.url, rpc("tools/list", None, 3), h)
    assert ex.status == 400, f"HTTP {ex.status} {ex.raw[:200]!r}"


def test_missing_protocol_version_header_in_session_is_tolerated(session_factory):
    s = session_factory("2025-11-25")
    h = s.headers()
    del h["MCP-Protocol-Version"]
    ex = post(s.client, s.url, rpc("tools/list", None, 3), h)
    assert ex.status == 200 and ex.response_for(3) and "result" in ex.response_for(3)


# ------------------------------------------------------------------------------ origin / host


def _probe_init(url: str, extra: dict) -> httpx.Response:
    h = legacy_headers()
    h.update(extra)
    with new_http_client() as c:
        r = c.post(url, content=json.dumps(rpc("initialize", initialize_params("2025-11-25"), 1)).encode(), headers=h)
        sid = r.headers.get("mcp-session-id")
        if sid:
            c.delete(url, headers=legacy_headers(sid, "2025-11-25"))
        return r


@pytest.mark.parametrize(
    "headers_fn,expected",
    [
        (lambda hp: {}, 200),
        (lambda hp: {"Origin": f"http://{hp}"}, 200),
        (lambda hp: {"Origin": "http://localhost:" + hp.split(":")[1]}, 200),
        (lambda hp: {"Origin": "http://evil.example.com"}, 403),
        (lambda hp: {"Origin": "null"}, 403),
        (lambda hp: {"Origin": "https://127.0.0.1.evil.example.com"}, 403),
        (lambda hp: {"Host": "evil.example.com"}, 403),
        (lambda hp: {"Host": "evil.example.com", "Origin": "http://evil.example.com"}, 403),
        (lambda hp: {"Host": "localhost:" + hp.split(":")[1]}, 200),
        (lambda hp: {"Host": "127.0.0.1.evil.example.com:" + hp.split(":")[1]}, 403),
        (lambda hp: {"Host": "localhost.evil.example.com:" + hp.split(":")[1]}, 403),
    ],
    ids=[
        "no-origin-ok",
        "same-origin-ok",
        "localhost-origin-ok",
        "evil-origin-403",
        "null-origin-403",
        "lookalike-origin-403",
        "evil-host-403",
        "evil-host-and-origin-403",
        "localhost-host-ok",
        "lookalike-ip-host-403",
        "lookalike-localhost-host-403",
    ],
)
def test_origin_and_host_validation(portico, headers_fn, expected):
    r = _probe_init(portico.url, headers_fn(portico.host_port))
    assert r.status_code == expected, f"HTTP {r.status_code} (want {expected}) body={r.text[:200]!r}"


def test_modern_request_with_bad_origin_gets_403(portico_url, http):
    ex, _ = modern_request(http, portico_url, "server/discover", {}, 1, headers={"Origin": "http://evil.example.com"})
    assert ex.status == 403


# ------------------------------------------------------------------------------ content negotiation


@pytest.mark.parametrize(
    "accept,expected_status,expected_type",
    [
        ("application/json, text/event-stream", 200, None),
        ("text/event-stream", 200, "text/event-stream"),
        ("application/json", 200, "application/json"),
        ("application/json;q=0.9, text/event-stream;q=0.1", 200, None),
        ("*/*", 200, None),
        ("text/html", 406, None),
        ("image/png, text/plain", 406, None),
    ],
    ids=["both", "sse-only", "json-only", "q-values", "wildcard", "html-406", "neither-406"],
)
def test_accept_header_negotiation(session_factory, accept, expected_status, expected_type):
    s = session_factory("2025-11-25")
    ex = post(s.client, s.url, rpc("tools/list", None, 5), s.headers(accept=accept))
    assert ex.status == expected_status, f"Accept {accept!r}: HTTP {ex.status} {ex.raw[:200]!r}"
    if expected_status == 200:
        assert ex.content_type in ("application/json", "text/event-stream")
        if expected_type:
            assert ex.content_type == expected_type
        r = ex.response_for(5)
        assert r and "result" in r
        if ex.is_sse:
            assert ex.headers.get("x-accel-buffering", "").lower() == "no"


def test_plain_request_is_answered_as_application_json_by_default(session_factory, portico_url, http):
    s = session_factory("2025-11-25")
    ex, resp = s.request("tools/list")
    assert ex.content_type == "application/json", f"legacy tools/list answered as {ex.content_type}"
    ex2, _ = modern_request(http, portico_url, "tools/list", {}, 9)
    assert ex2.content_type == "application/json", f"modern tools/list answered as {ex2.content_type}"


@pytest.mark.parametrize(
    "ctype,expected",
    [
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        (None, 415),
        ("application/json; charset=utf-8", 200),
        ("Application/JSON", 200),
    ],
    ids=["text-plain-415", "form-415", "missing-415", "json-charset-ok", "json-case-ok"],
)
def test_content_type_validation(session_factory, ctype, expected):
    s = session_factory("2025-11-25")
    h = s.headers()
    del h["Content-Type"]
    if ctype:
        h["Content-Type"] = ctype
    ex = post(s.client, s.url, rpc("ping", None, 4), h)
    assert ex.status == expected, f"HTTP {ex.status} body={ex.raw[:200]!r}"


@pytest.mark.parametrize(
    "body",
    [b'{"jsonrpc":"2.0","id":1,"method":', b"not json at all", b'{"jsonrpc":"2.0","id":1,"method":"ping"}}}', b"\xff\xfe{"],
    ids=["truncated", "garbage", "trailing-junk", "invalid-utf8"],
)
def test_malformed_json_gets_400_with_parse_error_and_null_id(session_factory, body):
    s = session_factory("2025-11-25")
    ex = raw_post(s.url, body, s.headers())
    err = assert_jsonrpc_error(ex, 400, -32700, check_id=False)
    assert err.get("id", None) is None, f"a parse error must carry id null: {err}"


@pytest.mark.parametrize(
    "doc",
    [{"jsonrpc": "2.0", "id": 1}, {"jsonrpc": "1.0", "id": 1, "method": "ping"}, {"id": 1, "method": "ping"}, 42],
    ids=["no-method", "wrong-jsonrpc", "no-jsonrpc", "number"],
)
def test_invalid_jsonrpc_object_gets_400_invalid_request(session_factory, doc):
    s = session_factory("2025-11-25")
    ex = raw_post(s.url, json.dumps(doc).encode(), s.headers())
    assert ex.status == 400, f"HTTP {ex.status} {ex.raw[:200]!r}"
    if ex.messages:
        assert ex.messages[-1].get("error", {}).get("code") == -32600


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_4_mib_gets_413(session_factory, chunked):
    s = session_factory("2025-11-25")
    big = json.dumps(rpc("tools/call", {"name": "echo", "arguments": {"text": "x" * (5 * 1024 * 1024)}}, 8)).encode()
    status = oversized_post(s.url, s.headers(), big, chunked=chunked)
    assert status == 413, f"5 MiB body ({'chunked' if chunked else 'Content-Length'}): HTTP {status}"
    # the server is still healthy afterwards
    _, resp = s.request("ping")
    assert resp and "result" in resp


def test_body_just_under_4_mib_is_accepted_and_echoed(session_factory):
    s = session_factory("2025-11-25")
    text = "y" * (3 * 1024 * 1024)
    ex, resp = s.request("tools/call", {"name": "echo", "arguments": {"text": text}}, timeout=30)
    assert ex.status == 200 and resp and "result" in resp, ex.raw[:200]
    assert resp["result"]["content"][0]["text"] == text


# ------------------------------------------------------------------------------ ids


ID_CASES = [
    ('"abc-\\u00e9-1"', "abc-é-1"),
    ('""', ""),
    ("0", 0),
    ("-1", -1),
    ("9007199254740993", 9007199254740993),
    ("18446744073709551615", 18446744073709551615),
]
ID_IDS = ["string", "empty-string", "zero", "minus-one", "2^53+1", "2^64-1"]


def _id_echoed_raw(raw: str, literal: str, value) -> bool:
    if isinstance(value, str):
        return any(isinstance(m, dict) and m.get("id") == value for m in _json_frames(raw))
    return re.search(r'"id"\s*:\s*' + re.escape(literal) + r"(?![0-9.eE])", raw) is not None


def _json_frames(raw: str) -> list:
    out = []
    for chunk in [raw] + [ln[5:].strip() for ln in raw.splitlines() if ln.startswith("data:")]:
        try:
            d = json.loads(chunk)
        except ValueError:
            continue
        out.extend(d if isinstance(d, list) else [d])
    return out


@pytest.mark.parametrize("literal,value", ID_CASES, ids=ID_IDS)
def test_legacy_request_ids_round_trip_exactly(session_factory, literal, value):
    s = session_factory("2025-11-25")
    body = ('{"jsonrpc":"2.0","id":%s,"method":"ping"}' % literal).encode()
    ex = raw_post(s.url, body, s.headers())
    assert ex.status == 200, ex.raw[:200]
    assert _id_echoed_raw(ex.raw, literal, value), f"id {literal} not echoed verbatim: {ex.raw[:300]!r}"


@pytest.mark.parametrize("literal,value", ID_CASES, ids=ID_IDS)
def test_modern_request_ids_round_trip_exactly_in_results_and_errors(portico_url, literal, value):
    params = json.dumps(modern_params({}))
    ok = ('{"jsonrpc":"2.0","id":%s,"method":"tools/list","params":%s}' % (literal, params)).encode()
    ex = raw_post(portico_url, ok, modern_headers("tools/list"))
    assert ex.status == 200 and _id_echoed_raw(ex.raw, literal, value), ex.raw[:300]
    bad = ('{"jsonrpc":"2.0","id":%s,"method":"no/such/method","params":%s}' % (literal, params)).encode()
    ex = raw_post(portico_url, bad, modern_headers("no/such/method"))
    assert ex.status == 404 and _id_echoed_raw(ex.raw, literal, value), ex.raw[:300]


# ------------------------------------------------------------------------------ disconnects


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_client_disconnect_mid_slow_count_does_not_break_session_or_server(session_factory, portico_url, version):
    s = session_factory(version)
    body = rpc("tools/call", {"name": "slow_count", "arguments": {"n": 50, "delay_ms": 100},
                              "_meta": {"progressToken": "dc"}}, 77)
    with new_http_client(10) as c:
        ex = post(c, s.url, body, s.headers(), wait_for_id=None, timeout=10,
                  stop_after=lambda e: any(m.get("method") == "notifications/progress" for m in e.notifications))
        assert ex.is_sse and ex.notifications, f"no progress before disconnect: {ex.raw[:200]!r}"
    # connection closed mid-call; the same session and a fresh one keep working
    ex2, resp = s.request("tools/call", {"name": "echo", "arguments": {"text": "still alive"}})
    assert resp and resp["result"]["content"][0]["text"] == "still alive"
    fresh = LegacySession(portico_url, version)
    try:
        fresh.initialize()
        _, r3 = fresh.request("tools/call", {"name": "echo", "arguments": {"text": "fresh"}})
        assert r3 and r3["result"]["content"][0]["text"] == "fresh"
    finally:
        fresh.delete()
        fresh.close()


def test_modern_client_disconnect_mid_slow_count_does_not_break_server(portico_url):
    body_params = modern_params({"name": "slow_count", "arguments": {"n": 50, "delay_ms": 100},
                                 "_meta": {"progressToken": "dc"}})
    with new_http_client(10) as c:
        ex = post(c, portico_url, rpc("tools/call", body_params, 1), modern_headers("tools/call", body_params),
                  wait_for_id=None, timeout=10,
                  stop_after=lambda e: bool(e.notifications))
        assert ex.notifications
    with new_http_client() as c:
        _, resp = modern_request(c, portico_url, "tools/call", {"name": "echo", "arguments": {"text": "ok"}}, 2)
        assert resp and resp["result"]["content"][0]["text"] == "ok"


# ------------------------------------------------------------------------------ utilities


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_ping_returns_empty_result(session_factory, version):
    s = session_factory(version)
    ex, resp = s.request("ping")
    assert resp is not None and "result" in resp
    assert {k: v for k, v in resp["result"].items() if k != "_meta"} == {}
    assert_schema_valid(ex, version, "ping")


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
@pytest.mark.parametrize("level", ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"])
def test_logging_set_level_accepts_every_syslog_level(session_factory, version, level):
    s = session_factory(version)
    ex, resp = s.request("logging/setLevel", {"level": level})
    assert resp is not None and "result" in resp, ex.raw[:200]
    assert {k: v for k, v in resp["result"].items() if k != "_meta"} == {}


@pytest.mark.parametrize("params", [{"level": "loud"}, {"level": "INFO"}, {}, {"level": 3}],
                         ids=["unknown", "uppercase", "missing", "number"])
def test_logging_set_level_invalid_level_gets_32602(session_factory, params):
    s = session_factory("2025-11-25")
    ex, resp = s.request("logging/setLevel", params)
    assert resp is not None and "error" in resp, ex.raw[:200]
    assert resp["error"]["code"] == -32602


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_legacy_unknown_method_gets_32601(session_factory, version):
    s = session_factory(version)
    ex, resp = s.request("no/such/method")
    assert resp is not None and resp.get("error", {}).get("code") == -32601, ex.raw[:200]


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_legacy_slow_count_streams_progress_as_sse_before_result(session_factory, version):
    s = session_factory(version)
    ex, resp = s.request("tools/call", {"name": "slow_count", "arguments": {"n": 3, "delay_ms": 50},
                                        "_meta": {"progressToken": 42}})
    assert ex.is_sse, f"progress requires an SSE answer, got {ex.content_type}"
    assert ex.headers.get("x-accel-buffering", "").lower() == "no"
    prog = [m["params"] for m in ex.notifications if m.get("method") == "notifications/progress"]
    assert [p["progress"] for p in prog] == [1, 2, 3]
    assert all(p["progressToken"] == 42 and type(p["progressToken"]) is int for p in prog)
    assert ex.messages[-1] is resp, "the result must come after the notifications"
    if version != "2025-11-25":
        empty = [e for e in ex.events if not e.data.strip()]
        assert not empty, f"empty-data (priming) SSE event sent to a {version} session (6.10)"
    assert_schema_valid(ex, version, "tools/call")


# ------------------------------------------------------------------------------ modern era

MODERN_RESULT_CASES = [
    ("server/discover", {}),
    ("tools/list", {}),
    ("tools/call", {"name": "echo", "arguments": {"text": "hi"}}),
    ("tools/call", {"name": "add", "arguments": {"a": 2, "b": 3}}),
    ("resources/list", {}),
    ("resources/templates/list", {}),
    ("resources/read", {"uri": "portico://demo/about"}),
    ("resources/read", {"uri": "portico://demo/echo/hi"}),
    ("prompts/list", {}),
    ("prompts/get", {"name": "summarize", "arguments": {"text": "abc"}}),
]


@pytest.mark.parametrize("method,params", MODERN_RESULT_CASES,
                         ids=[f"{m}-{i}" for i, (m, _) in enumerate(MODERN_RESULT_CASES)])
def test_modern_every_result_has_result_type_and_validates(portico_url, http, method, params):
    ex, resp = modern_request(http, portico_url, method, params, 11)
    assert ex.status == 200, ex.raw[:300]
    assert resp and "result" in resp, ex.raw[:300]
    assert resp["result"].get("resultType") == "complete"
    assert "mcp-session-id" not in ex.headers
    assert_schema_valid(ex, MODERN_VERSION, method)


@pytest.mark.parametrize("method", ["tools/list", "prompts/list", "resources/list", "resources/templates/list",
                                    "resources/read", "server/discover"])
def test_modern_cacheable_results_carry_ttl_and_cache_scope(portico_url, http, method):
    params = {"uri": "portico://demo/about"} if method == "resources/read" else {}
    _, resp = modern_request(http, portico_url, method, params, 12)
    r = resp["result"]
    assert isinstance(r.get("ttlMs"), int) and r["ttlMs"] >= 0, r
    assert r.get("cacheScope") in ("public", "private"), r


def test_server_discover_lists_versions_capabilities_and_server_info(portico_url, http):
    ex, resp = modern_request(http, portico_url, "server/discover", {}, 201)
    r = resp["result"]
    assert MODERN_VERSION in r["supportedVersions"]
    assert isinstance(r["capabilities"], dict)
    for cap in ("tools", "resources", "prompts"):
        assert cap in r["capabilities"], f"capability {cap} not advertised"
    assert r.get("_meta", {}).get(META_SERVERINFO, {}).get("name")


@pytest.mark.parametrize("method", ["no/such/method", "tools/frobnicate", "notifications"])
def test_modern_unknown_method_gets_404_and_32601(portico_url, http, method):
    ex, _ = modern_request(http, portico_url, method, {}, 501)
    assert_jsonrpc_error(ex, 404, -32601, 501)


@pytest.mark.parametrize(
    "method,params",
    [
        ("initialize", initialize_params(MODERN_VERSION)),
        ("ping", {}),
        ("logging/setLevel", {"level": "info"}),
        ("resources/subscribe", {"uri": "portico://demo/about"}),
        ("resources/unsubscribe", {"uri": "portico://demo/about"}),
    ],
    ids=["initialize", "ping", "logging-setLevel", "resources-subscribe", "resources-unsubscribe"],
)
def test_modern_removed_methods_get_404_and_32601(portico_url, http, method, params):
    ex, _ = modern_request(http, portico_url, method, params, 500)
    assert_jsonrpc_error(ex, 404, -32601, 500)
    assert "mcp-session-id" not in ex.headers


@pytest.mark.parametrize(
    "method,params,header_override",
    [
        ("tools/call", {"name": "echo", "arguments": {"text": "x"}}, {"Mcp-Name": "add"}),
        ("tools/call", {"name": "echo", "arguments": {"text": "x"}}, {"Mcp-Name": None}),
        ("tools/call", {"name": "echo", "arguments": {"text": "x"}}, {"Mcp-Name": "ECHO"}),
        ("resources/read", {"uri": "portico://demo/about"}, {"Mcp-Name": "portico://demo/other"}),
        ("prompts/get", {"name": "summarize", "arguments": {"text": "x"}}, {"Mcp-Name": "nope"}),
        ("tools/list", {}, {"Mcp-Method": "prompts/list"}),
        ("tools/list", {}, {"Mcp-Method": "TOOLS/LIST"}),
        ("tools/list", {}, {"Mcp-Method": None}),
        ("server/discover", {}, {"MCP-Protocol-Version": None}),
    ],
    ids=["name-mismatch", "name-missing", "name-case", "uri-mismatch", "prompt-name-mismatch",
         "method-mismatch", "method-case", "method-missing", "version-header-missing"],
)
def test_modern_header_mismatch_gets_400_and_32020(portico_url, http, method, params, header_override):
    ex, _ = modern_request(http, portico_url, method, params, 302, headers=header_override)
    assert_jsonrpc_error(ex, 400, -32020, 302)


@pytest.mark.parametrize(
    "method,params,headers",
    [
        ("tools/call", {"name": "echo", "arguments": {"text": "x"}}, {"Mcp-Name": "  echo  "}),
        ("tools/call", {"name": "echo", "arguments": {"text": "x"}}, {"Mcp-Name": "\techo"}),
        ("tools/list", {}, {"Mcp-Method": None, "mcp-method": "tools/list"}),
        ("tools/list", {}, {"Mcp-Method": None, "MCP-METHOD": "tools/list"}),
        ("tools/call", {"name": "echo", "arguments": {"text": "x"}}, {"Mcp-Session-Id": "bogus-session-123"}),
    ],
    ids=["name-with-ows", "name-with-leading-tab", "lowercase-header-name", "uppercase-header-name",
         "session-id-ignored"],
)
def test_modern_header_variants_that_must_be_accepted(portico_url, method, params, headers):
    p = modern_params(params)
    h = modern_headers(method, p)
    for k, v in headers.items():
        for existing in [e for e in h if e.lower() == k.lower()]:
            del h[existing]
        if v is not None:
            h[k] = v
    ex = exact_post(portico_url, list(h.items()), json.dumps(rpc(method, p, 303)).encode())
    resp = ex.response_for(303)
    assert ex.status == 200 and resp and "result" in resp, f"HTTP {ex.status} {ex.raw[:300]!r}"
    assert "mcp-session-id" not in ex.headers, "a modern answer must not carry Mcp-Session-Id"


@pytest.mark.parametrize(
    "meta,rid",
    [
        (None, 101),
        ({META_CAPS: {}, META_INFO: {"name": "x", "version": "1"}}, 102),
        ({META_VERSION: MODERN_VERSION, META_INFO: {"name": "x", "version": "1"}}, 104),
    ],
    ids=["no-meta", "no-protocol-version", "no-client-capabilities"],
)
def test_modern_missing_required_meta_gets_400_and_32602(portico_url, http, meta, rid):
    params = {} if meta is None else {"_meta": meta}
    h = modern_headers("server/discover")
    ex = post(http, portico_url, rpc("server/discover", params, rid), h)
    assert_jsonrpc_error(ex, 400, -32602, rid)


def test_modern_meta_without_client_info_is_accepted(portico_url, http):
    ex, resp = modern_request(http, portico_url, "server/discover", {}, 105, meta=modern_meta(client_info=False))
    assert ex.status == 200 and resp and "result" in resp


def test_modern_unsupported_version_gets_400_32022_with_supported_and_requested(portico_url, http):
    _, disc = modern_request(http, portico_url, "server/discover", {}, 300)
    supported = set(disc["result"]["supportedVersions"])
    meta = modern_meta(version="v999.0.0")
    ex, _ = modern_request(http, portico_url, "server/discover", {}, 301, meta=meta,
                           headers={"MCP-Protocol-Version": "v999.0.0"})
    err = assert_jsonrpc_error(ex, 400, -32022, 301)
    data = err["error"].get("data") or {}
    assert data.get("requested") == "v999.0.0"
    assert data.get("supported") and set(data["supported"]) <= supported


def test_modern_header_and_meta_version_mismatch_gets_400_32020(portico_url, http):
    ex, _ = modern_request(http, portico_url, "server/discover", {}, 302, meta=modern_meta(version="v999.0.0"))
    assert_jsonrpc_error(ex, 400, -32020, 302)


def test_modern_response_never_carries_session_header(portico_url, http):
    ex, resp = modern_request(http, portico_url, "tools/list", {}, 7, headers={"Mcp-Session-Id": "abc-123-xyz"})
    assert ex.status == 200 and resp and "result" in resp
    assert "mcp-session-id" not in ex.headers


def test_modern_get_without_session_gets_405(portico_url, http):
    r = http.get(portico_url, headers={"Accept": "text/event-stream", "MCP-Protocol-Version": MODERN_VERSION})
    assert r.status_code == 405
    assert "POST" in r.headers.get("allow", "")


def test_modern_delete_gets_405(portico_url, http):
    r = http.delete(portico_url, headers={"MCP-Protocol-Version": MODERN_VERSION})
    assert r.status_code == 405


def test_modern_batch_array_gets_400(portico_url, http):
    p = modern_params({})
    ex = post(http, portico_url, [rpc("tools/list", p, 1), rpc("prompts/list", p, 2)],
              modern_headers("tools/list"), wait_for_id=None)
    assert ex.status == 400


def test_modern_posted_jsonrpc_response_is_rejected_with_4xx(portico_url, http):
    h = modern_headers("tools/list")
    r = http.post(portico_url, json={"jsonrpc": "2.0", "id": 5, "result": {}}, headers=h)
    assert 400 <= r.status_code < 500


def test_modern_notification_gets_202_empty(portico_url, http):
    h = modern_headers("notifications/cancelled")
    r = http.post(portico_url, json=notification("notifications/cancelled", {"requestId": 1, "_meta": modern_meta()}),
                  headers=h)
    assert r.status_code == 202 and r.content == b""


def test_modern_slow_count_streams_progress_then_result_over_sse(portico_url, http):
    ex, resp = modern_request(http, portico_url, "tools/call",
                              {"name": "slow_count", "arguments": {"n": 4, "delay_ms": 50},
                               "_meta": {"progressToken": "p-1"}}, 9)
    assert ex.is_sse and ex.headers.get("x-accel-buffering", "").lower() == "no"
    prog = [m["params"] for m in ex.notifications if m.get("method") == "notifications/progress"]
    assert [p["progress"] for p in prog] == [1, 2, 3, 4]
    assert all(p["progressToken"] == "p-1" and p.get("total") == 4 for p in prog)
    assert resp and resp["result"]["resultType"] == "complete"
    assert not [e for e in ex.events if not e.data.strip()], "no priming events in 2026-07-28 (no resumability)"
    assert_schema_valid(ex, MODERN_VERSION, "tools/call")


def test_modern_requests_are_independent_across_connections(portico_url):
    """Two requests on two separate TCP connections give identical tools/list answers (9.2, 9.17)."""
    answers = []
    for _ in range(2):
        with new_http_client() as c:
            _, resp = modern_request(c, portico_url, "tools/list", {}, 1)
            answers.append([t["name"] for t in resp["result"]["tools"]])
    assert answers[0] == answers[1]


def test_concurrent_legacy_and_modern_traffic_on_one_endpoint(session_factory, portico_url):
    s = session_factory("2025-11-25")
    errors: list[str] = []

    def legacy_worker():
        for i in range(10):
            _, r = s.request("tools/call", {"name": "echo", "arguments": {"text": f"L{i}"}})
            if not r or r.get("result", {}).get("content", [{}])[0].get("text") != f"L{i}":
                errors.append(f"legacy {i}: {r}")

    def modern_worker():
        with new_http_client() as c:
            for i in range(10):
                _, r = modern_request(c, portico_url, "tools/call", {"name": "echo", "arguments": {"text": f"M{i}"}}, i)
                if not r or r.get("result", {}).get("content", [{}])[0].get("text") != f"M{i}":
                    errors.append(f"modern {i}: {r}")

    threads = [threading.Thread(target=legacy_worker), threading.Thread(target=modern_worker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "workers hung"
    assert not errors, errors


# ------------------------------------------------------------------------------ endpoint / lifecycle


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_trailing_slash_endpoint_serves_both_eras(portico_url, http, era):
    url = portico_url + "/"
    if era == "legacy":
        ex = post(http, url, rpc("initialize", initialize_params("2025-11-25"), 1), legacy_headers())
        resp = ex.response_for(1)
        assert ex.status == 200 and resp and "result" in resp, ex.raw[:200]
        sid = ex.headers.get("mcp-session-id")
        ex2 = post(http, url, rpc("tools/list", None, 2), legacy_headers(sid, "2025-11-25"))
        assert ex2.status == 200 and ex2.response_for(2), ex2.raw[:200]
        http.delete(url, headers=legacy_headers(sid, "2025-11-25"))
    else:
        ex, resp = modern_request(http, url, "tools/list", {}, 3)
        assert ex.status == 200 and resp and "result" in resp, ex.raw[:200]


def test_other_paths_are_404(portico, http):
    base = portico.url.rsplit("/mcp", 1)[0]
    r = http.post(base + "/not-mcp", json=rpc("ping", None, 1), headers=legacy_headers())
    assert r.status_code == 404


def _drain_config(tmp_path, seconds):
    config = tmp_path / "portico.yaml"
    config.write_text(f"server:\n  drain_timeout_seconds: {seconds}\n")
    return ["--config", str(config)]


def _stream_call_in_background(url, params, request_id):
    started = threading.Event()
    outcome: list = []

    def caller():
        try:
            with new_http_client(30) as c:
                ex = post(c, url, rpc("tools/call", params, request_id), modern_headers("tools/call", params), timeout=30,
                          stop_after=lambda e: (started.set() or False) if e.notifications else False)
                outcome.append(ex)
        except Exception as e:  # noqa: BLE001 - connection torn down by the stopping server is fine
            outcome.append(e)
        finally:
            started.set()

    t = threading.Thread(target=caller, daemon=True)
    t.start()
    return t, started, outcome


def test_sigterm_cuts_a_call_longer_than_the_drain_timeout(tmp_path):
    from mcpwire import ServerProcess

    proc = ServerProcess(log_path=tmp_path / "stderr.log", extra_args=_drain_config(tmp_path, 2))
    url = proc.start()
    try:
        p = modern_params({"name": "slow_count", "arguments": {"n": 1000, "delay_ms": 100},
                           "_meta": {"progressToken": "t"}})
        t, started, _ = _stream_call_in_background(url, p, 1)
        assert started.wait(15), "slow_count never started streaming"
    finally:
        rc, took = proc.stop(timeout=8.0)
    assert rc is not None, f"server ignored SIGTERM with a call in flight (killed after {took:.1f}s)"
    assert took >= 1.5, f"server stopped after {took:.1f}s, before the 2 s drain timeout"
    t.join(timeout=15)
    assert not t.is_alive(), "the in-flight request never ended after the server stopped"


def test_sigterm_lets_an_inflight_call_finish_within_the_drain_timeout(tmp_path):
    from mcpwire import ServerProcess

    proc = ServerProcess(log_path=tmp_path / "stderr.log", extra_args=_drain_config(tmp_path, 5))
    url = proc.start()
    try:
        p = modern_params({"name": "slow_count", "arguments": {"n": 5, "delay_ms": 100},
                           "_meta": {"progressToken": "t"}})
        t, started, outcome = _stream_call_in_background(url, p, 2)
        assert started.wait(15), "slow_count never started streaming"
    finally:
        rc, took = proc.stop(timeout=8.0)
    assert rc is not None, f"server ignored SIGTERM (killed after {took:.1f}s)"
    t.join(timeout=15)
    assert outcome and not isinstance(outcome[0], Exception), f"the call failed during the drain: {outcome!r}"
    result = outcome[0].response_for(2)
    assert result is not None and result["result"]["content"][0]["text"] == "counted to 5", outcome[0].raw


# ------------------------------------------------------------------------------ stream shape


@pytest.mark.parametrize("era", ["legacy-2025-06-18", "legacy-2025-11-25", "modern"])
def test_sse_stream_ends_right_after_the_result(session_factory, portico_url, http, era):
    params = {"name": "slow_count", "arguments": {"n": 2, "delay_ms": 20}, "_meta": {"progressToken": "end"}}
    if era == "modern":
        p = modern_params(params)
        ex = post(http, portico_url, rpc("tools/call", p, 31), modern_headers("tools/call", p), wait_for_id=None,
                  timeout=10)
    else:
        s = session_factory(era.split("-", 1)[1])
        ex = post(s.client, s.url, rpc("tools/call", params, 31), s.headers(), wait_for_id=None, timeout=10)
    assert ex.is_sse
    assert not ex.timed_out, "the SSE stream stayed open after the result"
    assert not ex.closed_early or not ex.parse_errors, ex.parse_errors
    assert ex.messages and ex.messages[-1].get("id") == 31 and "result" in ex.messages[-1]


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_json_only_accept_with_progress_token_still_gets_a_json_result(session_factory, portico_url, http, era):
    params = {"name": "slow_count", "arguments": {"n": 3, "delay_ms": 10}, "_meta": {"progressToken": "j"}}
    if era == "modern":
        p = modern_params(params)
        ex = post(http, portico_url, rpc("tools/call", p, 32),
                  modern_headers("tools/call", p, accept="application/json"))
    else:
        s = session_factory("2025-11-25")
        ex = post(s.client, s.url, rpc("tools/call", params, 32), s.headers(accept="application/json"))
    assert ex.status == 200, ex.raw[:200]
    assert ex.is_json, f"client accepts only application/json, got {ex.content_type}"
    r = ex.response_for(32)
    assert r and r["result"]["content"][0]["text"] == "counted to 3"


@pytest.mark.parametrize(
    "accept,expected_status,expected_type",
    [
        ("text/event-stream", 200, "text/event-stream"),
        ("application/json", 200, "application/json"),
        ("text/html", 406, None),
    ],
    ids=["sse-only", "json-only", "html-406"],
)
def test_modern_accept_header_negotiation(portico_url, http, accept, expected_status, expected_type):
    p = modern_params({})
    ex = post(http, portico_url, rpc("tools/list", p, 33), modern_headers("tools/list", p, accept=accept))
    assert ex.status == expected_status, f"Accept {accept!r}: HTTP {ex.status} {ex.raw[:200]!r}"
    if expected_type:
        assert ex.content_type == expected_type
        assert ex.response_for(33) and "result" in ex.response_for(33)
