"""Helpers for the edge tests: a `portico up` stack, `portico edge ...` runs, free ports, certs.

Everything runs a real nginx (Debian's, installed by `make test`) on loopback ports.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mcpwire import modern_headers, modern_params, portico_bin, rpc, write_config


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not found:
        raise RuntimeError("nginx is not installed; `make test` installs it with apt-get install -y nginx")
    return found


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def run_portico(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    return subprocess.run([portico_bin(), *args], capture_output=True, text=True, timeout=timeout)


def make_certificate(directory: Path, name: str = "localhost", days: int = 30) -> tuple[Path, Path]:
    """A self-signed P-256 certificate made with the openssl CLI (an independent maker)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    args = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
            "-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1", "-days", str(days)]
    subprocess.run(args, check=True, capture_output=True, timeout=30)
    return cert, key


def status_get(status_port: int, path: str) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{status_port}{path}", timeout=5, trust_env=False)


def served_revision(status_port: int) -> str:
    return status_get(status_port, "/_portico/edge-revision").text.strip()


def installed_revision(conf: Path) -> str | None:
    for line in conf.read_text().splitlines()[:5]:
        if line.startswith("# portico-revision: "):
            return line.split(": ", 1)[1]
    return None


def tool_call_body(name: str, arguments: dict, rid=1, progress: str | None = None) -> tuple[dict, dict]:
    params = {"name": name, "arguments": arguments}
    if progress is not None:
        params["_meta"] = {"progressToken": progress}
    p = modern_params(params)
    return rpc("tools/call", p, rid), modern_headers("tools/call", p)


def timed_tool_call(client: httpx.Client, url: str, name: str, arguments: dict, progress: str = "p1", deadline: float = 30.0,
                    on_message=None):
    """POSTs a modern tools/call and returns (status, [(arrival_seconds, message)]); `on_message`
    is called with each SSE message as it arrives."""
    body, headers = tool_call_body(name, arguments, progress=progress)
    messages: list[tuple[float, dict]] = []
    t0 = time.monotonic()
    with client.stream("POST", url, json=body, headers=headers, timeout=deadline) as response:
        data: list[str] = []
        for line in response.iter_lines():
            if line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif line == "" and data:
                messages.append((time.monotonic() - t0, json.loads("\n".join(data))))
                data = []
                if on_message:
                    on_message(messages[-1][1])
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            messages.append((time.monotonic() - t0, json.loads(response.read() or b"{}")))
        return response.status_code, messages


class BackgroundCall:
    """A `timed_tool_call` through a stack on its own thread, for changing the stack mid-stream."""

    def __init__(self, stack: "Stack", name: str, arguments: dict):
        self.streaming = threading.Event()
        self.value: tuple[int, list] | None = None
        self.thread = threading.Thread(target=self._run, args=(stack, name, arguments), daemon=True)
        self.thread.start()

    def _run(self, stack: "Stack", name: str, arguments: dict) -> None:
        with stack.client() as http:
            self.value = timed_tool_call(http, stack.https_url, name, arguments, on_message=lambda _: self.streaming.set())
        self.streaming.set()

    def wait_streaming(self, timeout: float = 15.0) -> None:
        """Returns once the first event arrived: the stream is open through nginx."""
        assert self.streaming.wait(timeout), "the call did not start streaming"

    def result(self, timeout: float = 30.0) -> tuple[int, list]:
        self.thread.join(timeout)
        assert self.value is not None, "the call did not finish"
        return self.value


@dataclass
class Stack:
    """`portico up` with its own state dir and ports; stdout gives the app and edge URLs."""

    state: Path
    config: dict = field(default_factory=dict)
    log_path: Path | None = None
    https_port: int = 0
    http_port: int = 0
    status_port: int = 0
    metrics_port: int = 0
    app_url: str = ""
    edge_url: str = ""
    proc: subprocess.Popen | None = None
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def start(self, timeout: float = 60.0) -> "Stack":
        # A metrics port of its own too: stacks run side by side and 9464 is everyone's default.
        self.https_port, self.http_port, self.status_port, self.metrics_port = free_ports(4)
        self.state.mkdir(parents=True, exist_ok=True)
        self.config_path = write_config(self.state.parent / f"{self.state.name}.yaml", self.config)
        cmd = [portico_bin(), "up", "--config", str(self.config_path), "--state-dir", str(self.state),
               "--https-port", str(self.https_port), "--http-port", str(self.http_port),
               "--status-port", str(self.status_port), "--address", "127.0.0.1",
               "--metrics-port", str(self.metrics_port)]
        stderr = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL)
        if self.log_path:
            stderr.close()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.app_url = self.wait_line("listening ", timeout).split(" ", 1)[1]
        self.edge_url = self.wait_line("edge ", timeout).split(" ", 1)[1]
        return self

    def _read(self) -> None:
        assert self.proc and self.proc.stdout
        for raw in self.proc.stdout:
            with self._cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_line(self, prefix: str, timeout: float = 30.0, after: int = 0) -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[after:]:
                    if line.startswith(prefix):
                        return line
                if self.proc and self.proc.poll() is not None:
                    raise RuntimeError(f"portico up exited (rc={self.proc.returncode}) before printing {prefix!r}; see {self.log_path}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {prefix!r} line within {timeout}s; got {self.lines}")
                self._cond.wait(left)

    @property
    def prefix(self) -> Path:
        return self.state / "nginx"

    @property
    def dev_cert(self) -> Path:
        return self.state / "tls" / "dev-cert.pem"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/mcp"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/mcp"

    @property
    def app_port(self) -> int:
        return int(self.app_url.rsplit(":", 1)[1].split("/", 1)[0])

    def client(self, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(verify=ssl.create_default_context(cafile=str(self.dev_cert)), timeout=httpx.Timeout(timeout, connect=5.0), trust_env=False)

    def master_pid(self) -> int | None:
        try:
            pid = int((self.prefix / "logs" / "nginx.pid").read_text().strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def access_log(self) -> list[dict]:
        path = self.prefix / "logs" / "portico.access.json"
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []

    def edge_config(self, **edge) -> dict:
        """This stack's config with its ports and dev certificate, plus `edge` overrides (for `edge apply`)."""
        merged = json.loads(json.dumps(self.config))
        section = merged.setdefault("edge", {})
        section.update({"https_port": self.https_port, "http_port": self.http_port, "status_port": self.status_port,
                        "address": "127.0.0.1"})
        section.setdefault("tls", {}).update({"certificate": str(self.dev_cert), "certificate_key": str(self.state / "tls" / "dev-key.pem")})
        for key, value in edge.items():
            section[key] = value
        return merged

    def apply(self, config: dict, *extra: str, name: str = "apply") -> subprocess.CompletedProcess:
        path = write_config(self.state.parent / f"{self.state.name}-{name}.yaml", config)
        return run_portico("edge", "apply", "--config", str(path), "--prefix", str(self.prefix),
                           "--upstream", f"127.0.0.1:{self.app_port}", *extra)

    def stop(self, timeout: float = 30.0) -> int | None:
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
            return None
        finally:
            pid = self.master_pid()
            if pid:
                os.kill(pid, signal.SIGKILL)
