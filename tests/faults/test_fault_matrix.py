"""Every operation x every fault, once and persistently: the outcome in ``matrix.py``, and the
emulator's state proves that nothing was done twice or lost.

Fast faults run one cell per test. The two slow faults hold each answer back for real time, so
their 13 cells of a column run side by side (each with its own emulator) in one test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import ftclient
from ftclient.testing import FineTuningEmulator
from tests.conftest import NO_WAIT, assert_requests_conform

from .matrix import (
    FAULTS,
    MAX_RETRIES,
    OPERATIONS,
    PERSISTENT_TIMES,
    READ_TIMEOUT,
    RECOVERED,
    SLOW_RETRY_WAIT,
    Outcome,
    cells,
    expected,
)

GRADER = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "yes",
    "operation": "eq",
}
TRANSITION_EVENT = {
    "cancelFineTuningJob": ("Fine-tuning job cancelled", "cancelled"),
    "pauseFineTuningJob": ("Fine-tuning job paused", "paused"),
    "resumeFineTuningJob": ("Fine-tuning job resumed", "running"),
}


class Cell:
    """One operation under one fault: its own emulator, client, set-up and checks."""

    def __init__(self, operation: str, fault: str, persistent: bool) -> None:
        self.operation = operation
        self.fault = FAULTS[fault]
        self.persistent = persistent
        self.outcome: Outcome = expected(operation, fault, persistent)
        self.stack = contextlib.AsyncExitStack()
        self.call: Callable[[Any], Awaitable[Any]] | None = None
        self.check: Callable[[Any], None] = lambda result: None
        self.effects: Callable[[], int] | None = None
        self.snapshot: tuple[int, int] = (0, 0)

    def __repr__(self) -> str:
        return f"{OPERATIONS[self.operation]} x {self.fault.label} (persistent={self.persistent})"

    async def prepare(self) -> None:
        self.emu = await self.stack.enter_async_context(FineTuningEmulator(require_files=False))
        # The slow faults hold answers back in real time, so their client really waits.
        policy = (
            ftclient.RetryPolicy(
                base_delay=SLOW_RETRY_WAIT, max_delay=SLOW_RETRY_WAIT, jitter=False
            )
            if self.fault.slow
            else NO_WAIT
        )
        self.client = await self.stack.enter_async_context(
            ftclient.FineTuningClient(
                api_key="sk-test-key", base_url=self.emu.url, retry_policy=policy
            )
        )
        await SETUP[self.operation](self)
        self.snapshot = (len(self.emu.jobs), self.emu.state.permission_count())

    async def job(self, *, advance: float = 0) -> str:
        job = await self.client.jobs.create(model="gpt-4o-mini", training_file="file-t")
        self.emu.clock.advance(advance)
        return job.id

    async def checkpoint(self) -> str:
        job_id = await self.job(advance=24 * 3600)
        page = await self.client.checkpoints.list(job_id, limit=1)
        return page.data[0].fine_tuned_model_checkpoint

    async def exercise(self) -> None:
        assert self.call is not None
        self.emu.faults.add(
            self.operation,
            self.fault.kind,
            times=PERSISTENT_TIMES if self.persistent else 1,
            **self.fault.params,
        )
        timeout = (
            ftclient.Timeouts(total=None, connect=1.0, read=READ_TIMEOUT)
            if self.fault.slow
            else ...
        )
        result: Any = None
        raised: ftclient.FTClientError | None = None
        try:
            result = await self.call(timeout)
        except ftclient.FTClientError as exc:
            raised = exc
        if raised is not None:
            assert type(raised).__name__ == self.outcome.error, f"{self}: raised {raised!r}"
        else:
            assert self.outcome.error is None, f"{self}: no {self.outcome.error}: {result}"
            self.check(result)
            info = ftclient.response_info(result)
            assert info is not None
            assert info.status == 200
            if self.outcome.result == RECOVERED:
                # One attempt, one wait; the checks that found its effect are not attempts.
                assert (info.attempts, len(info.retry_waits)) == (1, 1), f"{self}: {info}"
                assert info.recovery, f"{self}: {info}"
                return await self.finish()
            assert info.attempts == 2, f"{self}: {info}"
            assert len(info.retry_waits) == 1
            if self.fault.kind == "rate_limit":
                assert info.retry_waits == (1.0,), "the server's Retry-After is obeyed exactly"
        await self.finish()

    async def finish(self) -> None:
        self.emu.faults.clear()
        await self.settle()
        self.verify_state()

    async def settle(self) -> None:
        """Wait (boundedly) until every held-back attempt of the operation has been answered."""
        for _ in range(200):
            if all(r.status or r.fault == "drop_before" for r in self.sent()):
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{self}: a held-back request never finished")

    def sent(self) -> list[Any]:
        return [r for r in self.emu.requests if r.operation_id == self.operation]

    def verify_state(self) -> None:
        sent = self.sent()
        assert len(sent) == self.outcome.sends, f"{self}: sent {[r.fault for r in sent]}"
        assert sent[0].fault == self.fault.kind
        first = sent[0]
        assert all(r.body == first.body for r in sent), "every attempt sends the same body"
        keys = {r.headers.get("Idempotency-Key") for r in sent}
        assert len(keys) == 1, f"{self}: the idempotency key changed between attempts"
        if self.outcome.effects is None:
            now = (len(self.emu.jobs), self.emu.state.permission_count())
            assert now == self.snapshot, f"{self}: a read changed the state"
        else:
            assert self.effects is not None
            assert self.effects() == self.outcome.effects, f"{self}: effects {self.effects()}"
        assert assert_requests_conform(self.emu) >= len(sent)

    async def aclose(self) -> None:
        await self.stack.aclose()


async def _create(cell: Cell) -> None:
    async def call(timeout: Any) -> Any:
        return await cell.client.jobs.create(
            model="gpt-4o-mini", training_file="file-t", timeout=timeout
        )

    def check(job: Any) -> None:
        assert list(cell.emu.jobs) == [job.id]
        assert job.metadata is not None
        assert "ftclient_idempotency_key" in job.metadata

    cell.call, cell.check, cell.effects = call, check, lambda: len(cell.emu.jobs)


async def _transition(cell: Cell) -> None:
    message, status = TRANSITION_EVENT[cell.operation]
    job_id = await cell.job(advance=20)  # running
    if cell.operation == "resumeFineTuningJob":
        await cell.client.jobs.pause(job_id)
    action = getattr(cell.client.jobs, cell.operation.removesuffix("FineTuningJob"))

    def check(job: Any) -> None:
        assert (job.id, job.status) == (job_id, status)

    def effects() -> int:
        events = cell.emu.jobs[job_id].events
        return sum(e["message"] == message for e in events)

    cell.call = lambda timeout: action(job_id, timeout=timeout)
    cell.check, cell.effects = check, effects


async def _read_job(cell: Cell) -> None:
    job_id = await cell.job(advance=24 * 3600)
    jobs = cell.client.jobs
    calls: dict[str, Callable[[Any], Awaitable[Any]]] = {
        "retrieveFineTuningJob": lambda t: jobs.retrieve(job_id, timeout=t),
        "listPaginatedFineTuningJobs": lambda t: _page(jobs.list(limit=5, timeout=t)),
        "listFineTuningEvents": lambda t: _page(jobs.list_events(job_id, limit=5, timeout=t)),
        "listFineTuningJobCheckpoints": lambda t: _page(
            cell.client.checkpoints.list(job_id, limit=5, timeout=t)
        ),
    }

    def check(result: Any) -> None:
        page_items = getattr(result, "data", None)
        if page_items is None:  # a job
            assert result.id == job_id
        else:
            assert page_items, "the page came back empty"

    cell.call, cell.check = calls[cell.operation], check


async def _permissions(cell: Cell) -> None:
    name = await cell.checkpoint()
    perms = cell.client.permissions
    count = lambda: cell.emu.state.permission_count(name)  # noqa: E731
    if cell.operation == "createFineTuningCheckpointPermission":

        def granted(page: Any) -> None:
            assert sorted(p.project_id for p in page.data) == ["proj-a", "proj-b"]

        def grants() -> int:
            assert count() in (0, 2), "each project is granted once or not at all"
            return count() // 2

        cell.call = lambda t: perms.create(name, project_ids=["proj-a", "proj-b"], timeout=t)
        cell.check, cell.effects = granted, grants
        return
    [existing] = (await perms.create(name, project_ids=["proj-x"])).data
    if cell.operation == "deleteFineTuningCheckpointPermission":

        def revoked(result: Any) -> None:
            assert (result.id, result.deleted) == (existing.id, True)

        cell.call = lambda t: perms.delete(name, existing.id, timeout=t)
        cell.check, cell.effects = revoked, lambda: 1 - count()
        return

    def listed(page: Any) -> None:
        assert [p.id for p in page.data] == [existing.id]

    cell.call = lambda t: _page(perms.list(name, timeout=t))
    cell.check = listed


async def _graders(cell: Cell) -> None:
    graders = cell.client.graders
    if cell.operation == "runGrader":
        cell.call = lambda t: graders.run(grader=GRADER, model_sample="yes", timeout=t)
        cell.check = lambda result: _equal(result.reward, 1.0)
    else:
        cell.call = lambda t: graders.validate(grader=GRADER, timeout=t)
        cell.check = lambda result: _equal(result.grader.name, "exact")


async def _page(paginator: Any) -> Any:
    return await paginator


def _equal(actual: object, wanted: object) -> None:
    assert actual == wanted


SETUP: dict[str, Callable[[Cell], Awaitable[None]]] = {
    "createFineTuningJob": _create,
    "cancelFineTuningJob": _transition,
    "pauseFineTuningJob": _transition,
    "resumeFineTuningJob": _transition,
    "retrieveFineTuningJob": _read_job,
    "listPaginatedFineTuningJobs": _read_job,
    "listFineTuningEvents": _read_job,
    "listFineTuningJobCheckpoints": _read_job,
    "createFineTuningCheckpointPermission": _permissions,
    "listFineTuningCheckpointPermissions": _permissions,
    "deleteFineTuningCheckpointPermission": _permissions,
    "runGrader": _graders,
    "validateGrader": _graders,
}

FAST = [c for c in cells() if not FAULTS[c[1]].slow]
SLOW = sorted({(fault, p) for _, fault, p in cells() if FAULTS[fault].slow})


@pytest.mark.parametrize(("operation", "fault", "persistent"), FAST)
async def test_fast_fault(operation: str, fault: str, persistent: bool) -> None:
    cell = Cell(operation, fault, persistent)
    try:
        await cell.prepare()
        await cell.exercise()
    finally:
        await cell.aclose()


@pytest.mark.parametrize(("fault", "persistent"), SLOW)
async def test_slow_fault_column(fault: str, persistent: bool) -> None:
    column = [Cell(operation, fault, persistent) for operation in OPERATIONS]
    try:
        for cell in column:  # set-up one by one, so no set-up request races a short timeout
            await cell.prepare()
        results = await asyncio.gather(*(c.exercise() for c in column), return_exceptions=True)
    finally:
        for cell in column:
            await cell.aclose()
    failures = [f"{c}: {r!r}" for c, r in zip(column, results, strict=True) if r is not None]
    assert not failures, "\n".join(failures)


def test_matrix_covers_every_operation_and_fault() -> None:
    assert len(OPERATIONS) == 13
    assert len(cells()) == 13 * len(FAULTS) * 2 == 260
    recovered = [c for c in cells() if expected(*c).result == RECOVERED]
    assert all(expected(*c).sends == 1 for c in recovered)
    assert MAX_RETRIES + 1 < PERSISTENT_TIMES
