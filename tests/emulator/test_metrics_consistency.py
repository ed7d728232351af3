"""The emulator's metrics events, checkpoints and result file tell one story (issue 19).

The result file is the series ``jobs.metrics`` reads from the events, step for step; each
checkpoint's metrics are the series' point at its step (plus the full-validation metrics only
checkpoints carry). Read over HTTP: the client for the metrics, plain aiohttp for the file.
"""

from __future__ import annotations

import aiohttp

import ftclient
from ftclient._wire.results import parse_results
from ftclient.models import METRIC_NAMES
from ftclient.testing import SAMPLE_TRAINING_DATA, FineTuningEmulator

LATER = 24 * 3600  # simulated seconds: any job has ended by then
SHARED = ("train_loss", "train_mean_token_accuracy", "valid_loss", "valid_mean_token_accuracy")


async def test_the_result_file_is_the_series_and_checkpoints_are_its_points() -> None:
    async with FineTuningEmulator(seed=3, speed=0) as emu:
        train = emu.seed_file(SAMPLE_TRAINING_DATA)["id"]
        valid = emu.seed_file(SAMPLE_TRAINING_DATA, filename="valid.jsonl")["id"]
        async with ftclient.FineTuningClient(api_key="sk-emu", base_url=emu.url) as client:
            job = await client.jobs.create(
                model="gpt-4o-mini",
                training_file=train,
                validation_file=valid,
                method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}},
            )
            emu.clock.advance(LATER)
            job = await client.jobs.retrieve(job.id)
            series = await client.jobs.metrics(job.id)
            checkpoints = await client.checkpoints.list(job.id, limit=100).to_list()
        [results_id] = job.result_files or []
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                f"{emu.url}/files/{results_id}/content",
                headers={"Authorization": "Bearer sk-emu"},
            ) as answer,
        ):
            assert answer.status == 200
            content = await answer.read()

    assert job.status == "succeeded"
    assert series.total_steps is not None
    assert series.steps == list(range(1, series.total_steps + 1))
    rows = parse_results(content)  # served base64-encoded
    assert [row.step for row in rows] == series.steps
    for row, point in zip(rows, series, strict=True):
        assert [row.get(m) for m in SHARED] == [point.get(m) for m in SHARED], row.step
        assert None not in [row.get(m) for m in SHARED]
    assert len(checkpoints) == 3
    for checkpoint in checkpoints:
        point = series[checkpoint.step_number - 1]
        assert point.step == checkpoint.step_number
        for metric in METRIC_NAMES:
            assert getattr(checkpoint.metrics, metric) == point.get(metric), metric
        assert point.full_valid_loss is not None
