"""Wrong types and values at every public entry point beyond request bodies: seconds, collections
of ids, callbacks, and every constructor argument. Each case is the call and the parameter the
:class:`ftclient.InvalidParameterError` must name. Used through ``bad_inputs.CASES``."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import ftclient
from ftclient import webhooks

Call = Callable[[ftclient.FineTuningClient], Any]
Case = tuple[str, Call, str]

NAN = float("nan")
INF = float("inf")
BAD_SECONDS: list[tuple[str, object]] = [
    ("inf", INF),
    ("-inf", -INF),
    ("nan", NAN),
    ("zero", 0),
    ("negative", -1.5),
    ("huge-int", 10**400),
    ("bool", True),
    ("str", "5"),
]


def new_client(**kwargs: Any) -> Call:
    settings = {"api_key": "sk-test", "base_url": "http://127.0.0.1:9/v1", **kwargs}
    return lambda c: ftclient.FineTuningClient(**settings)


def _seconds() -> list[Case]:
    cases: list[Case] = []
    for label, value in BAD_SECONDS:
        v: Any = value
        cases += [
            (f"call-timeout-{label}", lambda c, v=v: c.jobs.retrieve("j", timeout=v), "timeout"),
            (f"client-timeout-{label}", new_client(timeout=v), "timeout"),
            (f"wait-timeout-{label}", lambda c, v=v: c.jobs.wait("j", timeout=v), "timeout"),
            (
                f"wait-poll-{label}",
                lambda c, v=v: c.jobs.wait("j", poll_interval=v),
                "poll_interval",
            ),
            (
                f"wait-many-timeout-{label}",
                lambda c, v=v: c.jobs.wait_many(["j"], timeout=v),
                "timeout",
            ),
            (f"timeouts-total-{label}", lambda c, v=v: ftclient.Timeouts(total=v), "total"),
        ]
    for label, value in [("nan", NAN), ("inf", INF), ("negative", -1), ("str", "1")]:
        v = value
        cases += [
            (
                f"retry-base-{label}",
                lambda c, v=v: ftclient.RetryPolicy(base_delay=v),
                "base_delay",
            ),
            (
                f"retry-cap-{label}",
                lambda c, v=v: ftclient.RetryPolicy(max_retry_after=v),
                "max_retry_after",
            ),
            (f"flow-rate-{label}", lambda c, v=v: ftclient.FlowControl(min_rate=v), "min_rate"),
            (
                f"schedule-factor-{label}",
                lambda c, v=v: ftclient.PollSchedule(factor=v),
                "poll_interval.factor",
            ),
        ]
    return cases


def _collections() -> list[Case]:
    ckpt = "ft:gpt-4o-mini:org-emulator::abc:ckpt-step-10"
    cases: list[Case] = []
    for label, value in [("str", "ftjob-abc"), ("none", None), ("int", 5), ("dict", {"j": 1})]:
        v: Any = value
        cases.append((f"wait-many-{label}", lambda c, v=v: c.jobs.wait_many(v), "job_ids"))
    cases += [
        ("wait-many-surrogate", lambda c: c.jobs.wait_many(["a", "\udc80"]), "job_ids[1]"),
        ("wait-many-int-item", lambda c: c.jobs.wait_many(["a", 5]), "job_ids[1]"),
        ("wait-many-empty-item", lambda c: c.jobs.wait_many([""]), "job_ids[0]"),
        ("wait-stop-on-int", lambda c: c.jobs.wait("j", stop_on=5), "stop_on"),
        ("wait-stop-on-str", lambda c: c.jobs.wait("j", stop_on="paused"), "stop_on"),
        ("wait-many-stop-on-int", lambda c: c.jobs.wait_many(["j"], stop_on=5), "stop_on"),
        ("wait-on-update", lambda c: c.jobs.wait("j", on_update=5), "on_update"),
        ("wait-job-id", lambda c: c.jobs.wait(5), "job_id"),
        ("wait-many-concurrency", lambda c: c.jobs.wait_many(["j"], concurrency=0), "concurrency"),
        ("follow-on-job", lambda c: c.jobs.follow_events("j", on_job="x"), "on_job"),
        (
            "follow-poll-nan",
            lambda c: c.jobs.follow_events("j", poll_interval=NAN),
            "poll_interval",
        ),
        ("follow-since-surrogate", lambda c: c.jobs.follow_events("j", since="\udc80"), "since"),
        (
            "project-ids-surrogate",
            lambda c: c.permissions.create(ckpt, project_ids=["\udc80"]),
            "project_ids[0]",
        ),
    ]
    return cases


def _constructors() -> list[Case]:
    bad: list[tuple[str, dict[str, Any], str]] = [
        ("base-url-int", {"base_url": 123}, "base_url"),
        ("base-url-surrogate", {"base_url": "http://127.0.0.1/\udc80"}, "base_url"),
        ("base-url-bad-port", {"base_url": "http://127.0.0.1:x/v1"}, "base_url"),
        ("base-url-bad-ipv6", {"base_url": "http://[::1/v1"}, "base_url"),
        ("api-key-int", {"api_key": 5}, "api_key"),
        ("api-key-surrogate", {"api_key": "sk-\udc80"}, "api_key"),
        ("organization-int", {"organization": 5}, "organization"),
        ("project-surrogate", {"project": "proj-\ud800"}, "project"),
        ("retry-policy-str", {"retry_policy": "fast"}, "retry_policy"),
        ("flow-control-str", {"flow_control": "off"}, "flow_control"),
        ("default-headers-list", {"default_headers": ["X"]}, "default_headers"),
        ("default-headers-int-name", {"default_headers": {1: "x"}}, "default_headers"),
        ("default-headers-cr", {"default_headers": {"X-T": "a\rb"}}, "default_headers['X-T']"),
        ("trace-configs-int", {"trace_configs": 5}, "trace_configs"),
        ("trace-configs-item", {"trace_configs": [5]}, "trace_configs[0]"),
        ("session-object", {"session": object()}, "session"),
        ("max-connections-zero", {"max_connections": 0}, "max_connections"),
        ("max-connections-str", {"max_connections": "10"}, "max_connections"),
        ("max-retries-negative", {"max_retries": -1}, "max_retries"),
        ("max-retries-str", {"max_retries": "2"}, "max_retries"),
    ]
    return [(f"client-{label}", new_client(**kwargs), param) for label, kwargs, param in bad]


PYTHON = {"type": "python", "name": "p", "source": "def grade(sample, item):\n  return 1"}


def _options() -> list[Case]:
    azure = {"api_key": "k", "azure_endpoint": "http://127.0.0.1:9", "api_version": "2025-04-01"}
    return [
        (
            "extra-query-list",
            lambda c: c.jobs.retrieve("j", extra_query={"a": [1]}),
            "extra_query['a']",
        ),
        ("extra-query-str", lambda c: c.jobs.list(extra_query="a=1"), "extra_query"),
        (
            "extra-query-inf",
            lambda c: c.checkpoints.list("j", extra_query={"a": INF}),
            "extra_query['a']",
        ),
        ("extra-body-nan", lambda c: c.jobs.cancel("j", extra_body={"a": NAN}), "extra_body.a"),
        (
            "extra-body-list",
            lambda c: c.graders.validate(grader=PYTHON, extra_body=[1]),
            "extra_body",
        ),
        (
            "extra-body-surrogate",
            lambda c: c.jobs.create(model="m", training_file="f", extra_body={"x": "\udc80"}),
            "extra_body.x",
        ),
        ("client-default-query", new_client(default_query={"a": object()}), "default_query['a']"),
        ("client-max-response-bytes", new_client(max_response_bytes=0), "max_response_bytes"),
        (
            "azure-api-version",
            lambda c: ftclient.AzureFineTuningClient(**{**azure, "api_version": 5}),
            "api_version",
        ),
        (
            "azure-endpoint",
            lambda c: ftclient.AzureFineTuningClient(**{**azure, "azure_endpoint": 5}),
            "azure_endpoint",
        ),
    ]


def _webhooks() -> list[Case]:
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    signed = webhooks.sign(b"{}", secret=secret, msg_id="msg_1", timestamp=100)

    def sign(**kwargs: Any) -> Call:
        args = {"secret": secret, "msg_id": "msg_1", "timestamp": 100, **kwargs}
        return lambda c: webhooks.sign(b"{}", **args)

    def verify(**kwargs: Any) -> Call:
        return lambda c: webhooks.verify_signature(b"{}", signed, **{"secret": secret, **kwargs})

    return [
        ("sign-timestamp-nan", sign(timestamp=NAN), "timestamp"),
        ("sign-timestamp-str", sign(timestamp="100"), "timestamp"),
        ("verify-now-nan", verify(now=NAN), "now"),  # NaN would pass every age check
        ("verify-now-str", verify(now="100"), "now"),
    ]


ENTRY_POINT_CASES: list[Case] = [
    *_seconds(),
    *_collections(),
    *_constructors(),
    *_options(),
    *_webhooks(),
]
ENTRY_POINT_CATEGORIES = {
    "seconds (timeouts, waits, intervals, rates)": len(_seconds()),
    "collections of ids, statuses, callbacks": len(_collections()),
    "client constructor arguments": len(_constructors()),
    "extra_query, extra_body, default_query, Azure": len(_options()),
    "webhooks: sign and verify_signature": len(_webhooks()),
}
