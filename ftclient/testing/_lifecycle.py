"""One fine-tuning job simulated on the clock, computed lazily when a request looks at it.

A job's life is measured in *active* seconds since creation (wall time minus time spent
paused). Milestones sit at fixed active times (see :class:`JobTimings`):

- ``0``: created, ``validating_files``;
- ``validating``: files validated (or the job fails, see ``fails_validation``), ``queued``;
- ``validating + queued``: training starts, ``running``;
- every ``per_step`` after that: one training step with a ``metrics`` event; a checkpoint at the
  end of each epoch;
- after the last step: ``succeeded`` with the fine-tuned model.

:meth:`Job.sync` emits every milestone whose time has come, stamped with the wall time at which
it happened, so nothing runs in the background and the same clock always gives the same history.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._errors import EmulatorError
from ._ids import IdFactory
from ._jobspec import JobRequest, resolve_hyperparameters

__all__ = ["Job", "JobTimings"]

_STATUSES = ("validating_files", "queued", "running", "succeeded")
_VALIDATING, _QUEUED, _RUNNING, _SUCCEEDED = range(4)


@attrs.frozen(kw_only=True)
class JobTimings:
    """Durations of a simulated job, in simulated seconds, and how big it is.

    Attributes:
        validating: time in ``validating_files``.
        queued: time in ``queued``.
        per_step: time per training step.
        default_epochs: what ``n_epochs: "auto"`` resolves to.
        min_steps_per_epoch: lower bound of the per-job steps per epoch.
        max_steps_per_epoch: upper bound; the value is derived from the training file and seed.
    """

    validating: float = 5.0
    queued: float = 10.0
    per_step: float = 1.0
    default_epochs: int = 3
    min_steps_per_epoch: int = 10
    max_steps_per_epoch: int = 50


def _invalid_state(job_id: str, action: str, status: str) -> EmulatorError:
    return EmulatorError(
        400,
        f"Cannot {action} fine-tuning job {job_id} because its status is {status!r}.",
        param=None,
        code="invalid_state",
    )


class Job:
    """The state of one job; handlers call :meth:`sync` before reading or changing it."""

    def __init__(
        self,
        *,
        job_id: str,
        request: JobRequest,
        created_at: float,
        seed: int,
        organization_id: str,
        ids: IdFactory,
        timings: JobTimings,
        file_error: Mapping[str, Any] | None = None,
        on_results: Callable[[Job, float], None] | None = None,
    ) -> None:
        self.id = job_id
        # What validation finds wrong with the files (decided at creation), and who stores the
        # results file when the job succeeds.
        self.file_error = dict(file_error) if file_error is not None else None
        self.on_results = on_results
        self.request = request
        self.created_at = created_at
        self.seed = seed
        self.organization_id = organization_id
        self._ids = ids
        self._timings = timings
        digest = zlib.crc32(f"{request.training_file}:{seed}".encode())
        span = timings.max_steps_per_epoch - timings.min_steps_per_epoch + 1
        self.steps_per_epoch = timings.min_steps_per_epoch + digest % span
        self.resolved = resolve_hyperparameters(
            request.method_type,
            request.hyperparameters,
            default_epochs=timings.default_epochs,
            batch_size=1 + (digest >> 8) % 8,
            steps_per_epoch=self.steps_per_epoch,
        )
        self.n_epochs: int = self.resolved["n_epochs"]
        self.total_steps: int = self.n_epochs * self.steps_per_epoch
        self.tokens_per_step = 200 + (digest >> 12) % 800
        org = organization_id.removeprefix("org-")
        self.fine_tuned_model = f"ft:{request.model}:{org}:{request.suffix or ''}:{ids.token(8)}"
        self.stage = _VALIDATING
        self.step = 0
        self.terminal: str | None = None
        self.finished_at: float | None = None
        self.error: dict[str, Any] | None = None
        self.result_files: list[str] = []
        self.pauses: list[tuple[float, float]] = []
        self.paused_since: float | None = None
        self.events: list[dict[str, Any]] = []
        self.event_index: dict[str, int] = {}
        self.checkpoints: list[dict[str, Any]] = []
        self.checkpoint_index: dict[str, int] = {}
        self.checkpoint_models: dict[str, dict[str, Any]] = {}
        rng = random.Random(f"{seed}:{request.training_file}")
        self._rng = rng
        self._loss_floor = rng.uniform(0.12, 0.35)
        self._loss_span = rng.uniform(1.2, 2.2)
        self._event(created_at, f"Created fine-tuning job: {job_id}")
        validating = f"Validating training file: {request.training_file}"
        if request.validation_file:
            validating += f" and validation file: {request.validation_file}"
        self._event(created_at, validating)

    # -- time -------------------------------------------------------------------------------

    def _active(self, now: float) -> float:
        if self.paused_since is not None:
            now = self.paused_since
        return now - self.created_at - sum(duration for _, duration in self.pauses)

    def _wall(self, active: float) -> float:
        return self.created_at + active + sum(d for at, d in self.pauses if at < active)

    @property
    def finished(self) -> bool:
        """Whether the job reached succeeded, failed or cancelled."""
        return self.terminal is not None or self.stage == _SUCCEEDED

    @property
    def status(self) -> str:
        """The job's status as of the last :meth:`sync` (``paused`` included)."""
        if self.terminal is not None:
            return self.terminal
        if self.paused_since is not None:
            return "paused"
        return _STATUSES[self.stage]

    def sync(self, now: float) -> None:
        """Emit every milestone due by simulated time ``now``."""
        if self.finished:
            return
        active = self._active(now)
        timings = self._timings
        if self.stage == _VALIDATING:
            if active < timings.validating:
                return
            at = self._wall(timings.validating)
            if self._fail_validation(at):
                return
            self._event(at, "Files validated, moving job to queued state")
            self.stage = _QUEUED
        start = timings.validating + timings.queued
        if self.stage == _QUEUED:
            if active < start:
                return
            self._event(self._wall(start), "Fine-tuning job started")
            self.stage = _RUNNING
        while self.step < self.total_steps:
            due = start + (self.step + 1) * timings.per_step
            if active < due:
                return
            self._train_step(self.step + 1, self._wall(due))
        self._succeed(self._wall(start + self.total_steps * timings.per_step))

    def backdate(self, seconds: float) -> None:
        """Move the creation ``seconds`` into the past, before anything else happened to the job.

        Seeded jobs use it: the next :meth:`sync` then emits every milestone of those seconds,
        stamped when it would have happened.

        Raises:
            ValueError: the job already moved on from its creation.
        """
        if self.stage != _VALIDATING or self.terminal is not None or len(self.events) != 2:
            raise ValueError("only a job that has just been created can be backdated")
        self.created_at -= seconds
        for event in self.events:
            event["created_at"] = int(self.created_at)

    def active_time_of(self, status: str, step: int) -> float:
        """Active seconds after which the job is in ``status`` with ``step`` steps done.

        Mid-phase (half a step or half of ``queued``), so that float rounding cannot move it.
        """
        timings = self._timings
        start = timings.validating + timings.queued
        if status == "validating_files":
            return 0.0
        if status == "queued":
            return timings.validating + timings.queued / 2
        if status == "succeeded":
            return start + (self.total_steps + 0.5) * timings.per_step
        if status == "running":
            return start + (step + 0.5) * timings.per_step
        raise ValueError(f"no active time for status {status!r}")

    # -- transitions ------------------------------------------------------------------------

    def cancel(self, now: float) -> None:
        """Cancel the job (from any unfinished status).

        Raises:
            EmulatorError: 400 ``invalid_state`` when the job already finished.
        """
        self.sync(now)
        if self.finished:
            raise _invalid_state(self.id, "cancel", self.status)
        self.terminal = "cancelled"
        self.finished_at = now
        self._event(now, "Fine-tuning job cancelled")

    def pause(self, now: float) -> None:
        """Pause a running job; paused time does not count towards progress.

        Raises:
            EmulatorError: 400 ``invalid_state`` unless the job is running.
        """
        self.sync(now)
        if self.status != "running":
            raise _invalid_state(self.id, "pause", self.status)
        self.paused_since = now
        self._event(now, "Fine-tuning job paused")

    def resume(self, now: float) -> None:
        """Resume a paused job.

        Raises:
            EmulatorError: 400 ``invalid_state`` unless the job is paused.
        """
        self.sync(now)
        if self.paused_since is None or self.finished:
            raise _invalid_state(self.id, "resume", self.status)
        self.pauses.append((self._active(now), now - self.paused_since))
        self.paused_since = None
        self._event(now, "Fine-tuning job resumed")

    def fail(self, now: float, *, code: str, message: str, param: str | None = None) -> None:
        """Fail the job at ``now`` with the given error.

        Raises:
            EmulatorError: 400 ``invalid_state`` when the job already finished.
        """
        self.sync(now)
        if self.finished:
            raise _invalid_state(self.id, "fail", self.status)
        self._set_failed(now, code, message, param)

    def _set_failed(self, at: float, code: str, message: str, param: str | None) -> None:
        self.terminal = "failed"
        self.finished_at = at
        self.error = {"code": code, "message": message, "param": param}
        self._event(at, message, level="error")

    def _fail_validation(self, at: float) -> bool:
        if self.file_error is None:
            return False
        error = self.file_error
        self._set_failed(at, error["code"], error["message"], error["param"])
        return True

    # -- training ---------------------------------------------------------------------------

    def _train_step(self, step: int, at: float) -> None:
        rng = self._rng
        progress = step / self.total_steps
        decay = math.exp(-3.0 * progress)
        base = self._loss_floor + self._loss_span * decay
        accuracy = 0.55 + 0.42 * (1.0 - decay)
        train_loss = round(max(0.01, base * (1.0 + rng.gauss(0.0, 0.08))), 5)
        train_acc = round(min(0.999, max(0.0, accuracy + rng.gauss(0.0, 0.02))), 5)
        data: dict[str, Any] = {
            "step": step,
            "train_loss": train_loss,
            "train_mean_token_accuracy": train_acc,
            "total_steps": self.total_steps,
        }
        message = f"Step {step}/{self.total_steps}: training loss={train_loss:.4f}"
        if self.request.validation_file:
            valid_loss = round(max(0.01, base * (1.08 + rng.gauss(0.0, 0.1))), 5)
            data["valid_loss"] = valid_loss
            data["valid_mean_token_accuracy"] = round(
                min(0.999, max(0.0, accuracy - 0.03 + rng.gauss(0.0, 0.03))), 5
            )
            message += f", validation loss={valid_loss:.4f}"
        self.step = step
        self._event(at, message, kind="metrics", data=data)
        if step % self.steps_per_epoch == 0:
            self._checkpoint(step, at, data, base, accuracy)

    def _checkpoint(
        self, step: int, at: float, data: dict[str, Any], base: float, accuracy: float
    ) -> None:
        metrics = {key: value for key, value in data.items() if key != "total_steps"}
        if self.request.validation_file:
            metrics["full_valid_loss"] = round(base * 1.05, 5)
            metrics["full_valid_mean_token_accuracy"] = round(min(0.999, accuracy - 0.02), 5)
        model = f"{self.fine_tuned_model}:ckpt-step-{step}"
        checkpoint: dict[str, Any] = {
            "object": "fine_tuning.job.checkpoint",
            "id": self._ids.make("ftckpt_"),
            "created_at": int(at),
            "fine_tuned_model_checkpoint": model,
            "step_number": step,
            "metrics": metrics,
            "fine_tuning_job_id": self.id,
        }
        self.checkpoint_index[checkpoint["id"]] = len(self.checkpoints)
        self.checkpoints.append(checkpoint)
        self.checkpoint_models[model] = checkpoint
        self._event(at, f"Checkpoint created at step {step}")

    def _succeed(self, at: float) -> None:
        self.result_files = [self._ids.make("file-")]
        if self.on_results is not None:
            self.on_results(self, at)
        self._event(at, f"New fine-tuned model created: {self.fine_tuned_model}")
        self._event(at, "The job has successfully completed")
        self.stage = _SUCCEEDED
        self.finished_at = at

    def _event(
        self,
        at: float,
        message: str,
        *,
        level: str = "info",
        kind: str = "message",
        data: dict[str, Any] | None = None,
    ) -> None:
        event: dict[str, Any] = {
            "object": "fine_tuning.job.event",
            "id": self._ids.make("ftevent-"),
            "created_at": int(at),
            "level": level,
            "message": message,
            "data": data if data is not None else {},
            "type": kind,
        }
        self.event_index[event["id"]] = len(self.events)
        self.events.append(event)

    # -- view -------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Render the job as a ``FineTuningJob`` document (call :meth:`sync` first)."""
        request = self.request
        hyper = self.resolved if self.stage >= _RUNNING else request.hyperparameters
        block: dict[str, Any] = {"hyperparameters": dict(hyper)}
        if request.grader is not None:
            block["grader"] = request.grader
        succeeded = self.stage == _SUCCEEDED
        estimated = None
        if self.status == "running":
            start = self._timings.validating + self._timings.queued
            estimated = int(self._wall(start + self.total_steps * self._timings.per_step))
        return {
            "object": "fine_tuning.job",
            "id": self.id,
            "model": request.model,
            "created_at": int(self.created_at),
            "error": self.error,
            "fine_tuned_model": self.fine_tuned_model if succeeded else None,
            "finished_at": int(self.finished_at) if self.finished_at is not None else None,
            "hyperparameters": {
                key: hyper[key] for key in ("batch_size", "learning_rate_multiplier", "n_epochs")
            },
            "organization_id": self.organization_id,
            "result_files": list(self.result_files),
            "status": self.status,
            "trained_tokens": self.total_steps * self.tokens_per_step if succeeded else None,
            "training_file": request.training_file,
            "validation_file": request.validation_file,
            "integrations": request.integrations,
            "seed": self.seed,
            "estimated_finish": estimated,
            "method": {"type": request.method_type, request.method_type: block},
            "metadata": request.metadata,
        }
