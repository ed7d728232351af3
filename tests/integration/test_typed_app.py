"""The typed-usage app (tests/typing/app.py): its misuse markers, mypy over it, and its requests.

CI's ``mypy --strict --warn-unused-ignores tests/typing`` is the proof that the app checks and
that every misuse is flagged; here the same run is repeated (about 9 s cold, under 1 s with
mypy's cache), the markers are checked to be where they must be, and the app's calls are sent to
the emulator, so the typed examples are requests the contract accepts.
"""

from __future__ import annotations

import asyncio
import pathlib
import re
import subprocess
import sys

from aiohttp.test_utils import TestClient, TestServer

import ftclient
from ftclient.params import JobSpecParam
from ftclient.testing import SAMPLE_TRAINING_DATA, FineTuningEmulator
from tests.typing import app

from .helpers import sent

ROOT = pathlib.Path(__file__).resolve().parents[2]
APP = ROOT / "tests" / "typing" / "app.py"
MARKER = re.compile(r"# type: ignore\[([a-z-]+(?:, [a-z-]+)*)\]$")


def _misuse_block() -> list[str]:
    lines = APP.read_text("utf-8").splitlines()
    start = lines.index("    # fmt: off")
    return lines[start + 1 : lines.index("    # fmt: on", start)]


def test_each_misuse_is_one_line_marked_with_its_error_codes() -> None:
    code = [line for line in _misuse_block() if not line.strip().startswith("#")]
    assert len(code) >= 17
    # The issue's own misspellings are among them: method type, hyperparameter, grader field.
    joined = "\n".join(code)
    for misuse in ('"supervized"', '"bta"', '"n_epochs": "3"', '"operaton"', '"projct"'):
        assert misuse in joined, misuse
    for line in code:
        assert MARKER.search(line), f"a misuse without its marker: {line.strip()}"
    # Every misuse is explained by the comment above it.
    block = _misuse_block()
    for index, line in enumerate(block):
        if not line.strip().startswith("#"):
            assert block[index - 1].strip().startswith("# "), line


def test_the_app_outside_the_misuses_has_no_cast_and_no_ignore() -> None:
    text = APP.read_text("utf-8")
    outside = text.replace("\n".join(_misuse_block()), "")
    assert "type: ignore" not in outside
    assert "cast(" not in outside
    assert re.search(r"\bAny\b", outside) is None


def test_ci_runs_mypy_over_the_app_after_the_package() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    package = ci.index("\nmypy --strict ftclient\n")
    assert ci.index("\nmypy --strict --warn-unused-ignores tests/typing\n") > package
    assert 'echo "+ mypy --strict --warn-unused-ignores tests/typing"' in ci


def test_mypy_accepts_the_app_and_flags_every_misuse() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", "tests/typing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("Success: no issues found")


async def test_the_app_sends_what_it_typed(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    ids = await app.readme_examples(client, "file-train")
    result = await app.grade(client)

    assert len(set(ids)) == 4
    creates = [r.json for r in sent(emulator, "createFineTuningJob")]
    assert creates[0]["integrations"] == [
        {"type": "wandb", "wandb": {"project": "support", "tags": ["v1"]}}
    ]
    assert creates[0]["method"]["supervised"] == {"hyperparameters": {"n_epochs": 3}}
    assert creates[1]["method"]["dpo"] == {"hyperparameters": {"beta": 0.1, "n_epochs": "auto"}}
    assert creates[2]["hyperparameters"] == {"n_epochs": "auto"}
    grader = creates[3]["method"]["reinforcement"]["grader"]
    assert sorted(grader["graders"]) == ["code", "exact", "judge"]
    assert grader["graders"]["judge"]["input"][1]["content"][1] == "Expected: {{item.label}}"
    assert result.reward == 1.0
    validated = [r.json["grader"]["type"] for r in sent(emulator, "validateGrader")]
    assert validated == ["string_check", "multi"]


async def test_the_apps_probe_sends_with_its_own_options(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    assert await app.health(client) == 0
    probe, read = sent(emulator, "listPaginatedFineTuningJobs")
    assert probe.headers["X-Caller"] == "health"
    assert "X-Caller" not in read.headers


async def test_the_app_uploads_with_its_typed_expiry() -> None:
    async with (
        FineTuningEmulator(speed=0) as emulator,
        ftclient.FineTuningClient(api_key="sk-test", base_url=emulator.url) as client,
    ):
        file_id = await app.upload(client, SAMPLE_TRAINING_DATA)
        retrieved = await client.files.retrieve(file_id)
    assert retrieved.expires_at is not None
    assert retrieved.created_at is not None
    assert retrieved.expires_at - retrieved.created_at == 86_400


async def test_the_service_handler_and_the_worker(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    async with TestClient(TestServer(app.make_app(client), host="127.0.0.1")) as http:
        answer = await http.post(
            "/jobs", json={"model": "gpt-4o-mini", "training_file": "file-t", "n_epochs": "2"}
        )
        created = await answer.json()
    assert answer.status == 200
    assert created["status"] == "validating_files"
    sent_method = sent(emulator, "createFineTuningJob")[0].json["method"]
    assert sent_method == {
        "type": "supervised",
        "supervised": {"hyperparameters": {"batch_size": "auto", "n_epochs": 2}},
    }

    queue: asyncio.Queue[JobSpecParam] = asyncio.Queue()
    for n in range(2):
        queue.put_nowait({"model": "gpt-4o-mini", "training_file": f"file-{n}", "seed": n})
    jobs = await app.worker(client, queue, rounds=2)
    assert sorted(job.training_file or "" for job in jobs) == ["file-0", "file-1"]
    assert sorted(r.json["seed"] for r in sent(emulator, "createFineTuningJob")[1:]) == [0, 1]


async def test_the_apps_page_by_page_walk(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    made = await app.readme_examples(client, "file-train")
    listed = await app.job_ids(client)
    assert sorted(listed) == sorted(made)  # four jobs, two a page
    queries = [dict(r.query) for r in sent(emulator, "listPaginatedFineTuningJobs")]
    assert queries == [{"limit": "2"}, {"limit": "2", "after": listed[1]}]
