"""Per-call ``max_retries=``: every method that sends a request takes it, for that call only.

Against a server of the test's own that answers every request 429 (or 500 where a failed attempt
cannot have acted twice: reads and graders), ``max_retries=0`` makes exactly one attempt and
``max_retries=5`` six, whatever the client's policy. Waits run on a SimClock: no real time.
"""

from __future__ import annotations

import inspect
import pathlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import ftclient
from ftclient.resources import Checkpoints, Files, Graders, Jobs, Permissions, Uploads

from .recorder import GRADER, Recorder

CKPT = "ft:gpt-4o-mini:org::ckpt"
Call = Callable[[ftclient.FineTuningClient, dict[str, Any]], Awaitable[Any]]


async def _first_page(paginator: Any) -> Any:
    return await paginator


def _calls(tmp: pathlib.Path) -> dict[str, Call]:
    """Every request method (and the helpers built on them), with arguments that pass checks."""
    return {
        "jobs.create": lambda c, kw: c.jobs.create(model="gpt-4o-mini", training_file="f", **kw),
        "jobs.retrieve": lambda c, kw: c.jobs.retrieve("ftjob-1", **kw),
        "jobs.list": lambda c, kw: _first_page(c.jobs.list(**kw)),
        "jobs.cancel": lambda c, kw: c.jobs.cancel("ftjob-1", **kw),
        "jobs.pause": lambda c, kw: c.jobs.pause("ftjob-1", **kw),
        "jobs.resume": lambda c, kw: c.jobs.resume("ftjob-1", **kw),
        "jobs.list_events": lambda c, kw: _first_page(c.jobs.list_events("ftjob-1", **kw)),
        "checkpoints.list": lambda c, kw: _first_page(c.checkpoints.list("ftjob-1", **kw)),
        "checkpoints.best": lambda c, kw: c.checkpoints.best("ftjob-1", **kw),
        "permissions.create": lambda c, kw: c.permissions.create(CKPT, project_ids=["p"], **kw),
        "permissions.list": lambda c, kw: _first_page(c.permissions.list(CKPT, **kw)),
        "permissions.delete": lambda c, kw: c.permissions.delete(CKPT, "perm-1", **kw),
        "graders.run": lambda c, kw: c.graders.run(grader=GRADER, model_sample="a", **kw),
        "graders.validate": lambda c, kw: c.graders.validate(grader=GRADER, **kw),
        "files.create": lambda c, kw: c.files.create(
            file=b"{}\n", purpose="fine-tune", filename="a.jsonl", **kw
        ),
        "files.upload": lambda c, kw: c.files.upload(b"{}\n", filename="a.jsonl", **kw),
        "files.retrieve": lambda c, kw: c.files.retrieve("file-1", **kw),
        "files.list": lambda c, kw: _first_page(c.files.list(**kw)),
        "files.delete": lambda c, kw: c.files.delete("file-1", **kw),
        "files.content": lambda c, kw: c.files.content("file-1", **kw),
        "files.download": lambda c, kw: c.files.download("file-1", tmp / "out.jsonl", **kw),
        "uploads.create": lambda c, kw: c.uploads.create(
            filename="a.jsonl", purpose="fine-tune", bytes=3, **kw
        ),
        "uploads.add_part": lambda c, kw: c.uploads.add_part("upload-1", data=b"{}\n", **kw),
        "uploads.complete": lambda c, kw: c.uploads.complete("upload-1", part_ids=["p1"], **kw),
        "uploads.cancel": lambda c, kw: c.uploads.cancel("upload-1", **kw),
    }


# A 500 on these may have acted: their guards check before resending, which adds requests.
NOT_GUARDED = [
    name
    for name in _calls(pathlib.Path())
    if name.split(".")[1] in {"retrieve", "list", "list_events", "best", "content", "download"}
    or name.startswith("graders.")
]


CASES = [(name, 429) for name in _calls(pathlib.Path())] + [(name, 500) for name in NOT_GUARDED]


@pytest.mark.parametrize(("name", "status"), CASES)
@pytest.mark.parametrize("retries", [0, 5])
async def test_max_retries_per_call_sets_the_attempts(
    recorded: Recorder,
    recorded_client: ftclient.FineTuningClient,
    tmp_path: pathlib.Path,
    name: str,
    status: int,
    retries: int,
) -> None:
    recorded.status = status
    with pytest.raises(ftclient.APIStatusError) as caught:
        await _calls(tmp_path)[name](recorded_client, {"max_retries": retries})
    assert caught.value.status == status
    assert len(recorded.seen) == retries + 1, [s.path for s in recorded.seen]
    assert caught.value.attempts == retries + 1
    # The client's own policy is untouched: the next call without the option makes 3 attempts.
    recorded.seen.clear()
    with pytest.raises(ftclient.APIStatusError):
        await _calls(tmp_path)[name](recorded_client, {})
    assert len(recorded.seen) == 3


async def test_the_checks_of_a_guarded_call_inherit_its_max_retries(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    # A 500 on a cancel may have acted: before resending, the guard retrieves the job (a check
    # made on the call's behalf). Its check retries as often as the call may: 1 + 1 GETs here,
    # where the client's policy (2) makes 1 + 2 of them before each of its 2 resends.
    recorded.status = 500
    with pytest.raises(ftclient.APIStatusError) as caught:
        await recorded_client.jobs.cancel("ftjob-1", max_retries=1)
    assert [s.method for s in recorded.seen] == ["POST", "GET", "GET", "POST"]
    assert caught.value.attempts == 2
    recorded.seen.clear()
    with pytest.raises(ftclient.APIStatusError):
        await recorded_client.jobs.cancel("ftjob-1")
    assert [s.method for s in recorded.seen] == ["POST", *["GET"] * 3] * 2 + ["POST"]


@pytest.mark.parametrize("bad", [-1, True, 1.5, "2"])
@pytest.mark.parametrize("name", list(_calls(pathlib.Path())))
async def test_a_bad_max_retries_is_refused_before_sending(
    recorded: Recorder,
    recorded_client: ftclient.FineTuningClient,
    tmp_path: pathlib.Path,
    name: str,
    bad: object,
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        await _calls(tmp_path)[name](recorded_client, {"max_retries": bad})
    assert caught.value.param == "max_retries"
    assert recorded.seen == []


@pytest.mark.parametrize("resource", [Jobs, Checkpoints, Permissions, Graders, Files, Uploads])
def test_every_method_with_a_timeout_option_takes_max_retries(resource: type) -> None:
    for name, method in inspect.getmembers(resource, inspect.isfunction):
        params = inspect.signature(method).parameters
        if "extra_headers" not in params:
            continue
        option = params.get("max_retries")
        assert option is not None, f"{resource.__name__}.{name}"
        assert option.kind is inspect.Parameter.KEYWORD_ONLY
        assert option.default is None
        assert list(params).index("max_retries") == list(params).index("timeout") + 1
