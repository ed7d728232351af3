"""FTCLIENT_LOG / OPENAI_LOG turn on the ftclient logger, as openai-python's OPENAI_LOG does."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from aiohttp import web

import ftclient
from ftclient._logs import configure_from_env
from tests.hostile.fake_api import job_document


@pytest.fixture
def fresh_logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """The ftclient logger with no handler and no level (see ``no_root_handlers``)."""
    logger = logging.getLogger("ftclient")
    saved = (logger.level, list(logger.handlers))
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    for variable in ("FTCLIENT_LOG", "OPENAI_LOG"):
        monkeypatch.delenv(variable, raising=False)
    yield logger
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]


def no_root_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that configured no logging (pytest adds its capture handler for each test's
    call, after the fixtures ran, so the tests call this first)."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])


@pytest.mark.parametrize(
    ("environ", "level"),
    [
        ({"FTCLIENT_LOG": "debug"}, logging.DEBUG),
        ({"OPENAI_LOG": "info"}, logging.INFO),
        ({"OPENAI_LOG": " DEBUG "}, logging.DEBUG),
        ({"FTCLIENT_LOG": "info", "OPENAI_LOG": "debug"}, logging.INFO),  # ftclient's own wins
        ({"FTCLIENT_LOG": "verbose"}, None),
        ({"FTCLIENT_LOG": ""}, None),
        ({}, None),
    ],
)
def test_the_variables_set_the_level(
    fresh_logger: logging.Logger,
    environ: dict[str, str],
    level: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_root_handlers(monkeypatch)
    assert configure_from_env(environ) == level
    assert fresh_logger.level == (level or logging.NOTSET)
    assert len(fresh_logger.handlers) == (level is not None)


def test_an_application_that_configured_logging_keeps_its_handlers(
    fresh_logger: logging.Logger,
) -> None:
    root = logging.getLogger()
    assert root.handlers  # pytest's: an application's root configuration counts as its own
    configure_from_env({"OPENAI_LOG": "debug"})
    assert fresh_logger.handlers == []
    mine = logging.NullHandler()
    fresh_logger.addHandler(mine)
    configure_from_env({"OPENAI_LOG": "debug"})
    assert fresh_logger.handlers == [mine]
    assert fresh_logger.level == logging.DEBUG


async def test_a_client_built_with_ftclient_log_debug_logs_each_attempt(
    fresh_logger: logging.Logger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_root_handlers(monkeypatch)

    async def job(request: web.Request) -> web.Response:
        return web.json_response(job_document("ftjob-1", 0), headers={"x-request-id": "req_7"})

    app = web.Application()
    app.router.add_get("/v1/fine_tuning/jobs/{id}", job)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    monkeypatch.setenv("FTCLIENT_LOG", "debug")
    try:
        base = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
        async with ftclient.FineTuningClient(api_key="sk-test", base_url=base) as client:
            await client.jobs.retrieve("ftjob-1")
    finally:
        await runner.cleanup()
    err = capsys.readouterr().err
    assert "DEBUG ftclient: " in err
    assert "GET /fine_tuning/jobs/ftjob-1 -> 200" in err
    assert "req_7" in err
