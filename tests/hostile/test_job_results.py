"""``jobs.results``: a job's result files downloaded and parsed, base64 or plain, against a
server of the test's own; and the emulator's result file is its metrics series."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

import ftclient
from ftclient.testing import FineTuningEmulator

PLAIN = b"step,train_loss,train_accuracy,valid_loss,new_metric\n1,0.9,0.5,,7\n2,0.7,0.6,0.8,8\n"
ENCODED = base64.b64encode(b"step,train_loss\r\n3,0.5\r\n4,0.4\r\n")


@contextlib.asynccontextmanager
async def service(files: dict[str, bytes]) -> AsyncIterator[str]:
    seen: list[str] = []

    async def job(request: web.Request) -> web.Response:
        seen.append(request.path)
        document = {
            "id": request.match_info["job"],
            "object": "fine_tuning.job",
            "created_at": 1,
            "model": "gpt-4o-mini",
            "training_file": "file-t",
            "status": "succeeded",
            "result_files": list(files),
        }
        return web.json_response(document)

    async def content(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(body=files[request.match_info["file"]])

    app = web.Application()
    app.router.add_get("/v1/fine_tuning/jobs/{job}", job)
    app.router.add_get("/v1/files/{file}/content", content)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    finally:
        await runner.cleanup()


async def test_plain_and_base64_result_files_become_typed_rows_in_file_order() -> None:
    async with (
        service({"file-a": PLAIN, "file-b": ENCODED}) as url,
        ftclient.FineTuningClient(api_key="sk-test", base_url=url) as client,
    ):
        rows = await client.jobs.results("ftjob-1")
    assert [r.step for r in rows] == [1, 2, 3, 4]
    assert [r.train_loss for r in rows] == [0.9, 0.7, 0.5, 0.4]
    assert rows[0].valid_loss is None
    assert rows[1].valid_loss == 0.8
    assert rows[0].train_mean_token_accuracy == 0.5  # the older column name, mapped
    assert rows[1].get("new_metric") == 8.0  # a column this version does not know, kept


async def test_a_job_without_result_files_has_no_rows() -> None:
    async with (
        service({}) as url,
        ftclient.FineTuningClient(api_key="sk-test", base_url=url) as client,
    ):
        assert await client.jobs.results("ftjob-1") == []


async def test_a_result_file_that_is_not_a_results_csv_is_named() -> None:
    async with (
        service({"file-x": b"<html>not here</html>"}) as url,
        ftclient.FineTuningClient(api_key="sk-test", base_url=url) as client,
    ):
        with pytest.raises(
            ftclient.APIResponseValidationError, match="result file file-x of ftjob-1"
        ):
            await client.jobs.results("ftjob-1")


async def test_the_emulators_result_file_is_its_metrics_series() -> None:
    async with (
        FineTuningEmulator(speed=0, require_files=False, seed=5) as emu,
        ftclient.FineTuningClient(api_key="sk-test", base_url=emu.url) as client,
    ):
        job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
        emu.clock.advance(24 * 3600)
        rows = await client.jobs.results(job.id)
        series = await client.jobs.metrics(job.id)
    assert rows
    assert [(r.step, r.train_loss) for r in rows] == series.curve("train_loss")
