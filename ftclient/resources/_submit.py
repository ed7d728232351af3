"""``jobs.submit_many``: create a list of jobs, each spec at most once, whoever else is submitting.

The service is the journal. Every spec has a stable key (its ``idempotency_key``, or one derived
from the spec's canonical JSON), which travels with its job in
``metadata["ftclient_idempotency_key"]``, as every ``jobs.create`` already sends it:

1. One scan of ``jobs.list`` finds the specs that already have a job (an earlier run, a worker
   that crashed, another worker on an overlapping list); those are yielded, not sent.
2. The others go through ``jobs.create`` with their key, whose guard does the rest: it looks
   the key up once more just before sending (another worker may have made the job since the
   scan), and after the create it looks the key up until the list shows the job just made; of
   the jobs carrying the key (a worker racing this one may have made one while the list lagged)
   the first made is kept and the others are cancelled while still validating or queued. Every
   worker keeps the same one (the list orders jobs by creation). A server that honours the
   ``Idempotency-Key`` header makes no second job at all.
3. A spec the scan finds with two live jobs (a worker crashed between its create and that
   check) keeps the oldest; the others are cancelled here.

Quotas: a 429 that reaches this far (a daily creation limit, a limit on active jobs, a wait
longer than ``RetryPolicy.max_retry_after``) pauses every create until the service's
``Retry-After`` (else 60 s, doubling to an hour) and then tries the spec again, within the
call's ``timeout``. Other refusals are that spec's result; the rest go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any

import attrs

from .. import _checks
from .._core.response import carried_info
from .._wire.decode import to_dict
from ..errors import APIError, FTClientError, InvalidParameterError, RateLimitError
from ..models import FineTuningJob
from ._guards import IDEMPOTENCY_METADATA_KEY

__all__ = ["SPEC_ARGUMENTS", "Submitted", "spec_key", "submit_many"]

SPEC_ARGUMENTS = frozenset(
    {
        "model",
        "training_file",
        "method",
        "hyperparameters",
        "suffix",
        "validation_file",
        "integrations",
        "seed",
        "metadata",
        "idempotency_key",
    }
)
_DEAD = frozenset({"cancelled", "failed"})  # a spec with only these has no live job
_ACTIVE = frozenset({"validating_files", "queued", "running", "paused"})
_QUOTA_FIRST, _QUOTA_MAX = 60.0, 3600.0  # waits for a quota refusal that names none


@attrs.frozen(kw_only=True)
class Submitted:
    """What ``submit_many`` yields for one spec.

    Attributes:
        spec: the spec as given.
        key: its idempotency key (given, or derived from its content).
        job: the spec's job: the one created, or the one an earlier run (or another worker)
            made; None when ``error`` is set.
        error: why the spec has no job: a refusal that is not a quota (``BadRequestError``...),
            or a quota that did not free up within ``timeout``.
        existing: True when no create was sent for it: the job was found by its key (made by an
            earlier run or another worker).
    """

    spec: Mapping[str, Any]
    key: str
    job: FineTuningJob | None
    error: FTClientError | None = None
    existing: bool = False

    @property
    def ok(self) -> bool:
        """True when the spec has a job."""
        return self.error is None


def spec_key(spec: Mapping[str, Any]) -> str:
    """The spec's idempotency key: the one it gives, else a digest of its canonical JSON.

    Raises:
        InvalidParameterError: the spec's ``idempotency_key`` is not a valid key.
    """
    given = spec.get("idempotency_key")
    if given is not None:
        return _checks.idempotency_key(given, "idempotency_key")
    content = {name: to_dict(value) for name, value in spec.items()}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "ftc-spec-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def check_specs(specs: object) -> list[tuple[Mapping[str, Any], str]]:
    """Each spec with its key, in order.

    Raises:
        InvalidParameterError: not a collection of mappings of ``jobs.create`` arguments, a
            spec without ``model``/``training_file``, or two specs with one key; named by index.
    """
    if isinstance(specs, (str, bytes, Mapping)) or not isinstance(specs, Iterable):
        raise InvalidParameterError("specs", "must be a collection of jobs.create arguments")
    checked: list[tuple[Mapping[str, Any], str]] = []
    seen: dict[str, int] = {}
    for index, spec in enumerate(specs):
        param = f"specs[{index}]"
        if not isinstance(spec, Mapping):
            raise InvalidParameterError(param, "must be a mapping of jobs.create arguments")
        unknown = sorted(set(spec) - SPEC_ARGUMENTS, key=str)
        if unknown:
            raise InvalidParameterError(param, f"has no jobs.create argument {unknown[0]!r}")
        for required in ("model", "training_file"):
            if not isinstance(spec.get(required), str):
                raise InvalidParameterError(f"{param}.{required}", "is required (a string)")
        try:
            key = spec_key(spec)
        except InvalidParameterError as exc:
            raise InvalidParameterError(f"{param}.idempotency_key", exc.message) from None
        if key in seen:
            raise InvalidParameterError(
                param, f"has the same key as specs[{seen[key]}]; give one an idempotency_key"
            )
        seen[key] = index
        checked.append((spec, key))
    return checked


def key_of(job: FineTuningJob) -> str | None:
    """The idempotency key a job carries, if any."""
    metadata = job.metadata
    return metadata.get(IDEMPOTENCY_METADATA_KEY) if isinstance(metadata, Mapping) else None


def kept(carrying: list[FineTuningJob]) -> tuple[FineTuningJob, list[FineTuningJob]]:
    """Of the jobs carrying one key, newest first: the one kept and the live ones to cancel."""
    live = [job for job in carrying if job.status not in _DEAD]
    if not live:
        return carrying[-1], []
    return live[-1], live[:-1]  # the oldest live job: every worker picks the same one


@attrs.define
class _Quota:
    """When creates may go out again after the service said a quota is spent."""

    clock: Callable[[], float]
    not_before: float = 0.0
    refusals: int = 0

    def refused(self, exc: RateLimitError) -> float:
        wait = exc.retry_after
        if wait is None:
            wait = min(_QUOTA_FIRST * 2**self.refusals, _QUOTA_MAX)
        self.refusals += 1
        self.not_before = max(self.not_before, self.clock() + wait)
        return self.not_before


@attrs.define
class _Slots:
    """``max_active`` / ``max_active_per_model`` over this call's active jobs."""

    total: int | None
    per_model: int | None
    active: dict[str, str] = attrs.Factory(dict)  # job id -> model
    changed: asyncio.Condition = attrs.Factory(asyncio.Condition)

    def _free_for(self, model: str) -> bool:
        if self.total is not None and len(self.active) >= self.total:
            return False
        in_model = Counter(self.active.values())[model]
        return self.per_model is None or in_model < self.per_model

    async def take(self, model: str, reserve: str) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: self._free_for(model))
            self.active[reserve] = model

    async def swap(self, reserve: str | None, job_id: str | None, model: str) -> None:
        """Replace a reservation by the job made (or None), in one step."""
        async with self.changed:
            if reserve is not None:
                self.active.pop(reserve, None)
            if job_id is not None:
                self.active[job_id] = model
            self.changed.notify_all()

    async def release(self, job_id: str) -> None:
        """A job of this call is no longer active."""
        await self.swap(job_id, None, "")


Create = Callable[..., Awaitable[FineTuningJob]]
Lookup = Callable[[str | None], Awaitable[list[FineTuningJob]]]  # None: every job
Cancel = Callable[[str], Awaitable[FineTuningJob]]


@attrs.define
class _Run:
    create: Create
    lookup: Lookup
    cancel: Cancel
    sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float]
    deadline: float | None
    slots: _Slots
    quota: _Quota
    out: asyncio.Queue[Submitted | BaseException] = attrs.Factory(asyncio.Queue)
    watching: Callable[[FineTuningJob], object] = lambda job: None

    async def cancel_all(self, jobs: list[FineTuningJob]) -> None:
        for job in jobs:
            # An error: already cancelled by the worker that raced us, or finished: not live.
            with contextlib.suppress(APIError):
                await self.cancel(job.id)

    async def submit(self, spec: Mapping[str, Any], key: str) -> Submitted:
        arguments = {name: value for name, value in spec.items() if name != "idempotency_key"}
        model = str(spec["model"])
        reserve = f"reserved:{key}"
        await self.slots.take(model, reserve)
        keep: FineTuningJob | None = None
        try:
            while True:
                wait = self.quota.not_before - self.clock()
                if wait > 0:
                    if self.deadline is not None and self.quota.not_before > self.deadline:
                        raise _QuotaTimeout
                    await self.sleep(wait)
                try:
                    job = await self.create(**arguments, idempotency_key=key)
                except RateLimitError as exc:
                    if exc.code == "insufficient_quota":  # billing: waiting will not help
                        return Submitted(spec=spec, key=key, job=None, error=exc)
                    free_at = self.quota.refused(exc)
                    if self.deadline is not None and free_at > self.deadline:
                        return Submitted(spec=spec, key=key, job=None, error=exc)
                    continue
                except FTClientError as exc:
                    return Submitted(spec=spec, key=key, job=None, error=exc)
                self.quota.refusals = 0
                break
            keep = job
        except _QuotaTimeout:
            return Submitted(spec=spec, key=key, job=None, error=_spent(self.deadline))
        finally:
            active = keep is not None and keep.status in _ACTIVE
            await self.slots.swap(reserve, keep.id if keep is not None and active else None, model)
        if active:
            self.watching(keep)
        return Submitted(spec=spec, key=key, job=keep, existing=_found(keep))


def _found(job: FineTuningJob) -> bool:
    """Whether the create guard found the job already made instead of sending the create."""
    info = carried_info(job)
    return info is not None and any("not sent again" in note for note in info.recovery)


class _QuotaTimeout(Exception):
    """The quota frees up only after the call's deadline."""


def _spent(deadline: float | None) -> FTClientError:
    return FTClientError(f"a quota of the service is spent until after the timeout ({deadline})")


async def submit_many(
    run: _Run, specs: list[tuple[Mapping[str, Any], str]], *, concurrency: int
) -> AsyncIterator[Submitted]:
    """Yield a :class:`Submitted` per spec as each is settled (see the module)."""
    keys = {key for _, key in specs}
    found: dict[str, list[FineTuningJob]] = {}
    for job in await run.lookup(None):
        key = key_of(job)
        if key in keys:
            found.setdefault(key, []).append(job)
    todo: deque[tuple[Mapping[str, Any], str]] = deque()
    for spec, key in specs:
        if key not in found:
            todo.append((spec, key))
            continue
        keep, extra = kept(found[key])
        await run.cancel_all(extra)  # a worker that crashed before settling left these
        if keep.status in _ACTIVE:
            await run.slots.swap(None, keep.id, str(spec["model"]))
            run.watching(keep)
        yield Submitted(spec=spec, key=key, job=keep, existing=True)

    async def worker() -> None:
        try:
            while todo:
                spec, key = todo.popleft()
                run.out.put_nowait(await run.submit(spec, key))
        except Exception as exc:  # a bug: the consumer raises it
            run.out.put_nowait(exc)

    count = len(todo)
    tasks = [asyncio.create_task(worker()) for _ in range(min(concurrency, count))]
    try:
        for _ in range(count):
            item = await run.out.get()
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
