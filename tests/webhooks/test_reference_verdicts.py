"""Verdicts compared with the ``standardwebhooks`` reference package over a fuzzed corpus.

Both judge the same body and headers (as a framework hands them over: text, names in any case)
at the same moment. ftclient never accepts what the reference refuses. Where the reference
accepts and ftclient refuses, ftclient is stricter on purpose, and only in the two ways its
docs state: a ``webhook-timestamp`` that is not plain decimal digits (the reference reads
``+17...``, ``017...``, ``1.7e9``, `` 17... `` or ``1_7...`` as a float and signs its integer
part), and a header given twice with two values (the reference keeps the last one).
Anything but a verdict (a ``UnicodeEncodeError``, an ``OverflowError``) fails the test: the
reference itself raises ``UnicodeEncodeError`` for a ``webhook-id`` with lone surrogates,
which counts as a refusal there.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import standardwebhooks
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import ftclient
from ftclient import webhooks

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the scheme's own example secret
REFERENCE = standardwebhooks.Webhook(SECRET)
CANONICAL = re.compile(r"0|[1-9][0-9]{0,11}")
# digits float() reads as well as ASCII ones
ARABIC_INDIC_DIGITS = {ord("0") + i: 0x660 + i for i in range(10)}
FULLWIDTH_DIGITS = {ord("0") + i: 0xFF10 + i for i in range(10)}

TEXT = st.text(st.characters(exclude_categories=()), max_size=12)  # lone surrogates too


def mostly(good: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> Any:
    """Three draws in four from ``good``, so that accepted deliveries are common too."""
    return st.integers(0, 3).flatmap(lambda n: good if n else hostile)


IDS = mostly(
    st.sampled_from(["msg_1", "msg_é"]),
    st.sampled_from([" msg_1", "msg_1 ", "\udcff", "m\x00"]) | TEXT,
)


def offset() -> st.SearchStrategy[int]:
    # away from the tolerance's edge (300 s): the two read the clock a moment apart
    return mostly(st.sampled_from([0, 3, -3, 200, -200]), st.sampled_from([500, -500, 10**9]))


@st.composite
def stamps(draw: st.DrawFn) -> str:
    seconds = int(time.time()) + draw(offset())
    return draw(
        mostly(
            st.just(str(seconds)),
            st.sampled_from(
                [
                    f"+{seconds}",
                    f"0{seconds}",
                    f"00{seconds}",
                    f" {seconds} ",
                    f"{seconds}\n",
                    f"{seconds}.0",
                    f"{seconds}.9",
                    f"{seconds / 1e9}e9",
                    f"{seconds:_}",
                    str(seconds).translate(ARABIC_INDIC_DIGITS),
                    str(seconds).translate(FULLWIDTH_DIGITS),
                    "1" * draw(st.sampled_from([13, 20, 400, 4301, 5000])),
                    "nan",
                    "inf",
                    "-1",
                    "0",
                    "",
                ]
            )
            | TEXT,
        )
    )


def reference_signature(msg_id: str, stamp: str, body: bytes) -> str:
    """What the reference signs for these headers (its integer reading of the timestamp)."""
    try:
        at = datetime.fromtimestamp(float(stamp), tz=UTC)
        return REFERENCE.sign(msg_id, at, body)
    except (ValueError, OverflowError, OSError, UnicodeEncodeError):
        return "v1,unsignable"


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    msg_id, stamp = draw(IDS), draw(stamps())
    body = draw(st.sampled_from([b"{}", b"\xff\xfe not UTF-8"]) | st.binary(max_size=40))
    good = reference_signature(msg_id, stamp, body)
    signature = draw(
        mostly(
            st.sampled_from([good, f"v1,bad {good}", f"{good} v1a,other"]),
            st.sampled_from(
                [
                    f"{good}\tv1,bad",
                    f"v1,bad\t{good}",
                    f"  {good}",
                    good[:-1] + ("A" if good[-2:-1] != "A" else "B") + good[-1:],
                    good.upper(),
                ]
            )
            | TEXT,
        )
    )
    headers: dict[str, str] = {}
    for name, value in (
        ("webhook-id", msg_id),
        ("webhook-timestamp", stamp),
        ("webhook-signature", signature),
    ):
        if draw(st.integers(0, 15)) == 0:
            continue  # missing
        spelling = draw(st.sampled_from([name, name.title(), name.upper()]))
        if draw(st.integers(0, 7)):
            headers[spelling] = value
            continue
        # the same header again, in another spelling, with the same or another value
        other, again = name.upper() if spelling != name.upper() else name, draw(TEXT)
        pair = [(spelling, value), (other, draw(st.sampled_from([value, again])))]
        headers.update(draw(st.permutations(pair)))
    return body, headers


def ours(body: bytes, headers: dict[str, str]) -> str | None:
    """None if ftclient accepts; else its reason. Any other exception propagates (a failure)."""
    try:
        webhooks.verify_signature(body, headers, secret=SECRET)
    except ftclient.InvalidWebhookSignatureError as exc:
        return str(exc)
    return None


def theirs(body: bytes, headers: dict[str, str]) -> bool:
    """Whether the reference accepts: any exception of its own is its refusal."""
    try:
        REFERENCE.verify(body, headers, json_parse=False)
    except Exception:  # WebhookVerificationError, or UnicodeEncodeError
        return False
    return True


@settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(delivery=deliveries())
def test_ftclient_accepts_only_what_the_reference_accepts(
    delivery: tuple[bytes, dict[str, str]],
) -> None:
    body, headers = delivery
    reason, accepted = ours(body, headers), theirs(body, headers)
    if reason is None:
        event("both accept")
        assert accepted, headers
        return
    if not accepted:
        event("both refuse")
        return
    # stricter on purpose: the two ways the docs state, and no other
    if "given twice" in reason:
        event("stricter: a header twice")
        assert len(headers) > 3, headers
        return
    event("stricter: timestamp not plain digits")
    assert reason.startswith("webhook-timestamp is not Unix seconds"), reason
    stamp = next(v for k, v in headers.items() if k.lower() == "webhook-timestamp")
    assert not CANONICAL.fullmatch(stamp), stamp
