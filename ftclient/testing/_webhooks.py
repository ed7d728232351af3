"""The emulator's webhook deliveries: signed fine-tuning events to endpoints on 127.0.0.1.

When a job reaches ``succeeded``, ``failed`` or ``cancelled`` on the simulated clock, each
registered endpoint receives ``fine_tuning.job.<status>`` signed as the service signs it
(Standard Webhooks, see :mod:`ftclient.webhooks`). A non-2xx answer or a connection error is
retried with exponential backoff (``retry_wait`` doubled each time, real seconds) up to
``attempts`` times; every attempt is recorded. The ``webhook-timestamp`` is the real time of
the attempt (the receiver checks it against its own clock); the event's ``created_at`` is the
simulated time the job finished.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import aiohttp
import attrs

from .. import webhooks
from ._lifecycle import Job

__all__ = ["DEFAULT_WEBHOOK_SECRET", "WebhookDelivery", "WebhookSender"]

DEFAULT_WEBHOOK_SECRET = "whsec_ZnRjbGllbnQtZW11bGF0b3Itd2ViaG9vay1zZWNyZXQ="
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@attrs.frozen(kw_only=True)
class WebhookDelivery:
    """One delivery attempt.

    Attributes:
        url: the endpoint.
        event_id: the event's id (``webhook-id``; the same on every attempt).
        event_type: e.g. ``fine_tuning.job.succeeded``.
        job_id: the job.
        attempt: 1 for the first try.
        status: the endpoint's HTTP status, or None when the connection failed.
        error: what went wrong when there was no status.
    """

    url: str
    event_id: str
    event_type: str
    job_id: str
    attempt: int
    status: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """True when the endpoint answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


def check_endpoint(url: object) -> str:
    """Return ``url`` if it is an http(s) URL on the loopback interface.

    Raises:
        ValueError: any other URL (the emulator never sends traffic elsewhere).
    """
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or parts.hostname not in _LOOPBACK:
        raise ValueError(f"webhook endpoints must be http(s) URLs on 127.0.0.1, got {url!r:.80}")
    return str(url)


class WebhookSender:
    """Finds newly finished jobs and delivers their events (see the module)."""

    def __init__(
        self,
        *,
        endpoints: Iterable[str] = (),
        secret: str = DEFAULT_WEBHOOK_SECRET,
        attempts: int = 5,
        retry_wait: float = 0.1,
    ) -> None:
        webhooks.sign(b"", secret=secret, msg_id="check", timestamp=0)  # a bad secret fails now
        self.endpoints = [check_endpoint(url) for url in endpoints]
        self.secret = secret
        self.attempts = attempts
        self.retry_wait = retry_wait
        self.deliveries: list[WebhookDelivery] = []
        self._announced: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def add(self, url: str) -> None:
        """Register one more endpoint."""
        self.endpoints.append(check_endpoint(url))

    def scan(self, jobs: Iterable[Job], now: float, make_id: Callable[[], str]) -> None:
        """Deliver the event of every job that finished since the last scan."""
        if not self.endpoints:
            return
        for job in jobs:
            if job.id in self._announced:
                continue
            job.sync(now)
            if not job.finished:
                continue
            self._announced.add(job.id)
            finished = job.finished_at if job.finished_at is not None else now
            event = {
                "id": make_id(),
                "type": f"fine_tuning.job.{job.status}",
                "created_at": int(finished),
                "data": {"id": job.id},
                "object": "event",
            }
            for url in self.endpoints:
                task = asyncio.get_running_loop().create_task(self._deliver(url, event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, event: dict[str, object]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        body = json.dumps(event).encode()
        event_id = str(event["id"])
        for attempt in range(1, self.attempts + 1):
            headers = webhooks.sign(
                body, secret=self.secret, msg_id=event_id, timestamp=int(time.time())
            )
            status: int | None = None
            error: str | None = None
            try:
                async with self._session.post(
                    url, data=body, headers={**headers, "content-type": "application/json"}
                ) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            record = WebhookDelivery(
                url=url,
                event_id=event_id,
                event_type=str(event["type"]),
                job_id=str(event["data"]["id"]),  # type: ignore[index]
                attempt=attempt,
                status=status,
                error=error,
            )
            self.deliveries.append(record)
            if record.delivered:
                return
            if attempt < self.attempts:
                await asyncio.sleep(self.retry_wait * 2 ** (attempt - 1))

    async def drain(self) -> None:
        """Wait until every delivery in progress has ended (delivered or given up)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop delivering and close the session."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
