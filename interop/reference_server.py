"""A stand-in for `portico serve`, built on the Python SDK's MCPServer (mcp 2.3.0).

It exists only to exercise the harness itself: it follows the same CLI contract
(`serve --host H --port 0 [--fixture conformance]`, one `listening http://H:P/mcp` line on
stdout, SIGTERM stops it) and exposes the same demo pack / conformance fixture, so the tests
and the conformance runner can be run against a second, independent implementation:

    PORTICO_BIN=interop/reference-portico bash interop/run.sh

It is NOT the server under test and it does not pass every check (that is the point: the
checks must be able to fail).
"""



import argparse
import asyncio
import base64
import json
import signal
import socket
import sys

import anyio
import uvicorn
from pydantic import BaseModel, Field

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.prompts.base import Message, UserMessage
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import (
    AudioContent,
    EmbeddedResource,
    ImageContent,
    TextContent,
    TextResourceContents,
)

PNG_1x1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
WAV_TINY = base64.b64encode(
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00@\x1f\x00\x00\x01\x00\x08\x00data\x00\x00\x00\x00"
).decode()


def build_demo() -> MCPServer:
    app = MCPServer("portico-reference", version="0.0.0")

    @app.tool(description="Echo the text back")
    def echo(text: str) -> str:
        return text

    class Sum(BaseModel):
        sum: float

    @app.tool(description="Add two numbers")
    def add(a: float, b: float) -> Sum:
        return Sum(sum=a + b)

    @app.tool(description="Count to n, reporting progress")
    async def slow_count(
        ctx: Context,
        n: int = Field(ge=1, le=1000),
        delay_ms: int = Field(default=100, ge=0, le=10000),
    ) -> str:
        for i in range(1, n + 1):
            await anyio.sleep(delay_ms / 1000)
            await ctx.report_progress(i, n)
        return f"counted to {n}"

    @app.resource("portico://demo/about", mime_type="text/plain", name="about")
    def about() -> str:
        return "Portico demo pack (reference stand-in)"

    @app.resource("portico://demo/echo/{message}", mime_type="text/plain", name="echo")
    def echo_resource(message: str) -> str:
        return message

    @app.prompt(description="Summarize a text")
    def summarize(text: str, style: str | None = None) -> list[Message]:
        suffix = f" in a {style} style" if style else ""
        return [UserMessage(f"Please summarize{suffix}:\n\n{text}")]

    return app


def build_conformance() -> MCPServer:
    app = MCPServer("portico-reference-conformance", version="0.0.0")

    @app.tool(description="Returns simple text")
    def test_simple_text() -> str:
        return "This is a simple text response for testing."

    @app.tool(description="Returns an image")
    def test_image_content() -> list:
        return [ImageContent(type="image", data=PNG_1x1, mimeType="image/png")]

    @app.tool(description="Returns audio")
    def test_audio_content() -> list:
        return [AudioContent(type="audio", data=WAV_TINY, mimeType="audio/wav")]

    @app.tool(description="Returns an embedded resource")
    def test_embedded_resource() -> list:
        return [
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(
                    uri="test://embedded-resource", mimeType="text/plain", text="This is an embedded resource content."
                ),
            )
        ]

    @app.tool(description="Returns mixed content")
    def test_multiple_content_types() -> list:
        return [
            TextContent(type="text", text="Multiple content types test:"),
            ImageContent(type="image", data=PNG_1x1, mimeType="image/png"),
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(
                    uri="test://mixed-content-resource",
                    mimeType="application/json",
                    text=json.dumps({"test": "data", "value": 123}),
                ),
            ),
        ]

    @app.tool(description="Logs three messages")
    async def test_tool_with_logging(ctx: Context) -> str:
        for m in ("Tool execution started", "Tool processing data", "Tool execution completed"):
            await ctx.info(m)
            await anyio.sleep(0.05)
        return "Logging test completed"

    @app.tool(description="Reports progress")
    async def test_tool_with_progress(ctx: Context) -> str:
        for p in (0, 50, 100):
            await ctx.report_progress(p, 100)
            await anyio.sleep(0.05)
        return "Progress test completed"

    @app.tool(description="Always fails")
    def test_error_handling() -> str:
        raise RuntimeError("This tool intentionally returns an error for testing")

    @app.tool(description="Samples the client")
    async def test_sampling(prompt: str, ctx: Context) -> str:
        from mcp.types import SamplingMessage

        r = await ctx.session.create_message(
            messages=[SamplingMessage(role="user", content=TextContent(type="text", text=prompt))],
            max_tokens=100,
            related_request_id=ctx.request_id,
        )
        text = getattr(r.content, "text", str(r.content))
        return f"LLM response: {text}"

    class UserInfo(BaseModel):
        username: str
        email: str

    @app.tool(description="Elicits the user")
    async def test_elicitation(message: str, ctx: Context) -> str:
        r = await ctx.elicit(message, UserInfo)
        return f"User response: action={r.action}, content={getattr(r, 'data', None)}"

    @app.tool(description="Missing capability (2026)")
    def test_missing_capability() -> str:
        return "Success"

    @app.tool(description="Streams then answers")
    async def test_streaming_elicitation(ctx: Context) -> str:
        await ctx.report_progress(1, 2)
        return "done"

    @app.tool(description="Logs when asked")
    async def test_logging_tool(ctx: Context) -> str:
        await ctx.info("hello")
        return "logged"

    @app.resource("test://static-text", mime_type="text/plain", name="static-text")
    def static_text() -> str:
        return "This is the content of the static text resource."

    @app.resource("test://static-binary", mime_type="image/png", name="static-binary")
    def static_binary() -> bytes:
        return base64.b64decode(PNG_1x1)

    @app.resource("test://watched-resource", mime_type="text/plain", name="watched-resource")
    def watched() -> str:
        return "watched"

    @app.resource("test://template/{id}/data", mime_type="application/json", name="template")
    def template(id: str) -> str:
        return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})

    @app.prompt(description="simple")
    def test_simple_prompt() -> str:
        return "This is a simple prompt for testing."

    @app.prompt(description="with args")
    def test_prompt_with_arguments(arg1: str, arg2: str) -> str:
        return f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"

    @app.prompt(description="embedded")
    def test_prompt_with_embedded_resource(resourceUri: str) -> list:
        return [
            UserMessage(
                EmbeddedResource(
                    type="resource",
                    resource=TextResourceContents(
                        uri=resourceUri, mimeType="text/plain", text="Embedded resource content for testing."
                    ),
                )
            ),
            UserMessage("Please process the embedded resource above."),
        ]

    @app.prompt(description="image")
    def test_prompt_with_image() -> list:
        return [
            UserMessage(ImageContent(type="image", data=PNG_1x1, mimeType="image/png")),
            UserMessage("Please analyze the image above."),
        ]

    @app.completion()
    async def complete(ref, argument, context):  # noqa: ANN001
        from mcp.types import Completion

        return Completion(values=[], total=0, hasMore=False)

    return app


async def serve(host: str, port: int, fixture: str | None) -> None:
    app = build_conformance() if fixture == "conformance" else build_demo()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual = sock.getsockname()[1]
    starlette_app = app.streamable_http_app(
        transport_security=TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[f"{host}:{actual}", f"localhost:{actual}", host, "localhost"],
            allowed_origins=[f"http://{host}:{actual}", f"http://localhost:{actual}"],
        ),
        host=host,
    )
    config = uvicorn.Config(starlette_app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: setattr(server, "should_exit", True))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    print(f"listening http://{host}:{actual}/mcp", flush=True)
    await task


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--fixture", default=None)
    a = ap.parse_args()
    asyncio.run(serve(a.host, a.port, a.fixture))


if __name__ == "__main__":
    sys.exit(main())
