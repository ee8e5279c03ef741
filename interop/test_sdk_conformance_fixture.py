"""The official Python SDK client against `portico serve --fixture conformance`: the
server->client flows (sampling, elicitation, logging, progress) and the 2026 capability rules,
driven by an independent client implementation (the raw re-implementation lives in
conformance/runner.py)."""

from __future__ import annotations

import pytest

import mcp.types as types
from mcp import Client, MCPError

pytestmark = pytest.mark.anyio


async def _sampling(context, params: types.CreateMessageRequestParams):
    _sampling.seen.append(params)
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text="This is a test response from the client"),
        model="test-model",
        stop_reason="endTurn",
    )


async def _elicit(context, params):
    _elicit.seen.append(params)
    return types.ElicitResult(action="accept", content={"username": "testuser", "email": "test@example.com"})


@pytest.fixture(autouse=True)
def _reset():
    _sampling.seen = []
    _elicit.seen = []


def texts(result) -> str:
    return " ".join(c.text for c in result.content if getattr(c, "type", None) == "text")


async def test_legacy_sampling_tool_asks_the_client_and_uses_its_answer(conformance_url):
    async with Client(conformance_url, mode="legacy", sampling_callback=_sampling, read_timeout_seconds=30) as c:
        result = await c.call_tool("test_sampling", {"prompt": "What is 2+2?"})
    assert len(_sampling.seen) == 1
    msg = _sampling.seen[0].messages[0]
    assert msg.role == "user" and "What is 2+2?" in msg.content.text
    assert _sampling.seen[0].max_tokens == 100
    assert not result.is_error
    assert "This is a test response from the client" in texts(result)


async def test_legacy_elicitation_tool_asks_the_client_for_username_and_email(conformance_url):
    async with Client(conformance_url, mode="legacy", elicitation_callback=_elicit, read_timeout_seconds=30) as c:
        result = await c.call_tool("test_elicitation", {"message": "Please provide your information"})
    assert len(_elicit.seen) == 1
    schema = _elicit.seen[0].requested_schema
    assert {"username", "email"} <= set(schema["properties"])
    assert set(schema.get("required", [])) >= {"username", "email"}
    assert not result.is_error
    assert "testuser" in texts(result) or "accept" in texts(result)


async def test_legacy_sampling_tool_without_client_sampling_capability_fails_cleanly(conformance_url):
    async with Client(conformance_url, mode="legacy", read_timeout_seconds=30) as c:
        try:
            result = await c.call_tool("test_sampling", {"prompt": "x"})
        except MCPError:
            return
        assert result.is_error, "server sampled a client that never declared sampling"


async def test_legacy_logging_tool_sends_three_info_messages(conformance_url):
    seen = []

    async def on_log(params):
        seen.append(params)

    async with Client(conformance_url, mode="legacy", logging_callback=on_log, read_timeout_seconds=30) as c:
        await c.call_tool("test_tool_with_logging", {})
    assert len(seen) >= 3
    assert all(p.level == "info" for p in seen[:3])


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_progress_tool_reports_0_50_100(conformance_url, mode):
    got = []

    async def on_progress(progress, total, message):
        got.append((progress, total))

    async with Client(conformance_url, mode=mode, read_timeout_seconds=30) as c:
        await c.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
    assert got == [(0, 100), (50, 100), (100, 100)]


async def test_modern_tool_requiring_sampling_is_refused_with_32021_when_not_declared(conformance_url):
    async with Client(conformance_url, mode="2026-07-28", read_timeout_seconds=30) as c:
        with pytest.raises(MCPError) as ei:
            await c.call_tool("test_missing_capability", {})
    assert ei.value.code == -32021


async def test_modern_tool_requiring_sampling_runs_when_declared(conformance_url):
    async with Client(conformance_url, mode="2026-07-28", sampling_callback=_sampling, read_timeout_seconds=30) as c:
        result = await c.call_tool("test_missing_capability", {})
    assert "Success" in texts(result)


@pytest.mark.parametrize("log_level,expect_logs", [(None, False), ("debug", True)])
async def test_modern_logging_tool_logs_only_when_the_request_opts_in(conformance_url, log_level, expect_logs):
    seen = []

    async def on_log(params):
        seen.append(params)

    async with Client(conformance_url, mode="2026-07-28", logging_callback=on_log, log_level=log_level,
                      read_timeout_seconds=30) as c:
        await c.call_tool("test_logging_tool", {})
    assert bool(seen) == expect_logs, f"log_level={log_level}: got {len(seen)} notifications/message"
