"""The issue's app in miniature, for the type checker: ``mypy --strict --warn-unused-ignores``.

CI runs ``mypy --strict --warn-unused-ignores tests/typing``. The app part (an aiohttp service
handler, a worker loop, the README's request-side examples) must check with no cast and no
ignore. Each line of :func:`misuses` is a mistake a user makes, marked with the exact error
codes mypy must raise there: if a type stops flagging it, the line's marker becomes unused and
the run fails. tests/integration/test_typed_app.py keeps the markers honest and sends the app's
requests to the emulator, so every example here is also one the contract accepts.

Not a test module (no ``test_`` prefix): nothing here is collected by pytest.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

import ftclient
from ftclient.models import (
    FineTuneDPOHyperparameters,
    FineTuningJob,
    GraderPython,
    RunGraderResponse,
)
from ftclient.params import (
    FileExpirationParam,
    FineTuneMethodParam,
    GraderParam,
    IntegrationParam,
    JobSpecParam,
    MultiGraderParam,
    ReinforcementMethodParam,
    ScoreModelGraderParam,
    StringCheckGraderParam,
    SupervisedHyperparametersParam,
)

CLIENT = web.AppKey("client", ftclient.FineTuningClient)
MODEL = "gpt-4o-mini"
SOURCE = "def grade(sample, item):\n    return 1.0\n"

EXACT: StringCheckGraderParam = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.label}}",
    "operation": "eq",
}
JUDGE: ScoreModelGraderParam = {
    "type": "score_model",
    "name": "judge",
    "model": MODEL,
    "input": [
        {"role": "system", "content": "Score the answer from 0 to 1."},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Answer: {{sample.output_text}}"},
                "Expected: {{item.label}}",
            ],
        },
    ],
    "sampling_params": {"temperature": 0.0, "reasoning_effort": "low"},
    "range": [0, 1],
}
COMBINED: MultiGraderParam = {
    "type": "multi",
    "name": "combined",
    "graders": {"exact": EXACT, "judge": JUDGE, "code": GraderPython(name="py", source=SOURCE)},
    "calculate_output": "0.4 * exact + 0.4 * judge + 0.2 * code",
}


def supervised(n_epochs: int | None) -> FineTuneMethodParam:
    """The method a service builds from a user's form: typed keys, values from the request."""
    hyperparameters: SupervisedHyperparametersParam = {"batch_size": "auto"}
    if n_epochs is not None:
        hyperparameters["n_epochs"] = n_epochs
    return {"type": "supervised", "supervised": {"hyperparameters": hyperparameters}}


async def readme_examples(client: ftclient.FineTuningClient, training_file: str) -> list[str]:
    """The README's request side: create with method, hyperparameters and integrations."""
    wandb: IntegrationParam = {"type": "wandb", "wandb": {"project": "support", "tags": ["v1"]}}
    job = await client.jobs.create(
        model=MODEL,
        training_file=training_file,
        suffix="support-bot",
        seed=42,
        metadata={"team": "support"},
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}},
        integrations=[wandb],
    )
    # The models are accepted wherever a mapping is, inside one too.
    dpo = FineTuneDPOHyperparameters(beta=0.1, n_epochs="auto")
    by_model = await client.jobs.create(
        model=MODEL,
        training_file=training_file,
        method={"type": "dpo", "dpo": {"hyperparameters": dpo}},
    )
    legacy = await client.jobs.create(
        model=MODEL, training_file=training_file, hyperparameters={"n_epochs": "auto"}
    )
    reinforcement: ReinforcementMethodParam = {
        "grader": COMBINED,
        "hyperparameters": {"reasoning_effort": "medium", "eval_interval": 2},
    }
    rft = await client.jobs.create(
        model="o4-mini",
        training_file=training_file,
        method={"type": "reinforcement", "reinforcement": reinforcement},
    )
    return [job.id, by_model.id, legacy.id, rft.id]


async def job_ids(client: ftclient.FineTuningClient) -> list[str]:
    """Every job's id, page by page, as with the official SDK's pages."""
    page = await client.jobs.list(limit=2)
    ids = [job.id for job in page.data]
    while page.has_next_page():
        page = await page.get_next_page()  # the same page type: page.data stays typed
        ids += [job.id for job in page.data]
    return ids


async def grade(client: ftclient.FineTuningClient) -> RunGraderResponse:
    """The README's graders example, and the validation of a multi grader of named graders."""
    await client.graders.validate(grader=EXACT)
    await client.graders.validate(grader=COMBINED)
    return await client.graders.run(grader=EXACT, model_sample="Paris", item={"label": "Paris"})


async def upload(client: ftclient.FineTuningClient, data: bytes) -> str:
    """An uploaded file that expires after a day."""
    expiry: FileExpirationParam = {"anchor": "created_at", "seconds": 86_400}
    file = await client.files.create(
        file=data, filename="train.jsonl", purpose="fine-tune", expires_after=expiry
    )
    return file.id


async def handle_create(request: web.Request) -> web.Response:
    """The service's handler: ``POST /jobs`` with a model, a file and optional epochs."""
    form = await request.json()
    epochs = form.get("n_epochs")
    job = await request.app[CLIENT].jobs.create(
        model=str(form["model"]),
        training_file=str(form["training_file"]),
        method=supervised(int(epochs) if epochs is not None else None),
    )
    return web.json_response({"id": job.id, "status": str(job.status)})


def make_app(client: ftclient.FineTuningClient) -> web.Application:
    """The aiohttp service, holding the one client its handlers share."""
    app = web.Application()
    app[CLIENT] = client
    app.router.add_post("/jobs", handle_create)
    return app


async def worker(
    client: ftclient.FineTuningClient, queue: asyncio.Queue[JobSpecParam], rounds: int
) -> list[FineTuningJob]:
    """The worker loop: create each queued spec's job once, at most two at a time."""
    specs = [await queue.get() for _ in range(rounds)]
    settled = []
    async for done in client.jobs.submit_many(specs, max_active=2):
        if done.job is not None:
            settled.append(done.job)
    return settled


async def health(client: ftclient.FineTuningClient) -> int:
    """A fail-fast probe on the service's client (one attempt, 5 s, tagged, same pool), and a
    read that may wait out a busy server."""
    probe = client.with_options(timeout=5, max_retries=0, extra_headers={"X-Caller": "health"})
    page = await probe.jobs.list(limit=1)
    await client.jobs.list(limit=1, max_retries=5)
    return len(page.data)


async def misuses(client: ftclient.FineTuningClient) -> None:
    """Mistakes the types must flag; never called. One marked line each, exact codes."""
    jobs = client.jobs
    # fmt: off
    # The method type, misspelt.
    await jobs.create(model=MODEL, training_file="f", method={"type": "supervized"})  # type: ignore[arg-type]
    # A hyperparameter key, misspelt.
    await jobs.create(model=MODEL, training_file="f", method={"type": "dpo", "dpo": {"hyperparameters": {"bta": 0.1}}})  # type: ignore[arg-type]
    # n_epochs of the wrong type (a string other than "auto").
    await jobs.create(model=MODEL, training_file="f", method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": "3"}}})  # type: ignore[arg-type]
    # The deprecated top-level hyperparameters, misspelt.
    await jobs.create(model=MODEL, training_file="f", hyperparameters={"epochs": 3})  # type: ignore[arg-type]
    # A reinforcement hyperparameter value outside its literals.
    bad_effort: ReinforcementMethodParam = {"grader": EXACT, "hyperparameters": {"reasoning_effort": "max"}}  # type: ignore[typeddict-item]
    # A reinforcement method without its required grader.
    no_grader: ReinforcementMethodParam = {"hyperparameters": {"n_epochs": 2}}  # type: ignore[typeddict-item]
    # A grader field, misspelt.
    await client.graders.run(grader={"type": "string_check", "name": "a", "input": "x", "reference": "y", "operaton": "eq"}, model_sample="x")  # type: ignore[arg-type]
    # A string_check operation outside its literals.
    bad_operation: GraderParam = {"type": "string_check", "name": "a", "input": "x", "reference": "y", "operation": "equals"}  # type: ignore[typeddict-item]
    # A text_similarity metric, misspelt.
    await client.graders.validate(grader={"type": "text_similarity", "name": "s", "input": "x", "reference": "y", "evaluation_metric": "rouge"})  # type: ignore[arg-type]
    # A label_model grader is allowed only inside a multi grader.
    await client.graders.validate(grader={"type": "label_model", "name": "l", "model": MODEL, "input": [], "labels": ["a"], "passing_labels": ["a"]})  # type: ignore[arg-type]
    # Bedrock's lambda grader is for the reinforcement method, not graders.run.
    await client.graders.run(grader={"type": "lambda", "lambda": {"function": "arn:aws:lambda:x"}}, model_sample="x")  # type: ignore[arg-type]
    # A message role, misspelt, in a model grader's input.
    bad_role: ScoreModelGraderParam = {"type": "score_model", "name": "j", "model": MODEL, "input": [{"role": "usr", "content": "x"}]}  # type: ignore[list-item]
    # The wandb project key, misspelt.
    bad_wandb: IntegrationParam = {"type": "wandb", "wandb": {"projct": "p"}}  # type: ignore[typeddict-item, typeddict-unknown-key]
    # An integration type the API does not have.
    await jobs.create(model=MODEL, training_file="f", integrations=[{"type": "mlflow", "wandb": {"project": "p"}}])  # type: ignore[list-item]
    # The files' expiry anchor, misspelt.
    await client.files.create(file=b"{}", purpose="fine-tune", expires_after={"anchor": "created", "seconds": 3600})  # type: ignore[arg-type]
    # A submit_many spec without its training file.
    jobs.submit_many([{"model": MODEL, "trainig_file": "f"}])  # type: ignore[typeddict-item, typeddict-unknown-key]
    # A seed of the wrong type in a spec.
    jobs.submit_many([{"model": MODEL, "training_file": "f", "seed": "42"}])  # type: ignore[typeddict-item]
    # max_retries is a count, not a string.
    await jobs.retrieve("ftjob-1", max_retries="2")  # type: ignore[arg-type]
    # with_options shares the pool: what the pool is bound to cannot change.
    client.with_options(base_url="https://other.example/v1")  # type: ignore[call-arg]
    # fmt: on
    print(bad_effort, no_grader, bad_operation, bad_role, bad_wandb)
