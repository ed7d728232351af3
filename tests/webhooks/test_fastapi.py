"""The README's FastAPI example: ``asgi_handler`` as a route of a real FastAPI app under uvicorn.

FastAPI is a test extra only; ftclient's handler is plain ASGI and needs no new runtime
dependency. The emulator signs and delivers the events, so this is the whole loop a user runs.
"""

from __future__ import annotations

import json

import aiohttp
from fastapi import FastAPI
from starlette.routing import Route

from ftclient import webhooks

from .senders import uvicorn_app

SECRET = "whsec_ZnRjbGllbnQtZmFzdGFwaS10ZXN0LXNlY3JldA=="
EVENT = {
    "id": "evt_1",
    "object": "event",
    "created_at": 1_700_000_000,
    "type": "fine_tuning.job.succeeded",
    "data": {"id": "ftjob-1"},
}


def make_app(seen: list[webhooks.WebhookEvent]) -> FastAPI:
    handler = webhooks.asgi_handler(seen.append, secret=SECRET)
    app = FastAPI(routes=[Route("/webhooks/openai", handler, methods=["POST"])])

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def test_a_fastapi_route_accepts_a_signed_delivery_and_refuses_a_forged_one() -> None:
    seen: list[webhooks.WebhookEvent] = []
    body = json.dumps(EVENT).encode()
    async with uvicorn_app(make_app(seen)) as port, aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{port}/webhooks/openai"
        async with session.post(url, data=body, headers=webhooks.sign(body, secret=SECRET)) as ok:
            assert ok.status == 200
        forged = {**webhooks.sign(body, secret=SECRET), "webhook-signature": "v1,Zm9yZ2Vk"}
        async with session.post(url, data=body, headers=forged) as refused:
            assert refused.status == 400
            assert "signature" in (await refused.text()).lower()
        async with session.get(url) as wrong_method:
            assert wrong_method.status == 405
        async with session.get(f"http://127.0.0.1:{port}/health") as health:
            assert await health.json() == {"status": "ok"}  # the rest of the app is untouched
    assert [type(event) for event in seen] == [webhooks.FineTuningJobSucceededWebhookEvent]
    assert isinstance(seen[0], webhooks.FineTuningJobSucceededWebhookEvent)
    assert seen[0].data.id == "ftjob-1"
