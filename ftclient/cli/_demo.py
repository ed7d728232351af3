"""``ftclient demo``: a whole fine-tuning session against the in-process emulator.

No API key and no network: the emulator listens on loopback, its clock runs ``--speed`` times
faster than real time, and a normal client talks to it over HTTP. Four jobs run at once: one
succeeds, one fails validation, one is paused and resumed, one is cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import NamedTuple

from .. import FineTuningClient
from ..errors import BadRequestError
from ..models import FineTuningJob
from ._common import EXIT_OK, positive_float
from ._demo_tail import show_checkpoints, show_graders, show_permissions
from ._live import JobProgress, LiveBoard
from ._output import Output, truncate
from ._polling import follow_events
from ._serve import EMULATOR_KEY

__all__ = ["DEFAULT_DEMO_SPEED", "add_demo_parser", "cmd_demo"]

DEFAULT_DEMO_SPEED = 25.0
LABEL_WIDTH = 15
WIDTH = 59  # the demo fits a 60-column terminal
MODEL = "gpt-4o-mini"
EPOCHS = 2


class Role(NamedTuple):
    """One demo job: its label, files and what the demo does to it."""

    label: str
    training_file: str
    validation_file: str | None
    plan: str  # "succeed", "fail", "pause" or "cancel"


ROLES = (
    Role("support-bot", "file-demo-support-chats", "file-demo-support-holdout", "succeed"),
    Role("broken-data", "file-demo-fail-bad-format", None, "fail"),
    Role("sql-helper", "file-demo-sql-pairs", None, "pause"),
    Role("legal-summaries", "file-demo-legal-briefs", None, "cancel"),
)
_PLAN_TEXT = {
    "succeed": "succeeds",
    "fail": "fails",
    "pause": "pauses",
    "cancel": "cancelled",
}


class _Session:
    """The state shared by the demo's concurrent tasks."""

    def __init__(self, client: FineTuningClient, out: Output, speed: float) -> None:
        self.client = client
        self.out = out
        self.board = LiveBoard(out, order=[role.label for role in ROLES])
        self.speed = speed
        # Polls every few simulated seconds, but never busier than 100 per second per job.
        self.poll = min(0.1, max(0.01, 3.0 / speed))
        self.progress: dict[str, JobProgress] = {}
        self._changed = asyncio.Event()

    def refresh(self, role: Role) -> None:
        prog = self.progress[role.label]
        line = prog.describe(prefix=role.label.ljust(LABEL_WIDTH), status_width=9, bar_width=8)
        text = truncate(line, WIDTH)
        self.board.update(role.label, text, milestone=prog.milestone)
        self._changed.set()
        self._changed = asyncio.Event()

    def note(self, role: Role, text: str) -> None:
        self.board.note(f"  {role.label}: {text}")

    async def until(self, ready: Callable[[], bool]) -> None:
        while not ready():
            await self._changed.wait()

    async def track(self, role: Role) -> None:
        prog = self.progress[role.label]

        final: list[FineTuningJob] = []

        def on_job(job: FineTuningJob) -> None:
            # A finished job's last events arrive right after it; show it once they are in.
            if job.is_terminal:
                final.append(job)
                return
            prog.update_job(job)
            self.refresh(role)

        async for event in follow_events(
            self.client, prog.job_id, poll_interval=self.poll, on_job=on_job
        ):
            prog.update_event(event)
            self.refresh(role)
        if final:
            prog.update_job(final[-1])
        self.refresh(role)

    async def control(self, role: Role) -> None:
        prog = self.progress[role.label]
        target = 0.25 if role.plan == "pause" else 0.5
        await self.until(lambda: prog.fraction >= target or _finished(prog))
        try:
            if role.plan == "pause":
                job = await self.client.jobs.pause(prog.job_id)
                prog.update_job(job)
                self.note(role, f"paused near step {prog.step}/{prog.total_steps}")
                self.refresh(role)
                # Long enough to be seen: 30 simulated seconds, and at least a few polls.
                await asyncio.sleep(max(30.0 / self.speed, 3 * self.poll))
                job = await self.client.jobs.resume(prog.job_id)
                prog.update_job(job)
                self.note(role, "resumed")
            else:
                job = await self.client.jobs.cancel(prog.job_id)
                prog.update_job(job)
                self.note(role, f"cancelled near step {prog.step}/{prog.total_steps}")
            self.refresh(role)
        except BadRequestError as exc:  # the job finished first (a very high --speed)
            self.note(role, f"could not {role.plan}: {exc.message}")

    async def run_job(self, role: Role) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self.track(role))
            if role.plan in ("pause", "cancel"):
                group.create_task(self.control(role))


def _finished(prog: JobProgress) -> bool:
    return prog.status in ("succeeded", "failed", "cancelled")


def _heading(out: Output, text: str) -> None:
    out.line()
    out.line(f"== {text} " + "=" * max(0, WIDTH - 4 - len(text)))


async def _create_jobs(session: _Session, run_id: str) -> list[FineTuningJob]:
    client = session.client

    async def create(role: Role) -> FineTuningJob:
        return await client.jobs.create(
            model=MODEL,
            training_file=role.training_file,
            validation_file=role.validation_file,
            suffix=role.label[:18],
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": EPOCHS}}},
            metadata={"demo": run_id, "role": role.plan},
        )

    jobs = await asyncio.gather(*(create(role) for role in ROLES))
    for role, job in zip(ROLES, jobs, strict=True):
        session.progress[role.label] = JobProgress(job.id)
    session.out.table(
        ("label", "job", "plan"),
        [[r.label, j.id, _PLAN_TEXT[r.plan]] for r, j in zip(ROLES, jobs, strict=True)],
        max_width=WIDTH,
    )
    return list(jobs)


async def _loss_curves(session: _Session) -> None:
    # What a user's own code would do: the public series, and its sparkline.
    out = session.out
    for role in ROLES:
        prog = session.progress[role.label]
        series = await session.client.jobs.metrics(prog.job_id)
        losses = [v for v in series.values("train_loss") if v is not None]
        if len(losses) < 2:
            out.line(f"{role.label:<{LABEL_WIDTH}}  (no training steps: {prog.status})")
            continue
        line = series.sparkline("train_loss", width=26)
        out.line(f"{role.label:<{LABEL_WIDTH}}  {line}  {losses[0]:.2f} → {losses[-1]:.2f}")


async def cmd_demo(args: argparse.Namespace, out: Output) -> int:
    """Run the demo session; returns 0 when every step behaved as expected."""
    from ..testing import FineTuningEmulator

    started = time.monotonic()
    speed: float = args.speed
    async with (
        # The demo's jobs name made-up files until the client can upload them (client.files).
        FineTuningEmulator(seed=args.seed, speed=speed, require_files=False) as emu,
        FineTuningClient(EMULATOR_KEY, base_url=emu.url) as client,
    ):
        session = _Session(client, out, speed)
        out.line("ftclient demo: fine-tuning against a local emulator")
        out.line(f"(no API key, no network: {emu.url})")
        out.line(f"(its simulated time runs {speed:g}x faster than real time)")

        _heading(out, f"Creating {len(ROLES)} jobs at once ({MODEL}, {EPOCHS} epochs)")
        jobs = await _create_jobs(session, run_id=f"run-{args.seed}")

        _heading(out, "Training (live)" if session.board.live else "Training")
        async with asyncio.TaskGroup() as group:
            for role in ROLES:
                group.create_task(session.run_job(role))

        _heading(out, "Training loss per job (client.jobs.metrics)")
        await _loss_curves(session)

        done = {role.plan: session.progress[role.label] for role in ROLES}
        job = await client.jobs.retrieve(done["succeed"].job_id)
        _heading(out, f"Checkpoints of {ROLES[0].label}")
        checkpoint = await show_checkpoints(client, out, job.id, width=WIDTH)

        if checkpoint is not None:
            _heading(out, "Sharing the last checkpoint with other projects")
            await show_permissions(client, out, checkpoint)

        _heading(out, "Graders (alpha): validate and run")
        await show_graders(client, out, width=WIDTH)

        _heading(out, "Summary")
        final = [await client.jobs.retrieve(j.id) for j in jobs]
        out.table(
            ("label", "status", "fine-tuned model / error"),
            [[role.label, str(j.status), _result(j)] for role, j in zip(ROLES, final, strict=True)],
            max_width=WIDTH,
        )
        took = time.monotonic() - started
        counts = ", ".join(
            f"{sum(1 for j in final if str(j.status) == s)} {s}"
            for s in ("succeeded", "failed", "cancelled")
        )
        out.line()
        out.line(f"{counts}.")
        out.line(f"{emu.stats.requests} API requests in {took:.1f}s of real time.")
    return EXIT_OK


def _result(job: FineTuningJob) -> str:
    if job.fine_tuned_model:  # ft:<model>:<org>:<suffix>:<id>: the part that tells them apart
        return "…:" + ":".join(job.fine_tuned_model.split(":")[3:])
    if job.error is not None:
        return f"error: {job.error.code}"
    return "-"


def add_demo_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo`` to the command tree (no client, no key: its own emulator)."""
    text = "a whole session against an in-process emulator (no key, no network)"
    p = sub.add_parser("demo", help=text, description=text)
    p.set_defaults(handler=cmd_demo, needs_client=False)
    p.add_argument(
        "--speed",
        type=positive_float,
        default=DEFAULT_DEMO_SPEED,
        metavar="F",
        help=f"simulated seconds per real second (default {DEFAULT_DEMO_SPEED:g})",
    )
    p.add_argument("--seed", type=int, default=0)
