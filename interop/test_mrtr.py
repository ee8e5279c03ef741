"""Multi round-trip requests (MRTR, SEP-2322) against `portico serve --fixture conformance`.

2026-07-28: a fixture tool (or the prompt test_input_required_result_prompt) answers round 1 with
`{"resultType": "input_required", "inputRequests": {key: {method, params}}, "requestState": ...}`;
the client retries with a NEW JSON-RPC id, `params.inputResponses` {key: answer} and the echoed
`params.requestState`. requestState is sealed (AES-GCM / HMAC), bound to method + name, expires
after request_state.ttl_seconds, and is opened with any configured key (the first one seals).
Tampered / expired / foreign / misbound state and malformed inputResponses are JSON-RPC -32602
(HTTP 400); a missing key is a fresh InputRequiredResult; unknown extra keys are ignored.

2025-11-25 (legacy session): the same tools ask through server->client requests on the POST's
SSE stream (elicitation/create, sampling/createMessage, roots/list), answered by POSTing the
JSON-RPC response (202), then complete.
"""

from __future__ import annotations

import base64
import os
import time

import pytest

from mcpwire import (
    LATEST_LEGACY,
    MODERN_VERSION,
    Exchange,
    LegacySession,
    WireValidator,
    answer_for,
    input_responses_for,
    iter_text_content,
    modern_meta,
    modern_request,
    new_http_client,
    request_state_keys,
)

ELICIT, SAMPLE, ROOTS = "elicitation/create", "sampling/createMessage", "roots/list"
CAP_OF = {ELICIT: "elicitation", SAMPLE: "sampling", ROOTS: "roots"}
T = "test_input_required_result_"
PROMPT = "test_input_required_result_prompt"

# tool -> {key: method} of round 1 (mcp-conformance.md §6.5)
ROUND_ONE = {
    T + "elicitation": {"user_name": ELICIT},
    T + "sampling": {"capital_question": SAMPLE},
    T + "list_roots": {"client_roots": ROOTS},
    T + "request_state": {"confirm": ELICIT},
    T + "multiple_inputs": {"user_name": ELICIT, "greeting": SAMPLE, "client_roots": ROOTS},
    T + "multi_round": {"step1": ELICIT},
}
STATEFUL = {T + "request_state", T + "multiple_inputs", T + "multi_round", T + "tampered_state"}


class Rid:
    """Fresh JSON-RPC ids: every MRTR retry is a new request."""

    n = 5000

    @classmethod
    def next(cls) -> int:
        cls.n += 1
        return cls.n


def call(url: str, method: str, params: dict, *, caps: dict | None = None, rid: int | None = None,
         ) -> tuple[Exchange, dict | None, int]:
    rid = Rid.next() if rid is None else rid
    with new_http_client() as c:
        ex, resp = modern_request(c, url, method, params, rid, meta=modern_meta(caps=caps))
    problems = []
    v = WireValidator.for_version(MODERN_VERSION)
    for m in ex.messages:
        problems += v.validate(m, method)
    assert not problems, f"wire-schema violations: {problems[:3]}"
    return ex, resp, rid


def tool(url: str, name: str, *, responses=..., state=..., caps: dict | None = None, arguments: dict | None = None):
    params: dict = {"name": name, "arguments": arguments or {}}
    if responses is not ...:
        params["inputResponses"] = responses
    if state is not ...:
        params["requestState"] = state
    return call(url, "tools/call", params, caps=caps)


def prompt(url: str, *, responses=..., state=..., caps: dict | None = None):
    params: dict = {"name": PROMPT}
    if responses is not ...:
        params["inputResponses"] = responses
    if state is not ...:
        params["requestState"] = state
    return call(url, "prompts/get", params, caps=caps)


def input_required(ex: Exchange, resp: dict | None, what: str) -> dict:
    assert ex.status == 200, f"{what}: HTTP {ex.status} {ex.raw[:300]!r}"
    assert resp and "result" in resp, f"{what}: {resp or ex.raw[:300]}"
    r = resp["result"]
    assert r.get("resultType") == "input_required", f"{what}: want an explicit resultType input_required, got {r}"
    assert "inputRequests" in r or "requestState" in r, f"{what}: InputRequiredResult needs inputRequests or requestState"
    return r


def complete(ex: Exchange, resp: dict | None, what: str) -> dict:
    assert ex.status == 200, f"{what}: HTTP {ex.status} {ex.raw[:300]!r}"
    assert resp and "result" in resp, f"{what}: {resp or ex.raw[:300]}"
    r = resp["result"]
    assert r.get("resultType") == "complete", f"{what}: want resultType complete, got {r}"
    return r


def rejected(ex: Exchange, resp: dict | None, rid: int, what: str, code: int = -32602) -> dict:
    assert resp is not None and "error" in resp, f"{what}: want a JSON-RPC error {code}, got {resp or ex.raw[:300]}"
    assert resp["error"].get("code") == code, f"{what}: error {resp['error']} (want {code})"
    assert ex.status == 400, f"{what}: HTTP {ex.status} (want 400)"
    assert resp.get("id") == rid and type(resp["id"]) is int, f"{what}: error must echo the id {rid}"
    return resp["error"]


def retry_args(r1: dict) -> dict:
    out = {"responses": input_responses_for(r1.get("inputRequests") or {})}
    if "requestState" in r1:
        out["state"] = r1["requestState"]
    return out


def text_of(result: dict) -> str:
    return " ".join(iter_text_content(result))


# ------------------------------------------------------------------------------ 2026-07-28 rounds


@pytest.mark.parametrize("name", list(ROUND_ONE))
def test_round_one_is_an_input_required_result_with_the_fixture_requests(conformance_url, name):
    ex, resp, _ = tool(conformance_url, name)
    r = input_required(ex, resp, name)
    reqs = r.get("inputRequests") or {}
    assert {k: v.get("method") for k, v in reqs.items()} == ROUND_ONE[name], f"{name}: inputRequests {reqs}"
    if name in STATEFUL:
        assert isinstance(r.get("requestState"), str) and r["requestState"], f"{name}: requestState missing: {r}"
    for key, req in reqs.items():
        params = req.get("params") or {}
        if req["method"] == ELICIT:
            schema = params.get("requestedSchema") or {}
            assert schema.get("type") == "object" and schema.get("properties"), f"{key}: {params}"
            assert params.get("message"), f"{key}: elicitation without a message"
        if req["method"] == SAMPLE:
            assert params.get("messages") and isinstance(params.get("maxTokens"), int), f"{key}: {params}"
    if "user_name" in reqs:
        schema = reqs["user_name"]["params"]["requestedSchema"]
        assert schema["properties"].get("name", {}).get("type") == "string" and "name" in schema.get("required", [])
    if "capital_question" in reqs:
        assert reqs["capital_question"]["params"]["maxTokens"] == 100
    if "greeting" in reqs:
        assert reqs["greeting"]["params"]["maxTokens"] == 50
    assert ex.is_json or ex.is_sse
    assert "mcp-session-id" not in ex.headers


@pytest.mark.parametrize("name", [n for n in ROUND_ONE if n != T + "multi_round"])
def test_retry_with_every_answer_and_the_echoed_state_completes(conformance_url, name):
    ex, resp, rid1 = tool(conformance_url, name)
    r1 = input_required(ex, resp, name)
    ex2, resp2, rid2 = tool(conformance_url, name, **retry_args(r1))
    assert rid2 != rid1 and resp2 and resp2.get("id") == rid2
    r2 = complete(ex2, resp2, f"{name} round 2")
    text = text_of(r2)
    assert text, f"{name}: complete result without text content: {r2}"
    assert not r2.get("isError"), f"{name}: {r2}"
    if name == T + "request_state":
        assert "state-ok" in text, f"request_state must confirm the validated state: {text!r}"
    if name == T + "elicitation":
        assert "Alice" in text, f"the elicited name should reach the result: {text!r}"
    if name == T + "list_roots":
        assert "file:///test/root" in text, f"the result should reference the client's roots: {text!r}"


def test_multi_round_takes_three_rounds_with_a_new_state_each_round(conformance_url):
    name = T + "multi_round"
    ex, resp, _ = tool(conformance_url, name)
    r1 = input_required(ex, resp, "round 1")
    assert set(r1["inputRequests"]) == {"step1"} and r1.get("requestState")
    ex, resp, _ = tool(conformance_url, name, **retry_args(r1))
    r2 = input_required(ex, resp, "round 2")
    assert set(r2.get("inputRequests") or {}) == {"step2"}, r2
    assert r2.get("requestState") and r2["requestState"] != r1["requestState"], "round 2 must carry a new requestState"
    assert r2["inputRequests"]["step2"]["method"] == ELICIT
    ex, resp, _ = tool(conformance_url, name, **retry_args(r2))
    r3 = complete(ex, resp, "round 3")
    assert text_of(r3)
    # Answering step2 with round 1's state leaves step1 unanswered: ask again, do not complete.
    ex, resp, _ = tool(conformance_url, name, responses={"step2": answer_for(ELICIT, r2["inputRequests"]["step2"]["params"])},
                       state=r1["requestState"])
    again = input_required(ex, resp, "step2 answered under round 1's state")
    assert "step1" in (again.get("inputRequests") or {}), again


def test_prompt_get_round_trip(conformance_url):
    ex, resp, _ = prompt(conformance_url)
    r1 = input_required(ex, resp, "prompts/get round 1")
    assert {k: v["method"] for k, v in r1["inputRequests"].items()} == {"user_context": ELICIT}, r1
    ex, resp, _ = prompt(conformance_url, **retry_args(r1))
    r2 = complete(ex, resp, "prompts/get round 2")
    assert r2.get("messages") and all("role" in m and "content" in m for m in r2["messages"]), r2


@pytest.mark.parametrize("responses", [{}, {"wrong_key": {"action": "accept", "content": {"data": "wrong"}}}, ...],
                         ids=["empty", "wrong-key", "absent"])
def test_a_missing_answer_gets_a_fresh_input_required_result(conformance_url, responses):
    name = T + "request_state"
    ex, resp, _ = tool(conformance_url, name)
    r1 = input_required(ex, resp, "round 1")
    ex, resp, _ = tool(conformance_url, name, responses=responses, state=r1["requestState"])
    again = input_required(ex, resp, f"retry with inputResponses={responses!r}")
    assert "confirm" in (again.get("inputRequests") or {}), f"the missing answer must be asked for again: {again}"


def test_unknown_extra_answers_are_ignored(conformance_url):
    name = T + "request_state"
    ex, resp, _ = tool(conformance_url, name)
    r1 = input_required(ex, resp, "round 1")
    extra = {**input_responses_for(r1["inputRequests"]),
             "unknown_extra_key": {"action": "accept", "content": {"foo": "bar"}},
             "another_unexpected": {"action": "accept", "content": {"baz": 123}}}
    ex, resp, _ = tool(conformance_url, name, responses=extra, state=r1["requestState"])
    assert "state-ok" in text_of(complete(ex, resp, "retry with extra keys"))


@pytest.mark.parametrize("responses", [None, 42, "user_name", [], {"user_name": 42}, {"user_name": "Alice"},
                                       {"user_name": [1]}, {"user_name": None}],
                         ids=["null", "number", "string", "array", "answer-number", "answer-string",
                              "answer-array", "answer-null"])
def test_malformed_input_responses_get_400_32602(conformance_url, responses):
    name = T + "elicitation"
    ex, resp, _ = tool(conformance_url, name)
    r1 = input_required(ex, resp, "round 1")
    kw = {"state": r1["requestState"]} if "requestState" in r1 else {}
    ex, resp, rid = tool(conformance_url, name, responses=responses, **kw)
    rejected(ex, resp, rid, f"inputResponses={responses!r}")


def _tamper(state: str, how: str) -> str:
    if how == "suffix":
        return state + "-TAMPERED"
    if how == "flip":
        i = len(state) // 2
        return state[:i] + ("A" if state[i] != "A" else "B") + state[i + 1:]
    if how == "truncate":
        return state[:-4]
    if how == "garbage":
        return "not-a-request-state"
    if how == "random":
        return base64.urlsafe_b64encode(os.urandom(64)).decode().rstrip("=")
    if how == "empty-json":
        return base64.b64encode(b"{}").decode()
    raise ValueError(how)


@pytest.mark.parametrize("name", [T + "tampered_state", T + "request_state"])
@pytest.mark.parametrize("how", ["suffix", "flip", "truncate", "garbage", "random", "empty-json"])
def test_tampered_request_state_gets_400_32602(conformance_url, name, how):
    ex, resp, _ = tool(conformance_url, name)
    r1 = input_required(ex, resp, "round 1")
    bad = _tamper(r1["requestState"], how)
    assert bad != r1["requestState"]
    ex, resp, rid = tool(conformance_url, name, responses=input_responses_for(r1.get("inputRequests") or {}), state=bad)
    rejected(ex, resp, rid, f"{how}-tampered requestState")


def test_request_state_is_bound_to_the_method_and_name_it_was_issued_for(conformance_url):
    ex, resp, _ = tool(conformance_url, T + "request_state")
    state = input_required(ex, resp, "request_state round 1")["requestState"]
    ex, resp, _ = tool(conformance_url, T + "multi_round")
    mr = input_required(ex, resp, "multi_round round 1")
    ex, resp, rid = tool(conformance_url, T + "multi_round", responses=input_responses_for(mr["inputRequests"]),
                         state=state)
    rejected(ex, resp, rid, "request_state's state presented on multi_round")
    ex, resp, rid = tool(conformance_url, T + "request_state",
                         responses={"confirm": answer_for(ELICIT, {"requestedSchema": {"properties": {"ok": {}}}})},
                         state=mr["requestState"])
    rejected(ex, resp, rid, "multi_round's state presented on request_state")
    ex, resp, _ = prompt(conformance_url)
    pr = input_required(ex, resp, "prompt round 1")
    ex, resp, rid = prompt(conformance_url, responses=input_responses_for(pr["inputRequests"]), state=state)
    rejected(ex, resp, rid, "a tools/call state presented on prompts/get")


@pytest.mark.parametrize("caps", [{}, {"sampling": {}}, {"elicitation": {}}, {"roots": {}},
                                  {"sampling": {}, "roots": {"listChanged": True}}],
                         ids=["none", "sampling", "elicitation", "roots", "sampling+roots"])
@pytest.mark.parametrize("name", [T + "elicitation", T + "sampling", T + "list_roots", T + "multiple_inputs",
                                  T + "capabilities"])
def test_input_requests_only_use_capabilities_the_client_declared(conformance_url, name, caps):
    ex, resp, _ = tool(conformance_url, name, caps=caps)
    assert resp is not None, ex.raw[:300]
    if "error" in resp:  # the only acceptable refusal: the tool needs a capability the client lacks
        assert resp["error"].get("code") == -32021, f"{name} with clientCapabilities {caps}: {resp['error']}"
        return
    result = resp.get("result") or {}
    if result.get("resultType") == "input_required":
        undeclared = {k: v.get("method") for k, v in (result.get("inputRequests") or {}).items()
                      if CAP_OF.get(v.get("method")) not in caps}
        assert not undeclared, f"{name} with clientCapabilities {caps}: asks for undeclared {undeclared}"
    if name == T + "capabilities" and caps == {"sampling": {}}:
        r = input_required(ex, resp, "capabilities tool with sampling only")
        methods = {v.get("method") for v in (r.get("inputRequests") or {}).values()}
        assert methods == {SAMPLE}, f"with only sampling declared, ask for sampling only: {r}"


@pytest.mark.parametrize("method", ["tools/list", "prompts/list"])
def test_list_methods_never_return_input_required(conformance_url, method):
    for params in ({}, {"inputResponses": {"user_name": {"action": "accept", "content": {"name": "x"}}},
                        "requestState": "whatever"}):
        ex, resp, _ = call(conformance_url, method, params)
        assert resp and "result" in resp, resp
        assert resp["result"].get("resultType") == "complete", f"{method} {params}: {resp['result'].get('resultType')}"


def test_mrtr_result_type_is_explicit_on_the_wire(conformance_url):
    ex, resp, _ = tool(conformance_url, T + "elicitation")
    assert '"resultType"' in ex.raw and '"input_required"' in ex.raw


# ------------------------------------------------------------------------------ keys, rotation, expiry

K1, K2, K3 = (bytes([i]) * 32 for i in (1, 2, 3))


def _state_server(pool, name: str, keys: list[tuple[str, bytes]] | None, ttl: int | None = None):
    rs: dict = {}
    if keys is not None:
        rs["keys"] = request_state_keys(*keys)
    if ttl is not None:
        rs["ttl_seconds"] = ttl
    return pool.start(name, {"request_state": rs} if rs else None, "--fixture", "conformance")


def _issue(url: str) -> tuple[dict, str]:
    ex, resp, _ = tool(url, T + "request_state")
    r1 = input_required(ex, resp, f"round 1 on {url}")
    return r1, r1["requestState"]


def _redeem(url: str, r1: dict, state: str):
    return tool(url, T + "request_state", responses=input_responses_for(r1["inputRequests"]), state=state)


def test_request_state_keys_rotate_first_seals_all_open(fresh_servers):
    b = _state_server(fresh_servers, "keys-k1", [("k1", K1)])
    a = _state_server(fresh_servers, "keys-k2-k1", [("k2", K2), ("k1", K1)])
    c = _state_server(fresh_servers, "keys-k3", [("k3", K3)])
    r1, sealed_by_b = _issue(b.url)
    ex, resp, _ = _redeem(a.url, r1, sealed_by_b)
    assert "state-ok" in text_of(complete(ex, resp, "server [k2,k1] opening state sealed with k1"))
    ex, resp, rid = _redeem(c.url, r1, sealed_by_b)
    rejected(ex, resp, rid, "server [k3] opening state sealed with k1")
    r1a, sealed_by_a = _issue(a.url)
    ex, resp, rid = _redeem(b.url, r1a, sealed_by_a)
    rejected(ex, resp, rid, "server [k1] opening state sealed by [k2,k1] (the first key, k2, seals)")
    ex, resp, _ = _redeem(a.url, r1a, sealed_by_a)
    assert "state-ok" in text_of(complete(ex, resp, "server [k2,k1] opening its own state"))


def test_without_configured_keys_each_process_has_its_own_key(fresh_servers, conformance_url):
    other = _state_server(fresh_servers, "random-key", None)
    r1, state = _issue(conformance_url)
    ex, resp, rid = _redeem(other.url, r1, state)
    rejected(ex, resp, rid, "state from another process with a random key")
    ex, resp, _ = _redeem(conformance_url, r1, state)
    complete(ex, resp, "the issuing process opens its own state")


def test_expired_request_state_gets_400_32602(fresh_servers):
    srv = _state_server(fresh_servers, "ttl-1", [("k1", K1)], ttl=1)
    r1, fresh = _issue(srv.url)
    ex, resp, _ = _redeem(srv.url, r1, fresh)
    complete(ex, resp, "state redeemed within its ttl")
    r1, state = _issue(srv.url)
    time.sleep(2.2)  # the condition under test is time itself: ttl_seconds 1 must have passed
    ex, resp, rid = _redeem(srv.url, r1, state)
    rejected(ex, resp, rid, "state presented after ttl_seconds: 1")


# ------------------------------------------------------------------------------ legacy era


LEGACY_FLOWS = {
    T + "elicitation": [ELICIT],
    T + "sampling": [SAMPLE],
    T + "list_roots": [ROOTS],
    T + "request_state": [ELICIT],
    T + "multiple_inputs": sorted([ELICIT, SAMPLE, ROOTS]),
    T + "multi_round": [ELICIT, ELICIT],
    T + "tampered_state": None,  # asks for something, then completes
}


@pytest.fixture
def legacy_session(conformance_url):
    made = []

    def make(caps: dict | None = None) -> LegacySession:
        s = LegacySession(conformance_url, LATEST_LEGACY, caps=caps)
        s.responders = {m: (lambda req, m=m: answer_for(m, req.get("params"))) for m in (ELICIT, SAMPLE, ROOTS, "ping")}
        ex = s.initialize()
        assert s.session_id and s.version == LATEST_LEGACY, ex.raw[:300]
        made.append(s)
        return s

    yield make
    for s in made:
        s.delete()
        s.close()


def _legacy_valid(ex: Exchange, method: str) -> None:
    v = WireValidator.for_version(LATEST_LEGACY)
    problems = []
    for m in ex.messages:
        problems += v.validate(m, method)
    assert not problems, problems[:3]


@pytest.mark.parametrize("name", list(LEGACY_FLOWS))
def test_legacy_session_asks_through_server_requests_then_completes(legacy_session, name):
    s = legacy_session()
    ex, resp = s.request("tools/call", {"name": name, "arguments": {}}, timeout=20)
    assert resp and "result" in resp, f"{name}: {resp or ex.raw[:300]}"
    assert not resp["result"].get("isError"), resp["result"]
    assert resp["result"].get("resultType") in (None, "complete"), "input_required is a 2026-07-28 result"
    asked = [r.get("method") for r in ex.server_requests]
    want = LEGACY_FLOWS[name]
    if want is None:
        assert asked, f"{name}: no server->client request"
    elif name == T + "multiple_inputs":
        assert sorted(asked) == want, f"{name}: asked {asked}"
    else:
        assert asked == want, f"{name}: asked {asked}"
    assert ex.is_sse, "server->client requests need an SSE reply"
    statuses = [r.get("_answer_status") for r in ex.server_requests]
    assert statuses and all(st == 202 for st in statuses), f"POSTed answers got HTTP {statuses} (want 202)"
    text = text_of(resp["result"])
    if name == T + "elicitation":
        assert "Alice" in text, text
    if name == T + "list_roots":
        assert "file:///test/root" in text, text
    _legacy_valid(ex, "tools/call")


def test_legacy_prompt_asks_through_elicitation_then_returns_messages(legacy_session):
    s = legacy_session()
    ex, resp = s.request("prompts/get", {"name": PROMPT}, timeout=20)
    assert resp and "result" in resp, resp or ex.raw[:300]
    assert [r.get("method") for r in ex.server_requests] == [ELICIT]
    assert resp["result"].get("messages"), resp["result"]
    _legacy_valid(ex, "prompts/get")


def test_legacy_capability_tool_only_asks_for_declared_capabilities(legacy_session):
    s = legacy_session(caps={"sampling": {}})
    ex, resp = s.request("tools/call", {"name": T + "capabilities", "arguments": {}}, timeout=20)
    asked = {r.get("method") for r in ex.server_requests}
    assert asked <= {SAMPLE} and asked, f"client declared only sampling; server asked {asked}"
    assert resp and "result" in resp, resp


# ------------------------------------------------------------------------------ the official SDK client


@pytest.mark.anyio
async def test_sdk_client_drives_every_round_of_the_fixture_tools(conformance_url):
    import mcp.types as types
    from mcp import Client

    seen: list[str] = []

    async def on_sampling(context, params):
        seen.append(SAMPLE)
        return types.CreateMessageResult(role="assistant", content=types.TextContent(type="text", text="Paris"),
                                         model="test-model", stop_reason="endTurn")

    async def on_elicit(context, params):
        seen.append(ELICIT)
        props = (getattr(params, "requested_schema", None) or {}).get("properties", {})
        return types.ElicitResult(action="accept", content=answer_for(ELICIT, {"requestedSchema": {"properties": props}})["content"])

    async def on_roots(context):
        seen.append(ROOTS)
        return types.ListRootsResult(roots=[types.Root(uri="file:///test/root", name="Test Root")])

    async with Client(conformance_url, mode=MODERN_VERSION, sampling_callback=on_sampling,
                      elicitation_callback=on_elicit, list_roots_callback=on_roots, read_timeout_seconds=30) as c:
        result = await c.call_tool(T + "multiple_inputs", {})
        assert sorted(seen) == sorted([ELICIT, SAMPLE, ROOTS]) and not result.is_error
        seen.clear()
        result = await c.call_tool(T + "multi_round", {})
        assert seen == [ELICIT, ELICIT] and not result.is_error
        seen.clear()
        result = await c.call_tool(T + "request_state", {})
        assert any("state-ok" in getattr(x, "text", "") for x in result.content), result
        seen.clear()
        got = await c.get_prompt(PROMPT)
        assert seen == [ELICIT] and got.messages

