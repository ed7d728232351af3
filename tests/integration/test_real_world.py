"""Real-world response variants decode through the public methods, and nothing is lost.

A small aiohttp.web server of the test's own, on 127.0.0.1, answers with the bodies of
``variants.py`` (and with spec-generated documents carrying unknown keys, unknown tags and nulls):
every variant must decode, alone and inside a list page, and ``ftclient.to_dict`` must give back
exactly the document that arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftclient
from ftclient import models
from tests.property.strategies import instances

from .variants import CHECKPOINTS, EVENTS, GRADER_RUNS, GRADER_VALIDATIONS, JOBS, PERMISSIONS

Routes = Mapping[tuple[str, str], Any]


@contextlib.asynccontextmanager
async def serve(routes: Routes) -> AsyncIterator[str]:
    """Answer ``(METHOD, path)`` with its JSON body (a callable gets the request's JSON)."""

    async def handle(request: web.Request) -> web.Response:
        body = routes.get((request.method, request.path))
        if body is None:
            return web.json_response({"error": {"message": "no such route"}}, status=404)
        if callable(body):
            body = body(await request.json())
        return web.Response(body=json.dumps(body).encode(), content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def client_for(routes: Routes) -> AsyncIterator[ftclient.FineTuningClient]:
    async with (
        serve(routes) as url,
        ftclient.FineTuningClient(api_key="sk-test", base_url=url, max_retries=0) as client,
    ):
        yield client


def page(items: list[Any], **extra: Any) -> dict[str, Any]:
    return {"object": "list", "data": items, "has_more": False, **extra}


def assert_kept(obj: Any, document: Any) -> None:
    assert ftclient.to_dict(obj) == document
    assert json.loads(ftclient.to_json(obj)) == document


JOB_ROUTES: dict[tuple[str, str], Any] = {
    ("GET", f"/v1/fine_tuning/jobs/{doc['id']}"): doc for doc in JOBS.values()
}
JOB_ROUTES[("GET", "/v1/fine_tuning/jobs")] = page(list(JOBS.values()))


async def test_every_job_variant_decodes_alone_and_in_a_page() -> None:
    async with client_for(JOB_ROUTES) as client:
        for name, document in JOBS.items():
            job = await client.jobs.retrieve(document["id"])
            assert job.id == document["id"], name
            assert_kept(job, document)
            assert ftclient.response_info(job) is not None
        first = await client.jobs.list()
        listed = await client.jobs.list().to_list()
    assert_kept(first, JOB_ROUTES[("GET", "/v1/fine_tuning/jobs")])
    assert [j.id for j in listed] == [d["id"] for d in JOBS.values()]
    for job, document in zip(listed, JOBS.values(), strict=True):
        assert_kept(job, document)
        assert ftclient.response_info(job).status == 200  # its page's (to_list read its own)
    assert ftclient.response_info(first) is not None


async def test_what_the_variants_decode_to() -> None:
    async with client_for(JOB_ROUTES) as client:
        jobs = {name: await client.jobs.retrieve(doc["id"]) for name, doc in JOBS.items()}
    azure = jobs["azure"]
    assert (azure.status, azure.organization_id, azure.result_files) == ("pending", None, None)
    assert azure.status is models.FineTuningJobStatus.PENDING  # Azure documents it
    throttled = jobs["new status"].status
    assert throttled == "throttled"
    assert isinstance(throttled, models.FineTuningJobStatus)
    assert not throttled.is_known
    assert azure.hyperparameters == models.FineTuningJobHyperparameters(
        n_epochs=2, batch_size=1, learning_rate_multiplier=1
    )
    assert azure.integrations == [models.FineTuningIntegration(type="azure_monitor")]
    documented = jobs["azure documented"]
    assert (documented.organization_id, documented.seed, documented.error) == (None, None, None)
    assert jobs["azure resuming"].status is models.FineTuningJobStatus.RESUMING
    nulls = jobs["optional fields null"]
    assert (nulls.hyperparameters, nulls.result_files, nulls.method) == (None, None, None)
    assert jobs["new object constant"].object == "fine_tuning.job.v2"
    assert jobs["auto variants"].hyperparameters == models.FineTuningJobHyperparameters(
        n_epochs="Auto", batch_size="auto", learning_rate_multiplier="x"
    )
    method = jobs["new method"].method
    assert method is not None
    assert (method.type, method.supervised, method.dpo, method.reinforcement) == (
        "grpo",
        *[None] * 3,
    )
    wandb = (jobs["new integration"].integrations or [])[1].wandb
    assert wandb == models.WandbIntegration(project="p")
    assert ftclient.to_dict(wandb)["run_id"] == "run-1"
    assert jobs["empty error"].error is None
    assert jobs["error with extras"].error == models.FineTuningJobError(
        code="invalid_file", message="Bad line 3"
    )
    for name in ("multi grader map", "multi grader list", "multi grader single"):
        grader = _grader(jobs[name])
        assert isinstance(grader, models.GraderMulti), name
        assert all(type(g) is not models.UnknownGrader for g in (grader.graders or {}).values())
    assert list(_graders(jobs["multi grader map"])) == ["a", "b"]
    assert list(_graders(jobs["multi grader list"])) == ["exact", "near"]
    assert list(_graders(jobs["multi grader single"])) == ["exact"]
    assert _grader(jobs["new grader type"]) == models.UnknownGrader(
        type="endpoint", raw=JOBS["new grader type"]["method"]["reinforcement"]["grader"]
    )
    assert _grader(jobs["grader without type"]) == models.UnknownGrader(
        type=None, raw={"name": "who knows"}
    )
    judge = _grader(jobs["new eval item and content types"])
    assert isinstance(judge, models.GraderScoreModel)
    reference, message, odd = judge.input or []
    assert (reference.type, reference.role, reference.content) == ("item_reference", None, None)
    assert isinstance(message.content, list)
    assert type(message.content[1]) is models.UnknownContentItem
    assert odd.role == "critic"
    assert isinstance(odd.content, models.UnknownContentItem)


def _grader(job: models.FineTuningJob) -> Any:
    assert job.method is not None
    assert job.method.reinforcement is not None
    return job.method.reinforcement.grader


def _graders(job: models.FineTuningJob) -> dict[str, Any]:
    return _grader(job).graders or {}


LISTS: list[tuple[str, dict[str, dict[str, Any]], Callable[..., Any]]] = [
    ("/v1/fine_tuning/jobs/{}/events", EVENTS, lambda c, key: c.jobs.list_events(key)),
    ("/v1/fine_tuning/jobs/{}/checkpoints", CHECKPOINTS, lambda c, key: c.checkpoints.list(key)),
    (
        "/v1/fine_tuning/checkpoints/{}/permissions",
        PERMISSIONS,
        lambda c, key: c.permissions.list(key),
    ),
]


@pytest.mark.parametrize(("template", "corpus", "method"), LISTS, ids=["events", "ckpt", "perm"])
async def test_list_item_variants_decode_alone_and_together(
    template: str, corpus: dict[str, dict[str, Any]], method: Callable[..., Any]
) -> None:
    routes: dict[tuple[str, str], Any] = {
        ("GET", template.format("all")): page(list(corpus.values()))
    }
    for n, document in enumerate(corpus.values()):
        routes[("GET", template.format(f"one-{n}"))] = page([document], first_id=None)
    async with client_for(routes) as client:
        every = await method(client, "all")
        alone = [await method(client, f"one-{n}") for n in range(len(corpus))]
    assert_kept(every, routes[("GET", template.format("all"))])
    for n, (one, document) in enumerate(zip(alone, corpus.values(), strict=True)):
        assert_kept(one, routes[("GET", template.format(f"one-{n}"))])
        assert_kept(one.data[0], document)
        assert_kept(every.data[n], document)
        assert one.data[0].id == document["id"]


async def test_grader_run_and_validate_variants() -> None:
    routes: dict[tuple[str, str], Any] = {
        ("POST", "/v1/fine_tuning/alpha/graders/run"): lambda body: GRADER_RUNS[
            body["model_sample"]
        ],
        ("POST", "/v1/fine_tuning/alpha/graders/validate"): lambda body: GRADER_VALIDATIONS[
            body["grader"]["name"]
        ],
    }
    grader = models.GraderStringCheck(name="x", input="a", reference="b", operation="eq")  # type: ignore[arg-type]
    async with client_for(routes) as client:
        runs = {k: await client.graders.run(grader=grader, model_sample=k) for k in GRADER_RUNS}
        checks = {
            k: await client.graders.validate(grader={**STRING, "name": k})
            for k in GRADER_VALIDATIONS
        }
    for name, result in runs.items():
        assert_kept(result, GRADER_RUNS[name])
    errors = runs["flags missing"].metadata.errors  # type: ignore[union-attr]
    assert errors is not None
    assert (errors.other_error, errors.model_grader_parse_error) == (False, False)
    assert runs["bare"].reward == 0.5
    for name, result in checks.items():
        assert_kept(result, GRADER_VALIDATIONS[name])
    assert isinstance(checks["multi grader map"].grader, models.GraderMulti)
    assert checks["no grader"].grader is None


STRING = {"type": "string_check", "name": "s", "input": "a", "reference": "b", "operation": "eq"}


# --- spec-generated documents, with unknown keys, unknown tags and nulls injected ----------

# Objects whose values are the caller's (or the service's) own data: nothing is injected there.
_FREE_FORM = {"metadata", "scores", "sub_rewards", "model_grader_token_usage_per_model", "item"}
_TAGS = {"string_check", "text_similarity", "python", "score_model", "label_model", "multi"}
_TAGS |= {"input_text", "output_text", "input_image", "input_audio", "wandb"}
# Required fields (those every known server sends) are never nulled; the same names elsewhere
# are spared too, which only injects fewer nulls.
_IDENTITY = {"id", "object", "created_at", "model", "status", "training_file", "level", "message"}


def _inject(value: Any, draw: st.DrawFn, key: str = "") -> Any:
    if isinstance(value, list):
        return [_inject(v, draw) for v in value]
    if not isinstance(value, dict) or key in _FREE_FORM or (key == "data" and "id" not in value):
        return value
    out = {k: _inject(v, draw, k) for k, v in value.items()}
    tag = out.get("type")
    if isinstance(tag, str) and tag in _TAGS and draw(st.booleans()):
        out["type"] = "x_type_from_the_future"
    for k in sorted(out):
        if k not in _IDENTITY and k != "data" and draw(st.integers(0, 3)) == 0:
            out[k] = None
    return out


@st.composite
def variants(draw: st.DrawFn, name: str) -> Any:
    return _inject(draw(instances(name)), draw)


_GENERATED = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_GENERATED
@given(job=variants("FineTuningJob"), events=variants("ListFineTuningJobEventsResponse"))
def test_generated_variants_decode_and_come_back_unchanged(job: Any, events: Any) -> None:
    job = {**job, "id": "ftjob-generated"}
    jobs_page = page([job, {**job, "id": "ftjob-second"}])
    routes = {
        ("GET", "/v1/fine_tuning/jobs/ftjob-generated"): job,
        ("GET", "/v1/fine_tuning/jobs"): jobs_page,
        ("GET", "/v1/fine_tuning/jobs/ftjob-generated/events"): {**events, "has_more": False},
    }

    async def check() -> None:
        async with client_for(routes) as client:
            alone = await client.jobs.retrieve("ftjob-generated")
            listed = await client.jobs.list()
            events_page = await client.jobs.list_events("ftjob-generated")
        assert_kept(alone, job)
        assert_kept(listed, jobs_page)
        assert_kept(listed.data[0], job)
        assert_kept(events_page, routes[("GET", "/v1/fine_tuning/jobs/ftjob-generated/events")])

    asyncio.run(check())
