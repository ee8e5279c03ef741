"""Self-test of interop/bridge_fixture_server.py, driven directly (no Portico).

SDK tests use the official stdio client (mcp.client.stdio.stdio_client + ClientSession);
raw tests speak newline-delimited JSON-RPC over subprocess pipes, reading with deadlines.
Each child takes ~1.5 s to start (mcp import).
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import pytest

import mcp_types as types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "bridge_fixture_server.py"
PY = sys.executable
TIMEOUT = 20.0


def fixture_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIXTURE_")}
    env.update(extra)
    return env


def texts(result) -> list[str]:
    return [c.text for c in result.content if getattr(c, "type", None) == "text"]


# --------------------------------------------------------------------------- SDK client


@pytest.mark.anyio
async def test_sdk_tools_resource_prompt(tmp_path):
    with open(tmp_path / "stderr.log", "w+") as err, anyio.fail_after(TIMEOUT):
        async with stdio_client(
            StdioServerParameters(command=PY, args=[str(FIXTURE)], env=fixture_env(FIXTURE_NAME="alpha")),
            errlog=err,
        ) as (r, w), ClientSession(r, w) as s:
            init = await s.initialize()
            assert init.server_info.name == "alpha"
            names = {t.name for t in (await s.list_tools()).tools}
            assert names >= {"echo", "add", "whoami", "sleep_echo", "progress", "log_echo", "ask", "crash",
                             "garbage", "hang", "cpu", "slow"}

            res = await s.call_tool("echo", {"text": "héllo\nworld"})
            assert not res.is_error and texts(res) == ["héllo\nworld"]

            res = await s.call_tool("add", {"a": 1.5, "b": 2})
            assert not res.is_error and res.structured_content == {"result": 3.5}

            res = await s.call_tool("whoami", {})
            assert not res.is_error
            who = res.structured_content
            assert who["name"] == "alpha" and isinstance(who["pid"], int) and who["pid"] != os.getpid()
            assert json.loads(texts(res)[0]) == who

            res = await s.call_tool("sleep_echo", {"text": "zz", "ms": 10})
            assert res.structured_content == {"text": "zz", "pid": who["pid"]}

            res = await s.call_tool("cpu", {"n": 1000})
            assert res.structured_content == {"result": sum(i * i for i in range(1000))}

            rr = await s.read_resource("fixture://hello")
            assert [c.text for c in rr.contents] == ["hello from fixture"]

            pr = await s.get_prompt("greet", {"name": "Bob"})
            assert len(pr.messages) == 1
            assert pr.messages[0].role == "user" and pr.messages[0].content.text == "Hello, Bob!"


@pytest.mark.anyio
async def test_sdk_progress_and_log(tmp_path):
    progress: list[tuple] = []
    logs: list = []

    async def on_progress(p, total, message):
        progress.append((p, total, message))

    async def on_log(params: types.LoggingMessageNotificationParams):
        logs.append((params.level, params.data))

    with open(tmp_path / "stderr.log", "w+") as err, anyio.fail_after(TIMEOUT):
        async with stdio_client(
            StdioServerParameters(command=PY, args=[str(FIXTURE)], env=fixture_env()), errlog=err
        ) as (r, w), ClientSession(r, w, logging_callback=on_log) as s:
            await s.initialize()
            res = await s.call_tool("progress", {"steps": 3, "delay_ms": 20}, progress_callback=on_progress)
            assert texts(res) == ["done"]
            assert progress == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]

            res = await s.call_tool("log_echo", {"text": "log me"})
            assert texts(res) == ["log me"]
            assert logs == [("info", "log me")]


@pytest.mark.anyio
async def test_sdk_elicitation(tmp_path):
    seen: list[str] = []
    replies = [
        types.ElicitResult(action="accept", content={"answer": "42"}),
        types.ElicitResult(action="decline"),
    ]

    async def on_elicit(context, params):
        seen.append(params.message)
        assert "answer" in params.requested_schema["properties"]
        return replies[len(seen) - 1]

    with open(tmp_path / "stderr.log", "w+") as err, anyio.fail_after(TIMEOUT):
        async with stdio_client(
            StdioServerParameters(command=PY, args=[str(FIXTURE)], env=fixture_env()), errlog=err
        ) as (r, w), ClientSession(r, w, elicitation_callback=on_elicit) as s:
            await s.initialize()
            res = await s.call_tool("ask", {"question": "meaning?"})
            assert texts(res) == ["answer: 42"]
            res = await s.call_tool("ask", {"question": "again?"})
            assert texts(res) == ["action: decline"]
            assert seen == ["meaning?", "again?"]


# --------------------------------------------------------------------------- raw pipes


class RawChild:
    """The fixture on raw pipes; a thread queues stdout lines so reads can have deadlines."""

    def __init__(self, tmp_path: Path, **env: str):
        self.stderr_path = tmp_path / f"stderr-{time.monotonic_ns()}.log"
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([PY, str(FIXTURE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._err, env=fixture_env(**env))
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for raw in self.proc.stdout:
            self.lines.put(raw)
        self.lines.put(None)  # EOF

    def send(self, obj: dict):
        self.proc.stdin.write((json.dumps(obj) + "\n").encode())
        self.proc.stdin.flush()

    def next_line(self, deadline: float) -> bytes | None:
        """Next raw stdout line; None at EOF; AssertionError at the deadline."""
        left = deadline - time.monotonic()
        try:
            return self.lines.get(timeout=max(left, 0.001))
        except queue.Empty:
            raise AssertionError("timed out waiting for a line on the fixture's stdout") from None

    def wait_for(self, pred, timeout: float = 10.0, seen: list | None = None) -> bytes:
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(deadline)
            assert line is not None, f"stdout closed (rc={self.proc.poll()}); stderr: {self.stderr()[-500:]}"
            if seen is not None:
                seen.append(line)
            if pred(line):
                return line

    def wait_id(self, rid, timeout: float = 10.0, seen: list | None = None) -> dict:
        def is_resp(line: bytes) -> bool:
            try:
                m = json.loads(line)
            except ValueError:
                return False
            return m.get("id") == rid and "method" not in m

        return json.loads(self.wait_for(is_resp, timeout, seen))

    def handshake(self, timeout: float = 15.0) -> dict:
        self.send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                   "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                              "clientInfo": {"name": "raw", "version": "0"}}})
        init = self.wait_id(0, timeout)
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return init

    def call(self, rid, name: str, args: dict):
        self.send({"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}})

    def stderr(self) -> str:
        self._err.flush()
        return self.stderr_path.read_text(errors="replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self._err.close()


@pytest.fixture
def raw(tmp_path):
    children: list[RawChild] = []

    def start(**env: str) -> RawChild:
        c = RawChild(tmp_path, **env)
        children.append(c)
        return c

    yield start
    for c in children:
        c.close()


def test_raw_echo_and_add_wire_shape(raw):
    c = raw()
    c.handshake()
    c.call(1, "echo", {"text": "hi"})
    assert c.wait_id(1)["result"] == {"content": [{"text": "hi", "type": "text"}], "isError": False,
                                      "structuredContent": {"result": "hi"}}
    c.call(2, "add", {"a": 1, "b": 2.5})
    assert c.wait_id(2)["result"]["structuredContent"] == {"result": 3.5}


def test_raw_garbage_reaches_stdout_and_child_keeps_serving(raw):
    c = raw()
    c.handshake()
    c.call(7, "garbage", {})
    seen: list[bytes] = []
    c.wait_for(lambda line: line == b"this is not json\n", timeout=10, seen=seen)
    # the child is alive and still answering; the garbage call itself is not answered
    c.send({"jsonrpc": "2.0", "id": 8, "method": "ping"})
    assert c.wait_id(8, seen=seen)["result"] == {}
    assert not any(b'"id":7' in line for line in seen)


def test_raw_crash_exits_with_code(raw):
    c = raw()
    c.handshake()
    c.call(3, "crash", {"code": 7})
    deadline = time.monotonic() + 10
    while (line := c.next_line(deadline)) is not None:
        assert b'"id":3' not in line, f"crash must not be answered: {line!r}"
    assert c.proc.wait(10) == 7


def test_raw_exit_at_start(raw):
    c = raw(FIXTURE_FAULT="exit_at_start", FIXTURE_STDERR_HELLO="1")
    assert c.proc.wait(10) == 2
    assert c.next_line(time.monotonic() + 5) is None, "nothing may appear on stdout"
    err = c.stderr()
    assert "fixture stderr hello" in err and "exit_at_start" in err


def test_raw_garbage_at_start_then_serves(raw):
    c = raw(FIXTURE_FAULT="garbage_at_start", FIXTURE_STARTUP_DELAY="0.2")
    assert c.next_line(time.monotonic() + 15) == b"this is not json\n"
    assert c.handshake()["result"]["serverInfo"]["name"] == "fixture"


def test_raw_cancelled_slow_writes_marker_and_is_not_answered(raw, tmp_path):
    marker = tmp_path / "cancel.log"
    c = raw(FIXTURE_CANCEL_LOG=str(marker))
    c.handshake()
    c.call(5, "slow", {"seconds": 30})
    # a ping sent after the call is answered once the loop has run the slow handler up to its sleep
    c.send({"jsonrpc": "2.0", "id": 6, "method": "ping"})
    seen: list[bytes] = []
    c.wait_id(6, seen=seen)
    c.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5, "reason": "test"}})
    deadline = time.monotonic() + 10
    while not (marker.exists() and marker.read_text()):
        assert time.monotonic() < deadline, "slow never saw the cancellation"
        time.sleep(0.02)  # polling a file, with a deadline
    assert marker.read_text() == "cancelled 30.0\n"
    c.send({"jsonrpc": "2.0", "id": 9, "method": "ping"})
    c.wait_id(9, seen=seen)
    assert not any(b'"id":5' in line for line in seen), "a cancelled request is never answered"


def test_raw_hang_blocks_even_ping(raw):
    c = raw()
    c.handshake()
    c.call(1, "hang", {"seconds": 1.5})
    c.send({"jsonrpc": "2.0", "id": 2, "method": "ping"})
    order: list[bytes] = []
    c.wait_id(2, timeout=10, seen=order)
    ids = [json.loads(line).get("id") for line in order]
    assert ids == [1, 2], f"ping must wait for the blocking hang: {ids}"
