"""`limits.call_timeout_seconds`: a call that outlives it is cancelled and answered with an error
that names the limit, in both eras; other calls and the server go on. A front proxy's read
timeout must be longer than this limit (checked when the edge is rendered)."""

from __future__ import annotations

import time

import pytest

from mcpwire import LegacySession, modern_tool_call, new_http_client


@pytest.fixture(scope="module")
def timed(server_pool):
    return server_pool.get("call-timeout", {"limits": {"call_timeout_seconds": 1}})


def assert_timed_out(result: dict | None, started: float) -> None:
    took = time.monotonic() - started
    assert result is not None and "result" in result, result
    body = result["result"]
    assert body.get("isError") is True
    text = body["content"][0]["text"]
    assert "slow_count" in text and "1 s" in text and "limits.call_timeout_seconds" in text, text
    assert 0.9 <= took < 5.0, f"answered after {took:.2f}s"


def test_a_modern_call_past_the_limit_gets_a_tool_error(timed):
    started = time.monotonic()
    _, result = modern_tool_call(timed.url, "slow_count", {"n": 100, "delay_ms": 100}, timeout=20)
    assert_timed_out(result, started)


def test_a_legacy_call_past_the_limit_gets_a_tool_error(timed):
    session = LegacySession(timed.url, "2025-11-25", client=new_http_client(20))
    session.initialize()
    started = time.monotonic()
    _, result = session.request("tools/call", {"name": "slow_count", "arguments": {"n": 100, "delay_ms": 100}}, timeout=20)
    assert_timed_out(result, started)
    # The session and server go on serving.
    _, echo = session.request("tools/call", {"name": "echo", "arguments": {"text": "after"}})
    assert echo and echo["result"]["content"][0]["text"] == "after"


def test_a_call_within_the_limit_is_untouched(timed):
    _, result = modern_tool_call(timed.url, "slow_count", {"n": 3, "delay_ms": 100})
    assert result and result["result"]["content"][0]["text"] == "counted to 3"
    assert not result["result"].get("isError")
