"""A stdio MCP server (official Python SDK, mcp 2.3.0 `MCPServer`) used as a child process
by Portico's stdio-bridge tests. Run: `.venv/bin/python interop/bridge_fixture_server.py`.

Tools
  echo(text) -> text                      plain text result (also structured {"result": text})
  add(a, b) -> a + b                      float; structured {"result": a+b} + text content
  whoami() -> {"pid", "name"}             pid of this process, FIXTURE_NAME
  sleep_echo(text, ms) -> {"text","pid"}  awaits ms milliseconds first (does not block the loop)
  progress(steps, delay_ms) -> "done"     progress 1..steps, total=steps, message "step i"
  log_echo(text) -> text                  sends notifications/message (level info, data=text) first
  ask(question) -> "answer: X"            elicits a form {answer: string}; "action: decline|cancel" otherwise
  crash(code=3)                           os._exit(code) mid-call, no response
  garbage()                               writes b"this is not json\\n" to the real JSON-RPC stdout,
                                          then sleeps 30 s (never answers in time)
  hang(seconds=60)                        time.sleep ON the event loop: nothing (not even ping) is answered
  cpu(n) -> sum(i*i for i < n)            pure-Python loop ON the event loop (serialises the child)
  slow(seconds) -> "finished"             awaits; on cancellation appends "cancelled {seconds}\\n" to
                                          $FIXTURE_CANCEL_LOG (if set) and re-raises
Resource fixture://hello ("hello from fixture"); prompt greet(name) -> user "Hello, {name}!".

Environment
  FIXTURE_NAME           server name (default "fixture")
  FIXTURE_STDERR_HELLO=1 print "fixture stderr hello" to stderr at start
  FIXTURE_FAULT          exit_at_start: message on stderr, exit 2 before serving
                         garbage_at_start: a non-JSON line on stdout, then serve normally
  FIXTURE_STARTUP_DELAY  seconds to sleep before serving
  FIXTURE_CANCEL_LOG     file that `slow` appends its cancellation marker to

SDK note: MCPServer runs plain `def` tools on a worker thread (anyio.to_thread), so the
blocking tools `hang` and `cpu` are declared `async def` with a synchronous body on purpose.
"""


import os
import sys
import time
from typing import Any

NAME = os.environ.get("FIXTURE_NAME", "fixture")
GARBAGE_LINE = b"this is not json\n"


def _early_env() -> None:
    """Env-driven start-up behaviour, before the (slow, ~1.4 s) mcp import."""
    if os.environ.get("FIXTURE_STDERR_HELLO") == "1":
        print("fixture stderr hello", file=sys.stderr, flush=True)
    fault = os.environ.get("FIXTURE_FAULT", "")
    if fault == "exit_at_start":
        print(f"fixture {NAME}: FIXTURE_FAULT=exit_at_start, exiting with 2", file=sys.stderr, flush=True)
        sys.exit(2)
    delay = os.environ.get("FIXTURE_STARTUP_DELAY")
    if delay:
        time.sleep(float(delay))
    if fault == "garbage_at_start":
        os.write(1, GARBAGE_LINE)
    elif fault:
        print(f"fixture {NAME}: unknown FIXTURE_FAULT={fault!r} (ignored)", file=sys.stderr, flush=True)


def _wire_fd() -> int:
    """The descriptor carrying the JSON-RPC output while stdio_server() is serving.

    mcp 2.3.0 (mcp/server/stdio.py `_claim_fd`) dups fd 1 to a private CLOEXEC fd >= 3,
    records it in the module-level `_claims[1].private_fd`, and then dup2()s stderr onto fd 1.
    If the claim could not divert fd 1 (private_fd None / no claim) the wire is still fd 1.
    """
    from mcp.server import stdio as sdk_stdio

    claim = sdk_stdio._claims.get(1)
    if claim is not None and claim.private_fd is not None:
        return claim.private_fd
    return 1


def build():
    import warnings

    import anyio
    from pydantic import BaseModel

    from mcp.server.mcpserver import Context, MCPServer
    from mcp.server.mcpserver.prompts.base import UserMessage
    from mcp_types import Completion

    from mcp.shared.exceptions import MCPDeprecationWarning

    # ctx.info() is deprecated (SEP-2577) and would print a warning to stderr on every call
    warnings.simplefilter("ignore", MCPDeprecationWarning)

    app = MCPServer(NAME)

    @app.tool(description="Return the text unchanged")
    async def echo(text: str) -> str:
        return text

    @app.tool(description="Add two numbers")
    async def add(a: float, b: float) -> float:
        return a + b

    @app.tool(description="pid and name of this fixture process")
    async def whoami() -> dict[str, Any]:
        return {"pid": os.getpid(), "name": NAME}

    @app.tool(description="Sleep ms milliseconds (async), then return text and pid")
    async def sleep_echo(text: str, ms: int) -> dict[str, Any]:
        await anyio.sleep(ms / 1000)
        return {"text": text, "pid": os.getpid()}

    @app.tool(description="Report progress 1..steps with delay_ms between, return 'done'")
    async def progress(steps: int, delay_ms: int, ctx: Context) -> str:
        for i in range(1, steps + 1):
            await ctx.report_progress(i, total=steps, message=f"step {i}")
            if i < steps and delay_ms > 0:
                await anyio.sleep(delay_ms / 1000)
        return "done"

    @app.tool(description="Send an info log message with the text, then return it")
    async def log_echo(text: str, ctx: Context) -> str:
        await ctx.info(text)
        return text

    class Answer(BaseModel):
        answer: str

    @app.tool(description="Elicit a form {answer: string} from the client")
    async def ask(question: str, ctx: Context) -> str:
        try:
            result = await ctx.elicit(question, Answer)
        except BaseException as error:  # noqa: BLE001 - recorded for the tests, then re-raised
            path = os.environ.get("FIXTURE_CANCEL_LOG")
            if path:
                with open(path, "a") as f:
                    f.write(f"ask ended {type(error).__name__} {question}\n")
            raise
        if result.action == "accept":
            return f"answer: {result.data.answer}"
        return f"action: {result.action}"

    @app.tool(description="Publish a new tool named `name` (returns its text) and send tools/list_changed")
    async def grow(name: str, ctx: Context) -> str:
        def grown() -> str:
            return f"grown {name}"

        app.add_tool(grown, name=name, description=f"added at runtime by grow({name!r})")
        await ctx.session.send_tool_list_changed()
        return f"added {name}"

    @app.tool(description="Exit the whole process immediately with the code (no response)")
    async def crash(code: int = 3) -> str:
        sys.stderr.flush()
        os._exit(code)

    @app.tool(description="Write a non-JSON line onto the JSON-RPC stdout, then sleep 30 s")
    async def garbage() -> str:
        os.write(_wire_fd(), GARBAGE_LINE)
        await anyio.sleep(30)
        return "garbage done"

    @app.tool(description="Block the whole event loop with time.sleep (nothing is answered)")
    async def hang(seconds: float = 60) -> str:
        time.sleep(seconds)  # deliberately synchronous, on the loop
        return "hang over"

    @app.tool(description="CPU-bound pure-Python loop on the event loop: sum of i*i for i < n")
    async def cpu(n: int) -> int:
        total = 0
        for i in range(n):
            total += i * i
        return total

    @app.tool(description="Await `seconds`, return 'finished'; logs cancellation to $FIXTURE_CANCEL_LOG")
    async def slow(seconds: float) -> str:
        try:
            await anyio.sleep(seconds)
        except anyio.get_cancelled_exc_class():
            path = os.environ.get("FIXTURE_CANCEL_LOG")
            if path:
                with open(path, "a") as f:
                    f.write(f"cancelled {seconds}\n")
            raise
        return "finished"

    @app.resource("fixture://hello", name="hello", mime_type="text/plain")
    def hello() -> str:
        return "hello from fixture"

    @app.prompt(description="Greet someone")
    def greet(name: str) -> list:
        return [UserMessage(f"Hello, {name}!")]

    @app.resource("fixture://items/{item}", name="item", mime_type="text/plain")
    def item(item: str) -> str:
        return f"item {item}"

    @app.completion()
    async def complete(ref, argument, context):
        # Names starting with the typed prefix, for both the prompt and the template.
        choices = {"name": ["alice", "albert", "bob"], "item": ["apple", "apricot", "banana"]}.get(argument.name, [])
        return Completion(values=[c for c in choices if c.startswith(argument.value)])

    return app


def main() -> None:
    _early_env()
    build().run()  # stdio


if __name__ == "__main__":
    main()
