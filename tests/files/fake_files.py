"""A small Files/Uploads service of the tests' own, with knobs: lose answers, fail parts, lag.

It keeps files, Uploads and parts in memory and behaves as the service documents (an Upload
assembles its parts in the order ``complete`` names them and checks the ``md5`` given), with
faults scripted per route: ``lose`` acts then drops the connection, ``500_after`` acts then
answers 500, ``500_before`` answers 500 without acting. Its list shows a new file only ``lag``
seconds (of the shared :class:`SimClock`) after it was made. ``created_at`` is the real wall
clock, as the ``Date`` header aiohttp adds is, so the two agree as a real server's do.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs
from aiohttp import web

from tests.hostile.fake_api import SimClock

ROUTES = {
    ("POST", ("files",)): "create",
    ("GET", ("files",)): "list",
    ("GET", ("files", "*")): "retrieve",
    ("DELETE", ("files", "*")): "delete",
    ("GET", ("files", "*", "content")): "content",
    ("POST", ("uploads",)): "upload",
    ("POST", ("uploads", "*", "parts")): "part",
    ("POST", ("uploads", "*", "complete")): "complete",
    ("POST", ("uploads", "*", "cancel")): "cancel",
}


@attrs.define
class Seen:
    route: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    fields: dict[str, Any]  # form fields (text) and file sizes (int), or the JSON body


@attrs.define
class FakeFiles:
    clock: SimClock
    lag: float = 0.0
    ignore_purpose: bool = False  # list every file whatever the purpose asked
    lags: list[float] = attrs.Factory(list)  # the lag of each file made next, then ``lag``
    faults: dict[str, list[str]] = attrs.Factory(dict)
    files: list[dict[str, Any]] = attrs.Factory(list)
    contents: dict[str, bytes] = attrs.Factory(dict)
    uploads: dict[str, dict[str, Any]] = attrs.Factory(dict)
    parts: dict[str, bytes] = attrs.Factory(dict)
    seen: list[Seen] = attrs.Factory(list)
    url: str = ""
    part_ids: list[str] = attrs.Factory(list)  # in the order the parts were added
    max_in_flight: dict[str, int] = attrs.Factory(dict)  # most requests of a route at once
    _in_flight: dict[str, int] = attrs.Factory(dict)
    keep_content: bool = True  # False: count the bytes only (large files)
    clock_offset: float = 0.0  # the server's wall clock minus the real one (created_at, Date)
    date_header: str | None = None  # a Date header to send instead of the server's time
    complete_without_file: bool = False  # answer complete with "file": null
    part_yields: int = 200  # loop turns a part's handler gives the client's other workers
    _ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(1))

    def _now(self) -> int:
        return int(time.time() + self.clock_offset)

    def sent(self, route: str) -> list[Seen]:
        return [s for s in self.seen if s.route == route]

    def live(self) -> list[dict[str, Any]]:
        return [f for f in self.files if not f.get("_deleted")]

    def add_file(self, filename: str, data: bytes, purpose: str, **fields: Any) -> dict[str, Any]:
        file = {
            "id": f"file-{next(self._ids)}",
            "object": "file",
            "bytes": len(data),
            "created_at": self._now(),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "status_details": None,
            "_at": self.clock.now,
            **({"_lag": self.lags.pop(0)} if self.lags else {}),
            **fields,
        }
        self.files.append(file)
        self.contents[file["id"]] = data if self.keep_content else b""
        return file

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        parts = tuple(request.path.split("/")[2:])  # after "", "v1"
        shape = tuple(
            p if i == 0 or p in ("parts", "complete", "cancel", "content") else "*"
            for i, p in enumerate(parts)
        )
        route = ROUTES.get((request.method, shape))
        if route is None:
            return _error(404, f"no route for {request.method} {request.path}")
        self._in_flight[route] = self._in_flight.get(route, 0) + 1
        self.max_in_flight[route] = max(self.max_in_flight.get(route, 0), self._in_flight[route])
        try:
            return await self._serve(route, parts, request)
        finally:
            self._in_flight[route] -= 1

    async def _serve(self, route: str, parts: tuple[str, ...], request: web.Request) -> Any:
        fields: dict[str, Any] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for field in reader:
                if field.filename is not None:
                    data = bytearray()
                    while chunk := await field.read_chunk(1 << 20):
                        fields["_size"] = fields.get("_size", 0) + len(chunk)
                        if self.keep_content:
                            data += chunk
                    fields[field.name] = bytes(data)
                    fields["_filename"] = field.filename
                else:
                    fields[field.name] = await field.text()
        elif request.can_read_body:
            fields = await request.json()
        self.seen.append(
            Seen(route, request.path, dict(request.query), dict(request.headers), fields)
        )
        fault = (self.faults.get(route) or [None]).pop(0) if self.faults.get(route) else None
        if fault == "500_before":
            return _error(500, "server error")
        if fault and fault.startswith("status:"):
            return _error(int(fault[7:]), "refused")
        if route == "part":
            # Give the loop to the client's other workers before answering (no real time
            # passes), so that parts sent in parallel are seen in flight together.
            for _ in range(self.part_yields):
                await asyncio.sleep(0)
        response = getattr(self, f"_{route}")(parts, request, fields)
        if fault == "lose":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if fault == "500_after":
            return _error(500, "server error after acting")
        if self.clock_offset or self.date_header is not None:
            stamp = email.utils.formatdate(time.time() + self.clock_offset, usegmt=True)
            response.headers["Date"] = stamp if self.date_header is None else self.date_header
        return response

    def _create(self, parts: Any, request: web.Request, fields: dict[str, Any]) -> web.Response:
        data = fields["file"]
        file = self.add_file(fields["_filename"], data, fields["purpose"], status="uploaded")
        if not self.keep_content:
            file["bytes"] = fields["_size"]
        return _json(file)

    def _list(self, parts: Any, request: web.Request, fields: Any) -> web.Response:
        query = request.query
        shown = [f for f in self.live() if self.clock.now >= f["_at"] + f.get("_lag", self.lag)]
        if "purpose" in query and not self.ignore_purpose:
            shown = [f for f in shown if f["purpose"] == query["purpose"]]
        shown.sort(key=lambda f: int(f["id"].split("-")[1]), reverse=query.get("order") != "asc")
        if "after" in query:
            ids = [f["id"] for f in shown]
            shown = shown[ids.index(query["after"]) + 1 :] if query["after"] in ids else []
        limit = int(query.get("limit", 10000))
        data = shown[:limit]
        return _json(
            {
                "object": "list",
                "data": data,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
                "has_more": len(shown) > limit,
            }
        )

    def _find(self, file_id: str) -> dict[str, Any] | None:
        return next((f for f in self.live() if f["id"] == file_id), None)

    def _retrieve(self, parts: Any, request: web.Request, fields: Any) -> web.Response:
        file = self._find(parts[1])
        if file is None:
            return _error(404, "No such File object")
        if self.clock.now >= file.get("_process_at", float("inf")):
            file["status"] = "processed"
        return _json(file)

    def _delete(self, parts: Any, request: web.Request, fields: Any) -> web.Response:
        file = self._find(parts[1])
        if file is None:
            return _error(404, "No such File object")
        file["_deleted"] = True
        return _json({"id": file["id"], "object": "file", "deleted": True})

    def _content(self, parts: Any, request: web.Request, fields: Any) -> web.Response:
        file = self._find(parts[1])
        if file is None:
            return _error(404, "No such File object")
        return web.Response(body=self.contents[file["id"]], content_type="application/octet-stream")

    def _upload(self, parts: Any, request: web.Request, body: dict[str, Any]) -> web.Response:
        upload = {
            "id": f"upload_{next(self._ids)}",
            "object": "upload",
            "bytes": body["bytes"],
            "created_at": self._now(),
            "expires_at": self._now() + 3600,
            "filename": body["filename"],
            "purpose": body["purpose"],
            "status": "pending",
            "file": None,
            "_parts": [],
        }
        self.uploads[upload["id"]] = upload
        return _json(upload)

    def _part(self, parts: Any, request: web.Request, fields: dict[str, Any]) -> web.Response:
        upload = self.uploads.get(parts[1])
        if upload is None or upload["status"] != "pending":
            return _error(400 if upload else 404, "Upload is not pending")
        part_id = f"part_{next(self._ids)}"
        self.parts[part_id] = fields["data"]
        self.part_ids.append(part_id)
        upload["_parts"].append(part_id)
        if not self.keep_content:
            upload.setdefault("_sizes", {})[part_id] = fields["_size"]
        return _json(
            {
                "id": part_id,
                "object": "upload.part",
                "created_at": self._now(),
                "upload_id": upload["id"],
            }
        )

    def _complete(self, parts: Any, request: web.Request, body: dict[str, Any]) -> web.Response:
        upload = self.uploads.get(parts[1])
        if upload is None:
            return _error(404, "No such Upload")
        if upload["status"] != "pending":
            return _error(400, f"Upload is already {upload['status']}")
        if any(p not in upload["_parts"] for p in body["part_ids"]):
            return _error(400, "unknown part")
        data = b"".join(self.parts[p] for p in body["part_ids"])
        size = (
            sum(upload["_sizes"][p] for p in body["part_ids"])
            if not self.keep_content
            else len(data)
        )
        if size != upload["bytes"]:
            return _error(400, f"parts hold {size} bytes, not {upload['bytes']}")
        if self.keep_content and "md5" in body and hashlib.md5(data).hexdigest() != body["md5"]:
            return _error(400, "md5 does not match")
        file = self.add_file(upload["filename"], data, upload["purpose"], bytes=size)
        upload["_parts_in_offset_order"] = body["part_ids"]
        upload["status"] = "completed"
        upload["file"] = None if self.complete_without_file else file
        return _json(upload)

    def _cancel(self, parts: Any, request: web.Request, body: Any) -> web.Response:
        upload = self.uploads.get(parts[1])
        if upload is None:
            return _error(404, "No such Upload")
        if upload["status"] != "pending":
            return _error(400, f"Upload is already {upload['status']}")
        upload["status"] = "cancelled"
        return _json(upload)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[FakeFiles]:
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
        try:
            yield self
        finally:
            await runner.cleanup()


def _public(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: _public(v) for k, v in document.items() if not k.startswith("_")}
    if isinstance(document, list):
        return [_public(v) for v in document]
    return document


def _json(document: dict[str, Any]) -> web.Response:
    return web.json_response(_public(document))


def _error(status: int, message: str) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        },
        status=status,
    )
