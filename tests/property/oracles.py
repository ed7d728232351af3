"""What the documentation says each argument accepts, written independently of ftclient's checks,
and a strategy of arbitrary Python values. Used by ``test_bad_arguments.py``."""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import strategies as st

# Any character, lone surrogates included.
TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.complex_numbers(),
    st.decimals(),
    st.fractions(),
    TEXT,
    st.binary(max_size=6),
    st.builds(object),
)
ANY = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner),
        st.dictionaries(TEXT | st.integers(), inner, max_size=3),
        st.frozensets(st.integers() | TEXT, max_size=3),
    ),
    max_leaves=6,
)


def utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def good_text(v: object) -> bool:
    return isinstance(v, str) and utf8(v)


def good_id(v: object) -> bool:
    return good_text(v) and bool(v.strip())


def good_seconds(v: object) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v)) and v > 0
    except OverflowError:
        return False


def good_int(low: int, high: float = math.inf) -> Callable[[object], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def good_ids(v: object) -> bool:
    if isinstance(v, (str, bytes, dict)) or not isinstance(v, (list, tuple, set, frozenset)):
        return False
    return all(good_id(item) for item in v)


def good_statuses(v: object) -> bool:
    if isinstance(v, (str, bytes, dict)) or not isinstance(v, (list, tuple, set, frozenset)):
        return False
    return all(good_text(item) for item in v)


def header_safe(v: object) -> bool:
    """A header value: text without a control character other than tab (RFC 9110 5.5)."""
    return good_text(v) and not any((ord(c) < 0x20 and c != "\t") or c == "\x7f" for c in v)


def good_headers(v: object) -> bool:
    token = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if not isinstance(v, dict):
        return False
    return all(
        isinstance(k, str) and k and set(k) <= token and header_safe(x) for k, x in v.items()
    )


def optional(check: Callable[[object], bool]) -> Callable[[object], bool]:
    return lambda v: v is None or check(v)


def never(v: object) -> bool:
    """Arguments whose only valid values (mappings, models, URLs) ANY does not draw by chance,
    or draws only as mappings that the schema then refuses."""
    return False


def not_a_mapping(v: object) -> bool:
    return isinstance(v, dict)  # a dict may be valid; every other value is not


def good_metadata(v: object) -> bool:
    if not isinstance(v, dict) or len(v) > 16:
        return False
    return all(
        good_text(k) and good_text(x) and len(k) <= 64 and len(x) <= 512 for k, x in v.items()
    )
