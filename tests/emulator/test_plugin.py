"""The pytest plugin as a user's project meets it: a pytest run of its own, in a directory of its
own, under pytest-asyncio's strict mode with looptime (auto mode and anyio's plugin run as
docs/emulator.md shows them, in tests/docs/test_readme.py's pytest projects).

Every inner test waits for jobs with the library's default intervals; looptime fast-forwards the
loop's clock, so they finish at once (a real-time wait would run into the subprocess timeout).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFTEST = """
import pytest


@pytest.fixture
def ft_emulator_options():
    return {"organization_id": "org-suite"}


@pytest.fixture
def ft_client_options():
    return {"api_key": "sk-suite"}
"""

TESTS = """
import asyncio

import ftclient
import pytest


async def waited_with_defaults(client, training_file):
    job = await client.jobs.create(model="gpt-4o-mini", training_file=training_file)
    done = await client.jobs.wait(job.id)
    assert done.status == "succeeded"
    assert asyncio.get_running_loop().time() > 45  # simulated seconds: the job's whole life


MARK
async def test_ft_client_waits_in_simulated_time(ft_client, ft_emulator, ft_training_file):
    await waited_with_defaults(ft_client, ft_training_file)
    assert ft_emulator.requests[0].headers["Authorization"] == "Bearer sk-suite"
    assert ft_emulator.state.organization_id == "org-suite"


MARK
async def test_my_own_client_works_too(ft_emulator, ft_training_file):
    async with ftclient.FineTuningClient(api_key="mine", base_url=ft_emulator.url) as client:
        await waited_with_defaults(client, ft_training_file)


MARK
async def test_a_made_up_file_is_refused_as_by_the_service(ft_client):
    with pytest.raises(ftclient.BadRequestError, match="invalid training_file: file-made-up"):
        await ft_client.jobs.create(model="gpt-4o-mini", training_file="file-made-up")


MARK
@pytest.mark.ft_emulator(require_files=False)
async def test_the_switch_takes_made_up_ids(ft_client):
    await waited_with_defaults(ft_client, "file-made-up")


MARK
@pytest.mark.ft_emulator(organization_id="org-marked")
@pytest.mark.ft_client(max_retries=0)
async def test_markers_configure_one_test(ft_emulator, ft_client):
    assert ft_emulator.state.organization_id == "org-marked"
    ft_emulator.faults.add("createFineTuningJob", "rate_limit", retry_after=2)
    with pytest.raises(ftclient.RateLimitError):
        await ft_client.jobs.create(model="gpt-4o-mini", training_file="file-a")


MARK
async def test_retry_after_is_slept_in_simulated_time(ft_emulator, ft_client):
    ft_emulator.faults.add("retrieveFineTuningJob", "status", status=503, retry_after=30)
    job = ft_emulator.add_job("running")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await ft_client.jobs.retrieve(job["id"])
    assert loop.time() - started >= 30
"""

MARKED = "@pytest.mark.asyncio\n"


ROOT = Path(__file__).resolve().parents[2]
# The inner pytest imports ftclient from this checkout, not from wherever it is installed.
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
}


def run_project(path: Path, ini: str, *extra: str, files: dict[str, str]) -> tuple[int, str]:
    settings = '\nfilterwarnings = ["error"]\n'
    if "no:asyncio" not in extra:
        settings += 'asyncio_default_fixture_loop_scope = "function"\n'
    (path / "pyproject.toml").write_text(f"[tool.pytest.ini_options]{settings}{ini}\n")
    for name, text in files.items():
        (path / name).write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
        cwd=path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_strict_mode(tmp_path: Path) -> None:
    files = {"conftest.py": CONFTEST, "test_asyncio.py": TESTS.replace("MARK\n", MARKED)}
    code, output = run_project(tmp_path, 'asyncio_mode = "strict"', files=files)
    assert (code, output.splitlines()[-1].split(" in ")[0]) == (0, "6 passed"), output


def test_without_an_async_plugin_the_fixtures_say_what_is_missing(tmp_path: Path) -> None:
    files = {"test_sync.py": "def test_it(ft_emulator):\n    pass\n"}
    code, output = run_project(tmp_path, "", "-p", "no:asyncio", "-p", "no:anyio", files=files)
    assert code == 1, output
    assert "The ft_emulator and ft_client fixtures are async: install pytest-asyncio" in output
