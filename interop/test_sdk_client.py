"""The official Python SDK client (mcp 2.3.0) against a live `portico serve` (demo pack).

Every test runs in the three client modes:
  legacy      - initialize handshake (the SDK offers 2025-11-25) + Mcp-Session-Id
  auto        - probes server/discover, falls back to initialize
  2026-07-28  - stateless, per-request _meta and Mcp-Method/Mcp-Name headers
The SDK parses every result with its pydantic models, so a malformed result fails here too.
"""

from __future__ import annotations

import time

import pytest

from mcp import Client, MCPError

MODES = ["legacy", "auto", "2026-07-28"]
EXPECTED_VERSION = {"legacy": "2025-11-25", "auto": "2026-07-28", "2026-07-28": "2026-07-28"}

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("mode", MODES)]


def client(url: str, mode: str, **kw) -> Client:
    return Client(url, mode=mode, read_timeout_seconds=30, **kw)


def texts(result) -> list[str]:
    return [c.text for c in result.content if getattr(c, "type", None) == "text"]


async def test_connects_and_negotiates_expected_version(portico_url, mode):
    async with client(portico_url, mode) as c:
        assert c.protocol_version == EXPECTED_VERSION[mode]
        if mode != "2026-07-28":  # a version pin adopts a synthesized discover result: nothing to check
            assert c.server_capabilities.tools is not None, "server must declare the tools capability"


async def test_tools_list_contains_demo_tools_with_schemas(portico_url, mode):
    async with client(portico_url, mode) as c:
        result = await c.list_tools()
        tools = {t.name: t for t in result.tools}
        assert {"echo", "add", "slow_count"} <= set(tools), f"got {sorted(tools)}"
        assert tools["echo"].input_schema.get("properties", {}).get("text", {}).get("type") == "string"
        assert set(tools["echo"].input_schema.get("required", [])) == {"text"}
        assert set(tools["add"].input_schema.get("required", [])) >= {"a", "b"}
        assert tools["add"].output_schema is not None, "add must declare an outputSchema"
        n_schema = tools["slow_count"].input_schema["properties"]["n"]
        assert n_schema.get("type") == "integer"
        assert (n_schema.get("minimum"), n_schema.get("maximum")) == (1, 1000)


ECHO_CASES = ["hello", "", "ünïcødé ✓ 日本語", 'quotes " and \\ backslash', "line1\nline2", "x" * 10_000]


@pytest.mark.parametrize("text", ECHO_CASES, ids=["plain", "empty", "unicode", "escapes", "newline", "10k"])
async def test_echo_returns_exactly_one_text_equal_to_input(portico_url, mode, text):
    async with client(portico_url, mode) as c:
        result = await c.call_tool("echo", {"text": text})
        assert not result.is_error
        assert len(result.content) == 1
        assert result.content[0].type == "text"
        assert result.content[0].text == text


ADD_CASES = [(1, 2, 3), (-5, 5, 0), (0.5, 0.25, 0.75), (1e15, 1, 1e15 + 1), (-2.5, -2.5, -5)]


@pytest.mark.parametrize("a,b,expected", ADD_CASES)
async def test_add_returns_sum_as_text_and_structured_content(portico_url, mode, a, b, expected):
    async with client(portico_url, mode) as c:
        result = await c.call_tool("add", {"a": a, "b": b})
        assert not result.is_error
        assert result.structured_content == {"sum": expected} or (
            isinstance(result.structured_content, dict)
            and set(result.structured_content) == {"sum"}
            and float(result.structured_content["sum"]) == float(expected)
        ), f"structuredContent={result.structured_content!r}"
        t = texts(result)
        assert t, "add must also return a text content"
        assert any(_number_in(s, expected) for s in t), f"text {t!r} does not carry the sum {expected}"


def _number_in(s: str, n: float) -> bool:
    import json
    import re

    try:  # the text may be the serialized structuredContent
        doc = json.loads(s)
        if isinstance(doc, dict) and "sum" in doc:
            return float(doc["sum"]) == float(n)
        if isinstance(doc, (int, float)):
            return float(doc) == float(n)
    except ValueError:
        pass
    return any(float(x) == float(n) for x in re.findall(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", s))


@pytest.mark.parametrize("n,delay_ms", [(5, 100), (3, 200), (1, 0)])
async def test_slow_count_reports_progress_1_to_n_in_order_and_spread_in_time(portico_url, mode, n, delay_ms):
    events: list[tuple[float, float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        events.append((time.monotonic(), progress, total))

    async with client(portico_url, mode) as c:
        t0 = time.monotonic()
        result = await c.call_tool("slow_count", {"n": n, "delay_ms": delay_ms}, progress_callback=on_progress)
        elapsed = time.monotonic() - t0
    assert not result.is_error
    assert texts(result) == [f"counted to {n}"]
    assert [p for _, p, _ in events] == list(range(1, n + 1)), f"progress values {events}"
    assert all(total == n for _, _, total in events), f"totals {events}"
    stamps = [t for t, _, _ in events]
    assert stamps == sorted(stamps)
    min_span = (n - 1) * delay_ms / 1000 * 0.5
    assert stamps[-1] - stamps[0] >= min_span, (
        f"progress was not streamed: span {stamps[-1] - stamps[0]:.3f}s < {min_span:.3f}s (buffered?)"
    )
    assert elapsed >= (n - 1) * delay_ms / 1000 * 0.5


async def test_slow_count_without_progress_token_still_returns_result(portico_url, mode):
    async with client(portico_url, mode) as c:
        result = await c.call_tool("slow_count", {"n": 2, "delay_ms": 10})
        assert texts(result) == ["counted to 2"]


@pytest.mark.parametrize(
    "args",
    [{"n": 0}, {"n": 1001}, {"n": "three"}, {"n": 2, "delay_ms": 10001}, {}],
    ids=["n=0", "n=1001", "n-not-int", "delay-too-big", "n-missing"],
)
async def test_slow_count_rejects_invalid_arguments(portico_url, mode, args):
    async with client(portico_url, mode) as c:
        try:
            result = await c.call_tool("slow_count", args)
        except MCPError as e:
            assert e.code == -32602, f"invalid params must be -32602, got {e.code}"
        else:
            assert result.is_error, f"invalid arguments {args} were accepted: {result}"


async def test_unknown_tool_is_an_error(portico_url, mode):
    async with client(portico_url, mode) as c:
        try:
            result = await c.call_tool("no_such_tool_xyz", {})
        except MCPError as e:
            assert e.code in (-32602, -32601), e.code
        else:
            assert result.is_error


async def test_resources_list_contains_about_and_templates_list_contains_echo(portico_url, mode):
    async with client(portico_url, mode) as c:
        resources = (await c.list_resources()).resources
        about = [r for r in resources if str(r.uri) == "portico://demo/about"]
        assert about, f"resources: {[str(r.uri) for r in resources]}"
        assert about[0].mime_type == "text/plain"
        templates = (await c.list_resource_templates()).resource_templates
        assert "portico://demo/echo/{message}" in [t.uri_template for t in templates]


async def test_read_about_resource_returns_text_plain(portico_url, mode):
    async with client(portico_url, mode) as c:
        result = await c.read_resource("portico://demo/about")
        assert len(result.contents) == 1
        item = result.contents[0]
        assert str(item.uri) == "portico://demo/about"
        assert item.mime_type == "text/plain"
        assert getattr(item, "text", ""), "about must be a non-empty text resource"


@pytest.mark.parametrize("message", ["hi", "hello-world", "caf%C3%A9"])
async def test_read_echo_template_returns_the_message(portico_url, mode, message):
    async with client(portico_url, mode) as c:
        result = await c.read_resource(f"portico://demo/echo/{message}")
        assert len(result.contents) == 1
        assert str(result.contents[0].uri) == f"portico://demo/echo/{message}"
        expected = {"caf%C3%A9": ("café", "caf%C3%A9")}.get(message, (message,))
        assert result.contents[0].text in expected


async def test_read_unknown_resource_is_an_error(portico_url, mode):
    async with client(portico_url, mode) as c:
        with pytest.raises(MCPError) as ei:
            await c.read_resource("portico://demo/does-not-exist")
        allowed = (-32602,) if c.protocol_version == "2026-07-28" else (-32002, -32602)
        assert ei.value.code in allowed


async def test_prompts_list_has_summarize_with_required_text_and_optional_style(portico_url, mode):
    async with client(portico_url, mode) as c:
        prompts = {p.name: p for p in (await c.list_prompts()).prompts}
        assert "summarize" in prompts
        args = {a.name: a for a in prompts["summarize"].arguments or []}
        assert set(args) == {"text", "style"}
        assert args["text"].required is True
        assert not args["style"].required


@pytest.mark.parametrize("arguments", [{"text": "The quick brown fox."}, {"text": "Ünïcode text", "style": "terse"}])
async def test_get_summarize_prompt_returns_one_user_message_with_the_text(portico_url, mode, arguments):
    async with client(portico_url, mode) as c:
        result = await c.get_prompt("summarize", arguments)
        assert len(result.messages) == 1
        msg = result.messages[0]
        assert msg.role == "user"
        assert msg.content.type == "text"
        assert arguments["text"] in msg.content.text


async def test_get_summarize_prompt_without_required_text_is_an_error(portico_url, mode):
    async with client(portico_url, mode) as c:
        with pytest.raises(MCPError) as ei:
            await c.get_prompt("summarize", {})
        assert ei.value.code == -32602
