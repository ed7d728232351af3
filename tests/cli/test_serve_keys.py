"""``ftclient serve --api-key`` (a wrong key can be tried from the CLI) and ids unique per run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ftclient.testing import FineTuningEmulator
from tests.cli.conftest import Runner, serve_process


@contextmanager
def serving(*flags: str) -> Iterator[dict[str, Any]]:
    proc = serve_process("--json", *flags)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_serve_with_api_key_refuses_any_other_key(bare_cli: Runner) -> None:
    with serving("--api-key", "sk-right-key-0001") as info:
        assert info["api_key"] == "sk-right-key-0001"
        wrong = bare_cli(
            "--base-url", info["url"], "--api-key", "sk-wrong-key-0002", "jobs", "list"
        )
        right = bare_cli(
            "--base-url", info["url"], "--api-key", "sk-right-key-0001", "jobs", "list"
        )
    assert wrong.code == 1
    assert wrong.err.startswith("error: 401 Incorrect API key provided: sk-wrong*****0002.")
    assert right.code == 0, right.err
    assert right.out == "No fine-tuning jobs.\n"


def test_serve_tells_its_seed_and_replays_it() -> None:
    with serving() as first, serving() as second:
        assert first["seed"] != second["seed"]
    with serving("--seed", "7") as replay:
        assert replay["seed"] == 7


async def test_two_emulators_mint_different_ids_unless_given_the_same_seed() -> None:
    async def first_job_id(**kwargs: Any) -> str:
        async with FineTuningEmulator(require_files=False, **kwargs) as emu:
            return str(emu.add_job("queued", model="gpt-4o-mini", training_file="file-t")["id"])

    assert await first_job_id() != await first_job_id()
    assert await first_job_id(seed=3) == await first_job_id(seed=3)
