"""Every public method and constructor, called with an arbitrary bad value for one argument,
raises ftclient's own ``InvalidParameterError`` naming it, and sends nothing: a recording server
on 127.0.0.1 counts every connection, and the count stays zero.

Each argument has an oracle of its own, written from the documentation (not from ftclient's
checks): Hypothesis draws arbitrary Python values and keeps those the oracle calls invalid.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import math
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import ftclient
from ftclient import webhooks

from .oracles import (
    ANY,
    good_headers,
    good_id,
    good_ids,
    good_int,
    good_metadata,
    good_seconds,
    good_statuses,
    good_text,
    header_safe,
    never,
    not_a_mapping,
    optional,
)

CKPT = "ft:gpt-4o-mini:org-emulator::abc:ckpt-step-10"
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def azure_arg(name: str) -> Callable[[ftclient.FineTuningClient, Any], Any]:
    def call(c: ftclient.FineTuningClient, v: Any) -> Any:
        args = {
            "api_key": "sk-test",
            "azure_endpoint": c.base_url,
            "api_version": "2025-04-01-preview",
            name: v,
        }
        return ftclient.AzureFineTuningClient(**args)

    return call


def good_query(key: object, value: object) -> bool:
    if not good_text(key):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (int, bool)) or good_text(value)


def good_json(value: object) -> bool:
    if value is None or isinstance(value, (bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return good_text(value)
    if isinstance(value, (list, tuple)):
        return all(good_json(item) for item in value)
    if isinstance(value, dict):
        return all(good_text(k) and good_json(x) for k, x in value.items())
    return False


SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def sign_arg(name: str) -> Callable[[ftclient.FineTuningClient, Any], Any]:
    def call(c: ftclient.FineTuningClient, v: Any) -> Any:
        args = {"secret": SECRET, "msg_id": "msg_1", "timestamp": 100, name: v}
        return webhooks.sign(b"{}", **args)

    return call


def verify_arg(name: str) -> Callable[[ftclient.FineTuningClient, Any], Any]:
    headers = webhooks.sign(b"{}", secret=SECRET, msg_id="msg_1", timestamp=100)

    def call(c: ftclient.FineTuningClient, v: Any) -> Any:
        args = {"secret": SECRET, "now": 100, name: v}
        return webhooks.verify_signature(b"{}", headers, **args)

    return call


# (label, call(client, value), parameter, is_valid oracle)
Entry = tuple[str, Callable[[ftclient.FineTuningClient, Any], Any], str, Callable[[object], bool]]


def create(**fixed: Any) -> Callable[[str], Callable[[ftclient.FineTuningClient, Any], Any]]:
    def with_param(name: str) -> Callable[[ftclient.FineTuningClient, Any], Any]:
        def call(c: ftclient.FineTuningClient, v: Any) -> Any:
            args = {"model": "gpt-4o-mini", "training_file": "file-t", **fixed, name: v}
            return c.jobs.create(**args)

        return call

    return with_param


CREATE = create()
PYTHON_GRADER = {"type": "python", "name": "p", "source": "x"}
ENTRIES: list[Entry] = [
    ("create-model", CREATE("model"), "model", good_text),
    ("create-training-file", CREATE("training_file"), "training_file", good_text),
    ("create-validation-file", CREATE("validation_file"), "validation_file", optional(good_text)),
    (
        "create-suffix",
        CREATE("suffix"),
        "suffix",
        lambda v: v is None or (good_text(v) and 1 <= len(v) <= 64),
    ),
    ("create-seed", CREATE("seed"), "seed", optional(good_int(0, 2**31 - 1))),
    ("create-method", CREATE("method"), "method", lambda v: v is None or not_a_mapping(v)),
    (
        "create-hyper",
        CREATE("hyperparameters"),
        "hyperparameters",
        lambda v: v is None or not_a_mapping(v),
    ),
    (
        "create-integrations",
        CREATE("integrations"),
        "integrations",
        lambda v: v is None or (isinstance(v, (list, tuple)) and not v),
    ),
    (
        "create-metadata",
        CREATE("metadata"),
        "metadata",
        optional(good_metadata),
    ),
    (
        "create-key",
        CREATE("idempotency_key"),
        "idempotency_key",
        lambda v: v is None or (header_safe(v) and 1 <= len(v) <= 512),
    ),
    (
        "create-timeout",
        CREATE("timeout"),
        "timeout",
        lambda v: v is None or v is ... or good_seconds(v),
    ),
    ("create-headers", CREATE("extra_headers"), "extra_headers", optional(good_headers)),
    ("retrieve-id", lambda c, v: c.jobs.retrieve(v), "job_id", good_id),
    (
        "retrieve-timeout",
        lambda c, v: c.jobs.retrieve("j", timeout=v),
        "timeout",
        lambda v: v is None or v is ... or good_seconds(v),
    ),
    (
        "retrieve-headers",
        lambda c, v: c.jobs.retrieve("j", extra_headers=v),
        "extra_headers",
        optional(good_headers),
    ),
    ("cancel-id", lambda c, v: c.jobs.cancel(v), "job_id", good_id),
    ("pause-id", lambda c, v: c.jobs.pause(v), "job_id", good_id),
    ("resume-id", lambda c, v: c.jobs.resume(v), "job_id", good_id),
    (
        "resume-headers",
        lambda c, v: c.jobs.resume("j", extra_headers=v),
        "extra_headers",
        optional(good_headers),
    ),
    ("list-limit", lambda c, v: c.jobs.list(limit=v), "limit", optional(good_int(-(2**63)))),
    ("list-after", lambda c, v: c.jobs.list(after=v), "after", optional(good_id)),
    (
        "list-metadata",
        lambda c, v: c.jobs.list(metadata=v),
        "metadata",
        lambda v: v is None or v is ftclient.NO_METADATA or good_metadata(v),
    ),
    (
        "list-headers",
        lambda c, v: c.jobs.list(extra_headers=v),
        "extra_headers",
        optional(good_headers),
    ),
    (
        "to-list-max-items",
        lambda c, v: c.jobs.list().to_list(max_items=v),
        "max_items",
        optional(good_int(-(2**63))),
    ),
    (
        "retrieve-extra-query",
        lambda c, v: c.jobs.retrieve("j", extra_query=v),
        "extra_query",
        lambda v: (
            v is None or (isinstance(v, dict) and all(good_query(k, x) for k, x in v.items()))
        ),
    ),
    (
        "create-extra-body",
        CREATE("extra_body"),
        "extra_body",
        lambda v: v is None or (isinstance(v, dict) and good_json(v)),
    ),
    (
        "validate-extra-body",
        lambda c, v: c.graders.validate(grader=PYTHON_GRADER, extra_body=v),
        "extra_body",
        lambda v: v is None or (isinstance(v, dict) and good_json(v)),
    ),
    (
        "follow-settle",
        lambda c, v: c.jobs.follow_events("j", settle=v),
        "settle",
        lambda v: good_seconds(v) or v == 0,
    ),
    (
        "wait-many-max-failed",
        lambda c, v: c.jobs.wait_many(["j"], max_failed_polls=v),
        "max_failed_polls",
        good_int(1),
    ),
    ("events-id", lambda c, v: c.jobs.list_events(v), "job_id", good_id),
    (
        "events-limit",
        lambda c, v: c.jobs.list_events("j", limit=v),
        "limit",
        optional(good_int(-(2**63))),
    ),
    ("checkpoints-id", lambda c, v: c.checkpoints.list(v), "job_id", good_id),
    (
        "checkpoints-after",
        lambda c, v: c.checkpoints.list("j", after=v),
        "after",
        optional(good_id),
    ),
    (
        "perm-create-ckpt",
        lambda c, v: c.permissions.create(v, project_ids=["p"]),
        "checkpoint",
        good_id,
    ),
    (
        "perm-create-ids",
        lambda c, v: c.permissions.create(CKPT, project_ids=v),
        "project_ids",
        lambda v: good_ids(v) and bool(v) and isinstance(v, (list, tuple)),
    ),
    (
        "perm-list-order",
        lambda c, v: c.permissions.list(CKPT, order=v),
        "order",
        lambda v: v in (None, "ascending", "descending"),
    ),
    (
        "perm-list-project",
        lambda c, v: c.permissions.list(CKPT, project_id=v),
        "project_id",
        optional(good_id),
    ),
    ("perm-delete-id", lambda c, v: c.permissions.delete(CKPT, v), "permission_id", good_id),
    ("grader-run-grader", lambda c, v: c.graders.run(grader=v, model_sample="s"), "grader", never),
    (
        "grader-run-sample",
        lambda c, v: c.graders.run(
            grader={"type": "python", "name": "p", "source": "x"}, model_sample=v
        ),
        "model_sample",
        good_text,
    ),
    ("grader-validate", lambda c, v: c.graders.validate(grader=v), "grader", never),
    ("wait-id", lambda c, v: c.jobs.wait(v), "job_id", good_id),
    ("wait-timeout", lambda c, v: c.jobs.wait("j", timeout=v), "timeout", optional(good_seconds)),
    ("wait-poll", lambda c, v: c.jobs.wait("j", poll_interval=v), "poll_interval", good_seconds),
    ("wait-stop-on", lambda c, v: c.jobs.wait("j", stop_on=v), "stop_on", good_statuses),
    (
        "wait-on-update",
        lambda c, v: c.jobs.wait("j", on_update=v),
        "on_update",
        lambda v: v is None or callable(v),
    ),
    ("wait-many-ids", lambda c, v: c.jobs.wait_many(v), "job_ids", good_ids),
    (
        "wait-many-concurrency",
        lambda c, v: c.jobs.wait_many(["j"], concurrency=v),
        "concurrency",
        good_int(1),
    ),
    (
        "wait-many-timeout",
        lambda c, v: c.jobs.wait_many(["j"], timeout=v),
        "timeout",
        optional(good_seconds),
    ),
    (
        "wait-many-stop-on",
        lambda c, v: c.jobs.wait_many(["j"], stop_on=v),
        "stop_on",
        good_statuses,
    ),
    ("follow-id", lambda c, v: c.jobs.follow_events(v), "job_id", good_id),
    ("follow-since", lambda c, v: c.jobs.follow_events("j", since=v), "since", optional(good_id)),
    (
        "follow-page-size",
        lambda c, v: c.jobs.follow_events("j", page_size=v),
        "page_size",
        good_int(1),
    ),
    (
        "follow-poll",
        lambda c, v: c.jobs.follow_events("j", poll_interval=v),
        "poll_interval",
        good_seconds,
    ),
]


def client_arg(name: str) -> Callable[[ftclient.FineTuningClient, Any], Any]:
    def call(c: ftclient.FineTuningClient, v: Any) -> Any:
        args = {"api_key": "sk-test", "base_url": c.base_url, name: v}
        return ftclient.FineTuningClient(**args)

    return call


ENTRIES += [
    (
        "client-api-key",
        client_arg("api_key"),
        "api_key",
        # stripped first, then printable ASCII
        lambda v: (
            good_text(v) and v.strip().isascii() and v.strip().isprintable() and bool(v.strip())
        ),
    ),
    ("client-base-url", client_arg("base_url"), "base_url", lambda v: v is None or v == ""),
    (
        "client-organization",
        client_arg("organization"),
        "organization",
        lambda v: v is None or (isinstance(v, str) and header_safe(v.strip())),  # stripped first
    ),
    ("client-timeout", client_arg("timeout"), "timeout", optional(good_seconds)),
    ("client-max-retries", client_arg("max_retries"), "max_retries", optional(good_int(0))),
    ("client-retry-policy", client_arg("retry_policy"), "retry_policy", lambda v: v is None),
    ("client-max-connections", client_arg("max_connections"), "max_connections", good_int(1)),
    (
        "client-default-headers",
        client_arg("default_headers"),
        "default_headers",
        optional(good_headers),
    ),
    ("client-flow-control", client_arg("flow_control"), "flow_control", lambda v: v is None),
    ("client-session", client_arg("session"), "session", lambda v: v is None),
    (
        "client-trace-configs",
        client_arg("trace_configs"),
        "trace_configs",
        lambda v: isinstance(v, (list, tuple)) and not v,
    ),
    (
        "client-default-query",
        client_arg("default_query"),
        "default_query",
        lambda v: (
            v is None or (isinstance(v, dict) and all(good_query(k, x) for k, x in v.items()))
        ),
    ),
    (
        "client-max-response-bytes",
        client_arg("max_response_bytes"),
        "max_response_bytes",
        good_int(1),
    ),
    (
        "azure-endpoint",
        azure_arg("azure_endpoint"),
        "azure_endpoint",
        lambda v: v is None or v == "",
    ),
    (
        "azure-api-version",
        azure_arg("api_version"),
        "api_version",
        lambda v: v is None or v == "" or good_text(v),
    ),
    (
        "webhook-sign-timestamp",
        sign_arg("timestamp"),
        "timestamp",
        optional(lambda v: (good_seconds(v) or v == 0) and v < 10**12),
    ),
    ("webhook-sign-msg-id", sign_arg("msg_id"), "msg_id", optional(good_id)),
    (
        "webhook-verify-now",
        verify_arg("now"),
        "now",
        lambda v: v is None or good_seconds(v) or v == 0,
    ),
    (
        "webhook-verify-tolerance",
        verify_arg("tolerance"),
        "tolerance",
        lambda v: good_seconds(v) or v == 0,
    ),
    ("timeouts-total", lambda c, v: ftclient.Timeouts(total=v), "total", optional(good_seconds)),
    ("timeouts-read", lambda c, v: ftclient.Timeouts(read=v), "read", optional(good_seconds)),
    (
        "retry-base",
        lambda c, v: ftclient.RetryPolicy(base_delay=v),
        "base_delay",
        lambda v: good_seconds(v) or v == 0,
    ),
    (
        "retry-max-retries",
        lambda c, v: ftclient.RetryPolicy(max_retries=v),
        "max_retries",
        good_int(0),
    ),
    (
        "retry-max-after",
        lambda c, v: ftclient.RetryPolicy(max_retry_after=v),
        "max_retry_after",
        lambda v: good_seconds(v) or v == 0,
    ),
    (
        "flow-in-flight",
        lambda c, v: ftclient.FlowControl(max_in_flight=v),
        "max_in_flight",
        optional(good_int(1)),
    ),
    ("flow-min-rate", lambda c, v: ftclient.FlowControl(min_rate=v), "min_rate", good_seconds),
    (
        "schedule-initial",
        lambda c, v: ftclient.PollSchedule(initial=v),
        "poll_interval",
        lambda v: good_seconds(v) and v <= 30,
    ),
    (
        "schedule-factor",
        lambda c, v: ftclient.PollSchedule(factor=v),
        "poll_interval",
        lambda v: good_seconds(v) and v >= 1,
    ),
]


class Counter(BaseHTTPRequestHandler):
    """Counts every request that reaches it, and answers 400."""

    count = 0
    lock = threading.Lock()

    def _any(self) -> None:
        with Counter.lock:
            Counter.count += 1
        self.send_response(400)
        self.end_headers()

    do_GET = do_POST = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def run(
    call: Callable[[ftclient.FineTuningClient, Any], Any], url: str, value: Any
) -> BaseException:
    async def go() -> BaseException:
        client = ftclient.FineTuningClient(api_key="sk-test", base_url=url, max_retries=0)
        try:
            result = call(client, value)
            if inspect.isawaitable(result):
                await result
            elif isinstance(result, ftclient.FineTuningClient):
                await result.aclose()
        except BaseException as exc:  # judged by the caller
            return exc
        finally:
            await client.aclose()
        raise AssertionError(f"{value!r:.80} was accepted")

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("call", "param", "valid"), [pytest.param(c, p, v, id=i) for i, c, p, v in ENTRIES]
)
def test_bad_arguments_raise_ftclient_errors_and_send_nothing(
    recorder: str, call: Any, param: str, valid: Callable[[object], bool]
) -> None:
    start = Counter.count

    @SETTINGS
    @given(value=ANY.filter(lambda v: not valid(v)))
    def check(value: Any) -> None:
        before = Counter.count
        exc = run(call, recorder, value)
        assert isinstance(exc, ftclient.InvalidParameterError), repr(exc)
        assert exc.param.startswith(param), (exc.param, param)
        str(exc).encode("utf-8")  # printable
        assert Counter.count == before, "a request was sent"

    check()
    assert Counter.count == start
