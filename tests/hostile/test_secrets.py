"""The key is never reachable from outside the transport's send.

A hostile server echoes the request's Authorization header back in error bodies and success
bodies, answers malformed HTTP, an unknown ``Content-Encoding``, a body larger than the limit;
every error ftclient raises is then rendered every way a user's tools render it: ``str``,
``repr``, a traceback, a traceback with every frame's locals (``capture_locals``, as pytest
``--showlocals``, loguru ``diagnose`` and error trackers do), the cause and context chain, the
error's attributes, and DEBUG logs.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import ftclient

KEY = "sk-proj-ECHOED-SECRET-7d1e0c9a5b3f42aa8c61"
MASKED = "sk-...8c61"


def leaks(text: str) -> bool:
    return KEY in text or KEY[10:] in text


def renderings(exc: BaseException) -> list[str]:
    """Every way the error reaches a person or a log."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    shown = [
        str(exc),
        repr(exc),
        "".join(traceback.format_exception(exc)),
        "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format()),
        str(getattr(exc, "__notes__", "")),
    ]
    for link in chain:
        shown += [repr(link), str(link), repr(vars(link)) if hasattr(link, "__dict__") else ""]
        shown.append(repr(getattr(link, "request_info", "")))
    return shown


def _echo(request: web.Request) -> str:
    return request.headers.get("Authorization", "")


async def _malformed(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: nonsense\r\n\r\n{}")
    request.transport.close()
    return web.Response()


def _routes() -> web.Application:
    async def status(request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        body = {"error": {"message": f"bad key {_echo(request)}", "type": "x", "code": None}}
        return web.json_response(body, status=code, headers={"x-echo": _echo(request)})

    async def brotli(request: web.Request) -> web.Response:
        return web.Response(body=b"\x8b\x03\x80garbage", headers={"Content-Encoding": "br"})

    async def html(request: web.Request) -> web.Response:
        return web.Response(text=f"<html>{_echo(request)}</html>", status=502)

    async def shape(request: web.Request) -> web.Response:
        return web.json_response({"id": 7, "object": _echo(request)})

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"[" + b"0," * 40_000 + b"0]")

    async def stall(request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response()

    async def reset(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    app = web.Application()
    app.router.add_get("/v1/fine_tuning/jobs/status-{code}", status)
    app.router.add_get("/v1/fine_tuning/jobs/br", brotli)
    app.router.add_get("/v1/fine_tuning/jobs/html", html)
    app.router.add_get("/v1/fine_tuning/jobs/shape", shape)
    app.router.add_get("/v1/fine_tuning/jobs/big", big)
    app.router.add_get("/v1/fine_tuning/jobs/stall", stall)
    app.router.add_get("/v1/fine_tuning/jobs/reset", reset)
    app.router.add_get("/v1/fine_tuning/jobs/malformed", _malformed)
    return app


@pytest.fixture
async def hostile() -> AsyncIterator[str]:
    runner = web.AppRunner(_routes(), handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    await runner.cleanup()


async def _provoke(url: str) -> list[BaseException]:
    """One error of every kind ftclient raises, from a client whose key the server echoes."""
    client = ftclient.FineTuningClient(
        base_url=url, max_retries=0, max_response_bytes=50_000, api_key=_key()
    )
    calls: list[Callable[[], Awaitable[Any]]] = [
        *(
            (lambda code=code: client.jobs.retrieve(f"status-{code}"))
            for code in (400, 401, 403, 404, 409, 422, 429, 500, 418)
        ),
        lambda: client.jobs.retrieve("br"),
        lambda: client.jobs.retrieve("html"),
        lambda: client.jobs.retrieve("shape"),
        lambda: client.jobs.retrieve("big"),
        lambda: client.jobs.retrieve("stall", timeout=0.1),
        lambda: client.jobs.retrieve("stall", timeout=ftclient.Timeouts(total=None, read=0.1)),
        lambda: client.jobs.retrieve("reset"),
        lambda: client.jobs.retrieve("malformed"),
        lambda: client.jobs.retrieve("../../x"),
        lambda: client.jobs.retrieve("x", timeout=-1),
    ]
    seen: list[BaseException] = []
    for call in calls:
        try:
            await call()
        except ftclient.FTClientError as exc:
            seen.append(exc)
    await client.aclose()
    try:
        await client.jobs.retrieve("x")
    except ftclient.FTClientError as exc:
        seen.append(exc)
    refused = ftclient.FineTuningClient(
        base_url="http://127.0.0.1:9/v1", max_retries=0, api_key=_key()
    )
    try:
        await refused.jobs.retrieve("x")
    except ftclient.FTClientError as exc:
        seen.append(exc)
    await refused.aclose()
    try:
        ftclient.FineTuningClient(api_key=_key(), base_url="ftp://nowhere")
    except ftclient.FTClientError as exc:
        seen.append(exc)
    return seen


def _key() -> str:
    return KEY  # looked up at the call, so that no test frame holds it as a local


async def test_no_error_of_any_kind_shows_the_key_however_it_is_rendered(
    hostile: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        seen = await _provoke(hostile)
    kinds = {type(exc).__name__ for exc in seen}
    assert kinds >= {
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
        "APIStatusError",
        "APIConnectionError",
        "APITimeoutError",
        "APIResponseValidationError",
        "InvalidParameterError",
        "ClientClosedError",
    }, kinds
    assert len(seen) == 22
    for exc in seen:
        for text in renderings(exc):
            assert not leaks(text), (type(exc).__name__, text[:300])
    assert any(exc.__cause__ is not None for exc in seen), "causes are kept, scrubbed"
    for record in caplog.records:
        assert not leaks(record.getMessage())
    echoed = [e for e in seen if isinstance(e, ftclient.APIStatusError) and e.status == 400]
    assert MASKED in str(echoed[0])  # the server echoed it; ftclient shows it masked
    assert echoed[0].headers["x-echo"] == f"Bearer {MASKED}"


async def test_a_body_over_the_limit_is_refused_naming_the_limit(hostile: str) -> None:
    async with ftclient.FineTuningClient(
        api_key=_key(), base_url=hostile, max_response_bytes=50_000
    ) as client:
        with pytest.raises(ftclient.APIResponseValidationError, match="max_response_bytes"):
            await client.jobs.retrieve("big")


def _raised(exc: BaseException, *, cause: BaseException | None = None) -> BaseException:
    """``exc`` raised from a frame that holds the key as a local, as aiohttp's send does."""
    headers = {"Authorization": f"Bearer {_key()}"}  # noqa: F841  # what capture_locals shows
    try:
        raise exc from cause
    except BaseException as raised:
        return raised


def test_the_whole_cause_chain_is_scrubbed_not_only_its_head() -> None:
    from multidict import CIMultiDict, CIMultiDictProxy
    from yarl import URL

    from ftclient._transport import _scrubbed

    url = URL("http://127.0.0.1:9/v1/fine_tuning/jobs")
    headers = CIMultiDictProxy(
        CIMultiDict({"Authorization": f"Bearer {_key()}", "api-key": _key()})
    )
    info = aiohttp.RequestInfo(url, "GET", headers, url)
    inner = _raised(aiohttp.ClientResponseError(info, (), status=500))
    outer = _raised(aiohttp.ClientResponseError(info, (), status=502), cause=inner)
    assert leaks("".join(renderings(outer)))  # the test's own premise: unscrubbed, it leaks
    _scrubbed(outer)
    for link in (outer, inner):
        assert link.__traceback__ is None
        assert link.request_info.headers["Authorization"] == "***"  # type: ignore[attr-defined]
        assert link.request_info.headers["api-key"] == "***"  # type: ignore[attr-defined]
    assert not any(leaks(text) for text in renderings(outer))
