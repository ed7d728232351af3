"""A cheap HTTP/1.1 keep-alive server with pre-encoded bodies, run in its own process.

``python -m benchmarks.server --events N`` binds 127.0.0.1 on a free port, prints
``{"url": ...}`` on one line, and serves until stdin closes (so it dies with its parent):

* ``GET /v1/fine_tuning/jobs/{id}``: a full job document whose ``id`` echoes the path;
* ``GET /v1/fine_tuning/jobs/{id}/events?limit=L&after=C``: pages of ``L`` events out of ``N``,
  ids ``ft-event-000000``... in order, with ``has_more`` and the ``after`` cursor chain;
* for the job ``ftjob-bench-metrics`` (``--metrics-steps S``): its ``S`` metrics events newest
  first, as the service lists them, and its checkpoints (one at each third of training);
* ``GET /v1/bench/requests``: how many requests each kind of path has had (the ``metrics``
  scenario's request count).

Per request it does a header split and a dict lookup or one ``bytes.join``, so that the client
side dominates what the benchmark measures. Bodies come from ``bench_decode``'s spec examples.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from urllib.parse import parse_qsl

from benchmarks.bench_decode import checkpoint, event, job, metrics_event

JOBS_PREFIX = b"/v1/fine_tuning/jobs/"
METRICS_JOB = b"ftjob-bench-metrics"
_PLACEHOLDER = "__JOB_ID__"


def _job_template() -> tuple[bytes, bytes]:
    doc = job(3)  # a succeeded job: every field filled
    doc["id"] = _PLACEHOLDER
    head, tail = json.dumps(doc, separators=(",", ":")).encode().split(_PLACEHOLDER.encode())
    return head, tail


class Bodies:
    """Every response body, built once (pages lazily, then cached per ``(after, limit)``)."""

    def __init__(self, events: int, steps: int = 0) -> None:
        self.job_head, self.job_tail = _job_template()
        self.events = Paged(_encoded([event(i) for i in range(events)]))
        self.metrics = Paged(_encoded([metrics_event(s, steps) for s in range(steps, 0, -1)]))
        saved = [steps * k // 3 for k in (3, 2, 1) if steps * k // 3 > 0]  # newest first
        self.checkpoints = Paged(_encoded([checkpoint(s) for s in saved]))
        self.counts: dict[str, int] = {}

    def job(self, job_id: bytes) -> bytes:
        return self.job_head + job_id + self.job_tail

    def page(self, after: str | None, limit: int) -> bytes | None:
        return self.events.page(after, limit)


def _encoded(items: list[dict[str, object]]) -> list[bytes]:
    return [json.dumps(item, separators=(",", ":")).encode() for item in items]


class Paged:
    """A list's pages by ``(after, limit)``, the cursor being the ``id`` of an item."""

    def __init__(self, items: list[bytes]) -> None:
        self.items = items
        self.index = {json.loads(item)["id"]: i for i, item in enumerate(items)}
        self.pages: dict[tuple[str | None, int], bytes] = {}

    def page(self, after: str | None, limit: int) -> bytes | None:
        key = (after, limit)
        if key not in self.pages:
            if after is not None and after not in self.index:
                return None
            start = 0 if after is None else self.index[after] + 1
            chunk = self.items[start : start + limit]
            more = b"true" if start + limit < len(self.items) else b"false"
            self.pages[key] = (
                b'{"object":"list","data":[' + b",".join(chunk) + b'],"has_more":' + more + b"}"
            )
        return self.pages[key]


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
        if len(parts) == 3 and parts[1] == b"/v1/bench/requests":
            return _response(b"200 OK", json.dumps(self.bodies.counts).encode())
        if len(parts) != 3 or parts[0] != b"GET" or not parts[1].startswith(JOBS_PREFIX):
            return _NOT_FOUND
        path, _, query = parts[1][len(JOBS_PREFIX) :].partition(b"?")
        kind = path.rpartition(b"/")[2].decode() if b"/" in path else "job"
        counts = self.bodies.counts
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "job":
            return _response(b"200 OK", self.bodies.job(path))
        params = dict(parse_qsl(query.decode()))
        after, limit = params.get("after"), int(params.get("limit", "20"))
        if path.startswith(METRICS_JOB + b"/"):
            lists = {"events": self.bodies.metrics, "checkpoints": self.bodies.checkpoints}
            body = lists[kind].page(after, limit) if kind in lists else None
        else:
            body = self.bodies.page(after, limit) if kind == "events" else None
        return _NOT_FOUND if body is None else _response(b"200 OK", body)


async def serve(events: int, steps: int) -> None:
    bodies = Bodies(events, steps)
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
    parser.add_argument("--metrics-steps", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(serve(args.events, args.metrics_steps))


if __name__ == "__main__":
    main()
