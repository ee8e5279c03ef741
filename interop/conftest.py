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

from mcpwire import ServerProcess, ServerStartError, new_http_client  # noqa: E402

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


@pytest.fixture
def http():
    with new_http_client() as c:
        yield c


@pytest.fixture
def anyio_backend():
    return "asyncio"
