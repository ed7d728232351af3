"""``ftclient export DIR`` and ``ftclient rerun DIR`` between emulators playing two providers."""

from __future__ import annotations

import json
import pathlib

import pytest

from ftclient.cli import main
from ftclient.testing import SAMPLE_TRAINING_DATA

from .conftest import ThreadedEmulator


@pytest.fixture
def bedrock() -> ThreadedEmulator:
    server = ThreadedEmulator(seed=1, speed=0, profile="bedrock")
    yield server  # type: ignore[misc]
    server.close()


def test_export_then_rerun_into_bedrock(
    emu: ThreadedEmulator,
    bedrock: ThreadedEmulator,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
    clean_env: None,
) -> None:
    for i in range(3):
        emu.call(_add(emu, seed=10 + i))
    source = ["--base-url", emu.url, "--api-key", "sk-one"]
    assert main([*source, "export", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "3 jobs (3 new or changed, 0 unchanged)" in out
    assert main([*source, "export", str(tmp_path)]) == 0
    assert "3 jobs (0 new or changed, 3 unchanged)" in capsys.readouterr().out

    target = ["--base-url", bedrock.url, "--api-key", "sk-two"]
    rerun = [*target, "rerun", str(tmp_path), "--provider", "bedrock"]
    assert main([*rerun, "--model", "gpt-4o-mini=openai.gpt-oss-20b", "--dry-run"]) == 0
    plan = capsys.readouterr().out
    assert plan.count("-> openai.gpt-oss-20b (supervised): planned") == 3
    assert bedrock.emu.jobs == {}  # the dry run sent nothing
    assert main([*rerun, "--model", "gpt-4o-mini=openai.gpt-oss-20b"]) == 0
    assert "3 jobs created or found" in capsys.readouterr().out
    assert main([*rerun, "--model", "gpt-4o-mini=openai.gpt-oss-20b", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert len(bedrock.emu.jobs) == 3  # twice run, each job once
    assert {j["target_id"] for j in again} == set(bedrock.emu.jobs)
    assert sorted(j.seed for j in bedrock.emu.jobs.values()) == [10, 11, 12]


async def _add(emu: ThreadedEmulator, *, seed: int) -> None:
    # a training file the emulator holds, so that export copies its bytes and rerun uploads them
    training = emu.emu.seed_file(SAMPLE_TRAINING_DATA)["id"]
    emu.emu.add_job("succeeded", seed=seed, suffix="kept-here", training_file=training)
