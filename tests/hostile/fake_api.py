"""A small fine-tuning service that ftclient did not write: lagging, lossy, hostile on request.

It is not the emulator. It keeps jobs and permissions in memory and behaves as a real deployment
might: its list shows a new job only ``lag`` seconds after it was made, it can ignore the
``metadata[...]`` filter or strip metadata, and a script of faults per route loses answers after
acting, fails before acting, or stalls. Time is a :class:`SimClock` shared with the client under
test (``simulate(client, clock)``), so lags of seconds cost no real time.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import attrs
from aiohttp import web

import ftclient

ROUTES = {
    "create": ("POST", "/v1/fine_tuning/jobs"),
    "list": ("GET", "/v1/fine_tuning/jobs"),
    "retrieve": ("GET", "/v1/fine_tuning/jobs/{job_id}"),
    "cancel": ("POST", "/v1/fine_tuning/jobs/{job_id}/cancel"),
    "grant": ("POST", "/v1/fine_tuning/checkpoints/{ckpt}/permissions"),
    "permissions": ("GET", "/v1/fine_tuning/checkpoints/{ckpt}/permissions"),
    "revoke": ("DELETE", "/v1/fine_tuning/checkpoints/{ckpt}/permissions/{perm}"),
}
# Faults: "lose" acts then drops the connection; "500_after" acts then answers 500;
# "500_before" answers 500 without acting; "stall" never answers (until the server stops);
# "partial" (grant only) grants the first project, then answers 500.
FAULTS = ("lose", "500_after", "500_before", "stall", "partial")


class SimClock:
    """Simulated monotonic time: ``sleep`` moves it forward at once."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def simulate(client: ftclient.FineTuningClient, clock: SimClock) -> ftclient.FineTuningClient:
    """Drive ``client``'s call runner by ``clock`` (the runner takes an injected clock/sleep)."""
    client._runner._clock = clock.time
    client._runner.sleep = clock.sleep
    gate = client._runner.gate  # the rate gate waits on the same clock
    gate._clock = clock.time
    gate._sleep = clock.sleep
    return client


def job_document(job_id: str, created_at: int) -> dict[str, Any]:
    """A job as the service sends it, every field the spec requires present."""
    return {
        "id": job_id,
        "object": "fine_tuning.job",
        "created_at": created_at,
        "model": "gpt-4o-mini",
        "training_file": "file-t",
        "status": "validating_files",
        "metadata": None,
        "organization_id": "org-world",
        "result_files": [],
        "error": None,
        "fine_tuned_model": None,
        "finished_at": None,
        "hyperparameters": None,
        "trained_tokens": None,
        "validation_file": None,
        "seed": 42,
    }


@attrs.define
class Seen:
    route: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@attrs.define
class FakeAPI:
    clock: SimClock
    lag: float = 0.0  # seconds before a new job shows in lists (and a status change in reads)
    honour_filter: bool = True
    keep_metadata: bool = True
    faults: dict[str, list[str]] = attrs.Factory(dict)
    jobs: list[dict[str, Any]] = attrs.Factory(list)
    permissions: list[dict[str, Any]] = attrs.Factory(list)
    seen: list[Seen] = attrs.Factory(list)
    url: str = ""
    _ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(1))
    _stalled: asyncio.Event = attrs.Factory(asyncio.Event)

    def sent(self, route: str) -> list[Seen]:
        return [s for s in self.seen if s.route == route]

    def _fault(self, route: str) -> str | None:
        script = self.faults.get(route)
        return script.pop(0) if script else None

    def _visible(self, item: dict[str, Any]) -> bool:
        return self.clock.now >= item["_at"] + self.lag

    def add_job(self, **fields: Any) -> dict[str, Any]:
        job = {
            **job_document(f"ftjob-{next(self._ids)}", int(self.clock.now)),
            "_at": self.clock.now,
            **fields,
        }
        self.jobs.append(job)
        return job

    def app(self) -> web.Application:
        app = web.Application()
        for route, (method, path) in ROUTES.items():
            app.router.add_route(method, path, self._handler(route))
        return app

    def _handler(self, route: str) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            body = await request.json() if request.can_read_body else None
            self.seen.append(Seen(route, dict(request.query), dict(request.headers), body))
            fault = self._fault(route)
            if fault == "500_before":
                return _error(500, "server error")
            if fault == "stall":
                await self._stalled.wait()
                return _error(500, "stopped")
            if fault and fault.startswith("status:"):
                return _error(int(fault[7:]), "refused")
            if fault and fault.startswith("429:"):
                response = _error(429, "Rate limit reached")
                response.headers["Retry-After"] = fault[4:]
                return response
            response = getattr(self, f"_{route}")(request, body, partial=fault == "partial")
            if fault == "lose":
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            if fault in ("500_after", "partial"):
                return _error(500, "server error after acting")
            return response

        return handle

    def _create(self, request: web.Request, body: Any, **_: Any) -> web.Response:
        metadata = body.get("metadata") if self.keep_metadata else None
        job = self.add_job(model=body["model"], training_file=body["training_file"])
        job["metadata"] = metadata
        return _json(job)

    def _list(self, request: web.Request, body: Any, **_: Any) -> web.Response:
        wanted = {
            key[len("metadata[") : -1]: value
            for key, value in request.query.items()
            if key.startswith("metadata[")
        }
        jobs = [j for j in reversed(self.jobs) if self._visible(j)]
        if self.honour_filter and wanted:
            jobs = [
                j for j in jobs if all((j["metadata"] or {}).get(k) == v for k, v in wanted.items())
            ]
        limit = int(request.query.get("limit", "20"))
        return _json({"object": "list", "data": jobs[:limit], "has_more": len(jobs) > limit})

    def _job(self, request: web.Request) -> dict[str, Any]:
        [job] = [j for j in self.jobs if j["id"] == request.match_info["job_id"]]
        return job

    def _retrieve(self, request: web.Request, body: Any, **_: Any) -> web.Response:
        matches = [j for j in self.jobs if j["id"] == request.match_info["job_id"]]
        if not matches:
            return _error(404, "No such job")
        job = matches[0]
        if not self._visible(job) and "_before" in job:  # a lagging read shows the old state
            return _json({**job, "status": job["_before"]})
        return _json(job)

    def _cancel(self, request: web.Request, body: Any, **_: Any) -> web.Response:
        job = self._job(request)
        if job["status"] == "cancelled":
            return _error(400, "Job is already cancelled.")
        job.update(_before=job["status"], status="cancelled", _at=self.clock.now)
        return _json(job)

    def _grant(self, request: web.Request, body: Any, *, partial: bool) -> web.Response:
        projects = body["project_ids"][:1] if partial else body["project_ids"]
        made = [
            {
                "id": f"cp_{next(self._ids)}",
                "object": "checkpoint.permission",
                "created_at": int(self.clock.now),
                "project_id": project,
                "_at": self.clock.now,
            }
            for project in projects
        ]
        self.permissions.extend(made)
        return _json({"object": "list", "data": made, "has_more": False})

    def _permissions(self, request: web.Request, body: Any, **_: Any) -> web.Response:
        shown = [p for p in self.permissions if self._visible(p) and not p.get("_gone_at")]
        shown += [p for p in self.permissions if p.get("_gone_at") and not self._gone(p)]
        after = request.query.get("after")
        if after is not None:
            ids = [p["id"] for p in shown]
            shown = shown[ids.index(after) + 1 :] if after in ids else []
        limit = int(request.query.get("limit", "10"))
        page = shown[:limit]
        return _json({"object": "list", "data": page, "has_more": len(shown) > limit})

    def _gone(self, permission: dict[str, Any]) -> bool:
        return self.clock.now >= permission["_gone_at"] + self.lag

    def _revoke(self, request: web.Request, body: Any, **_: Any) -> web.Response:
        wanted = request.match_info["perm"]
        found = [p for p in self.permissions if p["id"] == wanted and not p.get("_gone_at")]
        if not found:
            return _error(404, f"No permission {wanted}")
        found[0]["_gone_at"] = self.clock.now
        return _json({"object": "checkpoint.permission", "id": wanted, "deleted": True})

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeAPI]:
        runner = web.AppRunner(self.app(), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/v1"
        try:
            yield self
        finally:
            self._stalled.set()
            await runner.cleanup()


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if not k.startswith("_")}


def _json(document: dict[str, Any]) -> web.Response:
    if isinstance(document.get("data"), list):
        document = {**document, "data": [_public(item) for item in document["data"]]}
    return web.json_response(_public(document))


def _error(status: int, message: str) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": "server_error", "param": None, "code": None}},
        status=status,
    )
