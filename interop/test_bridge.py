"""End-to-end tests of Portico's tool sources: stdio bridge, commands, files.

Servers (module scoped, started on first use; a fixture child takes ~1.5 s to start):
  main     stdio source `fx` (prefix fx_, pool 1, FIXTURE_CANCEL_LOG) + commands + files `docs`
  crashy   stdio source `cr` (prefix c_, hang_timeout_seconds 2) + a command `cmd_wait`
  timeout  stdio source `tmo` (prefix t_, call_timeout_seconds 1, FIXTURE_CANCEL_LOG)
  pool3    stdio source `p` (pool 3, no prefix)
  persession stdio source `ps` (mode per-session, prefix ps_)
One fixture source per server keeps each server's catalogue simple (resource URIs are not
prefixed: a second copy of the server keeps the first one's resources).

Start-up failures and name clashes run `portico serve` directly (subprocess, bounded wait).
Every wait is bounded: polling observable state (a cancel-marker file, a pid, a log file)
under a deadline; no fixed sleeps are used to synchronise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import anyio
import pytest

import mcp_types as types
from mcp import Client, MCPError

from mcpwire import (
    LegacySession,
    log_tail,
    modern_meta,
    RawStream,
    modern_headers,
    modern_params,
    new_http_client,
    notification,
    portico_bin,
    rpc,
    run_until_exit,
    write_config,
)

HERE = Path(__file__).resolve().parent
FIXTURE = str(HERE / "bridge_fixture_server.py")
PY = sys.executable
MODES = ["legacy", "2026-07-28"]
ARGV_SCRIPT = "import sys,json; print(json.dumps(sys.argv[1:]))"
OUTSIDE_SECRET = "TOPSECRET-outside-the-root"
RESTART_DEADLINE = 25.0


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def client(url: str, mode: str, **kw) -> Client:
    return Client(url, mode=mode, read_timeout_seconds=40, **kw)


def texts(result) -> list[str]:
    return [c.text for c in result.content if getattr(c, "type", None) == "text"]


def stdio_source(name: str, **kw) -> dict:
    src = {"name": name, "command": [PY, FIXTURE], "env": {"FIXTURE_NAME": name}}
    env = kw.pop("env", {})
    src["env"].update(env)
    src.update(kw)
    return src


def bridge_config(stdio: list[dict] | None = None, commands: list[dict] | None = None,
                  files: list[dict] | None = None, packs: bool = False) -> dict:
    cfg: dict = {"limits": {"call_timeout_seconds": 600}, "sources": {}}
    if not packs:
        cfg["tools"] = {"packs": []}
    if stdio:
        cfg["sources"]["stdio"] = stdio
    if commands:
        cfg["sources"]["commands"] = commands
    if files:
        cfg["sources"]["files"] = files
    return cfg


def cancel_markers(path: Path) -> list[str]:
    try:
        return path.read_text().splitlines()
    except FileNotFoundError:
        return []


async def wait_for_marker(path: Path, marker: str, timeout: float) -> float | None:
    """Poll the fixture's cancel log until `marker` appears; seconds it took, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if marker in cancel_markers(path):
            return time.monotonic() - t0
        await anyio.sleep(0.05)  # polling an observable file under a deadline
    return None


async def call_expecting_error(url: str, mode: str, tool: str, args: dict, timeout: float = 30.0) -> tuple[MCPError, float]:
    async with client(url, mode) as c:
        t0 = time.monotonic()
        with anyio.fail_after(timeout):
            try:
                result = await c.call_tool(tool, args)
            except MCPError as e:
                return e, time.monotonic() - t0
    pytest.fail(f"{tool}({args}) was expected to fail with a JSON-RPC error, got result {result}")


async def child_pid(url: str, tool: str, *, not_pid: int | None = None, timeout: float = RESTART_DEADLINE) -> int:
    """whoami of the (restarted) child: retried while the source is down/restarting."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            async with client(url, "legacy") as c:
                with anyio.fail_after(max(1.0, deadline - time.monotonic())):
                    r = await c.call_tool(tool, {})
            if not r.is_error and isinstance(r.structured_content, dict):
                pid = r.structured_content["pid"]
                if pid != not_pid:
                    return pid
            last = r
        except (MCPError, TimeoutError) as e:
            last = e
        await anyio.sleep(0.2)  # bounded retry while the child restarts
    pytest.fail(f"{tool}: no answer from a {'new ' if not_pid else ''}child within {timeout}s (last: {last!r})")



def run_serve_until_exit(tmp_path: Path, config: dict, timeout: float = 20.0) -> tuple[int | None, str, str]:
    """Run `portico serve` with `config`; returns (returncode, stdout, stderr). None = still running."""
    path = write_config(tmp_path / f"serve-{uuid.uuid4().hex[:8]}.yaml", config)
    return run_until_exit([portico_bin(), "serve", "--config", str(path), "--host", "127.0.0.1", "--port", "0"], timeout=timeout)


# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------


# After each test, every module server must still be running (a dead one is a Portico crash).
pytestmark = pytest.mark.usefixtures("servers_stay_up")


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bridge")


DOC_FILES = {
    "fox.txt": "The quick brown fox jumps over the lazy dog.\n",
    "notes.txt": "Grocery list: apples, bananas, oat milk and coffee.\n",
    "sub/kube.md": "# Kubernetes\nA deployment guide with pods, services and ingress.\n",
    "sub/deeper/volcano.txt": "Notes on volcanoes: magma, lava flows and volcanic ash clouds.\n",
}


@pytest.fixture(scope="module")
def docs_root(work) -> Path:
    root = work / "docs"
    outside = work / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_text(OUTSIDE_SECRET + "\n")
    (outside / "dir" / "secret.txt").write_text(OUTSIDE_SECRET + " in a dir\n")
    for rel, text in DOC_FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / "bin.dat").write_bytes(b"binary\x00payload volcanoes\x00\x01\x02")
    with open(root / "huge.bin", "wb") as f:
        f.truncate(1 << 30)  # 1 GiB, sparse
    os.symlink(outside / "secret.txt", root / "link_out.txt")
    os.symlink(outside / "dir", root / "linkdir")
    fd = os.open(os.fsencode(root) + b"/\xff.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"a file whose name is not UTF-8\n")
    os.close(fd)
    return root


def command_tools() -> list[dict]:
    text_schema = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
    return [
        {"name": "argv_json", "description": "argv as JSON", "input_schema": text_schema,
         "argv": [PY, "-c", ARGV_SCRIPT, "{{text}}"], "output": "json", "env": ["PATH", "LANG", "HOME"]},
        {"name": "stdin_cat", "description": "cat the stdin JSON",
         "input_schema": {"type": "object", "properties": {"text": {"type": "string"}, "n": {"type": "integer"},
                                                           "flag": {"type": "boolean"}}},
         "argv": ["/bin/cat"], "stdin_json": True, "output": "json"},
        {"name": "fail7", "description": "fails with status 7", "input_schema": {"type": "object"},
         "argv": ["/bin/sh", "-c", "echo to-stdout; echo first-err-line >&2; echo oops-last-err-line >&2; exit 7"],
         "env": ["PATH"]},
        {"name": "sleeper", "description": "sleeps 10 s", "input_schema": {"type": "object"},
         "argv": ["/bin/sleep", "10"], "timeout_seconds": 1},
        {"name": "bigout", "description": "5000 a's", "input_schema": {"type": "object"},
         "argv": ["/bin/sh", "-c", "head -c 5000 /dev/zero | tr '\\0' a"], "max_output_bytes": 1000,
         "env": ["PATH"]},
        {"name": "ro_echo", "description": "read-only echo", "input_schema": {"type": "object"},
         "argv": ["/bin/echo", "ro"], "read_only": True},
    ]


@pytest.fixture(scope="module")
def main_server(server_pool, work, docs_root):
    cfg = bridge_config(
        stdio=[stdio_source("fx", prefix="fx_", env={"FIXTURE_CANCEL_LOG": str(work / "fx-cancel.log")})],
        commands=command_tools(),
        files=[{"name": "docs", "root": str(docs_root)}],
    )
    return server_pool.get("main", cfg)


@pytest.fixture(scope="module")
def fx_cancel_log(work) -> Path:
    return work / "fx-cancel.log"


@pytest.fixture(scope="module")
def crashy_server(server_pool):
    cfg = bridge_config(
        stdio=[stdio_source("cr", prefix="c_", hang_timeout_seconds=2, restart_backoff_seconds=0.2)],
        commands=[{"name": "cmd_wait", "description": "sleep 1.5 s then print the text",
                   "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
                   "argv": ["/bin/sh", "-c", "sleep 1.5; printf %s \"$1\"", "sh", "{{text}}"], "env": ["PATH"]}],
    )
    return server_pool.get("crashy", cfg)


@pytest.fixture(scope="module")
def timeout_server(server_pool, work):
    cfg = bridge_config(stdio=[stdio_source("tmo", prefix="t_", call_timeout_seconds=1,
                                            env={"FIXTURE_CANCEL_LOG": str(work / "tmo-cancel.log")})])
    return server_pool.get("timeout", cfg)


@pytest.fixture(scope="module")
def pool_server(server_pool):
    return server_pool.get("pool3", bridge_config(stdio=[stdio_source("p", pool=3)]))


# --------------------------------------------------------------------------------------------
# stdio bridge: listing and pass-through
# --------------------------------------------------------------------------------------------

FIXTURE_TOOLS = {"echo", "add", "whoami", "sleep_echo", "progress", "log_echo", "ask", "crash", "garbage", "hang",
                 "cpu", "slow", "grow"}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_bridged_tools_prompts_and_resources_are_listed_with_the_prefix(main_server, mode):
    async with client(main_server.url, mode) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        prompts = {p.name for p in (await c.list_prompts()).prompts}
        uris = {str(r.uri) for r in (await c.list_resources()).resources}
    assert {"fx_" + n for n in FIXTURE_TOOLS} <= names, sorted(names)
    assert not (FIXTURE_TOOLS & names), f"unprefixed fixture tools leaked: {sorted(FIXTURE_TOOLS & names)}"
    assert "fx_greet" in prompts, prompts
    assert "fixture://hello" in uris, uris


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_bridged_tool_results_pass_through_unchanged(main_server, mode):
    async with client(main_server.url, mode) as c:
        r = await c.call_tool("fx_echo", {"text": "héllo\nwörld"})
        assert not r.is_error and texts(r) == ["héllo\nwörld"]
        r = await c.call_tool("fx_add", {"a": 1.5, "b": 2})
        assert not r.is_error and r.structured_content == {"result": 3.5}, r
        assert texts(r) and float(texts(r)[0]) == 3.5, r
        r = await c.call_tool("fx_whoami", {})
        assert not r.is_error
        who = r.structured_content
        assert who["name"] == "fx" and isinstance(who["pid"], int) and who["pid"] != os.getpid(), who
        assert json.loads(texts(r)[0]) == who


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_bridged_resource_and_prefixed_prompt_work(main_server, mode):
    async with client(main_server.url, mode) as c:
        rr = await c.read_resource("fixture://hello")
        assert [getattr(x, "text", None) for x in rr.contents] == ["hello from fixture"]
        pr = await c.get_prompt("fx_greet", {"name": "Bob"})
        assert len(pr.messages) == 1
        assert pr.messages[0].role == "user" and pr.messages[0].content.text == "Hello, Bob!"


# --------------------------------------------------------------------------------------------
# stdio bridge: progress, logs, elicitation
# --------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_child_progress_reaches_exactly_the_calling_client(main_server, mode):
    got: dict[int, list] = {3: [], 5: []}

    async def run(steps: int) -> None:
        async def on_progress(progress, total, message):
            got[steps].append((progress, total, message))

        async with client(main_server.url, mode) as c:
            r = await c.call_tool("fx_progress", {"steps": steps, "delay_ms": 40}, progress_callback=on_progress)
            assert texts(r) == ["done"], r

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(run, 3)
            tg.start_soon(run, 5)
    for steps, events in got.items():
        assert events == [(i, steps, f"step {i}") for i in range(1, steps + 1)], (steps, events)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_child_log_message_reaches_the_only_caller(main_server, mode):
    logs: list = []

    async def on_log(params):
        logs.append((params.level, params.data))

    text = f"log-{mode}-{uuid.uuid4().hex[:6]}"
    async with client(main_server.url, mode, logging_callback=on_log, log_level="debug") as c:
        with anyio.fail_after(30):
            r = await c.call_tool("fx_log_echo", {"text": text})
    assert texts(r) == [text]
    assert ("info", text) in logs, f"log message not relayed to the caller; got {logs}"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_child_elicitation_is_relayed_to_the_caller_and_answered(main_server, mode):
    seen: list[str] = []

    async def on_elicit(context, params):
        seen.append(params.message)
        assert "answer" in params.requested_schema["properties"]
        return types.ElicitResult(action="accept", content={"answer": f"42-{mode}"})

    async with client(main_server.url, mode, elicitation_callback=on_elicit) as c:
        with anyio.fail_after(30):
            r = await c.call_tool("fx_ask", {"question": "meaning of life?"})
    assert seen == ["meaning of life?"]
    assert not r.is_error and texts(r) == [f"answer: 42-{mode}"], r


# --------------------------------------------------------------------------------------------
# stdio bridge: cancellation and call timeout
# --------------------------------------------------------------------------------------------


def _barrier_echo_legacy(session: LegacySession) -> None:
    """A call on the same (pool 1) child, answered after the earlier request was forwarded."""
    _, resp = session.request("tools/call", {"name": "fx_echo", "arguments": {"text": "barrier"}}, timeout=20)
    assert resp and "result" in resp, resp


@pytest.mark.anyio
async def test_legacy_notifications_cancelled_cancels_the_call_in_the_child(main_server, fx_cancel_log):
    seconds = 30.1
    session = LegacySession(main_server.url, "2025-11-25")
    stream = None
    try:
        session.initialize()
        assert session.session_id
        body = rpc("tools/call", {"name": "fx_slow", "arguments": {"seconds": seconds}}, 77)
        stream = RawStream(main_server.url, "POST", session.headers(), body, read_head=False)
        _barrier_echo_legacy(session)
        with new_http_client() as c:
            r = c.post(main_server.url, headers=session.headers(), content=json.dumps(
                notification("notifications/cancelled", {"requestId": 77, "reason": "test"})).encode())
        assert r.status_code == 202, r.text
        took = await wait_for_marker(fx_cancel_log, f"cancelled {seconds}", 10)
        assert took is not None, (f"the child never logged its cancellation; markers={cancel_markers(fx_cancel_log)}"
                                  f"\nserver stderr: {log_tail(main_server)}")
        stream.read_head(10)
        stream.read_all(10)
        assert stream.response_for(77) is None or "error" in stream.response_for(77), \
            f"a cancelled request must not get a result: {stream.messages}"
    finally:
        if stream:
            stream.drop()
        session.delete()
        session.close()


@pytest.mark.anyio
async def test_modern_closing_the_response_stream_cancels_the_call_in_the_child(main_server, fx_cancel_log):
    seconds = 30.2
    params = modern_params({"name": "fx_slow", "arguments": {"seconds": seconds}})
    stream = RawStream(main_server.url, "POST", modern_headers("tools/call", params), rpc("tools/call", params, 5),
                       read_head=False)
    try:
        async with client(main_server.url, "2026-07-28") as c:  # barrier: same child, answered after
            r = await c.call_tool("fx_echo", {"text": "barrier"})
            assert texts(r) == ["barrier"]
    finally:
        stream.drop()
    took = await wait_for_marker(fx_cancel_log, f"cancelled {seconds}", 10)
    assert took is not None, (f"closing the stream did not cancel the child's call; markers="
                              f"{cancel_markers(fx_cancel_log)}\nserver stderr: {log_tail(main_server)}")


@pytest.mark.anyio
@pytest.mark.parametrize("mode,seconds", [("legacy", 5.1), ("2026-07-28", 5.2)])
async def test_call_timeout_fails_the_call_and_cancels_it_in_the_child(timeout_server, work, mode, seconds):
    err, took = await call_expecting_error(timeout_server.url, mode, "t_slow", {"seconds": seconds}, timeout=15)
    assert err.code == -32603, err
    assert "did not finish within 1 s" in err.error.message and "stdio source 'tmo'" in err.error.message, err
    assert took < 4.0, f"the timeout fired after {took:.1f}s"
    log = work / "tmo-cancel.log"
    assert await wait_for_marker(log, f"cancelled {seconds}", 10) is not None, \
        f"child did not see the cancellation: {cancel_markers(log)}\nserver stderr: {log_tail(timeout_server)}"


# --------------------------------------------------------------------------------------------
# stdio bridge: child failures
# --------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_child_crash_fails_in_flight_calls_names_exit_status_and_child_restarts(crashy_server):
    url = crashy_server.url
    old_pid = await child_pid(url, "c_whoami")
    outcome: dict[str, object] = {}

    async def in_flight_slow():
        async with client(url, "legacy") as c:
            try:
                outcome["slow"] = await c.call_tool("c_slow", {"seconds": 30})
            except MCPError as e:
                outcome["slow"] = e

    async def other_source():
        async with client(url, "2026-07-28") as c:
            outcome["other"] = await c.call_tool("cmd_wait", {"text": "unaffected"})

    async def crasher():
        async with client(url, "2026-07-28") as c:
            r = await c.call_tool("c_echo", {"text": "barrier"})  # c_slow is in the child by now
            assert texts(r) == ["barrier"]
            try:
                outcome["crash"] = await c.call_tool("c_crash", {"code": 3})
            except MCPError as e:
                outcome["crash"] = e

    with anyio.fail_after(20):
        async with anyio.create_task_group() as tg:
            tg.start_soon(in_flight_slow)
            tg.start_soon(other_source)
            tg.start_soon(crasher)
    for key in ("crash", "slow"):
        e = outcome[key]
        assert isinstance(e, MCPError), f"{key}: expected a JSON-RPC error, got {e!r}"
        assert e.code == -32603, (key, e.error)
        assert "stdio source 'cr'" in e.error.message and "exited (exit status 3)" in e.error.message, (key, e.error)
    other = outcome["other"]
    assert not other.is_error and texts(other) == ["unaffected"], other
    new_pid = await child_pid(url, "c_whoami", not_pid=old_pid)
    assert new_pid != old_pid


@pytest.mark.anyio
async def test_child_writing_non_json_fails_the_call_and_child_restarts(crashy_server):
    url = crashy_server.url
    old_pid = await child_pid(url, "c_whoami")
    err, took = await call_expecting_error(url, "legacy", "c_garbage", {}, timeout=20)
    assert err.code == -32603 and "non-JSON" in err.error.message and "stdio source 'cr'" in err.error.message, err.error
    assert took < 10, f"garbage was reported only after {took:.1f}s"
    assert await child_pid(url, "c_whoami", not_pid=old_pid) != old_pid


@pytest.mark.anyio
async def test_hung_child_is_detected_within_hang_timeout_and_restarted(crashy_server):
    url = crashy_server.url
    old_pid = await child_pid(url, "c_whoami")
    err, took = await call_expecting_error(url, "2026-07-28", "c_hang", {"seconds": 60}, timeout=20)
    assert err.code == -32603 and "stopped answering" in err.error.message, err.error
    assert "stdio source 'cr'" in err.error.message, err.error
    assert 1.5 <= took <= 5.0, f"hang detected after {took:.1f}s (hang_timeout_seconds: 2)"
    assert await child_pid(url, "c_whoami", not_pid=old_pid) != old_pid


# --------------------------------------------------------------------------------------------
# stdio bridge: routing under load
# --------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_1000_concurrent_calls_from_50_clients_each_reach_their_caller_across_3_children(pool_server):
    import random

    rng = random.Random(20261128)
    url = pool_server.url
    sent: list[str] = []
    received: list[tuple[str, str]] = []  # (request text, response text)
    pids: set[int] = set()
    failures: list[str] = []

    async def one_client(ci: int, mode: str) -> None:
        plan = [(f"c{ci}-r{ri}-{uuid.uuid4().hex}", rng.randint(0, 50)) for ri in range(20)]
        sent.extend(t for t, _ in plan)
        async with client(url, mode) as c:
            async def one_call(text: str, ms: int) -> None:
                try:
                    r = await c.call_tool("sleep_echo", {"text": text, "ms": ms})
                except MCPError as e:
                    failures.append(f"{text}: {e.error}")
                    return
                if r.is_error:
                    failures.append(f"{text}: {texts(r)}")
                    return
                sc = r.structured_content or {}
                received.append((text, sc.get("text")))
                pids.add(sc.get("pid"))
                assert json.loads(texts(r)[0])["text"] == sc.get("text")

            async with anyio.create_task_group() as tg:
                for text, ms in plan:
                    tg.start_soon(one_call, text, ms)

    t0 = time.monotonic()
    with anyio.fail_after(120):
        async with anyio.create_task_group() as tg:
            for ci in range(50):
                tg.start_soon(one_client, ci, "legacy" if ci % 2 == 0 else "2026-07-28")
    took = time.monotonic() - t0
    assert not failures, f"{len(failures)} calls failed, e.g. {failures[:5]}\nserver stderr: {log_tail(pool_server)}"
    wrong = [(a, b) for a, b in received if a != b]
    assert not wrong, f"{len(wrong)} answers reached the wrong call, e.g. {wrong[:5]}"
    got = [b for _, b in received]
    assert len(sent) == 1000 and len(got) == 1000, (len(sent), len(got))
    assert sorted(got) == sorted(sent) and len(set(got)) == 1000, "lost or duplicated answers"
    assert len(pids) == 3, f"calls were served by pids {pids}, expected all 3 children of pool: 3 (took {took:.1f}s)"


# --------------------------------------------------------------------------------------------
# stdio bridge: start-up, restart storms, name clashes
# --------------------------------------------------------------------------------------------


def test_required_source_failing_at_start_makes_serve_exit_nonzero_naming_it(tmp_path):
    cfg = bridge_config(stdio=[stdio_source("brokenfx", env={"FIXTURE_FAULT": "exit_at_start"}, required=True,
                                            startup_timeout_seconds=10)])
    rc, out, err = run_serve_until_exit(tmp_path, cfg)
    assert rc is not None, f"serve kept running with a required source that cannot start; stdout={out!r} stderr={err[-800:]}"
    assert rc != 0, f"serve exited 0; stderr={err[-800:]}"
    assert "brokenfx" in err, f"stderr does not name the source: {err[-800:]}"
    assert "listening" not in out, out


def test_optional_source_failing_at_start_is_absent_and_the_demo_tools_still_work(fresh_servers):
    cfg = bridge_config(stdio=[stdio_source("optfx", prefix="o_", env={"FIXTURE_FAULT": "exit_at_start"},
                                            required=False)], packs=True)
    server = fresh_servers.start("optional", cfg)

    async def check():
        for mode in MODES:
            async with client(server.url, mode) as c:
                names = {t.name for t in (await c.list_tools()).tools}
                assert not any(n.startswith("o_") for n in names), sorted(names)
                assert "echo" in names, sorted(names)
                r = await c.call_tool("echo", {"text": "still here"})
                assert texts(r) == ["still here"]

    anyio.run(check)


def test_restart_storm_of_a_source_that_always_exits_is_throttled_by_backoff(fresh_servers):
    cfg = bridge_config(stdio=[stdio_source("stormy", prefix="s_", env={"FIXTURE_FAULT": "exit_at_start"},
                                            required=False, restart_backoff_seconds=0.2,
                                            restart_backoff_max_seconds=1.6)], packs=True)
    t_start = time.monotonic()
    server = fresh_servers.start("storm", cfg)
    answered = 0

    async def keep_calling():
        nonlocal answered
        with anyio.fail_after(30):
            async with client(server.url, "2026-07-28") as c:
                while time.monotonic() - t_start < 4.0:  # the observation window
                    r = await c.call_tool("echo", {"text": f"n{answered}"})
                    assert texts(r) == [f"n{answered}"]
                    answered += 1
                    await anyio.sleep(0.1)

    anyio.run(keep_calling)
    failures = log_tail(server, 10**7).count("stdio server failed")
    assert server.proc.poll() is None, "the server exited"
    assert answered >= 5, f"the server answered only {answered} calls in the window"
    assert 2 <= failures <= 8, (f"{failures} 'stdio server failed' lines in ~4 s (backoff 0.2 s doubling to 1.6 s);"
                                f"\nserver stderr: {log_tail(server, 3000)}")


def test_two_unprefixed_stdio_sources_with_the_same_tools_make_serve_exit_naming_both(tmp_path):
    cfg = bridge_config(stdio=[stdio_source("alpha"), stdio_source("beta")])
    rc, out, err = run_serve_until_exit(tmp_path, cfg, timeout=30)
    assert rc is not None and rc != 0, f"serve did not fail on the clash (rc={rc}); stderr={err[-800:]}"
    assert "alpha" in err and "beta" in err, f"stderr must name both sources: {err[-800:]}"


def test_command_named_search_clashes_with_an_unprefixed_files_source_at_load(tmp_path):
    root = tmp_path / "kb"
    root.mkdir()
    (root / "a.txt").write_text("hello\n")
    cfg = bridge_config(commands=[{"name": "search", "description": "x", "input_schema": {"type": "object"},
                                   "argv": ["/bin/echo", "hi"]}],
                        files=[{"name": "kbase", "root": str(root)}])
    rc, out, err = run_serve_until_exit(tmp_path, cfg)
    assert rc is not None and rc != 0, f"serve did not reject the clash (rc={rc}); stderr={err[-800:]}"
    assert "search" in err and "kbase" in err, f"error must name the command and the files source: {err[-800:]}"
    assert "listening" not in out


# --------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------

HOSTILE = {
    "semicolon-rm": "; rm -rf /",
    "dollar-subshell": "$(id)",
    "backticks": "`id`",
    "newline": "a\nb",
    "quotes": "'\"quoted",
    "glob": "*",
    "empty": "",
    "leading-dash": "--help",
    "template-lookalike": "{{text}}",
    "100KB": "x" * 100_000,
}


@pytest.mark.anyio
@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
async def test_command_passes_hostile_argument_as_exactly_one_literal_argv_element(main_server, text):
    async with client(main_server.url, "2026-07-28") as c:
        r = await c.call_tool("argv_json", {"text": text})
    assert not r.is_error, texts(r)[:1]
    assert r.structured_content == {"result": [text]}, str(r.structured_content)[:300]
    assert json.loads(texts(r)[0]) == {"result": [text]} or json.loads(texts(r)[0]) == [text]


@pytest.mark.anyio
async def test_command_argument_with_nul_byte_is_a_tool_error(main_server):
    async with client(main_server.url, "legacy") as c:
        r = await c.call_tool("argv_json", {"text": "a\x00b"})
    assert r.is_error, r
    assert "NUL" in " ".join(texts(r)), texts(r)


@pytest.mark.anyio
async def test_command_with_1mb_argument_answers_cleanly_and_keeps_serving(main_server):
    big = "y" * (1 << 20)
    async with client(main_server.url, "2026-07-28") as c:
        with anyio.fail_after(30):
            r = await c.call_tool("argv_json", {"text": big})
        if r.is_error:
            assert "could not run" in " ".join(texts(r)), texts(r)[:1]
        else:
            assert r.structured_content == {"result": [big]}
        r = await c.call_tool("argv_json", {"text": "after"})
        assert r.structured_content == {"result": ["after"]}


@pytest.mark.anyio
async def test_command_stdin_json_receives_the_arguments_object(main_server):
    args = {"text": "hé \"q\" $(id)", "n": 7, "flag": True}
    async with client(main_server.url, "legacy") as c:
        r = await c.call_tool("stdin_cat", args)
    assert not r.is_error, texts(r)
    assert r.structured_content == args, r.structured_content
    assert json.loads(texts(r)[0]) == args


@pytest.mark.anyio
async def test_command_nonzero_exit_is_a_tool_error_with_status_and_stderr_tail(main_server):
    async with client(main_server.url, "2026-07-28") as c:
        r = await c.call_tool("fail7", {})
    assert r.is_error, r
    text = " ".join(texts(r))
    assert "exited with status 7" in text and "oops-last-err-line" in text, text


@pytest.mark.anyio
async def test_command_timeout_kills_it_and_reports_timed_out(main_server):
    async with client(main_server.url, "legacy") as c:
        t0 = time.monotonic()
        with anyio.fail_after(15):
            r = await c.call_tool("sleeper", {})
        took = time.monotonic() - t0
    assert r.is_error, r
    text = " ".join(texts(r))
    assert "timed out after 1 s" in text and "process group was killed" in text, text
    assert took < 3.5, f"timeout_seconds: 1 took {took:.1f}s"


@pytest.mark.anyio
async def test_command_output_over_max_output_bytes_is_truncated_with_a_notice(main_server):
    async with client(main_server.url, "2026-07-28") as c:
        r = await c.call_tool("bigout", {})
    assert not r.is_error, texts(r)
    text = "".join(texts(r))
    assert text.startswith("a" * 1000) and not text.startswith("a" * 1001), text[:1100]
    assert "[output truncated: 5000 bytes, only the first 1000 kept (max_output_bytes)]" in text, text[1000:]


@pytest.mark.anyio
async def test_read_only_command_is_annotated_read_only_and_others_are_not(main_server):
    async with client(main_server.url, "legacy") as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
    assert tools["ro_echo"].annotations and tools["ro_echo"].annotations.read_only_hint is True
    assert not (tools["argv_json"].annotations and tools["argv_json"].annotations.read_only_hint)


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------


def single_json_text(r) -> dict:
    assert not r.is_error, texts(r)
    assert len(r.content) == 1 and r.content[0].type == "text", r.content
    return json.loads(r.content[0].text)


SEARCHES = [("volcanoes lava", "sub/deeper/volcano.txt"), ("kubernetes pods", "sub/kube.md"),
            ("quick brown fox", "fox.txt"), ("bananas coffee", "notes.txt")]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query,best", SEARCHES, ids=[q for q, _ in SEARCHES])
async def test_files_search_returns_one_json_text_ranking_the_relevant_file_first(main_server, mode, query, best):
    async with client(main_server.url, mode) as c:
        doc = single_json_text(await c.call_tool("search", {"query": query}))
    assert set(doc) == {"results"} and doc["results"], doc
    for hit in doc["results"]:
        assert set(hit) >= {"id", "title", "url", "text"}, hit
        assert hit["url"] == f"files://docs/{hit['id']}", hit
    assert doc["results"][0]["id"] == best, doc


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_files_fetch_returns_one_json_text_document(main_server, mode):
    rel = "sub/deeper/volcano.txt"
    async with client(main_server.url, mode) as c:
        doc = single_json_text(await c.call_tool("fetch", {"id": rel}))
    assert set(doc) >= {"id", "title", "text", "url", "metadata"}, doc
    assert doc["id"] == rel and doc["text"] == DOC_FILES[rel] and doc["url"] == f"files://docs/{rel}", doc
    assert doc["title"] == "volcano.txt"


UNSAFE_IDS = {
    "dotdot": "../outside/secret.txt",
    "dotdot-plain": "../x",
    "absolute": "/etc/passwd",
    "inner-dotdot": "a/../../x",
    "sub-escape": "sub/../../outside/secret.txt",
    "symlink-file": "link_out.txt",
    "symlink-dir": "linkdir/secret.txt",
    "binary": "bin.dat",
    "1GB-sparse": "huge.bin",
    "missing": "no/such/file.txt",
}


@pytest.mark.anyio
@pytest.mark.parametrize("doc_id", list(UNSAFE_IDS.values()), ids=list(UNSAFE_IDS))
async def test_files_fetch_refuses_unsafe_binary_huge_or_unknown_ids(main_server, doc_id):
    async with client(main_server.url, "legacy") as c:
        with anyio.fail_after(15):
            r = await c.call_tool("fetch", {"id": doc_id})
    text = " ".join(texts(r))
    assert r.is_error, f"fetch({doc_id!r}) succeeded: {text[:300]}"
    assert OUTSIDE_SECRET not in text and "root:" not in text, text[:300]


@pytest.mark.anyio
async def test_files_search_never_returns_outside_binary_or_huge_files(main_server):
    async with client(main_server.url, "2026-07-28") as c:
        for query in (OUTSIDE_SECRET, "volcanoes payload binary", "secret"):
            doc = single_json_text(await c.call_tool("search", {"query": query}))
            ids = [h["id"] for h in doc["results"]]
            assert not {"bin.dat", "huge.bin", "link_out.txt", "linkdir/secret.txt"} & set(ids), ids
            assert OUTSIDE_SECRET not in json.dumps(doc), doc


@pytest.mark.anyio
async def test_files_every_search_hit_is_fetchable_including_odd_file_names(main_server):
    """The non-UTF-8 file name (b'\\xff.txt') may be skipped or indexed; if it is found, its id must fetch it."""
    async with client(main_server.url, "legacy") as c:
        doc = single_json_text(await c.call_tool("search", {"query": "file whose name is not UTF-8"}))
        for hit in doc["results"]:
            fetched = single_json_text(await c.call_tool("fetch", {"id": hit["id"]}))
            assert fetched["id"] == hit["id"] and fetched["url"] == hit["url"], (hit, fetched)
        # the server keeps serving normal documents next to the odd name
        assert single_json_text(await c.call_tool("fetch", {"id": "fox.txt"}))["text"] == DOC_FILES["fox.txt"]


@pytest.mark.anyio
async def test_files_search_and_fetch_are_annotated_read_only(main_server):
    async with client(main_server.url, "legacy") as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
    for name in ("search", "fetch"):
        assert tools[name].annotations and tools[name].annotations.read_only_hint is True, tools[name]


@pytest.mark.anyio
async def test_files_file_created_after_start_becomes_searchable_within_5s(main_server, docs_root):
    word = f"quokka{uuid.uuid4().hex[:8]}"
    (docs_root / "sub" / f"late-{word}.txt").write_text(f"A late note about the {word} of Rottnest.\n")
    t0 = time.monotonic()
    ids: list[str] = []
    async with client(main_server.url, "2026-07-28") as c:
        while time.monotonic() - t0 < 6.0:
            doc = single_json_text(await c.call_tool("search", {"query": word}))
            ids = [h["id"] for h in doc["results"]]
            if f"sub/late-{word}.txt" in ids:
                break
            await anyio.sleep(0.2)  # polling the index under a deadline
    took = time.monotonic() - t0
    assert f"sub/late-{word}.txt" in ids, f"new file not searchable after {took:.1f}s: {ids}"
    assert took <= 5.5, f"new file became searchable only after {took:.1f}s"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_files_are_listed_as_resources_and_readable(main_server, mode):
    async with client(main_server.url, mode) as c:
        uris = {str(r.uri) for r in (await c.list_resources()).resources}
        for rel in DOC_FILES:
            assert f"files://docs/{rel}" in uris, sorted(uris)
        for bad in ("files://docs/bin.dat", "files://docs/huge.bin", "files://docs/link_out.txt",
                    "files://docs/linkdir/secret.txt"):
            assert bad not in uris, sorted(uris)
        rr = await c.read_resource("files://docs/sub/kube.md")
        assert [getattr(x, "text", None) for x in rr.contents] == [DOC_FILES["sub/kube.md"]]


# --------------------------------------------------------------------------------------------
# framing and per-session mode
# --------------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_line_separators_inside_json_strings_do_not_split_a_message(main_server, mode):
    # The Python SDK writes U+2028, U+2029 and NEL raw; only byte 0x0A ends a stdio frame.
    text = "a\u2028b\u2029c\u0085d\r\ne\"f\\g é 🙂"
    async with client(main_server.url, mode) as c:
        r = await c.call_tool("fx_echo", {"text": text})
    assert not r.is_error
    assert r.structured_content == {"result": text}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def per_session_server(server_pool):
    return server_pool.get("persession", bridge_config(stdio=[stdio_source("ps", prefix="ps_", mode="per-session")]))


@pytest.mark.anyio
async def test_per_session_mode_gives_each_legacy_session_its_own_child_and_stops_it_after(per_session_server):
    url = per_session_server.url

    async def pids_of_one_session() -> list[int]:
        async with client(url, "legacy") as c:
            return [(await c.call_tool("ps_whoami", {})).structured_content["pid"] for _ in range(2)]

    first, second = await pids_of_one_session(), await pids_of_one_session()
    assert first[0] == first[1] and second[0] == second[1], "a session's calls must stay on its own child"
    async with client(url, "2026-07-28") as c:
        shared = (await c.call_tool("ps_whoami", {})).structured_content["pid"]
    assert len({first[0], second[0], shared}) == 3, (first, second, shared)
    # The SDK deletes its session on exit; the session's child is stopped once Portico sees it gone.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_pid_alive(first[0]) or _pid_alive(second[0])):
        await anyio.sleep(0.1)  # polling process state under a deadline
    assert not _pid_alive(first[0]) and not _pid_alive(second[0])
    assert _pid_alive(shared), "the shared pool's child must keep running"


@pytest.mark.anyio
async def test_a_tool_the_child_adds_at_runtime_is_published_after_its_list_changed(fresh_servers):
    # Its own server: the new tool must not show up in other tests' listings.
    url = fresh_servers.start("grow", bridge_config(stdio=[stdio_source("g", prefix="g_")])).url
    async with client(url, "legacy") as c:
        assert "g_late" not in {t.name for t in (await c.list_tools()).tools}
        assert texts(await c.call_tool("g_grow", {"name": "late"})) == ["added late"]
        deadline = time.monotonic() + 10
        names: set[str] = set()
        while time.monotonic() < deadline and "g_late" not in names:
            names = {t.name for t in (await c.list_tools()).tools}
            if "g_late" not in names:
                await anyio.sleep(0.1)  # polling the published list under a deadline
        assert "g_late" in names
        assert texts(await c.call_tool("g_late", {})) == ["grown late"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_resource_templates_and_completions_of_the_child_are_published(main_server, mode):
    async with client(main_server.url, mode) as c:
        templates = {t.uri_template for t in (await c.list_resource_templates()).resource_templates}
        assert "fixture://items/{item}" in templates, templates
        read = await c.read_resource("fixture://items/pear")
        assert read.contents[0].text == "item pear"
        prompt_values = (await c.complete(types.PromptReference(type="ref/prompt", name="fx_greet"),
                                          {"name": "name", "value": "al"})).completion.values
        assert prompt_values == ["alice", "albert"]
        template_values = (await c.complete(types.ResourceTemplateReference(type="ref/resource", uri="fixture://items/{item}"),
                                            {"name": "item", "value": "ap"})).completion.values
        assert template_values == ["apple", "apricot"]



@pytest.mark.anyio
async def test_a_parked_call_whose_client_never_returns_expires_and_frees_its_place(fresh_servers, tmp_path):
    # max_in_flight 1: the parked call holds the child's only place until it expires, and a
    # call waiting for that place must then go through (not wait for the global call limit).
    log = tmp_path / "parked.log"
    cfg = bridge_config(stdio=[stdio_source("pk", prefix="pk_", max_in_flight=1, env={"FIXTURE_CANCEL_LOG": str(log)})])
    cfg["request_state"] = {"ttl_seconds": 2}
    url = fresh_servers.start("parked", cfg).url
    params = modern_params({"name": "pk_ask", "arguments": {"question": "never answered"}},
                           meta={**modern_meta(caps={"elicitation": {}})})
    with new_http_client() as http:
        first = http.post(url, json=rpc("tools/call", params, id=1), headers=modern_headers("tools/call", params)).json()
    assert first["result"]["resultType"] == "input_required", first
    started = time.monotonic()
    async with client(url, "2026-07-28") as c:
        waited = await c.call_tool("pk_echo", {"text": "after"})
    assert texts(waited) == ["after"]
    assert time.monotonic() - started < 15, "the waiting call must get the place once the parked one expires"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(line.startswith("ask ended") for line in cancel_markers(log)):
        await anyio.sleep(0.05)  # polling an observable file under a deadline
    assert any(line.startswith("ask ended") for line in cancel_markers(log)), "the child's call must end when the parked call expires"
