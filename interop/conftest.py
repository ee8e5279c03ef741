"""pytest fixtures: a live `portico serve` per test module (demo pack and conformance fixture).

PORTICO_BIN selects the binary (default /work/main/.build/release/portico). The server is
started on 127.0.0.1 with `--port 0`; its URL is read from the single `listening ...` stdout
line under a deadline; on teardown it gets SIGTERM and must exit within 10 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mcpwire import ServerProcess, ServerStartError, log_tail, new_http_client, write_config  # noqa: E402

LOG_DIR = Path(__file__).resolve().parent / ".logs"


def _serve(request: pytest.FixtureRequest, extra_args: list[str]):
    LOG_DIR.mkdir(exist_ok=True)
    name = request.module.__name__.rsplit(".", 1)[-1]
    tag = "-".join(a.strip("-") for a in extra_args) or "demo"
    proc = ServerProcess(extra_args=extra_args, log_path=LOG_DIR / f"{name}-{tag}.stderr.log")
    try:
        url = proc.start()
    except ServerStartError as e:
        pytest.fail(f"could not start the server: {e}", pytrace=False)
    yield proc
    rc, took = proc.stop(timeout=10.0)
    assert rc is not None, f"server did not exit within 10 s of SIGTERM (killed after {took:.1f}s)"
    assert not proc.extra_stdout, f"server printed more than the one URL line on stdout: {proc.extra_stdout[:5]}"


@pytest.fixture(scope="module")
def portico(request):
    """A running `portico serve` (demo pack); yields the ServerProcess (use .url)."""
    yield from _serve(request, [])


@pytest.fixture(scope="module")
def portico_url(portico) -> str:
    return portico.url


@pytest.fixture(scope="module")
def portico_conformance(request):
    """A running `portico serve --fixture conformance`; yields the ServerProcess."""
    yield from _serve(request, ["--fixture", "conformance"])


@pytest.fixture(scope="module")
def conformance_url(portico_conformance) -> str:
    return portico_conformance.url


class ServerPool:
    """Starts `portico serve [--config FILE] [extra args]` on demand; stops them all at teardown.

    `get(name, config, *args)` reuses the server already started under `name` (module-scoped
    pools share servers between tests); `start(...)` always starts a new one (the test may stop
    it itself, e.g. to send SIGTERM). The config dict is written to a YAML file in a tmp dir.
    """

    def __init__(self, request: pytest.FixtureRequest, tmp_dir: Path):
        self.request = request
        self.tmp_dir = tmp_dir
        self.by_name: dict[str, ServerProcess] = {}
        self.all: list[ServerProcess] = []

    def start(self, name: str, config: dict | None = None, *args: str) -> ServerProcess:
        LOG_DIR.mkdir(exist_ok=True)
        module = self.request.module.__name__.rsplit(".", 1)[-1]
        extra = list(args)
        if config is not None:
            path = write_config(self.tmp_dir / f"{name}-{len(self.all)}.yaml", config)
            extra = ["--config", str(path), *extra]
        proc = ServerProcess(extra_args=extra, log_path=LOG_DIR / f"{module}-{name}.stderr.log")
        self.all.append(proc)
        try:
            proc.start()
        except ServerStartError as e:
            try:
                stderr = proc.log_path.read_text(errors="replace")[-600:].strip()
            except OSError:
                stderr = ""
            pytest.fail(f"could not start the server ({name}, config={config}, args={list(args)}): {e}"
                        f"\nserver stderr: {stderr}", pytrace=False)
        return proc

    def get(self, name: str, config: dict | None = None, *args: str) -> ServerProcess:
        if name not in self.by_name:
            self.by_name[name] = self.start(name, config, *args)
        return self.by_name[name]

    def stop_all(self) -> list[str]:
        problems = []
        for proc in self.all:
            if proc.proc is None:
                continue
            already = proc.proc.poll() is not None
            rc, took = proc.stop(timeout=10.0)
            if rc is None and not already:
                problems.append(f"{proc.extra_args}: did not exit within 10 s of SIGTERM (killed after {took:.1f}s)")
            if proc.extra_stdout:
                problems.append(f"{proc.extra_args}: printed more than the URL line: {proc.extra_stdout[:3]}")
        return problems


@pytest.fixture(scope="module")
def server_pool(request, tmp_path_factory):
    """Module-scoped ServerPool (configured servers shared by the tests of one module)."""
    pool = ServerPool(request, tmp_path_factory.mktemp("portico-config"))
    yield pool
    problems = pool.stop_all()
    assert not problems, problems


@pytest.fixture
def fresh_servers(request, tmp_path):
    """Function-scoped ServerPool for servers a single test owns (and may stop itself)."""
    pool = ServerPool(request, tmp_path)
    yield pool
    problems = pool.stop_all()
    assert not problems, problems


@pytest.fixture
def http():
    with new_http_client() as c:
        yield c


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def servers_stay_up(server_pool):
    """After the test, every server of the module's pool must still be running (a dead one is a
    Portico crash). Modules opt in with `pytestmark = pytest.mark.usefixtures("servers_stay_up")`."""
    yield
    dead = [(p.extra_args, p.proc.returncode, log_tail(p, 800)) for p in server_pool.all
            if p.proc is not None and p.proc.poll() is not None]
    assert not dead, f"a module server exited during the test (args, returncode, stderr tail): {dead}"
