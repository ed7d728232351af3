"""Webhook verification against vectors made by an independent implementation (standardwebhooks)."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import UTC, datetime

import pytest
import standardwebhooks

import ftclient
from ftclient import webhooks

NOW = 1_750_000_000
SECRETS = [
    "whsec_" + base64.b64encode(b"a 32-byte key for the test suite").decode(),
    "whsec_" + base64.b64encode(bytes(range(24))).decode(),
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  # the scheme's own example secret
]
PAYLOADS = [
    json.dumps(
        {
            "id": "evt_1",
            "type": "fine_tuning.job.succeeded",
            "created_at": NOW,
            "data": {"id": "ftjob-abc"},
        }
    ),
    '{"id":"evt_2","type":"fine_tuning.job.failed","created_at":1,"data":{"id":"ftjob-é"}}',
    '{"id": "evt_3", "type": "response.completed", "created_at": 2, "data": {"id": "resp_1"}}',
    "",
    "not json at all \u2603",
]


def vector(secret: str, payload: str, msg_id: str = "msg_1", at: int = NOW) -> dict[str, str]:
    """Headers as the independent implementation signs them."""
    signature = standardwebhooks.Webhook(secret).sign(
        msg_id, datetime.fromtimestamp(at, tz=UTC), payload
    )
    return {"webhook-id": msg_id, "webhook-timestamp": str(at), "webhook-signature": signature}


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_independent_vectors_verify(secret: str, payload: str) -> None:
    headers = vector(secret, payload)
    webhooks.verify_signature(payload, headers, secret=secret, now=NOW)
    webhooks.verify_signature(payload.encode(), headers, secret=secret, now=NOW)
    # and the other way round: what ftclient signs, the independent implementation accepts
    ours = webhooks.sign(payload, secret=secret, msg_id="msg_1", timestamp=NOW)
    assert ours == headers


def test_what_ftclient_signs_now_verifies_with_the_independent_implementation() -> None:
    payload = PAYLOADS[0]
    headers = webhooks.sign(payload, secret=SECRETS[0], msg_id="msg_x", timestamp=int(time.time()))
    assert standardwebhooks.Webhook(SECRETS[0]).verify(payload, headers) == json.loads(payload)


def tampered() -> list[tuple[str, str, dict[str, str], str]]:
    secret, payload = SECRETS[0], PAYLOADS[0]
    good = vector(secret, payload)
    other = vector(SECRETS[1], payload)["webhook-signature"]
    flipped = base64.b64encode(
        bytes([b ^ 1 for b in base64.b64decode(good["webhook-signature"][3:])])
    )
    return [
        ("body changed", payload.replace("ftjob-abc", "ftjob-abd"), good, "no v1 signature"),
        ("id changed", payload, {**good, "webhook-id": "msg_2"}, "no v1 signature"),
        ("timestamp changed", payload, {**good, "webhook-timestamp": str(NOW + 1)}, "no v1"),
        ("signed by another secret", payload, {**good, "webhook-signature": other}, "no v1"),
        (
            "signature bits flipped",
            payload,
            {**good, "webhook-signature": "v1," + flipped.decode()},
            "no v1",
        ),
        (
            "only another scheme",
            payload,
            {**good, "webhook-signature": "v1a," + good["webhook-signature"][3:]},
            "no v1",
        ),
        ("garbage signature", payload, {**good, "webhook-signature": "v1,***"}, "no v1"),
        (
            "no id",
            payload,
            {k: v for k, v in good.items() if k != "webhook-id"},
            "webhook-id header is missing",
        ),
        (
            "no timestamp",
            payload,
            {k: v for k, v in good.items() if k != "webhook-timestamp"},
            "webhook-timestamp header is missing",
        ),
        (
            "no signature",
            payload,
            {k: v for k, v in good.items() if k != "webhook-signature"},
            "webhook-signature header is missing",
        ),
        (
            "timestamp not seconds",
            payload,
            {**good, "webhook-timestamp": "2025-06-15T00:00:00Z"},
            "not Unix seconds",
        ),
    ]


@pytest.mark.parametrize(
    ("case", "payload", "headers", "message"),
    tampered(),
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "",
)
def test_every_tampered_case_is_refused(
    case: str, payload: str, headers: dict[str, str], message: str
) -> None:
    with pytest.raises(ftclient.InvalidWebhookSignatureError, match=message):
        webhooks.verify_signature(payload, headers, secret=SECRETS[0], now=NOW)
    with pytest.raises(ftclient.InvalidWebhookSignatureError):
        webhooks.unwrap(payload, headers, secret=SECRETS[0], now=NOW)


def test_stale_and_future_timestamps_are_refused_outside_the_tolerance() -> None:
    payload = PAYLOADS[0]
    old = vector(SECRETS[0], payload, at=NOW - 301)
    future = vector(SECRETS[0], payload, at=NOW + 301)
    with pytest.raises(ftclient.InvalidWebhookSignatureError, match="301s old"):
        webhooks.verify_signature(payload, old, secret=SECRETS[0], now=NOW)
    with pytest.raises(ftclient.InvalidWebhookSignatureError, match=r"is 301s in the future"):
        webhooks.verify_signature(payload, future, secret=SECRETS[0], now=NOW)
    # at the edge, and with a wider tolerance, they pass
    webhooks.verify_signature(
        payload, vector(SECRETS[0], payload, at=NOW - 300), secret=SECRETS[0], now=NOW
    )
    webhooks.verify_signature(
        payload, vector(SECRETS[0], payload, at=NOW + 300), secret=SECRETS[0], now=NOW
    )
    webhooks.verify_signature(payload, old, secret=SECRETS[0], tolerance=302, now=NOW)
    assert webhooks.unwrap(payload, old, secret=SECRETS[0], tolerance=302, now=NOW).id == "evt_1"
    exact = vector(SECRETS[0], payload, at=NOW)
    webhooks.verify_signature(payload, exact, secret=SECRETS[0], tolerance=0, now=NOW)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"tolerance": -1}, "tolerance"),
        ({"tolerance": "300"}, "tolerance"),
        ({"tolerance": float("nan")}, "tolerance"),
        ({"headers": None}, "headers"),
        ({"headers": [("webhook-id", "x")]}, "headers"),
        ({"payload": 5}, "payload"),
    ],
)
def test_bad_arguments_are_parameter_errors(kwargs: dict[str, object], param: str) -> None:
    arguments: dict[str, object] = {
        "payload": PAYLOADS[0],
        "headers": vector(SECRETS[0], PAYLOADS[0]),
        "secret": SECRETS[0],
        "now": NOW,
        **kwargs,
    }
    with pytest.raises(ftclient.InvalidParameterError) as info:
        webhooks.verify_signature(**arguments)  # type: ignore[arg-type]
    assert info.value.param == param
    assert str(info.value).startswith(f"{param}: ")
    if param == "headers":
        assert str(info.value) == "headers: must be a mapping of the request's headers"


def test_a_signature_with_stray_characters_is_refused() -> None:
    good = vector(SECRETS[0], PAYLOADS[0])
    signature = good["webhook-signature"]
    stray = {**good, "webhook-signature": signature[:8] + "!" + signature[8:]}
    with pytest.raises(ftclient.InvalidWebhookSignatureError) as info:
        webhooks.verify_signature(PAYLOADS[0], stray, secret=SECRETS[0], now=NOW)
    assert str(info.value) == "no v1 signature in webhook-signature matches the payload"


def test_any_of_several_signatures_passes_during_a_rotation() -> None:
    payload = PAYLOADS[1]
    new = vector(SECRETS[1], payload)
    old = vector(SECRETS[0], payload)["webhook-signature"]
    rotating = {
        **new,
        "webhook-signature": f"v1a,ignored v1,*** {old} {new['webhook-signature']}",
    }
    webhooks.verify_signature(payload, rotating, secret=SECRETS[0], now=NOW)
    webhooks.verify_signature(payload, rotating, secret=SECRETS[1], now=NOW)
    with pytest.raises(ftclient.InvalidWebhookSignatureError):
        webhooks.verify_signature(payload, rotating, secret=SECRETS[2], now=NOW)


def test_header_names_match_whatever_their_case() -> None:
    headers = {k.title(): v for k, v in vector(SECRETS[0], PAYLOADS[0]).items()}
    webhooks.verify_signature(PAYLOADS[0], headers, secret=SECRETS[0], now=NOW)


def test_unwrap_types_the_fine_tuning_events_and_keeps_unknown_ones() -> None:
    event = webhooks.unwrap(
        PAYLOADS[0], vector(SECRETS[0], PAYLOADS[0]), secret=SECRETS[0], now=NOW
    )
    assert event == webhooks.FineTuningJobSucceededWebhookEvent(
        id="evt_1", created_at=NOW, data=webhooks.FineTuningJobWebhookData(id="ftjob-abc")
    )
    failed = webhooks.unwrap(
        PAYLOADS[1], vector(SECRETS[0], PAYLOADS[1]), secret=SECRETS[0], now=NOW
    )
    assert isinstance(failed, webhooks.FineTuningJobFailedWebhookEvent)
    assert failed.data.id == "ftjob-é"
    body = (
        '{"id":"evt_4","type":"fine_tuning.job.cancelled","created_at":3,'
        '"data":{"id":"j"},"object":"event"}'
    )
    cancelled = webhooks.unwrap(body, vector(SECRETS[0], body), secret=SECRETS[0], now=NOW)
    assert isinstance(cancelled, webhooks.FineTuningJobCancelledWebhookEvent)
    assert cancelled.type == "fine_tuning.job.cancelled"
    unknown = webhooks.unwrap(
        PAYLOADS[2], vector(SECRETS[0], PAYLOADS[2]), secret=SECRETS[0], now=NOW
    )
    assert isinstance(unknown, webhooks.UnknownWebhookEvent)
    assert (unknown.id, unknown.type, unknown.created_at) == ("evt_3", "response.completed", 2)
    assert unknown.data == {"id": "resp_1"}
    assert unknown.raw == json.loads(PAYLOADS[2])


@pytest.mark.parametrize(
    ("body", "path", "says"),
    [
        ("", "$", "the body is not JSON"),
        ("not json", "$", "the body is not JSON"),
        ("[1, 2]", "$", "the body is not a JSON object"),
        ('{"type": "fine_tuning.job.failed"}', "$.id", "must be a string"),
        ('{"id": "evt", "type": 7}', "$.type", "must be a string"),
        (
            '{"id": "evt", "type": "fine_tuning.job.failed", "data": {"id": "j"}}',
            "$.created_at",
            "must be Unix seconds (an integer)",
        ),
        (
            '{"id": "evt", "type": "fine_tuning.job.failed", "created_at": true,'
            ' "data": {"id": "j"}}',
            "$.created_at",
            "must be Unix seconds (an integer)",
        ),
        (
            '{"id": "evt", "type": "fine_tuning.job.failed", "created_at": 1}',
            "$.data",
            "must be an object",
        ),
        (
            '{"id": "evt", "type": "fine_tuning.job.failed", "created_at": 1, "data": {}}',
            "$.data.id",
            "must be the job's id (a string)",
        ),
        (
            '{"id": "evt", "type": "fine_tuning.job.failed", "created_at": 1, "data": {"id": ""}}',
            "$.data.id",
            "must be the job's id (a string)",
        ),
    ],
)
def test_a_signed_body_that_is_not_an_event_names_the_field(
    body: str, path: str, says: str
) -> None:
    with pytest.raises(ftclient.InvalidWebhookPayloadError) as info:
        webhooks.unwrap(body, vector(SECRETS[0], body), secret=SECRETS[0], now=NOW)
    assert info.value.path == path
    assert str(info.value) == f"webhook body {path}: {says}"


@pytest.mark.parametrize(
    ("body", "created_at", "kind_of_object"),
    [
        ('{"id": "e", "type": "x.y", "created_at": true, "object": 5}', None, None),
        ('{"id": "e", "type": "x.y", "created_at": "5", "object": "event"}', None, "event"),
        ('{"id": "e", "type": "x.y", "created_at": 5}', 5, None),
    ],
)
def test_unknown_events_keep_what_can_be_kept(
    body: str, created_at: int | None, kind_of_object: str | None
) -> None:
    event = webhooks.unwrap(body, vector(SECRETS[0], body), secret=SECRETS[0], now=NOW)
    assert isinstance(event, webhooks.UnknownWebhookEvent)
    assert (event.created_at, event.object, event.data) == (created_at, kind_of_object, None)


def test_a_known_event_keeps_a_string_object_field() -> None:
    body = (
        '{"id":"e","type":"fine_tuning.job.failed","created_at":1,"data":{"id":"j"},"object":"x"}'
    )
    event = webhooks.unwrap(body, vector(SECRETS[0], body), secret=SECRETS[0], now=NOW)
    assert event.object == "x"


def test_a_known_event_keeps_its_object_field() -> None:
    body = '{"id":"e","type":"fine_tuning.job.failed","created_at":1,"data":{"id":"j"},"object":7}'
    event = webhooks.unwrap(body, vector(SECRETS[0], body), secret=SECRETS[0], now=NOW)
    assert isinstance(event, webhooks.FineTuningJobFailedWebhookEvent)
    assert event.object == "event"  # not a string: the spec's constant


@pytest.mark.parametrize("secret", ["whsec_***not base64***", "", "whsec_", 42, None])
def test_a_bad_secret_is_a_parameter_error(secret: object) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        webhooks.verify_signature(
            PAYLOADS[0], vector(SECRETS[0], PAYLOADS[0]), secret=secret, now=NOW
        )  # type: ignore[arg-type]
    assert info.value.param == "secret"


def test_an_unpadded_secret_is_read_as_the_scheme_reads_it() -> None:
    padded = "whsec_" + base64.b64encode(bytes(range(20))).decode()
    assert padded.endswith("=")
    unpadded = padded.rstrip("=")
    headers = vector(padded, PAYLOADS[0])
    assert vector(unpadded, PAYLOADS[0]) == headers
    webhooks.verify_signature(PAYLOADS[0], headers, secret=unpadded, now=NOW)


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (SECRETS[0][:10] + "!" + SECRETS[0][10:], "must be the whsec_... secret"),
        (b"", "secret: must not be empty"),
    ],
)
def test_a_secret_with_stray_characters_or_no_key_is_refused(
    secret: str | bytes, message: str
) -> None:
    with pytest.raises(ftclient.InvalidParameterError, match=re.escape(message)):
        webhooks.verify_signature(PAYLOADS[0], vector(SECRETS[0], PAYLOADS[0]), secret=secret)


def test_sign_names_a_bad_message_id() -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        webhooks.sign(b"{}", secret=SECRETS[0], msg_id="", timestamp=NOW)
    assert info.value.param == "msg_id"


def test_raw_key_bytes_are_accepted() -> None:
    key = base64.b64decode(SECRETS[0].removeprefix("whsec_"))
    webhooks.verify_signature(PAYLOADS[0], vector(SECRETS[0], PAYLOADS[0]), secret=key, now=NOW)
