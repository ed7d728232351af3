"""End to end, offline: the emulator delivers signed events to a web app built on the helper."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web

import ftclient
from ftclient import webhooks
from ftclient.testing import SAMPLE_TRAINING_DATA, FineTuningEmulator

SECRET = "whsec_" + "dGVzdC1zZWNyZXQtZm9yLXRoZS1lbXVsYXRvcg=="
SLOW = ftclient.PollSchedule(initial=3600, maximum=3600)


class App:
    """A user's web app: verifies each delivery, then reacts by retrieving the job."""

    def __init__(self, client: ftclient.FineTuningClient) -> None:
        self.client = client
        self.events: list[webhooks.WebhookEvent] = []
        self.reactions: list[tuple[str, str]] = []
        self.fail_first = 0
        self.also: Callable[[webhooks.WebhookEvent], None] | None = None

    async def on_event(self, event: webhooks.WebhookEvent) -> None:
        if self.fail_first:
            self.fail_first -= 1
            raise RuntimeError("the app is down for a moment")
        self.events.append(event)
        if self.also is not None:
            self.also(event)
        if not isinstance(event, webhooks.UnknownWebhookEvent):
            job = await self.client.jobs.retrieve(event.data.id)
            self.reactions.append((job.id, str(job.status)))


@pytest.fixture
async def emulator() -> AsyncIterator[FineTuningEmulator]:
    # Made-up file ids: "file-fail-..." makes a job fail validation (require_files=False).
    async with FineTuningEmulator(
        webhook_secret=SECRET, webhook_retry_wait=0.001, require_files=False
    ) as emu:
        yield emu


@pytest.fixture
async def client(emulator: FineTuningEmulator) -> AsyncIterator[ftclient.FineTuningClient]:
    async with ftclient.FineTuningClient(api_key="sk-test", base_url=emulator.url) as c:
        yield c


@pytest.fixture
async def app(
    emulator: FineTuningEmulator, client: ftclient.FineTuningClient
) -> AsyncIterator[tuple[App, str]]:
    state = App(client)
    web_app = web.Application()
    web_app.router.add_post("/hooks", webhooks.aiohttp_handler(state.on_event, secret=SECRET))
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
    emulator.add_webhook(url)
    yield state, url
    await runner.cleanup()


async def test_a_finished_job_reaches_the_app_signed_and_typed(
    emulator: FineTuningEmulator, client: ftclient.FineTuningClient, app: tuple[App, str]
) -> None:
    state, url = app
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-train")
    assert await emulator.deliver_webhooks() == []  # nothing finished yet
    emulator.clock.advance(24 * 3600)
    deliveries = await emulator.deliver_webhooks()
    assert [(d.url, d.job_id, d.event_type, d.attempt, d.status) for d in deliveries] == [
        (url, job.id, "fine_tuning.job.succeeded", 1, 200)
    ]
    [event] = state.events
    assert isinstance(event, webhooks.FineTuningJobSucceededWebhookEvent)
    assert event.data.id == job.id
    assert event.id == deliveries[0].event_id
    assert event.created_at == emulator.job_json(job.id)["finished_at"]
    assert state.reactions == [(job.id, "succeeded")]
    assert await emulator.deliver_webhooks() == deliveries  # each event is sent once


async def test_failed_and_cancelled_jobs_send_their_own_events(
    emulator: FineTuningEmulator, client: ftclient.FineTuningClient, app: tuple[App, str]
) -> None:
    state, _ = app
    failing = await client.jobs.create(model="gpt-4o-mini", training_file="file-fail-rows")
    cancelled = await client.jobs.create(model="gpt-4o-mini", training_file="file-train")
    await client.jobs.cancel(cancelled.id)
    emulator.clock.advance(60)
    await emulator.deliver_webhooks()
    kinds = {
        e.data.id: type(e) for e in state.events if not isinstance(e, webhooks.UnknownWebhookEvent)
    }
    assert kinds == {
        failing.id: webhooks.FineTuningJobFailedWebhookEvent,
        cancelled.id: webhooks.FineTuningJobCancelledWebhookEvent,
    }
    assert sorted(state.reactions) == sorted([(failing.id, "failed"), (cancelled.id, "cancelled")])


async def test_an_endpoint_that_fails_gets_the_event_again_with_backoff(
    emulator: FineTuningEmulator, client: ftclient.FineTuningClient, app: tuple[App, str]
) -> None:
    state, _ = app
    state.fail_first = 2  # the handler raises: aiohttp answers 500
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-train")
    emulator.clock.advance(24 * 3600)
    deliveries = await emulator.deliver_webhooks()
    assert [(d.attempt, d.status) for d in deliveries] == [(1, 500), (2, 500), (3, 200)]
    assert len({d.event_id for d in deliveries}) == 1  # the same event, redelivered
    assert [e.data.id for e in state.events] == [job.id]  # type: ignore[union-attr]


async def test_an_endpoint_that_is_down_is_recorded_and_given_up_on() -> None:
    async with FineTuningEmulator(
        webhooks=["http://127.0.0.1:9/nothing-listens-here"],
        webhook_attempts=2,
        webhook_retry_wait=0.001,
    ) as emu:
        training_file = emu.seed_file(SAMPLE_TRAINING_DATA)["id"]
        async with ftclient.FineTuningClient(api_key="sk-test", base_url=emu.url) as client:
            job = await client.jobs.create(model="gpt-4o-mini", training_file=training_file)
            await client.jobs.cancel(job.id)
        deliveries = await emu.deliver_webhooks()
    assert [(d.attempt, d.status, d.delivered) for d in deliveries] == [
        (1, None, False),
        (2, None, False),
    ]
    assert all(d.error for d in deliveries)


def test_endpoints_off_the_loopback_are_refused() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        FineTuningEmulator(webhooks=["https://example.com/hooks"])
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        FineTuningEmulator().add_webhook("http://10.0.0.1/hooks")


async def test_the_helper_refuses_forged_deliveries(
    emulator: FineTuningEmulator, app: tuple[App, str]
) -> None:
    state, url = app
    body = b'{"id":"evt_x","type":"fine_tuning.job.succeeded","created_at":1,"data":{"id":"j"}}'
    forged = webhooks.sign(
        body, secret="whsec_" + "b3RoZXItc2VjcmV0", msg_id="evt_x", timestamp=int(time.time())
    )
    other = b'{"id":"evt_y","type":"response.completed","created_at":1,"data":{"id":"r"}}'
    genuine = webhooks.sign(other, secret=SECRET, msg_id="evt_y", timestamp=int(time.time()))
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=other, headers=genuine) as response:
            assert (response.status, await response.text()) == (200, "ok\n")
        async with session.post(url, data=body, headers=forged) as response:
            assert response.status == 400
            assert "no v1 signature" in await response.text()
        async with session.post(url, data=body) as response:
            assert response.status == 400
    assert [e.id for e in state.events] == ["evt_y"]


async def test_the_handler_applies_its_tolerance() -> None:
    received: list[webhooks.WebhookEvent] = []
    app = web.Application()
    app.router.add_post(
        "/wide", webhooks.aiohttp_handler(received.append, secret=SECRET, tolerance=400)
    )
    app.router.add_post(
        "/exact", webhooks.aiohttp_handler(received.append, secret=SECRET, tolerance=0)
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    body = b'{"id":"evt_z","type":"fine_tuning.job.failed","created_at":1,"data":{"id":"j"}}'
    old = webhooks.sign(body, secret=SECRET, msg_id="evt_z", timestamp=int(time.time()) - 350)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(base + "/wide", data=body, headers=old) as response:
                assert response.status == 200  # 350 s old: within 400
            async with session.post(base + "/exact", data=body, headers=old) as response:
                assert response.status == 400
                assert "old, more than the tolerance of 0s" in await response.text()
    finally:
        await runner.cleanup()
    assert [e.id for e in received] == ["evt_z"]


async def test_webhooks_feed_wait_many_with_polling_as_the_safety_net(
    emulator: FineTuningEmulator, client: ftclient.FineTuningClient, app: tuple[App, str]
) -> None:
    state, _ = app
    ids = [
        (await client.jobs.create(model="gpt-4o-mini", training_file=f"file-{i}")).id
        for i in range(3)
    ]
    waiter = client.jobs.wait_many(ids, poll_interval=SLOW)  # polls once an hour at most
    results = aiter(waiter)
    first = asyncio.ensure_future(anext(results))
    for _ in range(1000):  # bounded: the first round lists at once
        if any(r.operation_id == "listPaginatedFineTuningJobs" for r in emulator.requests):
            break
        await asyncio.sleep(0.001)
    state.also = lambda event: waiter.notify(event.data.id)  # type: ignore[union-attr]
    await client.jobs.cancel(ids[1])
    await emulator.deliver_webhooks()
    result = await asyncio.wait_for(first, 5)
    assert (result.job_id, result.ok) == (ids[1], True)
    assert result.job is not None
    assert result.job.status == "cancelled"
    await waiter.aclose()


@pytest.mark.ft_emulator(webhook_secret=SECRET, webhook_retry_wait=0.001)
async def test_the_fixture_takes_webhook_settings(
    ft_emulator: FineTuningEmulator, ft_client: ftclient.FineTuningClient, ft_training_file: str
) -> None:
    received: list[webhooks.WebhookEvent] = []
    web_app = web.Application()
    web_app.router.add_post("/h", webhooks.aiohttp_handler(received.append, secret=SECRET))
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        ft_emulator.add_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/h")
        job = await ft_client.jobs.create(model="gpt-4o-mini", training_file=ft_training_file)
        await ft_client.jobs.cancel(job.id)
        await ft_emulator.deliver_webhooks()
    finally:
        await runner.cleanup()
    assert [(type(e).__name__, e.data.id) for e in received] == [  # type: ignore[union-attr]
        ("FineTuningJobCancelledWebhookEvent", job.id)
    ]


def test_serve_takes_webhook_endpoints_on_the_loopback_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ftclient.cli import main

    assert main(["serve", "--webhook", "https://example.com/hooks"]) == 2
    assert "127.0.0.1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"tolerance": -1}, "tolerance"),
        ({"tolerance": None}, "tolerance"),
        ({"tolerance": "0"}, "tolerance"),
        ({"on_event": None}, "on_event"),
        ({"secret": "whsec_!!"}, "secret"),
    ],
)
def test_the_handler_refuses_bad_arguments_at_once(kwargs: dict[str, object], param: str) -> None:
    arguments: dict[str, object] = {"on_event": print, "secret": SECRET, **kwargs}
    on_event = arguments.pop("on_event")
    with pytest.raises(ftclient.InvalidParameterError) as info:
        webhooks.aiohttp_handler(on_event, **arguments)  # type: ignore[arg-type]
    assert info.value.param == param
    assert str(info.value).startswith(f"{param}: must")
    if param == "on_event":
        assert str(info.value) == "on_event: must be a callable taking the event"


async def test_serve_delivers_signed_events_to_a_webhook_url() -> None:
    received: asyncio.Queue[webhooks.WebhookEvent] = asyncio.Queue()
    secrets: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        event = webhooks.unwrap(await request.read(), request.headers, secret=secrets[0])
        received.put_nowait(event)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hooks", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    args = ["serve", "--port", "0", "--speed", "1000", "--webhook", hook, "--json"]
    args.append("--no-require-files")  # a made-up id whose "fail" fails validation
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ftclient", *args, stdout=PIPE, stderr=PIPE, env=env
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(30):  # a bound, not a measurement
            ready = json.loads(await proc.stdout.readline())
            assert ready["webhooks"] == [hook]
            secrets.append(ready["webhook_secret"])
            async with ftclient.FineTuningClient(
                api_key=ready["api_key"], base_url=ready["url"]
            ) as client:
                job = await client.jobs.create(model="gpt-4o-mini", training_file="file-fail-x")
            event = await received.get()
        assert isinstance(event, webhooks.FineTuningJobFailedWebhookEvent)
        assert event.data.id == job.id
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            await asyncio.wait_for(proc.wait(), 20)
        await runner.cleanup()
    assert proc.returncode == 0
