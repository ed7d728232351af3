"""Every error says what was tried and what to check, once (issue 20), against servers of our own.

Each message is pinned whole: a server that answers a wrong path as OpenAI does (``404 Invalid
URL (GET /fine_tuning/jobs/x)``, whose message already names the request), a port nobody
listens on, a server that never answers, a key the server refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

from aiohttp import web

import ftclient

NO_WAIT = ftclient.RetryPolicy(wait=False)


@contextlib.asynccontextmanager
async def serve(handler: web.RequestHandler) -> AsyncIterator[str]:  # type: ignore[type-arg]
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def _error(base_url: str, **options: object) -> ftclient.APIError:
    async with ftclient.FineTuningClient(
        api_key="sk-test",
        base_url=base_url,
        retry_policy=NO_WAIT,
        **options,  # type: ignore[arg-type]
    ) as client:
        try:
            await client.jobs.retrieve("ftjob-1")
        except ftclient.APIError as exc:
            return exc
    raise AssertionError("no error")


async def test_a_base_url_without_v1_names_the_path_once_and_says_what_to_check() -> None:
    async def openai_like(request: web.Request) -> web.Response:
        message = f"Invalid URL ({request.method} {request.path})"
        body = {"error": {"message": message, "type": "invalid_request_error", "code": None}}
        return web.json_response(body, status=404, headers={"x-request-id": "req_1"})

    async with serve(openai_like) as root:
        exc = await _error(root)  # no /v1
    assert isinstance(exc, ftclient.NotFoundError)
    assert str(exc) == (
        "404 Invalid URL (GET /fine_tuning/jobs/ftjob-1) [request id req_1]; "
        "no such path on this server: is base_url the API's, ending in /v1?"
    )
    assert exc.attempts == 1


async def test_a_job_that_does_not_exist_gets_no_base_url_hint() -> None:
    async def missing(request: web.Request) -> web.Response:
        body = {"error": {"message": "No such job: ftjob-1", "type": "invalid_request_error"}}
        return web.json_response(body, status=404)

    async with serve(missing) as root:
        exc = await _error(root + "/v1")
    assert str(exc) == "404 No such job: ftjob-1 (GET /fine_tuning/jobs/ftjob-1)"


async def test_a_refused_key_says_to_check_the_key() -> None:
    async def refuse(request: web.Request) -> web.Response:
        body = {
            "error": {"message": "Incorrect API key provided: sk-test.", "code": "invalid_api_key"}
        }
        return web.json_response(body, status=401)

    async with serve(refuse) as root:
        exc = await _error(root + "/v1")
    assert str(exc) == (
        "401 Incorrect API key provided: sk-test. (GET /fine_tuning/jobs/ftjob-1); "
        "check the API key (api_key= or OPENAI_API_KEY) and that it is this server's"
    )


async def test_a_server_error_counts_the_attempts() -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.json_response({"error": {"message": "boom"}}, status=500)

    async with serve(broken) as root:
        exc = await _error(root + "/v1", max_retries=2)
    assert str(exc) == "500 boom (GET /fine_tuning/jobs/ftjob-1); 3 attempts"
    assert exc.attempts == 3


async def test_a_closed_port_says_not_sent_how_often_and_what_to_check() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nobody listens there now
    exc = await _error(f"http://127.0.0.1:{port}/v1")
    assert isinstance(exc, ftclient.APIConnectionError)
    assert not exc.request_sent
    text = str(exc)
    assert text.startswith("connection error: ClientConnectorError: ")
    assert text.endswith(
        " (GET /fine_tuning/jobs/ftjob-1); not sent; 3 attempts; check that base_url is right "
        "and that its host is reachable from here (network, proxy, firewall)"
    )
    assert text.count("/fine_tuning/jobs/ftjob-1") == 1


async def test_a_read_timeout_says_it_may_have_reached_the_server_and_what_to_raise() -> None:
    release = asyncio.Event()

    async def silent(request: web.Request) -> web.Response:
        await release.wait()  # answers only after the client gave up
        return web.json_response({})

    async with serve(silent) as root:
        exc = await _error(
            root + "/v1", max_retries=0, timeout=ftclient.Timeouts(total=None, read=0.05)
        )
        release.set()
    assert isinstance(exc, ftclient.APITimeoutError)
    assert str(exc) == (
        "request timed out: GET /fine_tuning/jobs/ftjob-1; it may have reached the server; "
        "raise timeout= (per call or on the client) if the server is slow but working"
    )
