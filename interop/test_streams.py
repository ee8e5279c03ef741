"""Long-lived SSE streams: keep-alive comments, legacy-era event ids / priming / resumption,
the legacy GET stream's notifications, and 2026-07-28 `subscriptions/listen`.

Every server here is started with a portico.yaml `streams:` section (see ServerPool in
conftest.py): a 0.3 s keep-alive and a 100 ms `retry:` keep the tests fast; tiny event
windows and listener/subscription caps are configured where a test needs them.

Wire contract exercised (legacy = initialize + Mcp-Session-Id, 2025-03-26 .. 2025-11-25):
- every event of a legacy SSE reply / GET stream carries `id: <stream>-<seq>`; stream numbers are
  unique in the session, seq increases; 2025-11-25 sessions first get a priming event
  `<stream>-0` + `retry:` + empty data, older sessions never get an empty-data event;
- dropping a POST stream does not cancel the call; GET + Last-Event-ID replays exactly that
  stream's later events, continues live and ends after the final response; a bad or foreign
  Last-Event-ID is HTTP 400 / -32600 naming it; an evicted position is 400 / -32600 "no longer
  available";
- `: keepalive` comment lines after keepalive_seconds of silence on every open SSE stream;
- list_changed / resources/updated fan-out to legacy GET streams and listen streams (fixture
  tools test_trigger_tool_change, test_trigger_prompt_change, test_trigger_resource_update);
- listen: ack first, every frame tagged with the subscription id, only opted-in kinds, a final
  `resultType: complete` response on SIGTERM, -32602 for bad filters / too many URIs, 503 +
  Retry-After past max_listeners.

Waiting for the *absence* of a message uses fences instead of sleeps: after the triggers under
test, another trigger the stream does subscribe to is fired, and everything received before the
fence is inspected.
"""

from __future__ import annotations

import json
import random
import threading
import time

import pytest

from mcpwire import (
    LATEST_LEGACY,
    LEGACY_VERSIONS,
    MODERN_VERSION,
    LegacySession,
    RawStream,
    WireValidator,
    modern_headers,
    modern_params,
    modern_request,
    modern_tool_call,
    new_http_client,
    open_legacy_get,
    open_legacy_post,
    open_listen,
    parse_event_id,
    resume_legacy_stream,
    rpc,
    subscription_id_of,
)

KEEPALIVE = 0.3
RETRY_MS = 100
STREAMS = {"keepalive_seconds": KEEPALIVE, "retry_ms": RETRY_MS}
WATCHED = "test://watched-resource"
OTHER_URI = "test://static-text"
ACK = "notifications/subscriptions/acknowledged"
TOOLS_CHANGED = "notifications/tools/list_changed"
PROMPTS_CHANGED = "notifications/prompts/list_changed"
RESOURCES_CHANGED = "notifications/resources/list_changed"
UPDATED = "notifications/resources/updated"
ALL_FILTER = {"toolsListChanged": True, "promptsListChanged": True, "resourcesListChanged": True,
              "resourceSubscriptions": [WATCHED]}


# ------------------------------------------------------------------------------ servers / sessions


@pytest.fixture(scope="module")
def demo(server_pool):
    """Demo pack (slow_count, echo) with a 0.3 s keep-alive and retry 100 ms."""
    return server_pool.get("streams-demo", {"streams": STREAMS})


@pytest.fixture(scope="module")
def conf(server_pool):
    """Conformance fixture (trigger tools, test_reconnection, test_wait_for_cancel)."""
    return server_pool.get("streams-conformance", {"streams": STREAMS}, "--fixture", "conformance")


@pytest.fixture
def sessions():
    made: list[LegacySession] = []

    def make(url: str, version: str = LATEST_LEGACY, caps: dict | None = None) -> LegacySession:
        s = LegacySession(url, version, caps=caps)
        ex = s.initialize()
        assert ex.status == 200 and s.session_id, f"initialize at {version}: HTTP {ex.status} {ex.raw[:300]!r}"
        assert s.version == version, f"asked for {version}, server negotiated {s.version}"
        assert s.initialized_status == 202, f"notifications/initialized: HTTP {s.initialized_status}"
        made.append(s)
        return s

    yield make
    for s in made:
        s.delete()
        s.close()


@pytest.fixture
def streams():
    """Collects RawStreams so every one is closed at teardown, whatever the test did."""
    opened: list[RawStream] = []

    def track(rs: RawStream) -> RawStream:
        opened.append(rs)
        return rs

    yield track
    for rs in opened:
        rs.drop()


def slow_count(rid, n: int, delay_ms: int, token) -> dict:
    return rpc("tools/call", {"name": "slow_count", "arguments": {"n": n, "delay_ms": delay_ms},
                              "_meta": {"progressToken": token}}, rid)


def progress_values(rs: RawStream, token=None) -> list:
    return [m["params"]["progress"] for m in rs.notifications
            if m.get("method") == "notifications/progress" and (token is None or m["params"].get("progressToken") == token)]


def ids_of(rs: RawStream) -> list[str | None]:
    return [e.id for e in rs.events]


def assert_ids_well_formed(rs: RawStream, what: str) -> tuple[int, list[int]]:
    """Every event has an id `<stream>-<seq>`, one stream number, seq strictly increasing."""
    assert rs.events, f"{what}: no SSE events at all"
    parsed = [parse_event_id(e.id) for e in rs.events]
    bad = [e.id for e, p in zip(rs.events, parsed) if p is None]
    assert not bad, f"{what}: events without a `<stream>-<seq>` id: {bad[:5]} (all ids {ids_of(rs)[:12]})"
    stream_numbers = {p[0] for p in parsed}
    assert len(stream_numbers) == 1, f"{what}: one reply mixes stream numbers {sorted(stream_numbers)}"
    seqs = [p[1] for p in parsed]
    assert all(a < b for a, b in zip(seqs, seqs[1:])), f"{what}: seq not strictly increasing: {seqs}"
    return stream_numbers.pop(), seqs


def assert_priming(rs: RawStream, what: str) -> tuple[int, int]:
    first = rs.events[0] if rs.events else None
    assert first is not None, f"{what}: no events"
    parsed = parse_event_id(first.id)
    assert parsed is not None and parsed[1] == 0, f"{what}: first event id {first.id!r} is not `<stream>-0`"
    assert not first.data.strip(), f"{what}: priming event carries data {first.data[:100]!r}"
    assert first.retry == RETRY_MS, f"{what}: priming retry {first.retry!r} (want {RETRY_MS}, streams.retry_ms)"
    return parsed


def assert_no_empty_events(rs: RawStream, what: str) -> None:
    empty = [e.id for e in rs.events if not e.data.strip()]
    assert not empty, f"{what}: empty-data SSE event(s) {empty} sent to a pre-2025-11-25 session (crashes old clients)"


def assert_schema_valid(messages, version: str, method: str | None = None) -> None:
    v = WireValidator.for_version(version)
    problems = []
    for m in messages:
        problems += v.validate(m, method)
    assert not problems, f"wire-schema violations at {version}: {problems[:5]}"


def read_probe(url: str) -> dict:
    with new_http_client() as c:
        _, resp = modern_request(c, url, "resources/read", {"uri": "test://cancellations"}, 1)
    assert resp and "result" in resp, resp
    return json.loads(resp["result"]["contents"][0]["text"])


def wait_for_probe(url: str, key: str, above: int, deadline_s: float = 5.0) -> dict:
    deadline = time.monotonic() + deadline_s
    while True:
        probe = read_probe(url)
        if probe[key] > above or time.monotonic() > deadline:
            return probe
        time.sleep(0.05)  # bounded poll of an observable counter


def assert_error_400(rs: RawStream, code: int, needle: str | None, what: str) -> dict:
    ended = rs.read_all(5)
    assert rs.status == 400, f"{what}: HTTP {rs.status} {rs.content_type} (want 400) body={rs.body_text[:300]!r}"
    assert ended, f"{what}: the 400 answer did not end within 5 s"
    err = rs.error()
    assert err is not None, f"{what}: no JSON-RPC error body ({rs.content_type}): {rs.body_text[:300]!r}"
    assert err.get("code") == code, f"{what}: error code {err.get('code')} (want {code}): {err}"
    if needle is not None:
        assert needle in str(err.get("message", "")), f"{what}: error message {err.get('message')!r} must name {needle!r}"
    return err


# ------------------------------------------------------------------------------ keep-alive


@pytest.mark.parametrize("era", ["2025-06-18", "2025-11-25", "modern"])
def test_keepalive_comments_on_a_silent_post_sse_stream(conf, sessions, streams, era):
    body_params = {"name": "test_wait_for_cancel", "arguments": {"seconds": 1.5}, "_meta": {"progressToken": "ka"}}
    if era == "modern":
        p = modern_params(body_params)
        rs = streams(RawStream(conf.url, "POST", modern_headers("tools/call", p), rpc("tools/call", p, 5)))
    else:
        s = sessions(conf.url, era)
        rs = streams(open_legacy_post(s, rpc("tools/call", body_params, 5)))
    assert rs.status == 200 and rs.is_sse, f"HTTP {rs.status} {rs.content_type}: {rs.body_text[:200]!r}"
    resp = rs.wait_for_response(5, 10)
    assert resp and "result" in resp, f"no result: {rs.body_text[-300:]!r}"
    n = len(rs.keepalives)
    # 1.5 s of silence after the progress event at a 0.3 s keep-alive: about 4 comment lines.
    assert 2 <= n <= 8, f"{n} `: keepalive` comments during 1.5 s of silence (keepalive_seconds {KEEPALIVE}): {rs.comments}"
    assert [m.get("method") for m in rs.notifications] == ["notifications/progress"], (
        f"keep-alives must be comment lines, not messages: {rs.methods()}")


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_keepalive_comments_on_an_idle_legacy_get_stream(conf, sessions, streams, version):
    s = sessions(conf.url, version)
    g = streams(open_legacy_get(s))
    assert g.status == 200 and g.is_sse, f"GET: HTTP {g.status} {g.body_text[:200]!r}"
    assert g.wait_for(lambda r: len(r.keepalives) >= 2, 3.0), f"idle GET stream: comments {g.comments} in 3 s"
    assert not g.messages, f"idle GET stream carried messages: {g.messages}"


def test_keepalive_comments_on_an_idle_listen_stream(conf, streams):
    lst = streams(open_listen(conf.url, {"toolsListChanged": True}, 9))
    assert lst.status == 200 and lst.is_sse, f"listen: HTTP {lst.status} {lst.body_text[:300]!r}"
    assert lst.wait_for(lambda r: bool(r.messages), 5), "no acknowledgment"
    assert lst.wait_for(lambda r: len(r.keepalives) >= 2, 3.0), f"idle listen stream: comments {lst.comments} in 3 s"
    assert [m.get("method") for m in lst.messages] == [ACK], lst.messages


def test_no_keepalive_comments_when_keepalive_seconds_is_0(server_pool, sessions, streams):
    srv = server_pool.get("window-per-stream", {"streams": {"keepalive_seconds": 0, "retry_ms": RETRY_MS,
                                                            "events_per_stream": 4}})
    s = sessions(srv.url)
    g = streams(open_legacy_get(s))
    assert g.status == 200
    g.wait_for(lambda r: bool(r.comments), 1.2)  # observation window for an absent comment
    assert not g.keepalives, f"keepalive_seconds: 0 must turn keep-alives off; got {g.comments}"


# ------------------------------------------------------------------------------ event ids / priming


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_event_ids_are_stream_seq_and_unique_across_three_concurrent_post_streams(demo, sessions, streams, version):
    s = sessions(demo.url, version)
    calls = [streams(open_legacy_post(s, slow_count(1000 + i, 3, 60, f"t{i}"))) for i in range(3)]
    numbers, all_ids = [], []
    for i, rs in enumerate(calls):
        assert rs.status == 200 and rs.is_sse, f"call {i}: HTTP {rs.status} {rs.content_type}"
        assert rs.read_all(10), f"call {i}: reply did not end"
        assert len(rs.responses_for(1000 + i)) == 1, f"call {i}: {rs.messages}"
        assert rs.response_for(1000 + i)["result"]["content"][0]["text"] == "counted to 3"
        assert progress_values(rs) == [1, 2, 3] and set(progress_values(rs, f"t{i}")) == {1, 2, 3}, rs.messages
        number, _ = assert_ids_well_formed(rs, f"call {i}")
        numbers.append(number)
        all_ids += ids_of(rs)
        if version == LATEST_LEGACY:
            assert_priming(rs, f"call {i}")
        else:
            assert_no_empty_events(rs, f"call {i}")
        assert_schema_valid(rs.messages, version, "tools/call")
    assert len(set(numbers)) == 3, f"the three streams share stream numbers: {numbers}"
    assert len(set(all_ids)) == len(all_ids), f"event ids repeat within the session: {all_ids}"


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_sse_only_accept_forces_sse_with_ids_and_priming_only_at_2025_11_25(demo, sessions, streams, version):
    s = sessions(demo.url, version)
    rs = streams(open_legacy_post(s, rpc("tools/list", None, 3), accept="text/event-stream"))
    assert rs.status == 200 and rs.is_sse, f"Accept: text/event-stream only: HTTP {rs.status} {rs.content_type}"
    assert rs.read_all(5)
    assert len(rs.responses_for(3)) == 1
    assert_ids_well_formed(rs, "tools/list")
    if version == LATEST_LEGACY:
        assert_priming(rs, "tools/list")
        assert len(rs.events) == 2, f"priming + result expected, got {ids_of(rs)}"
    else:
        assert_no_empty_events(rs, "tools/list")


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_get_stream_has_its_own_stream_number_and_priming_only_at_2025_11_25(conf, sessions, streams, version):
    s = sessions(conf.url, version)
    first = streams(open_legacy_post(s, rpc("tools/call", {"name": "test_tool_with_progress", "arguments": {},
                                                           "_meta": {"progressToken": "g"}}, 3)))
    assert first.read_all(5) and first.is_sse and first.response_for(3)
    post_number, _ = assert_ids_well_formed(first, "test_tool_with_progress reply")
    g = streams(open_legacy_get(s))
    assert g.status == 200 and g.is_sse
    if version == LATEST_LEGACY:
        assert g.wait_for(lambda r: bool(r.events), 3), "2025-11-25 GET stream: no priming event"
        get_number, _ = assert_priming(g, "GET stream")
        assert get_number != post_number, f"GET stream reuses stream number {get_number} of a POST reply"
    _, trig = s.request("tools/call", {"name": "test_trigger_tool_change", "arguments": {}})
    assert trig and "result" in trig, trig
    assert g.wait_for(lambda r: TOOLS_CHANGED in r.methods(), 5), f"no tools/list_changed on the GET stream: {g.events}"
    number, _ = assert_ids_well_formed(g, "GET stream")
    assert number != post_number
    if version != LATEST_LEGACY:
        assert_no_empty_events(g, "GET stream")
    assert not [m for m in g.messages if "result" in m or "error" in m], "a fresh GET stream must not carry responses"
    assert_schema_valid(g.messages, version)


# ------------------------------------------------------------------------------ drop and resume


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_dropped_post_stream_resumes_with_last_event_id(demo, sessions, streams, version):
    s = sessions(demo.url, version)
    rs = streams(open_legacy_post(s, slow_count(41, 10, 100, "r1")))
    assert rs.status == 200 and rs.is_sse
    assert rs.wait_for(lambda r: len(progress_values(r)) >= 3, 10), f"no progress: {rs.body_text[:300]!r}"
    seen = progress_values(rs)
    number, seqs = assert_ids_well_formed(rs, "POST reply before the drop")
    last_id = rs.events[-1].id
    rs.drop()

    g, _ = resume_legacy_stream(s, last_id)
    streams(g)
    assert g.status == 200 and g.is_sse, f"resume GET: HTTP {g.status} {g.body_text[:300]!r}"
    resp = g.wait_for_response(41, 15)
    assert resp is not None, f"result never delivered after resuming from {last_id}: {g.body_text[-400:]!r}"
    assert g.read_all(3), "the resumed stream must end after the final response"
    assert resp["result"]["content"][0]["text"] == "counted to 10"
    assert seen + progress_values(g) == list(range(1, 11)), (
        f"progress before the drop {seen}, after the resume {progress_values(g)}: a value is lost or repeated")
    assert len(g.responses_for(41)) == 1 and rs.response_for(41) is None
    resumed_number, resumed_seqs = assert_ids_well_formed(g, "resumed stream")
    assert resumed_number == number, f"resume continued stream {resumed_number}, not {number}"
    assert resumed_seqs[0] > seqs[-1], f"replayed ids {resumed_seqs} do not come after {last_id}"
    assert_schema_valid(g.messages, version, "tools/call")


def test_resume_after_the_call_finished_replays_the_rest_and_ends(conf, sessions, streams):
    s = sessions(conf.url, "2025-11-25")
    before = read_probe(conf.url)
    body = rpc("tools/call", {"name": "test_wait_for_cancel", "arguments": {"seconds": 0.3},
                              "_meta": {"progressToken": "fin"}}, 42)
    rs = streams(open_legacy_post(s, body))
    assert rs.wait_for(lambda r: bool(progress_values(r)), 10), f"no progress event: {rs.body_text[:300]!r}"
    last_id = rs.events[-1].id
    rs.drop()
    after = wait_for_probe(conf.url, "completed", before["completed"])
    assert after["completed"] == before["completed"] + 1, f"the dropped call did not complete: {before} -> {after}"
    assert after["cancelled"] == before["cancelled"], "dropping a legacy stream must not cancel the call"
    g = streams(resume_legacy_stream(s, last_id)[0])
    assert g.status == 200 and g.is_sse, f"resume GET: HTTP {g.status} {g.body_text[:300]!r}"
    resp = g.wait_for_response(42, 5)
    assert resp and resp["result"]["content"][0]["text"] == "not cancelled", g.body_text[:400]
    assert g.read_all(3), "the resumed stream of a finished call must end after the final response"
    assert not progress_values(g), "progress 0 was already seen; it must not be replayed"


def test_resume_works_while_the_standalone_get_stream_is_open(demo, sessions, streams):
    s = sessions(demo.url)
    standalone = streams(open_legacy_get(s))
    assert standalone.status == 200
    rs = streams(open_legacy_post(s, slow_count(43, 6, 80, "sa")))
    assert rs.wait_for(lambda r: len(progress_values(r)) >= 2, 10)
    last_id = rs.events[-1].id
    rs.drop()
    g = streams(resume_legacy_stream(s, last_id)[0])
    assert g.status == 200, f"a resume GET must not be refused because a standalone GET stream is open: HTTP {g.status}"
    assert g.wait_for_response(43, 10), g.body_text[:300]
    standalone.wait_for(lambda r: bool(r.messages), 0.3)
    assert not standalone.messages, f"the call's messages leaked onto the standalone GET stream: {standalone.messages}"


def test_resume_never_replays_another_streams_events(demo, sessions, streams):
    s = sessions(demo.url)
    a = streams(open_legacy_post(s, slow_count(51, 8, 80, "A")))
    b = streams(open_legacy_post(s, slow_count(52, 8, 80, "B")))
    assert a.wait_for(lambda r: len(progress_values(r)) >= 2, 10)
    last_a = a.events[-1].id
    a.drop()
    g = streams(resume_legacy_stream(s, last_a)[0])
    assert g.wait_for_response(51, 15), g.body_text[-300:]
    assert b.wait_for_response(52, 15), b.body_text[-300:]
    foreign = [m for m in g.messages if m.get("id") == 52 or (m.get("params") or {}).get("progressToken") == "B"]
    assert not foreign, f"call B's messages replayed on call A's stream: {foreign}"
    assert progress_values(a) + progress_values(g) == list(range(1, 9))
    assert progress_values(b, "B") == list(range(1, 9)) and progress_values(b) == progress_values(b, "B")


def test_reconnection_tool_closes_after_priming_and_get_resume_delivers_the_result(conf, sessions, streams):
    s = sessions(conf.url, "2025-11-25")
    rs = streams(open_legacy_post(s, rpc("tools/call", {"name": "test_reconnection", "arguments": {}}, 7),
                                  accept="text/event-stream, application/json"))
    assert rs.status == 200 and rs.is_sse, f"HTTP {rs.status} {rs.content_type}"
    assert rs.read_all(5), "test_reconnection: the server must close the HTTP response after the priming event"
    assert rs.response_for(7) is None, "test_reconnection answered on the original stream (no disconnect)"
    _, _ = assert_priming(rs, "test_reconnection reply")
    g = streams(open_legacy_get(s, last_event_id=rs.events[0].id))
    assert g.status == 200 and g.is_sse, f"resume GET: HTTP {g.status} {g.body_text[:300]!r}"
    resp = g.wait_for_response(7, 5)
    assert resp is not None and "result" in resp, f"no result after resuming: {g.body_text[:300]!r}"
    assert g.read_all(3)
    assert_schema_valid(g.messages, "2025-11-25", "tools/call")


def test_reconnection_tool_at_2025_06_18_answers_on_the_post_stream(conf, sessions, streams):
    """Early close needs priming + retry, which 2025-06-18 clients do not understand (6.10)."""
    s = sessions(conf.url, "2025-06-18")
    rs = streams(open_legacy_post(s, rpc("tools/call", {"name": "test_reconnection", "arguments": {}}, 8),
                                  accept="text/event-stream, application/json"))
    assert rs.read_all(5)
    assert rs.response_for(8) is not None, f"2025-06-18: result must arrive on the POST reply: {rs.body_text[:300]!r}"
    if rs.is_sse:
        assert_no_empty_events(rs, "test_reconnection reply")


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_property_concurrent_calls_with_random_drops_deliver_every_result_exactly_once(demo, sessions, version):
    """8 concurrent slow calls in one session; each connection is dropped after a random number
    of events (seeded plan, 0-3 drops per call) and resumed with the last id seen. Every result
    arrives exactly once, every progress value once, only on its own stream."""
    s = sessions(demo.url, version)
    rng = random.Random(20260728)
    plans = []
    for i in range(8):
        n = rng.randint(6, 14)
        plans.append({"rid": 700 + i, "token": f"p{i}", "n": n, "delay": rng.choice([30, 50, 70]),
                      "drops": [rng.randint(1, 4) for _ in range(rng.randint(0, 3))]})
    outcome: dict[int, dict] = {}

    def worker(plan: dict) -> None:
        got = {"connections": [], "errors": []}
        outcome[plan["rid"]] = got
        try:
            rs = open_legacy_post(s, slow_count(plan["rid"], plan["n"], plan["delay"], plan["token"]))
            last_id = None
            drops = list(plan["drops"])
            for _ in range(len(drops) + 1):
                got["connections"].append(rs)
                if rs.status != 200 or not rs.is_sse:
                    got["errors"].append(f"HTTP {rs.status} {rs.content_type} {rs.body_text[:200]!r}")
                    return
                target = drops.pop(0) if drops else None

                def enough(r: RawStream, target=target) -> bool:
                    return r.response_for(plan["rid"]) is not None or (
                        target is not None and sum(1 for e in r.events if e.id) >= target)

                rs.wait_for(enough, 20)
                if rs.response_for(plan["rid"]) is not None:
                    if not rs.read_all(5):
                        got["errors"].append("stream did not end after the final response")
                    rs.drop()
                    return
                with_id = [e.id for e in rs.events if e.id]
                if target is None or len(with_id) < target:
                    got["errors"].append(f"stream stalled: {rs.body_text[-200:]!r}")
                    rs.drop()
                    return
                last_id = with_id[-1]
                rs.drop()
                rs, conflicts = resume_legacy_stream(s, last_id)
                got["conflicts"] = got.get("conflicts", 0) + conflicts
            got["errors"].append("ran out of connections")
        except Exception as e:  # noqa: BLE001 - reported below with the plan
            got["errors"].append(repr(e))

    threads = [threading.Thread(target=worker, args=(p,), daemon=True) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a worker hung"

    numbers = {}
    failures = []
    all_tokens = {p["token"] for p in plans}
    all_rids = {p["rid"] for p in plans}
    for p in plans:
        got = outcome[p["rid"]]
        conns: list[RawStream] = got["connections"]
        label = f"call {p['rid']} (n={p['n']}, drops after {p['drops']})"
        if got["errors"]:
            failures.append(f"{label}: {got['errors']}")
            continue
        messages = [m for c in conns for m in c.messages]
        results = [m for m in messages if m.get("id") == p["rid"] and ("result" in m or "error" in m)]
        if len(results) != 1:
            failures.append(f"{label}: {len(results)} responses (want exactly 1)")
        elif results[0].get("result", {}).get("content", [{}])[0].get("text") != f"counted to {p['n']}":
            failures.append(f"{label}: wrong result {results[0]}")
        prog = [m["params"]["progress"] for m in messages if m.get("method") == "notifications/progress"]
        if prog != list(range(1, p["n"] + 1)):
            failures.append(f"{label}: progress seen {prog}")
        foreign = [m for m in messages if ((m.get("params") or {}).get("progressToken") in all_tokens - {p["token"]})
                   or (m.get("id") in all_rids - {p["rid"]})]
        if foreign:
            failures.append(f"{label}: foreign messages {foreign[:3]}")
        parsed = [parse_event_id(e.id) for c in conns for e in c.events]
        if any(x is None for x in parsed):
            failures.append(f"{label}: events without `<stream>-<seq>` ids: {[e.id for c in conns for e in c.events][:10]}")
            continue
        stream_numbers = {x[0] for x in parsed}
        seqs = [x[1] for x in parsed]
        if len(stream_numbers) != 1:
            failures.append(f"{label}: its connections carried ids of several streams {sorted(stream_numbers)}")
        if not all(a < b for a, b in zip(seqs, seqs[1:])):
            failures.append(f"{label}: seq not increasing across resumes: {seqs}")
        numbers[p["rid"]] = stream_numbers.pop()
        if version == LATEST_LEGACY:
            first = conns[0].events[0]
            if parse_event_id(first.id)[1] != 0 or first.data.strip():
                failures.append(f"{label}: POST reply does not start with a priming event: {first}")
        else:
            empty = [e.id for c in conns for e in c.events if not e.data.strip()]
            if empty:
                failures.append(f"{label}: empty-data events {empty} at {version}")
    if len(set(numbers.values())) != len(numbers):
        failures.append(f"calls share stream numbers: {numbers}")
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------------------ bad Last-Event-ID


@pytest.mark.parametrize("bad", ["garbage", "12", "1-x", "-1", "1--2", "1-2-3", "9" * 40 + "-1", "UNKNOWN"],
                         ids=["word", "no-dash", "seq-not-a-number", "no-stream", "double-dash", "three-parts",
                              "overflow", "no-such-stream"])
def test_bad_last_event_id_gets_400_32600_naming_it(demo, sessions, streams, bad):
    s = sessions(demo.url)
    rs = streams(open_legacy_post(s, slow_count(61, 1, 0, "x")))
    assert rs.read_all(5) and rs.response_for(61)
    number, _ = assert_ids_well_formed(rs, "setup call")
    if bad == "UNKNOWN":
        bad = f"{number + 1000}-1"  # well formed, but this session has no such stream
    g = streams(open_legacy_get(s, last_event_id=bad))
    assert_error_400(g, -32600, bad, f"Last-Event-ID {bad!r}")


def test_last_event_id_of_another_session_gets_400_but_resumes_in_its_own(demo, sessions, streams):
    a = sessions(demo.url)
    rs = streams(open_legacy_post(a, slow_count(62, 2, 0, "own")))
    assert rs.read_all(5) and rs.response_for(62)
    foreign_id = rs.events[0].id
    b = sessions(demo.url)  # has opened no stream at all
    g = streams(open_legacy_get(b, last_event_id=foreign_id))
    assert_error_400(g, -32600, foreign_id, f"session B presenting session A's id {foreign_id!r}")
    own = streams(open_legacy_get(a, last_event_id=foreign_id))
    assert own.status == 200, f"session A resuming its own id: HTTP {own.status} {own.body_text[:200]!r}"
    assert own.wait_for_response(62, 5), "replay of a finished stream must end with its final response"
    assert own.read_all(3)


def test_resume_past_the_per_stream_window_gets_400_no_longer_available(server_pool, sessions, streams):
    srv = server_pool.get("window-per-stream", {"streams": {"keepalive_seconds": 0, "retry_ms": RETRY_MS,
                                                            "events_per_stream": 4}})
    s = sessions(srv.url)
    rs = streams(open_legacy_post(s, slow_count(71, 12, 5, "w")))
    assert rs.read_all(10) and rs.response_for(71), rs.body_text[-300:]
    assert len(rs.events) >= 13
    err = assert_error_400(streams(open_legacy_get(s, last_event_id=rs.events[0].id)), -32600, None,
                           "resume from an evicted position (events_per_stream: 4)")
    assert "no longer available" in err.get("message", "").lower(), f"message must say the events are no longer available: {err}"
    last_progress = rs.events[-2].id  # only the final response follows it: inside the window
    ok = streams(open_legacy_get(s, last_event_id=last_progress))
    assert ok.status == 200, f"resume inside the window: HTTP {ok.status} {ok.body_text[:200]!r}"
    assert ok.wait_for_response(71, 5) and ok.read_all(3)
    assert not progress_values(ok)


def test_resume_past_the_global_event_log_gets_400_no_longer_available(server_pool, sessions, streams):
    srv = server_pool.get("window-global", {"streams": {"keepalive_seconds": 0, "retry_ms": RETRY_MS,
                                                        "event_log_bytes": 4096}})
    a = sessions(srv.url)
    ra = streams(open_legacy_post(a, slow_count(81, 2, 0, "old")))
    assert ra.read_all(5) and ra.response_for(81)
    b = sessions(srv.url)
    rb = streams(open_legacy_post(b, slow_count(82, 80, 1, "new")))  # far more than 4096 bytes of events
    assert rb.read_all(15) and rb.response_for(82)
    err = assert_error_400(streams(open_legacy_get(a, last_event_id=ra.events[0].id)), -32600, None,
                           "resume of a session whose events another session pushed out (event_log_bytes: 4096)")
    assert "no longer available" in err.get("message", "").lower(), err
    ok = streams(open_legacy_get(b, last_event_id=rb.events[-2].id))
    assert ok.status == 200 and ok.wait_for_response(82, 5), f"recent events must stay resumable: HTTP {ok.status}"


def test_resumable_false_sends_no_event_ids_and_no_priming(fresh_servers, sessions, streams):
    srv = fresh_servers.start("not-resumable", {"streams": {"resumable": False, "keepalive_seconds": 0}})
    s = sessions(srv.url)
    rs = streams(open_legacy_post(s, slow_count(91, 2, 10, "nr")))
    assert rs.read_all(5) and rs.response_for(91)
    assert [e.id for e in rs.events if e.id is not None] == [], f"resumable: false but events carry ids {ids_of(rs)}"
    assert_no_empty_events(rs, "resumable: false")


# ------------------------------------------------------------------------------ legacy GET notifications


def _names(session: LegacySession, method: str, key: str) -> set[str]:
    _, resp = session.request(method)
    assert resp and "result" in resp, resp
    return {x["name"] for x in resp["result"][key]}


def _modern_names(url: str, method: str, key: str) -> set[str]:
    with new_http_client() as c:
        _, resp = modern_request(c, url, method, {}, 1)
    assert resp and "result" in resp, resp
    return {x["name"] for x in resp["result"][key]}


def _fenced(rs: RawStream, fence_method: str, fences: int = 1, timeout: float = 5.0) -> list[str]:
    """Read until `fences` messages of `fence_method` arrived; return the methods received."""
    ok = rs.wait_for(lambda r: r.methods().count(fence_method) >= fences, timeout)
    assert ok, f"fence {fence_method} x{fences} never arrived: {rs.methods()}"
    return rs.methods()


@pytest.mark.parametrize("trigger,method,fence_trigger,fence,list_method,key", [
    ("test_trigger_tool_change", TOOLS_CHANGED, "test_trigger_prompt_change", PROMPTS_CHANGED, "tools/list", "tools"),
    ("test_trigger_prompt_change", PROMPTS_CHANGED, "test_trigger_tool_change", TOOLS_CHANGED, "prompts/list", "prompts"),
], ids=["tools", "prompts"])
def test_list_changed_reaches_every_legacy_get_stream_and_opted_in_listener_once(
        conf, sessions, streams, trigger, method, fence_trigger, fence, list_method, key):
    a = sessions(conf.url, "2025-11-25")
    b = sessions(conf.url, "2025-06-18")
    ga, gb = streams(open_legacy_get(a)), streams(open_legacy_get(b))
    assert ga.status == 200 and gb.status == 200
    flag = "toolsListChanged" if method == TOOLS_CHANGED else "promptsListChanged"
    fence_flag = "promptsListChanged" if flag == "toolsListChanged" else "toolsListChanged"
    lst = streams(open_listen(conf.url, {flag: True, fence_flag: True}, "fan-out"))
    assert lst.wait_for(lambda r: ACK in r.methods(), 5), f"listen: HTTP {lst.status} {lst.body_text[:300]!r}"
    before = _names(a, list_method, key)

    trig = streams(open_legacy_post(a, rpc("tools/call", {"name": trigger, "arguments": {}}, 5)))
    assert trig.read_all(5) and trig.response_for(5) and "result" in trig.response_for(5), trig.body_text[:300]
    assert method not in trig.methods(), "with a GET stream open, list_changed must not ride the trigger's POST reply"
    targets = (("2025-11-25 GET", ga), ("2025-06-18 GET", gb), ("listen", lst))
    for name, rs in targets:
        assert rs.wait_for(lambda r: method in r.methods(), 5), f"{name}: no {method} within 5 s: {rs.methods()}"
    _, f = modern_tool_call(conf.url, fence_trigger, rid=6)
    assert f and "result" in f, f
    for name, rs in targets:
        got = _fenced(rs, fence)
        before_fence = got[: got.index(fence)]
        assert before_fence.count(method) == 1, f"{name}: {method} x{before_fence.count(method)} before the fence: {got}"
    assert all(subscription_id_of(m) == "fan-out" for m in lst.messages), lst.messages
    assert before != _names(a, list_method, key), f"{trigger} did not change {list_method}"
    assert_schema_valid(ga.messages, "2025-11-25")
    assert_schema_valid(gb.messages, "2025-06-18")
    assert_schema_valid(lst.messages, MODERN_VERSION)


def test_legacy_get_stream_gets_resources_updated_only_for_subscribed_uris(conf, sessions, streams):
    a = sessions(conf.url)
    b = sessions(conf.url)
    _, sub = a.request("resources/subscribe", {"uri": WATCHED})
    assert sub and "result" in sub, sub
    ga, gb = streams(open_legacy_get(a)), streams(open_legacy_get(b))
    assert ga.status == 200 and gb.status == 200

    def trigger(tool: str, args: dict | None = None, rid: int = 11) -> None:
        _, r = modern_tool_call(conf.url, tool, args, rid=rid)
        assert r and "result" in r, f"{tool}: {r}"

    def updates(rs: RawStream) -> list[str]:
        return [m["params"].get("uri") for m in rs.messages if m.get("method") == UPDATED]

    trigger("test_trigger_resource_update", {"uri": WATCHED})
    assert ga.wait_for(lambda r: UPDATED in r.methods(), 5), f"subscribed session got no update: {ga.methods()}"
    trigger("test_trigger_resource_update", {"uri": OTHER_URI}, 12)
    trigger("test_trigger_tool_change", rid=13)  # fence
    _fenced(ga, TOOLS_CHANGED, 1)
    assert updates(ga) == [WATCHED], f"want exactly one update, for {WATCHED} only: {ga.methods()} {updates(ga)}"

    _, unsub = a.request("resources/unsubscribe", {"uri": WATCHED})
    assert unsub and "result" in unsub, unsub
    trigger("test_trigger_resource_update", {"uri": WATCHED}, 14)
    trigger("test_trigger_tool_change", rid=15)  # fence
    _fenced(ga, TOOLS_CHANGED, 2)
    assert updates(ga) == [WATCHED], f"update delivered after resources/unsubscribe: {updates(ga)}"
    got_b = _fenced(gb, TOOLS_CHANGED, 2)
    assert UPDATED not in got_b, f"a session that never subscribed got resources/updated: {got_b}"
    assert_schema_valid(ga.messages, LATEST_LEGACY)


def test_legacy_resources_subscribe_is_capped_per_session(server_pool, sessions):
    srv = server_pool.get("limits-subscriptions", {"streams": {**STREAMS, "max_subscriptions": 2}},
                          "--fixture", "conformance")
    s = sessions(srv.url)
    for uri in (WATCHED, OTHER_URI):
        _, r = s.request("resources/subscribe", {"uri": uri})
        assert r and "result" in r, f"subscribe {uri}: {r}"
    _, r = s.request("resources/subscribe", {"uri": "test://static-binary"})
    assert r and r.get("error", {}).get("code") == -32602, f"3rd subscription past max_subscriptions: 2 -> {r}"
    _, r = s.request("resources/unsubscribe", {"uri": OTHER_URI})
    assert r and "result" in r
    _, r = s.request("resources/subscribe", {"uri": "test://static-binary"})
    assert r and "result" in r, f"after an unsubscribe there is room again: {r}"
    other = sessions(srv.url)
    _, r = other.request("resources/subscribe", {"uri": WATCHED})
    assert r and "result" in r, f"the cap is per session: {r}"


# ------------------------------------------------------------------------------ subscriptions/listen


@pytest.mark.parametrize("rid", [7, "listen-a"], ids=["int-id", "string-id"])
def test_listen_ack_is_first_with_subscription_id_and_the_agreed_filter(conf, streams, rid):
    lst = streams(open_listen(conf.url, ALL_FILTER, rid))
    assert lst.status == 200 and lst.is_sse, f"listen: HTTP {lst.status} {lst.content_type} {lst.body_text[:300]!r}"
    assert lst.headers.get("x-accel-buffering", "").lower() == "no"
    assert "mcp-session-id" not in lst.headers
    assert lst.wait_for(lambda r: bool(r.messages), 5), "no acknowledgment"
    ack = lst.messages[0]
    assert ack.get("method") == ACK and "id" not in ack, f"first frame must be the acknowledgment: {ack}"
    sid = subscription_id_of(ack)
    assert sid == rid and type(sid) is type(rid), f"subscriptionId {sid!r} must equal the listen id {rid!r}"
    agreed = ack["params"]["notifications"]
    assert set(agreed) <= set(ALL_FILTER), f"ack names kinds the client never asked for: {agreed}"
    assert agreed.get("toolsListChanged") is True and agreed.get("promptsListChanged") is True, agreed
    assert agreed.get("resourceSubscriptions") == [WATCHED], agreed
    with new_http_client() as c:
        _, disc = modern_request(c, conf.url, "server/discover", {}, 1)
    if ((disc or {}).get("result", {}).get("capabilities", {}).get("resources") or {}).get("listChanged"):
        assert agreed.get("resourcesListChanged") is True, f"resources.listChanged is declared but not honoured: {agreed}"
    assert_schema_valid(lst.messages, MODERN_VERSION)


def test_listen_delivers_only_opted_in_kinds_each_tagged_with_its_id(conf, streams):
    filters = {
        "L-tools": ({"toolsListChanged": True}, TOOLS_CHANGED),
        "L-prompts": ({"promptsListChanged": True}, PROMPTS_CHANGED),
        "L-watched": ({"resourceSubscriptions": [WATCHED]}, UPDATED),
        "L-all": (ALL_FILTER, None),
    }
    opened = {rid: streams(open_listen(conf.url, f, rid)) for rid, (f, _) in filters.items()}
    for rid, lst in opened.items():
        assert lst.wait_for(lambda r: ACK in r.methods(), 5), f"{rid}: HTTP {lst.status} {lst.body_text[:300]!r}"
    triggers = [("test_trigger_tool_change", {}), ("test_trigger_prompt_change", {}),
                ("test_trigger_resource_update", {"uri": WATCHED}), ("test_trigger_resource_update", {"uri": OTHER_URI})]
    fences = triggers[:3]
    kinds = (TOOLS_CHANGED, PROMPTS_CHANGED, UPDATED)

    def fire(batch, base):
        for i, (tool, args) in enumerate(batch):
            ex, r = modern_tool_call(conf.url, tool, args, rid=base + i)
            assert r and "result" in r and r["result"].get("resultType") == "complete", f"{tool}: {r}"
            leaked = [m.get("method") for m in ex.notifications if m.get("method") in kinds]
            assert not leaked, f"{tool}: change notifications on the trigger's own response stream: {leaked}"

    def wait_all(count: int) -> None:
        for rid, (_, kind) in filters.items():
            want = kinds if kind is None else (kind,)
            ok = opened[rid].wait_for(lambda r: all(r.methods().count(k) >= count for k in want), 5)
            assert ok, f"{rid}: want {want} x{count}, got {opened[rid].methods()}"

    fire(triggers, 100)
    wait_all(1)
    fire(fences, 200)  # everything a listener got before its fence is what the triggers produced
    wait_all(2)
    for rid, (_, kind) in filters.items():
        lst = opened[rid]
        got = lst.methods()
        assert got[0] == ACK
        if kind is None:
            assert sorted(got[1:]) == sorted(list(kinds) * 2), f"{rid}: {got}"
        else:
            assert got == [ACK, kind, kind], f"{rid} opted into {kind} only; received {got}"
        untagged = [m for m in lst.messages if subscription_id_of(m) != rid]
        assert not untagged, f"{rid}: frames not tagged with subscriptionId {rid!r}: {untagged}"
        uris = [m["params"].get("uri") for m in lst.messages if m.get("method") == UPDATED]
        assert all(u == WATCHED for u in uris), f"{rid}: updates for unsubscribed URIs: {uris}"
        assert_schema_valid(lst.messages, MODERN_VERSION)


def test_listen_ends_with_a_final_complete_response_on_sigterm(fresh_servers, streams):
    srv = fresh_servers.start("listen-sigterm", {"streams": STREAMS, "server": {"drain_timeout_seconds": 3}},
                              "--fixture", "conformance")
    listeners = {rid: streams(open_listen(srv.url, {"toolsListChanged": True}, rid)) for rid in (77, "bye")}
    for rid, lst in listeners.items():
        assert lst.wait_for(lambda r: ACK in r.methods(), 5), f"{rid}: {lst.body_text[:300]!r}"
    t0 = time.monotonic()
    import signal

    srv.proc.send_signal(signal.SIGTERM)
    for rid, lst in listeners.items():
        assert lst.read_all(8), f"{rid}: listen stream still open 8 s after SIGTERM"
        final = lst.response_for(rid)
        assert final is not None, f"{rid}: stream closed without the final response: {lst.body_text[-300:]!r}"
        assert lst.messages[-1] is final, f"{rid}: the final response must be the last message: {lst.methods()}"
        assert final["result"].get("resultType") == "complete", final
        sid = subscription_id_of(final)
        assert sid == rid and type(sid) is type(rid), f"{rid}: final response subscriptionId {sid!r}"
        assert_schema_valid(lst.messages, MODERN_VERSION, "subscriptions/listen")
    rc, took = srv.stop(timeout=10)
    assert rc is not None, f"server did not exit after SIGTERM (killed after {time.monotonic() - t0:.1f}s)"


def test_listen_with_10000_resource_subscriptions_gets_32602(conf, streams):
    uris = [f"test://template/{i}/data" for i in range(10_000)]
    lst = streams(open_listen(conf.url, {"resourceSubscriptions": uris}, 31))
    assert_error_400(lst, -32602, None, "10,000 resourceSubscriptions (max_subscriptions 1000)")
    assert lst.response_for(31) is not None, "the error must echo the listen id"
    assert ACK not in lst.methods(), "a rejected listen must not be acknowledged"


@pytest.mark.parametrize("notifications", [
    [], "all", None, 1, ..., {"toolsListChanged": "yes"}, {"promptsListChanged": 1},
    {"resourceSubscriptions": WATCHED}, {"resourceSubscriptions": [1]}, {"resourceSubscriptions": [None]},
    {"resourceSubscriptions": {"uri": WATCHED}},
], ids=["array", "string", "null", "number", "missing", "flag-string", "flag-number", "uris-string",
        "uris-numbers", "uris-null", "uris-object"])
def test_listen_with_a_malformed_filter_gets_400_32602(conf, streams, notifications):
    lst = streams(open_listen(conf.url, notifications, 32))
    what = "params without `notifications`" if notifications is ... else f"notifications={json.dumps(notifications)}"
    assert_error_400(lst, -32602, None, what)
    assert lst.response_for(32) is not None, "the error must echo the listen id"


def test_listen_ignores_unknown_filter_keys_and_omits_them_from_the_ack(conf, streams):
    lst = streams(open_listen(conf.url, {"toolsListChanged": True, "futureThingChanged": True}, 33))
    assert lst.status == 200 and lst.wait_for(lambda r: bool(r.messages), 5), lst.body_text[:300]
    agreed = lst.messages[0]["params"]["notifications"]
    assert agreed == {"toolsListChanged": True}, agreed


def test_listen_resource_subscriptions_are_capped_by_max_subscriptions(server_pool, streams):
    srv = server_pool.get("limits-subscriptions", {"streams": {**STREAMS, "max_subscriptions": 2}},
                          "--fixture", "conformance")
    too_many = streams(open_listen(srv.url, {"resourceSubscriptions": [WATCHED, OTHER_URI, "test://static-binary"]}, 34))
    assert_error_400(too_many, -32602, None, "3 URIs past max_subscriptions: 2")
    fits = streams(open_listen(srv.url, {"resourceSubscriptions": [WATCHED, OTHER_URI]}, 35))
    assert fits.status == 200 and fits.wait_for(lambda r: ACK in r.methods(), 5), fits.body_text[:300]
    fits.drop()


def test_listen_past_max_listeners_gets_503_with_retry_after(server_pool, streams):
    srv = server_pool.get("limits-listeners", {"streams": {**STREAMS, "max_listeners": 2}}, "--fixture", "conformance")
    first = [streams(open_listen(srv.url, {"toolsListChanged": True}, i)) for i in (1, 2)]
    for lst in first:
        assert lst.status == 200 and lst.wait_for(lambda r: ACK in r.methods(), 5), lst.body_text[:300]
    third = streams(open_listen(srv.url, {"toolsListChanged": True}, 3))
    assert third.read_all(5), "a refused listen must not stay open"
    assert third.status == 503, f"3rd listener past max_listeners: 2 -> HTTP {third.status} {third.body_text[:200]!r}"
    retry_after = third.headers.get("retry-after")
    assert retry_after is not None and retry_after.strip().isdigit(), f"Retry-After {retry_after!r}"
    first[0].drop()
    deadline = time.monotonic() + 5
    while True:  # bounded poll: the server notices the closed stream asynchronously
        again = streams(open_listen(srv.url, {"toolsListChanged": True}, 4))
        if again.status == 200 or time.monotonic() > deadline:
            break
        again.read_all(2)
        again.drop()
        time.sleep(0.05)
    assert again.status == 200, f"a freed listener slot was never reused: HTTP {again.status}"
    assert again.wait_for(lambda r: ACK in r.methods(), 5)


# ------------------------------------------------------------------------------ the official SDK client


@pytest.mark.anyio
async def test_sdk_client_listen_gets_typed_events_and_a_graceful_close_on_sigterm(fresh_servers):
    import signal

    import anyio
    from mcp import Client
    from mcp.client.subscriptions import ResourceUpdated, SubscriptionLost, ToolsListChanged

    srv = fresh_servers.start("sdk-listen", {"streams": STREAMS, "server": {"drain_timeout_seconds": 3}},
                              "--fixture", "conformance")
    async with Client(srv.url, mode=MODERN_VERSION, read_timeout_seconds=30) as c:
        async with c.listen(tools_list_changed=True, resource_subscriptions=[WATCHED]) as sub:
            assert sub.honored.tools_list_changed is True, sub.honored
            assert list(sub.honored.resource_subscriptions or []) == [WATCHED], sub.honored
            assert isinstance(sub.subscription_id, str) and sub.subscription_id.startswith("listen-")
            await c.call_tool("test_trigger_tool_change", {})
            with anyio.fail_after(5):
                event = await sub.__anext__()
            assert event == ToolsListChanged(), event
            await c.call_tool("test_trigger_resource_update", {"uri": WATCHED})
            with anyio.fail_after(5):
                event = await sub.__anext__()
            assert event == ResourceUpdated(uri=WATCHED), event
            srv.proc.send_signal(signal.SIGTERM)
            try:
                with anyio.fail_after(8):
                    rest = [e async for e in sub]  # ends on the server's final response
            except SubscriptionLost as e:
                pytest.fail(f"the SDK saw an abrupt drop, not the graceful final response: {e}")
            assert rest == [], rest
