"""A small fine-tuning service that ftclient did not write: lagging, lossy, hostile on request.

It is not the emulator. It keeps jobs, their events and permissions in memory and behaves as a
real deployment might: its list shows a new job only ``lag`` seconds after it was made, it can
ignore the ``metadata[...]`` filter or strip metadata, and a script of faults per route loses
answers after acting, fails before acting, or stalls. It chooses ids through ``job_id``,
``event_id`` and ``permission_id`` (a hostile one may hold ``/``, ``..``, ``?``...), routes on the
raw path (each ``{param}`` is one segment, percent-decoded), and with ``fold_dots`` folds ``.``
and ``..`` segments first, as a normalising proxy would. Time is a :class:`SimClock` shared with
the client under test (``FineTuningClient(clock=api.clock)``), so lags of seconds cost no real
time.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote

import attrs
from aiohttp import web

from ftclient.testing import SimClock

__all__ = ["FAULTS", "ROUTES", "FakeAPI", "LoopClock", "SimClock", "job_document"]


class LoopClock:
    """The running event loop's own clock, as a :class:`ftclient.Clock`, for a test whose
    client must wait in real time (a deadline that has to cut a real wait short)."""

    def time(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


ROUTES = {
    "create": ("POST", "/v1/fine_tuning/jobs"),
    "list": ("GET", "/v1/fine_tuning/jobs"),
    "retrieve": ("GET", "/v1/fine_tuning/jobs/{job_id}"),
    "cancel": ("POST", "/v1/fine_tuning/jobs/{job_id}/cancel"),
    "events": ("GET", "/v1/fine_tuning/jobs/{job_id}/events"),
    "checkpoints": ("GET", "/v1/fine_tuning/jobs/{job_id}/checkpoints"),
    "grant": ("POST", "/v1/fine_tuning/checkpoints/{ckpt}/permissions"),
    "permissions": ("GET", "/v1/fine_tuning/checkpoints/{ckpt}/permissions"),
    "revoke": ("DELETE", "/v1/fine_tuning/checkpoints/{ckpt}/permissions/{perm}"),
}
# Faults: "lose" acts then drops the connection; "500_after" acts then answers 500;
# "500_before" answers 500 without acting; "stall" never answers (until the server stops);
# "partial" (grant only) grants the first project, then answers 500.
FAULTS = ("lose", "500_after", "500_before", "stall", "partial")


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


def fold_dot_segments(raw_path: str) -> str:
    """RFC 3986 dot-segment removal on the raw path, as a normalising proxy does."""
    out: list[str] = []
    for segment in raw_path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    return "/".join(out)


def match(method: str, raw_path: str) -> tuple[str, dict[str, str]] | None:
    """The route and its (percent-decoded) parameters; each ``{param}`` is one raw segment."""
    parts = raw_path.split("/")
    for route, (route_method, pattern) in ROUTES.items():
        wanted = pattern.split("/")
        if route_method != method or len(wanted) != len(parts):
            continue
        params = {}
        for want, got in zip(wanted, parts, strict=True):
            if want.startswith("{"):
                params[want[1:-1]] = unquote(got, errors="surrogateescape")
            elif want != got:
                break
        else:
            return route, params
    return None


@attrs.frozen
class Call:
    """What a route handler is given: the path's parameters, the query and the JSON body."""

    params: dict[str, str]
    query: dict[str, str]
    body: Any


@attrs.define
class Seen:
    route: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    params: dict[str, str] = attrs.Factory(dict)
    raw_path: str = ""


@attrs.define
class FakeAPI:
    clock: SimClock
    lag: float = 0.0  # seconds before a new job shows in lists (and a status change in reads)
    honour_filter: bool = True
    keep_metadata: bool = True
    faults: dict[str, list[str]] = attrs.Factory(dict)
    fold_dots: bool = False  # fold "." and ".." segments before routing, like some proxies
    page_cap: int = 100  # the most items a list page holds, whatever the limit asked
    # Rewrites each list page (route, document) before it is sent: a hostile server's pages.
    page_hook: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None
    job_id: Callable[[int], str] = lambda n: f"ftjob-{n}"  # the server's choice of ids
    permission_id: Callable[[int], str] = lambda n: f"cp_{n}"
    jobs: list[dict[str, Any]] = attrs.Factory(list)
    events: dict[str, list[dict[str, Any]]] = attrs.Factory(dict)  # by job id, oldest first
    permissions: list[dict[str, Any]] = attrs.Factory(list)
    seen: list[Seen] = attrs.Factory(list)
    unrouted: list[str] = attrs.Factory(list)  # raw paths no route matched
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
            **job_document(self.job_id(next(self._ids)), int(self.clock.now)),
            "_at": self.clock.now,
            **fields,
        }
        self.jobs.append(job)
        return job

    def add_event(self, job_id: str, event_id: str) -> None:
        events = self.events.setdefault(job_id, [])
        events.append(
            {
                "id": event_id,
                "object": "fine_tuning.job.event",
                "created_at": int(self.clock.now),
                "level": "info",
                "message": f"event {len(events)}",
            }
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.partition("?")[0]
        found = match(request.method, fold_dot_segments(raw_path) if self.fold_dots else raw_path)
        if found is None:
            self.unrouted.append(raw_path)
            return _error(404, f"no route for {raw_path}")
        route, params = found
        body = await request.json() if request.can_read_body else None
        query = dict(request.query)
        self.seen.append(Seen(route, query, dict(request.headers), body, params, raw_path))
        return await self._respond(request, route, Call(params, query, body))

    async def _respond(self, request: web.Request, route: str, call: Call) -> web.StreamResponse:
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
        response = getattr(self, f"_{route}")(call, partial=fault == "partial")
        if fault == "lose":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if fault in ("500_after", "partial"):
            return _error(500, "server error after acting")
        return response

    def _page(self, route: str, items: list[dict[str, Any]], call: Call, size: int) -> Any:
        """One page of ``items`` after the ``after`` cursor, at most ``page_cap`` long.

        Checkpoint and permission pages carry ``first_id``/``last_id``, as the service's do.
        """
        after = call.query.get("after")
        if after is not None:
            ids = [item["id"] for item in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        limit = min(int(call.query.get("limit", size)), self.page_cap)
        data = items[:limit]
        page: dict[str, Any] = {"object": "list", "data": data, "has_more": len(items) > limit}
        if route in ("checkpoints", "permissions"):
            page["first_id"] = data[0]["id"] if data else None
            page["last_id"] = data[-1]["id"] if data else None
        return page if self.page_hook is None else self.page_hook(route, page)

    def _create(self, call: Call, **_: Any) -> web.Response:
        metadata = call.body.get("metadata") if self.keep_metadata else None
        job = self.add_job(model=call.body["model"], training_file=call.body["training_file"])
        job["metadata"] = metadata
        return _json(job)

    def _list(self, call: Call, **_: Any) -> web.Response:
        wanted = {
            key[len("metadata[") : -1]: value
            for key, value in call.query.items()
            if key.startswith("metadata[")
        }
        jobs = [j for j in reversed(self.jobs) if self._visible(j)]
        if self.honour_filter and wanted:
            jobs = [
                j for j in jobs if all((j["metadata"] or {}).get(k) == v for k, v in wanted.items())
            ]
        return _json(self._page("list", jobs, call, 20))

    def _job(self, call: Call) -> dict[str, Any]:
        [job] = [j for j in self.jobs if j["id"] == call.params["job_id"]]
        return job

    def _retrieve(self, call: Call, **_: Any) -> web.Response:
        matches = [j for j in self.jobs if j["id"] == call.params["job_id"]]
        if not matches:
            return _error(404, "No such job")
        job = matches[0]
        if not self._visible(job) and "_before" in job:  # a lagging read shows the old state
            return _json({**job, "status": job["_before"]})
        return _json(job)

    def _cancel(self, call: Call, **_: Any) -> web.Response:
        job = self._job(call)
        if job["status"] == "cancelled":
            return _error(400, "Job is already cancelled.")
        job.update(_before=job["status"], status="cancelled", _at=self.clock.now)
        return _json(job)

    def _events(self, call: Call, **_: Any) -> web.Response:
        if call.params["job_id"] not in self.events:
            return _error(404, "No such job")
        newest_first = list(reversed(self.events[call.params["job_id"]]))
        return _json(self._page("events", newest_first, call, 20))

    def _checkpoints(self, call: Call, **_: Any) -> web.Response:
        if not any(j["id"] == call.params["job_id"] for j in self.jobs):
            return _error(404, "No such job")
        made = [
            {
                "id": f"ftckpt_{step}",
                "object": "fine_tuning.job.checkpoint",
                "created_at": 1_000 + step,
                "fine_tuned_model_checkpoint": f"ft:gpt-4o-mini:org::x:ckpt-step-{step}",
                "step_number": step,
                "metrics": {},
                "fine_tuning_job_id": call.params["job_id"],
            }
            for step in (30, 20, 10)
        ]
        return _json(self._page("checkpoints", made, call, 10))

    def _grant(self, call: Call, *, partial: bool) -> web.Response:
        projects = call.body["project_ids"][:1] if partial else call.body["project_ids"]
        made = [
            {
                "id": self.permission_id(next(self._ids)),
                "object": "checkpoint.permission",
                "created_at": int(self.clock.now),
                "project_id": project,
                "_at": self.clock.now,
            }
            for project in projects
        ]
        self.permissions.extend(made)
        return _json({"object": "list", "data": made, "has_more": False})

    def _permissions(self, call: Call, **_: Any) -> web.Response:
        shown = [p for p in self.permissions if self._visible(p) and not p.get("_gone_at")]
        shown += [p for p in self.permissions if p.get("_gone_at") and not self._gone(p)]
        return _json(self._page("permissions", shown, call, 10))

    def _gone(self, permission: dict[str, Any]) -> bool:
        return self.clock.now >= permission["_gone_at"] + self.lag

    def _revoke(self, call: Call, **_: Any) -> web.Response:
        wanted = call.params["perm"]
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
