"""Shared wire-level helpers for the Portico interop harness.

Used by conftest.py, the raw-HTTP tests and conformance/runner.py:

* ServerProcess  - start `portico serve --port 0`, read the `listening <url>` line with a
                   deadline, stop it with SIGTERM and report how long it took to exit.
* SSEParser      - incremental text/event-stream parser (id/event/data/retry, comments).
* read_messages  - pull JSON-RPC messages out of an httpx response (JSON or SSE), bounded by
                   a deadline, optionally answering server->client requests.
* WireValidator  - validates every received JSON-RPC message against the spec's
                   schema/<version>/schema.json (copied into interop/schemas/).
* header/meta builders for the legacy (session) and modern (2026-07-28 stateless) eras.
* RawStream      - one HTTP request on its own socket, its (SSE) answer read incrementally
                   under deadlines, droppable at any point (resumption / keep-alive tests).
* write_config   - a portico.yaml for `serve --config` (streams:, request_state:, ...).
* MRTR answers   - canned client results for InputRequiredResult / server->client requests.

Everything talks to 127.0.0.1 only; every loop is bounded by a count or a deadline.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import httpx

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = HERE / "schemas"
DEFAULT_BIN = "/work/main/.build/release/portico"

LEGACY_VERSIONS = ("2025-03-26", "2025-06-18", "2025-11-25")
MODERN_VERSION = "2026-07-28"
ALL_VERSIONS = LEGACY_VERSIONS + (MODERN_VERSION,)
LATEST_LEGACY = "2025-11-25"

CLIENT_INFO = {"name": "portico-interop", "version": "1.0.0"}
FULL_CLIENT_CAPS = {"sampling": {}, "elicitation": {}, "roots": {"listChanged": True}}

JSON_AND_SSE = "application/json, text/event-stream"

META_VERSION = "io.modelcontextprotocol/protocolVersion"
META_CAPS = "io.modelcontextprotocol/clientCapabilities"
META_INFO = "io.modelcontextprotocol/clientInfo"
META_LOGLEVEL = "io.modelcontextprotocol/logLevel"
META_SERVERINFO = "io.modelcontextprotocol/serverInfo"
META_SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId"


def portico_bin() -> str:
    return os.environ.get("PORTICO_BIN", DEFAULT_BIN)


def log_tail(proc, n: int = 1500) -> str:
    """The last `n` characters of a server's stderr log ("" when it has none)."""
    try:
        return proc.log_path.read_text(errors="replace")[-n:]
    except (OSError, AttributeError):
        return ""


def run_until_exit(args: list[str], env: dict | None = None, timeout: float = 20.0) -> tuple[int | None, str, str]:
    """Runs a command to its end; returns (returncode, stdout, stderr), returncode None when it outlived `timeout`."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=5)
        return None, out.decode(errors="replace"), err.decode(errors="replace")


# --------------------------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------------------------

LISTEN_RE = re.compile(r"^listening (http://127\.0\.0\.1:(\d+)/mcp)$")


class ServerStartError(RuntimeError):
    pass


@dataclass
class ServerProcess:
    """A `portico serve` child process on 127.0.0.1 with an OS-chosen port."""

    extra_args: list[str] = field(default_factory=list)
    binary: str = field(default_factory=portico_bin)
    start_timeout: float = 30.0
    log_path: Path | None = None
    url: str = ""
    proc: subprocess.Popen | None = None
    first_line: str = ""
    extra_stdout: list[str] = field(default_factory=list)
    _drain: threading.Thread | None = None

    def start(self) -> str:
        if not os.path.exists(self.binary):
            raise ServerStartError(f"server binary not found: {self.binary} (set PORTICO_BIN)")
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", "0", *self.extra_args]
        stderr = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL)
        if self.log_path:
            stderr.close()  # the child holds its own descriptor
        line = self._read_first_line()
        m = LISTEN_RE.match(line)
        if not m:
            self.stop()
            raise ServerStartError(f"unexpected first stdout line from {cmd}: {line!r}")
        self.first_line = line
        self.url = m.group(1)
        # Keep draining stdout so a chatty server can never block on a full pipe; anything
        # printed after the URL line is recorded (the contract says exactly one line).
        self._drain = threading.Thread(target=self._drain_stdout, daemon=True)
        self._drain.start()
        return self.url

    def _read_first_line(self) -> str:
        assert self.proc and self.proc.stdout
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        buf = b""
        deadline = time.monotonic() + self.start_timeout
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.stop()
                    raise ServerStartError(f"no 'listening' line within {self.start_timeout}s; got {buf!r}")
                if not sel.select(timeout=left):
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    rc = self.proc.poll()
                    raise ServerStartError(f"server exited (rc={rc}) before printing its URL; stdout={buf!r}")
                buf += chunk
        finally:
            sel.close()
        first, _, rest = buf.partition(b"\n")
        if rest.strip():
            self.extra_stdout.append(rest.decode(errors="replace"))
        return first.decode(errors="replace").rstrip("\r")

    def _drain_stdout(self) -> None:
        assert self.proc and self.proc.stdout
        for raw in iter(self.proc.stdout.readline, b""):
            if raw.strip():
                self.extra_stdout.append(raw.decode(errors="replace"))

    def stop(self, timeout: float = 10.0) -> tuple[int | None, float]:
        """SIGTERM, wait up to `timeout`; returns (returncode or None if it had to be killed, seconds)."""
        if not self.proc:
            return (None, 0.0)
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
                return (None, time.monotonic() - t0)
        return (self.proc.returncode, time.monotonic() - t0)

    @property
    def host_port(self) -> str:
        return self.url.split("//", 1)[1].split("/", 1)[0]


# --------------------------------------------------------------------------------------------
# SSE
# --------------------------------------------------------------------------------------------


@dataclass
class SSEEvent:
    data: str = ""
    event: str | None = None
    id: str | None = None
    retry: int | None = None
    has_data: bool = False


class SSEParser:
    """Incremental parser for text/event-stream (WHATWG rules, CRLF/LF/CR line ends)."""

    def __init__(self) -> None:
        self._buf = ""
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self._dirty = False
        self.comments: list[str] = []

    def feed(self, text: str) -> list[SSEEvent]:
        self._buf += text
        out: list[SSEEvent] = []
        while True:
            m = re.search(r"\r\n|\n|\r", self._buf)
            if not m:
                break
            # A lone trailing CR may be the first half of CRLF; wait for more input.
            if m.group() == "\r" and m.end() == len(self._buf):
                break
            line, self._buf = self._buf[: m.start()], self._buf[m.end() :]
            ev = self._line(line)
            if ev is not None:
                out.append(ev)
        return out

    def _line(self, line: str) -> SSEEvent | None:
        if line == "":
            if not self._dirty:
                return None
            ev = SSEEvent(
                data="\n".join(self._data), event=self._event, id=self._id, retry=self._retry, has_data=bool(self._data)
            )
            self._data, self._event, self._retry, self._dirty = [], None, None, False
            # `id` persists per spec (last event id), but we report it only on the event that set it.
            self._id = None
            return ev
        if line.startswith(":"):
            self.comments.append(line[1:])
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        self._dirty = True
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        elif name == "retry":
            self._retry = int(value) if value.isdigit() else None
        return None


# --------------------------------------------------------------------------------------------
# Reading JSON-RPC messages from a response
# --------------------------------------------------------------------------------------------


@dataclass
class Exchange:
    """What one HTTP request produced."""

    status: int
    headers: httpx.Headers
    content_type: str
    raw: str = ""
    messages: list[Any] = field(default_factory=list)
    events: list[SSEEvent] = field(default_factory=list)
    timestamps: list[float] = field(default_factory=list)
    closed_early: bool = False
    timed_out: bool = False
    parse_errors: list[str] = field(default_factory=list)

    def response_for(self, req_id: Any) -> dict | None:
        for m in self.messages:
            if isinstance(m, dict) and "id" in m and m.get("id") == req_id and ("result" in m or "error" in m):
                if type(m.get("id")) is type(req_id):
                    return m
        return None

    @property
    def notifications(self) -> list[dict]:
        return [m for m in self.messages if isinstance(m, dict) and "method" in m and "id" not in m]

    @property
    def server_requests(self) -> list[dict]:
        return [m for m in self.messages if isinstance(m, dict) and "method" in m and "id" in m]

    @property
    def is_sse(self) -> bool:
        return self.content_type.startswith("text/event-stream")

    @property
    def is_json(self) -> bool:
        return self.content_type.startswith("application/json")

    def json_body(self) -> Any:
        return json.loads(self.raw) if self.raw else None


ServerRequestHandler = Callable[[dict], "dict | None"]


def _ctype(headers: httpx.Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def read_exchange(
    resp: httpx.Response,
    *,
    wait_for_id: Any = None,
    deadline: float | None = None,
    max_events: int = 100_000,
    on_message: Callable[[Any], None] | None = None,
    on_server_request: ServerRequestHandler | None = None,
    stop_after: Callable[[Exchange], bool] | None = None,
) -> Exchange:
    """Consume a streamed httpx response into an Exchange.

    For SSE, stops when the response for `wait_for_id` arrived, the stream ended, `stop_after`
    returns True, `max_events` events were read, or `deadline` (monotonic) passed.
    """
    ex = Exchange(status=resp.status_code, headers=resp.headers, content_type=_ctype(resp.headers))
    if deadline is None:
        deadline = time.monotonic() + 30
    if not ex.is_sse:
        try:
            body = resp.read()
        except (httpx.ReadTimeout, httpx.RemoteProtocolError) as e:
            ex.parse_errors.append(f"body read failed: {e!r}")
            body = b""
        ex.raw = body.decode("utf-8", errors="replace")
        if ex.is_json and ex.raw.strip():
            try:
                doc = json.loads(ex.raw)
            except ValueError as e:
                ex.parse_errors.append(f"invalid JSON body: {e}")
            else:
                items = doc if isinstance(doc, list) else [doc]
                for m in items:
                    ex.messages.append(m)
                    ex.timestamps.append(time.monotonic())
                    if on_message:
                        on_message(m)
        return ex

    parser = SSEParser()
    done = False
    try:
        for chunk in resp.iter_text():
            ex.raw += chunk
            for ev in parser.feed(chunk):
                ex.events.append(ev)
                if ev.has_data and ev.data.strip():
                    try:
                        m = json.loads(ev.data)
                    except ValueError as e:
                        ex.parse_errors.append(f"invalid JSON in SSE data: {e}: {ev.data[:200]!r}")
                        continue
                    ex.messages.append(m)
                    ex.timestamps.append(time.monotonic())
                    if on_message:
                        on_message(m)
                    if on_server_request and isinstance(m, dict) and "method" in m and "id" in m:
                        on_server_request(m)
                    if wait_for_id is not None and ex.response_for(wait_for_id) is not None:
                        done = True
                if stop_after and stop_after(ex):
                    done = True
                if len(ex.events) >= max_events:
                    done = True
            if done:
                break
            if time.monotonic() > deadline:
                ex.timed_out = True
                break
        else:
            if wait_for_id is not None and ex.response_for(wait_for_id) is None:
                ex.closed_early = True
    except httpx.ReadTimeout:
        ex.timed_out = True
    except (httpx.RemoteProtocolError, httpx.ReadError) as e:
        ex.closed_early = True
        ex.parse_errors.append(f"stream broken: {e!r}")
    return ex


# --------------------------------------------------------------------------------------------
# Headers / request bodies
# --------------------------------------------------------------------------------------------


def rpc(method: str, params: dict | None = None, id: Any = 1) -> dict:
    msg: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        msg["params"] = params
    return msg


def notification(method: str, params: dict | None = None) -> dict:
    msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        msg["params"] = params
    return msg


def initialize_params(version: str, caps: dict | None = None) -> dict:
    return {
        "protocolVersion": version,
        "capabilities": FULL_CLIENT_CAPS if caps is None else caps,
        "clientInfo": CLIENT_INFO,
    }


def legacy_headers(session_id: str | None = None, version: str | None = None, accept: str = JSON_AND_SSE) -> dict:
    h = {"Content-Type": "application/json", "Accept": accept}
    if session_id:
        h["Mcp-Session-Id"] = session_id
    if version and version != "2025-03-26":
        h["MCP-Protocol-Version"] = version
    return h


def modern_meta(caps: dict | None = None, version: str = MODERN_VERSION, client_info: bool = True, **extra) -> dict:
    meta: dict[str, Any] = {META_VERSION: version, META_CAPS: FULL_CLIENT_CAPS if caps is None else caps}
    if client_info:
        meta[META_INFO] = CLIENT_INFO
    meta.update(extra)
    return meta


def modern_params(params: dict | None = None, meta: dict | None = None) -> dict:
    p = dict(params or {})
    m = dict(meta if meta is not None else modern_meta())
    m.update(p.get("_meta", {}))
    p["_meta"] = m
    return p


NAMED_METHODS = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


def modern_headers(
    method: str, params: dict | None = None, version: str = MODERN_VERSION, accept: str = JSON_AND_SSE
) -> dict:
    h = {"Content-Type": "application/json", "Accept": accept, "MCP-Protocol-Version": version, "Mcp-Method": method}
    key = NAMED_METHODS.get(method)
    if key and params and key in params:
        h["Mcp-Name"] = str(params[key])
    return h


# --------------------------------------------------------------------------------------------
# Wire-schema validation
# --------------------------------------------------------------------------------------------

RESULT_DEF_BY_METHOD = {
    "initialize": "InitializeResult",
    "ping": "EmptyResult",
    "logging/setLevel": "EmptyResult",
    "resources/subscribe": "EmptyResult",
    "resources/unsubscribe": "EmptyResult",
    "tools/list": "ListToolsResult",
    "tools/call": "CallToolResult",
    "resources/list": "ListResourcesResult",
    "resources/templates/list": "ListResourceTemplatesResult",
    "resources/read": "ReadResourceResult",
    "prompts/list": "ListPromptsResult",
    "prompts/get": "GetPromptResult",
    "completion/complete": "CompleteResult",
    "server/discover": "DiscoverResult",
    "subscriptions/listen": "SubscriptionsListenResult",
}


class WireValidator:
    """Validate received JSON-RPC messages against schema/<version>/schema.json.

    Level 1: the envelope against JSONRPCMessage (+ batch definitions at 2025-03-26).
    Level 2: notifications and server->client requests against the definition whose
             `method` const matches; results against the result definition for the method
             of the request they answer (2026: InputRequiredResult accepted where allowed).
    """

    _cache: dict[str, "WireValidator"] = {}

    def __init__(self, version: str):
        from jsonschema import validators
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7, DRAFT202012

        self.version = version
        path = SCHEMA_DIR / version / "schema.json"
        self.schema = json.loads(path.read_text())
        self.defs_key = "$defs" if "$defs" in self.schema else "definitions"
        self.defs: dict[str, Any] = self.schema[self.defs_key]
        spec = DRAFT202012 if "2020-12" in self.schema.get("$schema", "") else DRAFT7
        self.root_uri = f"urn:mcp-schema:{version}"
        resource = Resource.from_contents(self.schema, default_specification=spec)
        self.registry = Registry().with_resource(self.root_uri, resource)
        # The spec's own dialect: 2025-03-26/06-18 declare draft-07, 2025-11-25+ Draft 2020-12.
        self.cls = validators.validator_for(self.schema)
        self._validators: dict[str, Any] = {}
        self.by_method: dict[str, str] = {}
        for name, d in self.defs.items():
            const = (d.get("properties", {}).get("method") or {}).get("const")
            if const and (name.endswith("Notification") or name.endswith("Request")):
                self.by_method.setdefault(const, name)

    @classmethod
    def for_version(cls, version: str) -> "WireValidator":
        if version not in cls._cache:
            cls._cache[version] = WireValidator(version)
        return cls._cache[version]

    def _v(self, name: str):
        if name not in self._validators:
            sub = {"$ref": f"{self.root_uri}#/{self.defs_key}/{name}"}
            self._validators[name] = self.cls(sub, registry=self.registry)
        return self._validators[name]

    def has(self, name: str) -> bool:
        return name in self.defs

    def errors_against(self, name: str, instance: Any) -> list[str]:
        out = []
        for e in sorted(self._v(name).iter_errors(instance), key=lambda e: list(e.path))[:5]:
            loc = "/".join(str(p) for p in e.absolute_path)
            out.append(f"{name}: at /{loc}: {e.message[:300]}")
        return out

    def validate(self, msg: Any, request_method: str | None = None) -> list[str]:
        """Return a list of schema violations (empty list = valid)."""
        if isinstance(msg, list):
            if self.version != "2025-03-26":
                return [f"batch array received at {self.version} (batches exist only in 2025-03-26)"]
            errs = self.errors_against("JSONRPCBatchResponse", msg) if self.has("JSONRPCBatchResponse") else []
            for m in msg:
                errs += self.validate(m, request_method)
            return errs
        if isinstance(msg, dict) and "error" in msg and "id" in msg and msg["id"] is None:
            # JSON-RPC 2.0 mandates `"id": null` when the request id could not be determined
            # (parse error / invalid request); the MCP schemas cannot express null ids, so the
            # rest of the envelope is validated with a placeholder id.
            msg = {**msg, "id": 0}
        errs = self.errors_against("JSONRPCMessage", msg)
        if errs or not isinstance(msg, dict):
            return errs
        if "method" in msg:
            name = self.by_method.get(msg["method"])
            if name:
                if "jsonrpc" in self.defs[name].get("properties", {}):
                    errs += self.errors_against(name, msg)
                else:  # 2025-03-26 / 06-18: definitions hold method+params only
                    errs += self.errors_against(name, {k: v for k, v in msg.items() if k in ("method", "params")})
            elif not msg["method"].startswith("notifications/") or "id" in msg:
                pass  # unknown / extension method: envelope check only
            return errs
        if "result" in msg and request_method:
            name = RESULT_DEF_BY_METHOD.get(request_method)
            if name and self.has(name):
                result = msg["result"]
                if (
                    isinstance(result, dict)
                    and result.get("resultType") == "input_required"
                    and self.has("InputRequiredResult")
                ):
                    name = "InputRequiredResult"
                errs += self.errors_against(name, result)
        return errs


# --------------------------------------------------------------------------------------------
# Small synchronous clients
# --------------------------------------------------------------------------------------------


def new_http_client(timeout: float = 15.0) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0), http2=False, trust_env=False)


def post(
    client: httpx.Client,
    url: str,
    body: Any,
    headers: dict,
    *,
    wait_for_id: Any = "__auto__",
    timeout: float = 15.0,
    on_server_request: ServerRequestHandler | None = None,
    raw_body: bytes | None = None,
    stop_after: Callable[[Exchange], bool] | None = None,
) -> Exchange:
    if wait_for_id == "__auto__":
        wait_for_id = body.get("id") if isinstance(body, dict) and "method" in body else None
    content = raw_body if raw_body is not None else json.dumps(body).encode()
    with client.stream("POST", url, content=content, headers=headers, timeout=timeout) as resp:
        return read_exchange(
            resp,
            wait_for_id=wait_for_id,
            deadline=time.monotonic() + timeout,
            on_server_request=on_server_request,
            stop_after=stop_after,
        )


class LegacySession:
    """A hand-rolled stateful (initialize + Mcp-Session-Id) session over httpx."""

    def __init__(self, url: str, version: str, client: httpx.Client | None = None, caps: dict | None = None):
        self.url = url
        self.requested_version = version
        self.version = version
        self.client = client or new_http_client()
        self.session_id: str | None = None
        self.caps = caps
        self.init_exchange: Exchange | None = None
        self.initialized_status: int | None = None
        self._next_id = 100
        self.answered_requests: list[dict] = []
        self.responders: dict[str, Callable[[dict], dict]] = {}

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def initialize(self, send_initialized: bool = True) -> Exchange:
        body = rpc("initialize", initialize_params(self.requested_version, self.caps), id=1)
        ex = post(self.client, self.url, body, legacy_headers())
        self.init_exchange = ex
        self.session_id = ex.headers.get("mcp-session-id")
        resp = ex.response_for(1)
        if resp and "result" in resp:
            self.version = resp["result"].get("protocolVersion", self.version)
        if send_initialized and resp and "result" in resp:
            n = post(self.client, self.url, notification("notifications/initialized"), self.headers())
            self.initialized_status = n.status
        return ex

    def headers(self, accept: str = JSON_AND_SSE) -> dict:
        return legacy_headers(self.session_id, self.version, accept)

    def _answer(self, req: dict) -> None:
        responder = self.responders.get(req.get("method", ""))
        if responder is None:
            reply = {"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32601, "message": "not supported"}}
        else:
            reply = {"jsonrpc": "2.0", "id": req["id"], "result": responder(req)}
        self.answered_requests.append(req)
        # Post the answer on its own connection (the original stream stays open).
        with new_http_client() as c:
            r = c.post(self.url, content=json.dumps(reply).encode(), headers=self.headers())
            req["_answer_status"] = r.status_code

    def request(self, method: str, params: dict | None = None, id: Any = None, timeout: float = 15.0, **kw) -> tuple[Exchange, dict | None]:
        rid = self.next_id() if id is None else id
        ex = post(self.client, self.url, rpc(method, params, rid), self.headers(), timeout=timeout,
                  on_server_request=self._answer, **kw)
        return ex, ex.response_for(rid)

    def delete(self) -> int | None:
        if not self.session_id:
            return None
        try:
            r = self.client.delete(self.url, headers=self.headers())
            return r.status_code
        except httpx.HTTPError:
            return None

    def close(self) -> None:
        self.client.close()


def modern_request(
    client: httpx.Client,
    url: str,
    method: str,
    params: dict | None = None,
    id: Any = 1,
    *,
    meta: dict | None = None,
    headers: dict | None = None,
    timeout: float = 15.0,
    **kw,
) -> tuple[Exchange, dict | None]:
    p = modern_params(params, meta)
    h = modern_headers(method, p)
    if headers:
        for k, v in headers.items():
            # replace case-insensitively
            for existing in [e for e in h if e.lower() == k.lower()]:
                del h[existing]
            if v is not None:
                h[k] = v
    ex = post(client, url, rpc(method, p, id), h, timeout=timeout, **kw)
    return ex, ex.response_for(id)


def iter_text_content(result: dict) -> Iterator[str]:
    for c in result.get("content", []) or []:
        if isinstance(c, dict) and c.get("type") == "text":
            yield c.get("text", "")


def exact_post(url: str, headers: list[tuple[str, str]], body: bytes, timeout: float = 15.0) -> Exchange:
    """POST with header names/values sent byte-for-byte (http.client keeps case and OWS that
    httpx would normalise or refuse). Reads the whole body (JSON or a finite SSE stream)."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        target = (u.path or "/") + (f"?{u.query}" if u.query else "")
        conn.putrequest("POST", target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", u.netloc)
        for k, v in headers:
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        raw = r.read().decode("utf-8", errors="replace")
        hdrs = httpx.Headers([(k, v) for k, v in r.getheaders()])
    finally:
        conn.close()
    ex = Exchange(status=r.status, headers=hdrs, content_type=_ctype(hdrs), raw=raw)
    if ex.is_sse:
        for ev in SSEParser().feed(raw + "\n\n"):
            ex.events.append(ev)
            if ev.data.strip():
                try:
                    ex.messages.append(json.loads(ev.data))
                except ValueError as e:
                    ex.parse_errors.append(str(e))
    elif raw.strip():
        try:
            doc = json.loads(raw)
            ex.messages.extend(doc if isinstance(doc, list) else [doc])
        except ValueError as e:
            ex.parse_errors.append(str(e))
    return ex


def oversized_post(url: str, headers: dict, body: bytes, chunked: bool = False, timeout: float = 20.0) -> int | None:
    """Send a large POST over a raw socket, stopping as soon as the server answers (a server may
    reply 413 and close before the body is fully sent). Returns the HTTP status, or None if the
    connection closed without any status line."""
    import select
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(url)
    deadline = time.monotonic() + timeout
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    try:
        lines = [f"POST {u.path} HTTP/1.1", f"Host: {u.netloc}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}")
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        # Frame the whole body up front, then send it without ever blocking: a server that
        # answers 413 early may stop reading, and a blocking send would wait on it forever.
        if chunked:
            framed = bytearray()
            for start in range(0, len(body), 64 * 1024):
                piece = body[start : start + 64 * 1024]
                framed += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
            framed += b"0\r\n\r\n"
            view = memoryview(bytes(framed))
        else:
            view = memoryview(body)
        pos = 0
        answer = b""
        s.setblocking(False)
        while time.monotonic() < deadline:
            want_write = [s] if pos < len(view) else []
            r, w, _ = select.select([s], want_write, [], max(0.0, deadline - time.monotonic()))
            if r:
                break
            if w:
                try:
                    pos += s.send(view[pos : pos + 64 * 1024])
                except BlockingIOError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    break
        s.setblocking(True)
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            while b"\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        m = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
        return int(m.group(1)) if m else None
    finally:
        s.close()


# --------------------------------------------------------------------------------------------
# Server configuration files
# --------------------------------------------------------------------------------------------


def write_config(path: Path, doc: dict) -> Path:
    """Write `doc` as a portico.yaml (YAML) and return its path."""
    import yaml

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def request_state_keys(*pairs: tuple[str, bytes]) -> list[str]:
    """`request_state.keys` entries: base64 of 32-byte keys, first seals, all open.

    The names in `pairs` only label keys for the test's readability; the server identifies
    a key by a fingerprint of its bytes.
    """
    import base64

    return [base64.b64encode(secret).decode() for _, secret in pairs]


# --------------------------------------------------------------------------------------------
# RawStream: one request on its own socket, answer read incrementally, droppable
# --------------------------------------------------------------------------------------------

EVENT_ID_RE = re.compile(r"^(\d+)-(\d+)$")


def parse_event_id(event_id: str | None) -> tuple[int, int] | None:
    """`<stream>-<seq>` -> (stream, seq); None if the id does not have that shape."""
    if event_id is None:
        return None
    m = EVENT_ID_RE.match(event_id)
    return (int(m.group(1)), int(m.group(2))) if m else None


def is_keepalive(comment: str) -> bool:
    """An SSE comment line `: keepalive` (the parser keeps the text after the colon)."""
    return comment.strip() == "keepalive"


class RawStream:
    """One HTTP/1.1 request on its own TCP socket; the answer is read incrementally.

    Nothing is read in the background: `wait_for` / `read_all` pull bytes until a predicate
    holds, the response ends, or a deadline passes. `drop()` closes the socket abruptly,
    which is what a client losing its connection looks like to the server. Decodes chunked,
    Content-Length and close-delimited bodies; SSE bodies go through SSEParser (comment lines
    are kept with their arrival time in `comments`).
    """

    def __init__(self, url: str, method: str = "POST", headers: dict | None = None, body: Any = None,
                 connect_timeout: float = 5.0, head_timeout: float = 10.0, read_head: bool = True):
        u = urlsplit(url)
        self.url = url
        self.method = method
        if isinstance(body, (dict, list)):
            payload = json.dumps(body).encode()
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = body or b""
        self.request_body = payload
        self.sock = socket.create_connection((u.hostname, u.port), timeout=connect_timeout)
        target = (u.path or "/") + (f"?{u.query}" if u.query else "")
        lines = [f"{method} {target} HTTP/1.1", f"Host: {u.netloc}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items() if v is not None]
        if method not in ("GET", "HEAD", "DELETE") or payload:
            lines.append(f"Content-Length: {len(payload)}")
        self.t0 = time.monotonic()
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        self.status: int | None = None
        self.headers: httpx.Headers = httpx.Headers()
        self.content_type = ""
        self.parser = SSEParser()
        self.events: list[SSEEvent] = []
        self.event_times: list[float] = []
        self.messages: list[Any] = []
        self.comments: list[tuple[float, str]] = []
        self.parse_errors: list[str] = []
        self.body_text = ""
        self.ended = False  # the server finished the HTTP response (or closed the connection)
        self.broken = False  # the connection failed mid-body (reset / EOF inside a chunked body)
        self.dropped = False  # we closed it
        self._buf = b""
        self._chunked = False
        self._remaining: int | None = None
        self._close_delimited = False
        self._chunk_left = 0
        self._chunk_state = "size"
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        if read_head:
            self.read_head(head_timeout)

    # ---- low level
    def _recv(self, deadline: float) -> bytes | None:
        """b'' on EOF/reset, None on timeout."""
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        self.sock.settimeout(left)
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            return None
        except OSError:
            self.broken = True
            return b""

    def read_head(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self._buf:
            chunk = self._recv(deadline)
            if chunk is None:
                raise TimeoutError(f"{self.method} {self.url}: no response head within {timeout}s")
            if not chunk:
                raise ConnectionError(f"{self.method} {self.url}: connection closed before a response head "
                                      f"({self._buf[:200]!r})")
            self._buf += chunk
        head, rest = self._buf.split(b"\r\n\r\n", 1)
        self._buf = b""
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        pairs = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            pairs.append((k.strip(), v.strip()))
        self.headers = httpx.Headers(pairs)
        self.content_type = self.headers.get("content-type", "").split(";")[0].strip().lower()
        self._chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        cl = self.headers.get("content-length")
        if not self._chunked and cl is not None:
            self._remaining = int(cl)
            if self._remaining == 0:
                self.ended = True
        elif not self._chunked:
            self._close_delimited = True
        if self.status in (204, 304) or self.method == "HEAD":
            self.ended = True
        if rest:
            self._feed(rest)
        return self.status

    def _feed(self, data: bytes) -> None:
        if self.ended:
            return
        if self._chunked:
            self._buf += data
            while not self.ended:
                if self._chunk_state == "size":
                    i = self._buf.find(b"\r\n")
                    if i < 0:
                        return
                    size = int(self._buf[:i].split(b";")[0].strip() or b"0", 16)
                    self._buf = self._buf[i + 2:]
                    if size == 0:
                        self.ended = True
                        self._body(b"", final=True)
                        return
                    self._chunk_left, self._chunk_state = size, "data"
                elif self._chunk_state == "data":
                    if not self._buf:
                        return
                    piece = self._buf[: self._chunk_left]
                    self._buf = self._buf[len(piece):]
                    self._chunk_left -= len(piece)
                    self._body(piece)
                    if self._chunk_left == 0:
                        self._chunk_state = "crlf"
                else:  # crlf after the chunk data
                    if len(self._buf) < 2:
                        return
                    self._buf = self._buf[2:]
                    self._chunk_state = "size"
        elif self._remaining is not None:
            piece = data[: self._remaining]
            self._remaining -= len(piece)
            self._body(piece, final=self._remaining == 0)
            if self._remaining == 0:
                self.ended = True
        else:
            self._body(data)

    def _body(self, data: bytes, final: bool = False) -> None:
        text = self._decoder.decode(data, final=final)
        if not text:
            if final:
                self._finish_json()
            return
        self.body_text += text
        if self.is_sse:
            n_comments = len(self.parser.comments)
            now = time.monotonic()
            for ev in self.parser.feed(text):
                self.events.append(ev)
                self.event_times.append(now)
                if ev.has_data and ev.data.strip() and ev.event in (None, "message"):
                    try:
                        self.messages.append(json.loads(ev.data))
                    except ValueError as e:
                        self.parse_errors.append(f"invalid JSON in SSE data: {e}: {ev.data[:200]!r}")
            for c in self.parser.comments[n_comments:]:
                self.comments.append((now, c))
        if final:
            self._finish_json()

    def _finish_json(self) -> None:
        if self.is_json and self.body_text.strip() and not self.messages:
            try:
                doc = json.loads(self.body_text)
            except ValueError as e:
                self.parse_errors.append(f"invalid JSON body: {e}")
            else:
                self.messages.extend(doc if isinstance(doc, list) else [doc])

    # ---- reading
    def pump(self, deadline: float) -> bool:
        """Read once (up to `deadline`); False when the response ended or nothing came in time."""
        if self.ended or self.dropped:
            return False
        chunk = self._recv(deadline)
        if chunk is None:
            return False
        if not chunk:
            if not self._close_delimited and not self.ended:
                self.broken = True
            self.ended = True
            self._body(b"", final=True)
            return False
        self._feed(chunk)
        return True

    def wait_for(self, pred: Callable[["RawStream"], bool], timeout: float) -> bool:
        """Read until pred(self) holds (True), or the response ends / `timeout` passes (pred's value)."""
        deadline = time.monotonic() + timeout
        while True:
            if pred(self):
                return True
            if self.ended or self.dropped or time.monotonic() >= deadline:
                return pred(self)
            self.pump(deadline)

    def read_all(self, timeout: float) -> bool:
        """Read until the response ends; True if it ended within `timeout`."""
        self.wait_for(lambda s: s.ended, timeout)
        return self.ended

    def wait_for_response(self, rid: Any, timeout: float) -> dict | None:
        self.wait_for(lambda s: s.response_for(rid) is not None, timeout)
        return self.response_for(rid)

    def drop(self, reset: bool = False) -> None:
        """Close the socket mid-response (the client 'loses' the connection); reset=True sends an RST."""
        if not self.dropped:
            self.dropped = True
            if reset:
                try:
                    import struct

                    self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
            try:
                self.sock.close()
            except OSError:
                pass

    close = drop

    def __enter__(self) -> "RawStream":
        return self

    def __exit__(self, *exc) -> None:
        self.drop()

    # ---- views
    @property
    def is_sse(self) -> bool:
        return self.content_type.startswith("text/event-stream")

    @property
    def is_json(self) -> bool:
        return self.content_type.startswith("application/json")

    def response_for(self, rid: Any) -> dict | None:
        for m in self.messages:
            if isinstance(m, dict) and "id" in m and m["id"] == rid and type(m["id"]) is type(rid) \
                    and ("result" in m or "error" in m):
                return m
        return None

    def responses_for(self, rid: Any) -> list[dict]:
        return [m for m in self.messages if isinstance(m, dict) and "id" in m and m["id"] == rid
                and type(m["id"]) is type(rid) and ("result" in m or "error" in m)]

    @property
    def notifications(self) -> list[dict]:
        return [m for m in self.messages if isinstance(m, dict) and "method" in m and "id" not in m]

    def methods(self) -> list[str]:
        return [m.get("method") for m in self.messages if isinstance(m, dict) and "method" in m]

    @property
    def keepalives(self) -> list[float]:
        """Arrival times of `: keepalive` comment lines."""
        return [t for t, c in self.comments if is_keepalive(c)]

    @property
    def message_events(self) -> list[SSEEvent]:
        return [e for e in self.events if e.has_data and e.data.strip()]

    def error(self) -> dict | None:
        """The JSON-RPC error object of a (single) error answer, if any."""
        for m in self.messages:
            if isinstance(m, dict) and isinstance(m.get("error"), dict):
                return m["error"]
        return None

    def to_exchange(self) -> Exchange:
        ex = Exchange(status=self.status or 0, headers=self.headers, content_type=self.content_type,
                      raw=self.body_text, messages=list(self.messages), events=list(self.events),
                      parse_errors=list(self.parse_errors))
        ex.closed_early = self.broken
        return ex


def legacy_get_headers(session: "LegacySession", last_event_id: str | None = None) -> dict:
    h = session.headers(accept="text/event-stream")
    h.pop("Content-Type", None)
    if last_event_id is not None:
        h["Last-Event-ID"] = last_event_id
    return h


def open_legacy_get(session: "LegacySession", last_event_id: str | None = None, timeout: float = 10.0) -> RawStream:
    """GET the MCP endpoint for `session` (standalone stream, or a resume with Last-Event-ID)."""
    return RawStream(session.url, "GET", legacy_get_headers(session, last_event_id), head_timeout=timeout)


def resume_legacy_stream(session: "LegacySession", last_event_id: str, *, attempts: int = 30, delay: float = 0.1,
                         timeout: float = 10.0) -> tuple[RawStream, int]:
    """GET + Last-Event-ID right after a client-side drop. A 409 means the server has not noticed
    the dropped connection yet ("being read by another connection"); like a real client honouring
    `retry:`, try again after `delay`, at most `attempts` times. Returns (stream, number of 409s)."""
    conflicts = 0
    rs = open_legacy_get(session, last_event_id, timeout)
    while rs.status == 409 and conflicts < attempts:
        conflicts += 1
        rs.read_all(2)
        rs.drop()
        time.sleep(delay)  # bounded retry of an observable refusal (the server's view of the old connection)
        rs = open_legacy_get(session, last_event_id, timeout)
    return rs, conflicts


def open_legacy_post(session: "LegacySession", body: dict, accept: str = JSON_AND_SSE, timeout: float = 10.0) -> RawStream:
    return RawStream(session.url, "POST", session.headers(accept=accept), body, head_timeout=timeout)


def listen_params(notifications: Any, meta: dict | None = None, **extra) -> dict:
    p = {"notifications": notifications} if notifications is not ... else {}
    p.update(extra)
    return modern_params(p, meta)


def open_listen(url: str, notifications: Any, rid: Any = 1, *, meta: dict | None = None,
                accept: str = JSON_AND_SSE, timeout: float = 10.0, **extra) -> RawStream:
    """POST subscriptions/listen (2026-07-28); pass notifications=... to omit the field."""
    p = listen_params(notifications, meta, **extra)
    return RawStream(url, "POST", modern_headers("subscriptions/listen", p, accept=accept),
                     rpc("subscriptions/listen", p, rid), head_timeout=timeout)


def modern_tool_call(url: str, name: str, arguments: dict | None = None, rid: Any = 1, *,
                     meta: dict | None = None, timeout: float = 15.0, **params) -> tuple[Exchange, dict | None]:
    """One stateless tools/call on a fresh connection."""
    with new_http_client(timeout) as c:
        return modern_request(c, url, "tools/call", {"name": name, "arguments": arguments or {}, **params}, rid,
                              meta=meta, timeout=timeout)


def subscription_id_of(msg: dict) -> Any:
    params = msg.get("params") if "method" in msg else msg.get("result")
    return ((params or {}).get("_meta") or {}).get(META_SUBSCRIPTION_ID, "__missing__")


# --------------------------------------------------------------------------------------------
# Canned client answers (MRTR inputResponses and legacy server->client requests)
# --------------------------------------------------------------------------------------------

SAMPLING_TEXT = "This is a test response from the client"
ROOTS_ANSWER = {"roots": [{"uri": "file:///test/root", "name": "Test Root"}]}
ELICIT_VALUES = {"name": "Alice", "username": "testuser", "email": "test@example.com", "color": "blue",
                 "context": "test context", "ok": True}


def sampling_answer(text: str = SAMPLING_TEXT) -> dict:
    return {"role": "assistant", "content": {"type": "text", "text": text}, "model": "test-model",
            "stopReason": "endTurn"}


def elicit_answer_for(params: dict | None) -> dict:
    """accept + content filled from requestedSchema (known names get fixed values, else by type)."""
    props = ((params or {}).get("requestedSchema") or {}).get("properties") or {}
    content: dict[str, Any] = {}
    for name, schema in props.items():
        if name in ELICIT_VALUES:
            content[name] = ELICIT_VALUES[name]
            continue
        typ = (schema or {}).get("type")
        if "default" in (schema or {}):
            content[name] = schema["default"]
        elif (schema or {}).get("enum"):
            content[name] = schema["enum"][0]
        elif typ == "boolean":
            content[name] = True
        elif typ in ("number", "integer"):
            content[name] = 1
        elif typ == "array":
            content[name] = []
        else:
            content[name] = "test"
    return {"action": "accept", "content": content}


def answer_for(method: str, params: dict | None = None) -> dict:
    """The canned client result for a server->client request / an InputRequest."""
    if method == "elicitation/create":
        return elicit_answer_for(params)
    if method == "sampling/createMessage":
        return sampling_answer()
    if method == "roots/list":
        return ROOTS_ANSWER
    if method == "ping":
        return {}
    raise ValueError(f"no canned answer for {method}")


def input_responses_for(input_requests: dict) -> dict:
    """inputResponses answering every entry of an InputRequiredResult's inputRequests."""
    return {k: answer_for(r.get("method", ""), r.get("params")) for k, r in (input_requests or {}).items()}
