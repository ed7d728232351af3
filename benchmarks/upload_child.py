"""One measured upload, in a fresh process: ``python -m benchmarks.upload_child SPEC``.

``SPEC``: ``variant`` (``ftclient`` or ``raw``), ``url``, ``path``, ``part_size``,
``concurrency``. Both variants send the same requests: ``POST /uploads`` (JSON), one multipart
``POST .../parts`` (field ``data``) per ``part_size`` bytes, ``concurrency`` at a time, and
``POST .../complete`` with the part ids in order and the file's MD5 (computed in a worker thread
while the parts go). ``ftclient`` is ``client.files.upload(path, ...)``; ``raw`` reads each part
into memory with ``os.pread`` and posts it with ``aiohttp.FormData``. Prints one JSON line: wall
seconds, process CPU seconds, the RSS before the upload and the peak RSS after (bytes).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import resource
import sys
import time
from typing import Any

API_KEY = "sk-proj-" + "b" * 156


def rss_now() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def _ftclient(spec: dict[str, Any]) -> str:
    from ftclient import FineTuningClient

    async with FineTuningClient(api_key=API_KEY, base_url=spec["url"]) as client:
        file = await client.files.upload(
            spec["path"], part_size=spec["part_size"], concurrency=spec["concurrency"]
        )
        return file.id


def _md5(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


async def _raw(spec: dict[str, Any]) -> str:
    import aiohttp

    path, part_size, size = spec["path"], spec["part_size"], spec["size"]
    name = os.path.basename(path)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with aiohttp.ClientSession(base_url=spec["url"] + "/", headers=headers) as session:
        body = {"filename": name, "purpose": "fine-tune", "bytes": size, "mime_type": "text/jsonl"}
        async with session.post("uploads", json=body) as resp:
            upload = json.loads(await resp.read())
        md5 = asyncio.create_task(asyncio.to_thread(_md5, path))
        offsets = list(range(0, size, part_size))
        ids: list[str] = [""] * len(offsets)
        pending = iter(range(len(offsets)))
        fd = os.open(path, os.O_RDONLY)

        async def worker() -> None:
            for index in pending:
                data = os.pread(fd, min(part_size, size - offsets[index]), offsets[index])
                form = aiohttp.FormData()
                form.add_field("data", data, filename=name, content_type="application/octet-stream")
                async with session.post(f"uploads/{upload['id']}/parts", data=form) as resp:
                    ids[index] = json.loads(await resp.read())["id"]

        try:
            await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
        finally:
            os.close(fd)
        done = {"part_ids": ids, "md5": await md5}
        async with session.post(f"uploads/{upload['id']}/complete", json=done) as resp:
            result = json.loads(await resp.read())
        return str(result["file"]["id"])


def main() -> None:
    spec = json.loads(sys.argv[1])
    spec["size"] = os.path.getsize(spec["path"])
    run = _ftclient if spec["variant"] == "ftclient" else _raw
    if spec["variant"] == "ftclient":
        import ftclient  # noqa: F401  (imported before the baseline RSS, as raw's aiohttp is)
    else:
        import aiohttp  # noqa: F401
    before = rss_now()
    wall, cpu = time.perf_counter(), time.process_time()
    file_id = asyncio.run(run(spec))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if not file_id.startswith("file-"):
        raise SystemExit(f"no file made: {file_id!r}")
    print(json.dumps({"wall": wall, "cpu": cpu, "rss_before": before, "rss_peak": peak_rss()}))


if __name__ == "__main__":
    main()
