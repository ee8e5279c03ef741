"""2025-11-25 experimental tasks (basic/utilities/tasks) in a legacy session, against the
conformance fixture's task tools: `params.task` creates a task, `tasks/result` blocks and
carries the task's input requests, `tasks/list` shows only this session's tasks, and
`tasks/cancel` of a finished task is -32602 (unlike the 2026 extension's ack)."""

from __future__ import annotations

import time

import pytest

from mcpwire import LegacySession, elicit_answer_for

V1125 = "2025-11-25"
CAPS = {"elicitation": {}, "tasks": {"requests": {"tools": {"call": {}}}}}


@pytest.fixture
def session(conformance_url):
    s = LegacySession(conformance_url, V1125, caps=CAPS)
    s.initialize()
    yield s
    s.delete()
    s.close()


def create(session: LegacySession, name: str, arguments: dict, ttl: int | None = None) -> dict:
    task = {} if ttl is None else {"ttl": ttl}
    _, resp = session.request("tools/call", {"name": name, "arguments": arguments, "task": task})
    assert resp and "result" in resp, resp
    created = resp["result"]["task"]
    assert created["status"] == "working" and created["taskId"], created
    assert "ttlMs" not in created and isinstance(created["ttl"], int), created
    return created


def test_initialize_declares_the_tasks_capability(session):
    caps = session.init_exchange.response_for(1)["result"]["capabilities"]
    assert caps.get("tasks", {}).get("requests", {}).get("tools", {}).get("call") == {}, caps
    assert "extensions" not in caps


def test_task_result_blocks_until_the_work_finishes_and_returns_the_tool_result(session):
    created = create(session, "slow_compute", {"seconds": 1, "label": "legacy"}, ttl=60_000)
    assert created["ttl"] <= 60_000
    _, got = session.request("tasks/get", {"taskId": created["taskId"]})
    assert got["result"]["status"] == "working"
    started = time.monotonic()
    _, result = session.request("tasks/result", {"taskId": created["taskId"]}, timeout=20)
    assert time.monotonic() - started > 0.3, "tasks/result must wait for the task"
    assert 'completed after 1 seconds' in result["result"]["content"][0]["text"], result
    assert result["result"]["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": created["taskId"]}
    _, got = session.request("tasks/get", {"taskId": created["taskId"]})
    assert got["result"]["status"] == "completed"


def test_input_requests_travel_on_the_task_result_stream(session):
    session.responders["elicitation/create"] = lambda req: {"action": "accept", "content": {"confirm": True}}
    created = create(session, "confirm_delete", {"filename": "a.txt"})
    _, result = session.request("tasks/result", {"taskId": created["taskId"]}, timeout=20)
    assert result["result"]["content"][0]["text"] == "deleted 'a.txt'", result
    asked = [r for r in session.answered_requests if r["method"] == "elicitation/create"]
    assert len(asked) == 1 and asked[0]["params"]["_meta"]["io.modelcontextprotocol/related-task"]["taskId"] == created["taskId"]


def test_protocol_errors_come_back_from_task_result_as_the_error(session):
    created = create(session, "protocol_error_job", {})
    _, result = session.request("tasks/result", {"taskId": created["taskId"]}, timeout=20)
    assert result["error"]["code"] == -32603, result


def test_list_shows_only_this_sessions_tasks_and_cancel_rules(session, conformance_url):
    mine = create(session, "slow_compute", {"seconds": 30})
    other = LegacySession(conformance_url, V1125, caps=CAPS)
    other.initialize()
    try:
        theirs = create(other, "slow_compute", {"seconds": 30})
        _, listed = session.request("tasks/list", {})
        ids = [t["taskId"] for t in listed["result"]["tasks"]]
        assert mine["taskId"] in ids and theirs["taskId"] not in ids
        _, foreign = session.request("tasks/get", {"taskId": theirs["taskId"]})
        assert foreign["error"]["code"] == -32602, "another session's task must look unknown"
        _, cancelled = session.request("tasks/cancel", {"taskId": mine["taskId"]})
        assert cancelled["result"]["status"] == "cancelled"
        _, again = session.request("tasks/cancel", {"taskId": mine["taskId"]})
        assert again["error"]["code"] == -32602, "cancelling a terminal task is -32602 in 2025-11-25"
        other.request("tasks/cancel", {"taskId": theirs["taskId"]})
    finally:
        other.delete()
        other.close()


@pytest.mark.parametrize("name,arguments,code", [
    ("greet", {"name": "x"}, -32601),          # forbidden: task augmentation refused
    ("confirm_delete", None, -32601),          # required: a plain call is refused
])
def test_task_support_rules(session, name, arguments, code):
    params = {"name": name, "arguments": arguments or {}}
    if arguments is not None:
        params["task"] = {}
    _, resp = session.request("tools/call", params)
    assert resp["error"]["code"] == code, resp


def test_sessions_before_2025_11_25_see_no_tasks(conformance_url):
    s = LegacySession(conformance_url, "2025-06-18", caps=CAPS)
    s.initialize()
    try:
        assert "tasks" not in s.init_exchange.response_for(1)["result"]["capabilities"]
        _, resp = s.request("tools/call", {"name": "slow_compute", "arguments": {"seconds": 0}, "task": {}})
        assert "content" in resp["result"] and "task" not in resp["result"], resp
        _, resp = s.request("tasks/list", {})
        assert resp["error"]["code"] == -32601
    finally:
        s.delete()
        s.close()
