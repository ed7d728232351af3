"""A cheap HTTP/1.1 keep-alive server with pre-encoded bodies, run in its own process.

``python -m benchmarks.server --events N`` binds 127.0.0.1 on a free port, prints
``{"url": ...}`` on one line, and serves until stdin closes (so it dies with its parent):

* ``GET /v1/fine_tuning/jobs/{id}``: a full job document whose ``id`` echoes the path;
* ``GET /v1/fine_tuning/jobs/{id}/events?limit=L&after=C``: pages of ``L`` events out of ``N``,
  ids ``ft-event-000000``... in order, with ``has_more`` and the ``after`` cursor chain.

Per request it does a header split and a dict lookup or one ``bytes.join``, so that the client
side dominates what the benchmark measures. Bodies come from ``bench_decode``'s spec examples.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from urllib.parse import parse_qsl

from benchmarks.bench_decode import event, job

JOBS_PREFIX = b"/v1/fine_tuning/jobs/"
_PLACEHOLDER = "__JOB_ID__"


def _job_template() -> tuple[bytes, bytes]:
    doc = job(3)  # a succeeded job: every field filled
    doc["id"] = _PLACEHOLDER
    head, tail = json.dumps(doc, separators=(",", ":")).encode().split(_PLACEHOLDER.encode())
    return head, tail


def event_id(i: int) -> str:
    return f"ft-event-{i:06d}"  # as bench_decode.event(i) names it


class Bodies:
    """Every response body, built once (pages lazily, then cached per ``(after, limit)``)."""

    def __init__(self, events: int) -> None:
        self.job_head, self.job_tail = _job_template()
        self.events = [json.dumps(event(i), separators=(",", ":")).encode() for i in range(events)]
        self.index = {event_id(i): i for i in range(events)}
        self.pages: dict[tuple[str | None, int], bytes] = {}

    def job(self, job_id: bytes) -> bytes:
        return self.job_head + job_id + self.job_tail

    def page(self, after: str | None, limit: int) -> bytes | None:
        key = (after, limit)
        body = self.pages.get(key)
        if body is None:
            start = 0 if after is None else self.index.get(after, -1) + 1
            if start == 0 and after is not None:
                return None
            chunk = self.events[start : start + limit]
            more = b"true" if start + limit < len(self.events) else b"false"
            body = b'{"object":"list","data":[' + b",".join(chunk) + b'],"has_more":' + more + b"}"
            self.pages[key] = body
        return body


def _response(status: bytes, body: bytes) -> bytes:
    return b"".join(
        (
            b"HTTP/1.1 ",
            status,
            b"\r\nContent-Type: application/json\r\nx-request-id: req_bench\r\nContent-Length: ",
            str(len(body)).encode(),
            b"\r\n\r\n",
            body,
        )
    )


_NOT_FOUND = _response(b"404 Not Found", b'{"error":{"message":"not found","type":"bench"}}')


class _Protocol(asyncio.Protocol):
    def __init__(self, bodies: Bodies) -> None:
        self.bodies = bodies
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                line_end = lower.find(b"\r\n", at + 2)
                length = int(lower[at + 17 : line_end if line_end >= 0 else None])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            assert self.transport is not None
            self.transport.write(self.answer(head[: head.find(b"\r\n")]))

    def answer(self, request_line: bytes) -> bytes:
        parts = request_line.split(b" ")
        if len(parts) != 3 or parts[0] != b"GET" or not parts[1].startswith(JOBS_PREFIX):
            return _NOT_FOUND
        path, _, query = parts[1][len(JOBS_PREFIX) :].partition(b"?")
        if b"/" not in path:
            return _response(b"200 OK", self.bodies.job(path))
        if not path.endswith(b"/events"):
            return _NOT_FOUND
        params = dict(parse_qsl(query.decode()))
        body = self.bodies.page(params.get("after"), int(params.get("limit", "20")))
        return _NOT_FOUND if body is None else _response(b"200 OK", body)


async def serve(events: int) -> None:
    bodies = Bodies(events)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Protocol(bodies), "127.0.0.1", 0, backlog=4096, reuse_address=True
    )
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"url": f"http://127.0.0.1:{port}/v1"}), flush=True)
    # Serve until the parent closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="benchmark HTTP server (127.0.0.1 only)")
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    asyncio.run(serve(args.events))


if __name__ == "__main__":
    main()
