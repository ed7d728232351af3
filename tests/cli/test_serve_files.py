"""``ftclient serve`` serves Files and Uploads, and holds a job to uploaded files unless told
``--no-require-files`` (a real process on 127.0.0.1, raw aiohttp requests)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp

from ftclient.testing import SAMPLE_TRAINING_DATA
from tests.cli.conftest import serve_process

AUTH = {"Authorization": "Bearer sk-emulator"}


@contextmanager
def serving(*flags: str) -> Iterator[str]:
    proc = serve_process("--json", *flags)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())["url"]
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


async def create_job(session: aiohttp.ClientSession, url: str, training_file: str) -> tuple:
    body = {"model": "gpt-4o-mini", "training_file": training_file}
    async with session.post(url + "/fine_tuning/jobs", json=body, headers=AUTH) as reply:
        return reply.status, await reply.json()


async def test_serve_takes_an_upload_and_refuses_a_made_up_file() -> None:
    with serving() as url:
        async with aiohttp.ClientSession() as session:
            form = aiohttp.FormData()
            form.add_field("purpose", "fine-tune")
            form.add_field("file", SAMPLE_TRAINING_DATA, filename="train.jsonl")
            async with session.post(url + "/files", data=form, headers=AUTH) as reply:
                uploaded = await reply.json()
            assert (uploaded["status"], uploaded["bytes"]) == (
                "processed",
                len(SAMPLE_TRAINING_DATA),
            )
            status, refused = await create_job(session, url, "file-abc")
            assert (status, refused["error"]["message"]) == (400, "invalid training_file: file-abc")
            status, job = await create_job(session, url, uploaded["id"])
            assert (status, job["training_file"]) == (200, uploaded["id"])


async def test_serve_no_require_files_takes_any_id() -> None:
    with serving("--no-require-files") as url:
        async with aiohttp.ClientSession() as session:
            status, job = await create_job(session, url, "file-abc")
            assert (status, job["status"]) == (200, "validating_files")
