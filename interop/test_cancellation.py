"""Cancellation semantics per era, observed through the conformance fixture's probe.

`test_wait_for_cancel` reports progress 0 (so the client knows the call started), then waits;
`test://cancellations` counts how such calls ended: {"cancelled": n, "completed": n}.

- 2026-07-28: closing the response stream IS cancellation (transports §Cancellation).
- 2025-03-26 … 2025-11-25: `notifications/cancelled` cancels; a dropped connection does NOT
  (transports: "disconnection SHOULD NOT be interpreted as the client cancelling").
"""

from __future__ import annotations

import json
import re
import socket
import time
from urllib.parse import urlsplit

import pytest

from mcpwire import LegacySession, modern_headers, modern_params, new_http_client, notification, post, rpc

PROBE_URI = "test://cancellations"


def read_probe(url: str) -> dict:
    params = modern_params({"uri": PROBE_URI})
    with new_http_client() as client:
        ex = post(client, url, rpc("resources/read", params, 1), modern_headers("resources/read", params))
    response = ex.response_for(1)
    assert response and "result" in response, ex.raw
    return json.loads(response["result"]["contents"][0]["text"])


def wait_for_probe(url: str, key: str, above: int, deadline_s: float = 5.0) -> dict:
    deadline = time.monotonic() + deadline_s
    while True:
        probe = read_probe(url)
        if probe[key] > above or time.monotonic() > deadline:
            return probe
        time.sleep(0.05)  # polling an observable counter with a deadline, not synchronising on time


def start_call_and_wait_for_first_event(url: str, headers: dict, body: dict) -> socket.socket:
    """Sends the POST on a raw socket and returns once the first SSE event arrived."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    payload = json.dumps(body).encode()
    lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(payload)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
    received = b""
    deadline = time.monotonic() + 10
    while not re.search(rb"data: [^\n]*\n\n", received):
        assert time.monotonic() < deadline, f"no SSE event: {received!r}"
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before the first event: {received!r}"
        received += chunk
    assert b"text/event-stream" in received.split(b"\r\n\r\n", 1)[0], received
    return sock


def test_modern_client_closing_the_stream_cancels_the_call(conformance_url):
    before = read_probe(conformance_url)
    params = modern_params({"name": "test_wait_for_cancel", "arguments": {}, "_meta": {"progressToken": "c1"}})
    sock = start_call_and_wait_for_first_event(
        conformance_url, modern_headers("tools/call", params), rpc("tools/call", params, 11))
    sock.close()
    after = wait_for_probe(conformance_url, "cancelled", before["cancelled"])
    assert after["cancelled"] == before["cancelled"] + 1, (before, after)


def test_legacy_notifications_cancelled_cancels_the_call(conformance_url):
    session = LegacySession(conformance_url, "2025-11-25")
    try:
        session.initialize()
        before = read_probe(conformance_url)
        body = rpc("tools/call", {"name": "test_wait_for_cancel", "arguments": {}, "_meta": {"progressToken": "c2"}}, 21)
        sock = start_call_and_wait_for_first_event(conformance_url, session.headers(), body)
        with new_http_client() as client:
            cancel = client.post(conformance_url, content=json.dumps(
                notification("notifications/cancelled", {"requestId": 21, "reason": "test"})).encode(), headers=session.headers())
        assert cancel.status_code == 202
        after = wait_for_probe(conformance_url, "cancelled", before["cancelled"])
        assert after["cancelled"] == before["cancelled"] + 1, (before, after)
        # The cancelled request gets no response: its stream ends without a result for id 21.
        sock.settimeout(5)
        rest = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk or rest.endswith(b"0\r\n\r\n") or b"0\r\n\r\n" in chunk:
                rest += chunk
                break
            rest += chunk
        assert b'"id":21' not in rest, rest
        sock.close()
    finally:
        session.delete()
        session.close()


def test_legacy_disconnect_does_not_cancel_the_call(conformance_url):
    session = LegacySession(conformance_url, "2025-06-18")
    try:
        session.initialize()
        before = read_probe(conformance_url)
        body = rpc("tools/call", {"name": "test_wait_for_cancel", "arguments": {"seconds": 0.5}, "_meta": {"progressToken": "c3"}}, 31)
        sock = start_call_and_wait_for_first_event(conformance_url, session.headers(), body)
        sock.close()
        after = wait_for_probe(conformance_url, "completed", before["completed"])
        assert after["completed"] == before["completed"] + 1, (before, after)
        assert after["cancelled"] == before["cancelled"], (before, after)
    finally:
        session.delete()
        session.close()
