"""Offline checks of the harness itself: the SSE parser and the wire-schema validator must
reject what they are meant to reject (a checker that cannot fail is a defect)."""

from __future__ import annotations

import pytest

from mcpwire import SSEParser, WireValidator


def test_sse_parser_handles_crlf_comments_multiline_ids_and_retry():
    p = SSEParser()
    evs = p.feed(": keep-alive\r\nid: 7\r\nretry: 1500\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\nevent: message\ndata: x\n")
    assert len(evs) == 1
    assert evs[0].id == "7" and evs[0].retry == 1500 and evs[0].data == '{"a":\n1}'
    assert p.comments == [" keep-alive"]
    evs = p.feed("\n")
    assert evs[0].event == "message" and evs[0].data == "x" and evs[0].id is None


def test_sse_parser_reports_priming_event_with_empty_data():
    evs = SSEParser().feed("id: abc\ndata:\n\n")
    assert evs[0].id == "abc" and evs[0].data == "" and evs[0].has_data


def test_sse_parser_waits_for_split_crlf():
    p = SSEParser()
    assert p.feed("data: 1\r") == []
    assert p.feed("\n\r\n")[0].data == "1"


GOOD = {
    "2025-06-18": {"jsonrpc": "2.0", "id": 1, "result": {"content": [{"type": "text", "text": "x"}]}},
    "2025-11-25": {"jsonrpc": "2.0", "id": 1, "result": {"content": [{"type": "text", "text": "x"}]}},
    "2026-07-28": {"jsonrpc": "2.0", "id": 1,
                   "result": {"resultType": "complete", "content": [{"type": "text", "text": "x"}]}},
}


@pytest.mark.parametrize("version", list(GOOD))
def test_validator_accepts_a_valid_tool_result(version):
    assert WireValidator.for_version(version).validate(GOOD[version], "tools/call") == []


@pytest.mark.parametrize(
    "version,msg,method",
    [
        ("2025-06-18", {"jsonrpc": "2.0", "id": 1, "result": {"content": "nope"}}, "tools/call"),
        ("2025-11-25", {"jsonrpc": "2.0", "id": 1, "result": {}}, "tools/call"),
        ("2026-07-28", {"jsonrpc": "2.0", "id": 1, "result": {"content": []}}, "tools/call"),
        ("2026-07-28", {"jsonrpc": "2.0", "id": 1, "result": {"resultType": "complete"}}, "server/discover"),
        ("2025-11-25", {"jsonrpc": "2.0", "id": 1, "result": {"protocolVersion": "2025-11-25"}}, "initialize"),
        ("2025-11-25", {"jsonrpc": "1.0", "id": 1, "result": {}}, "ping"),
        ("2025-11-25", {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progress": 1}}, None),
        ("2025-06-18", {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "loud", "data": 1}},
         None),
        ("2025-11-25", {"jsonrpc": "2.0", "id": 1, "error": {"code": "x", "message": "m"}}, "ping"),
        ("2025-11-25", [{"jsonrpc": "2.0", "id": 1, "result": {}}], "ping"),
    ],
    ids=["content-not-array", "missing-content", "missing-resultType", "discover-missing-fields",
         "initialize-missing-fields", "wrong-jsonrpc", "progress-missing-token", "bad-log-level",
         "error-code-string", "batch-after-03-26"],
)
def test_validator_rejects_invalid_messages(version, msg, method):
    assert WireValidator.for_version(version).validate(msg, method), "validator accepted an invalid message"


def test_validator_accepts_batch_response_at_2025_03_26():
    v = WireValidator.for_version("2025-03-26")
    assert v.validate([{"jsonrpc": "2.0", "id": 1, "result": {}}, {"jsonrpc": "2.0", "id": 2, "result": {}}], "ping") == []
