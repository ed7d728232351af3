"""``python -m benchmarks.upload_server``: the Uploads endpoints, for the upload scenario.

Binds 127.0.0.1 on a free port, prints ``{"url": ...}`` and serves until stdin closes.
``POST /v1/uploads`` opens an Upload; ``POST .../parts`` reads the multipart body a chunk at a
time (discarded, counted) and answers a part; ``POST .../complete`` checks that the parts named
hold the Upload's bytes and answers the Upload with its file. Each line on stdin prints the
bytes and requests received so far and the ``md5`` each complete was given (the harness checks
it against the file's).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from typing import Any

from aiohttp import web

_ids = itertools.count(1)
uploads: dict[str, dict[str, Any]] = {}
parts: dict[str, int] = {}  # id -> bytes of the file it holds
received: dict[str, Any] = {"bytes": 0, "requests": 0, "md5": []}


def _upload_doc(upload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in upload.items() if not k.startswith("_")}


async def create(request: web.Request) -> web.Response:
    body = await request.json()
    received["requests"] += 1
    upload = {
        "id": f"upload_{next(_ids)}",
        "object": "upload",
        "bytes": body["bytes"],
        "filename": body["filename"],
        "purpose": body["purpose"],
        "created_at": int(time.time()),
        "expires_at": int(time.time()) + 3600,
        "status": "pending",
        "file": None,
    }
    uploads[upload["id"]] = upload
    return web.json_response(upload)


async def part(request: web.Request) -> web.Response:
    received["requests"] += 1
    reader = await request.multipart()
    size = 0
    async for field in reader:
        if field.name == "data":  # type: ignore[union-attr]
            while chunk := await field.read_chunk(1 << 20):  # type: ignore[union-attr]
                size += len(chunk)
    received["bytes"] += size
    part_id = f"part_{next(_ids)}"
    parts[part_id] = size
    return web.json_response(
        {
            "id": part_id,
            "object": "upload.part",
            "created_at": int(time.time()),
            "upload_id": request.match_info["upload"],
        }
    )


async def complete(request: web.Request) -> web.Response:
    received["requests"] += 1
    upload = uploads[request.match_info["upload"]]
    body = await request.json()
    size = sum(parts[p] for p in body["part_ids"])
    if size != upload["bytes"]:
        return web.json_response({"error": {"message": f"{size} bytes"}}, status=400)
    upload["status"] = "completed"
    received["md5"].append(body.get("md5"))
    upload["file"] = {
        "id": f"file-{next(_ids)}",
        "object": "file",
        "bytes": size,
        "created_at": int(time.time()),
        "filename": upload["filename"],
        "purpose": upload["purpose"],
        "status": "processed",
    }
    return web.json_response(_upload_doc(upload))


async def main() -> None:
    app = web.Application(client_max_size=128 * 1024 * 1024)
    app.router.add_post("/v1/uploads", create)
    app.router.add_post("/v1/uploads/{upload}/parts", part)
    app.router.add_post("/v1/uploads/{upload}/complete", complete)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(json.dumps({"url": f"http://127.0.0.1:{port}/v1"}), flush=True)
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, sys.stdin.readline):
        print(json.dumps(received), flush=True)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
