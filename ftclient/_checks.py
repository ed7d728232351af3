"""Checks of caller input, run before any request leaves. Pure functions, no I/O, no models.

Strict only where the contract is explicit: what the document states in prose (metadata limits)
and what the wire itself requires (JSON values, UTF-8 text, header syntax, ids that stay inside
their path segment). Request bodies are checked against the schema one layer up, in
:mod:`ftclient._wire.requests`. Everything else is left to the server.

Every check raises :class:`~ftclient.InvalidParameterError` naming the parameter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from .errors import InvalidParameterError

__all__ = [
    "MAX_METADATA_KEYS",
    "MAX_METADATA_KEY_CHARS",
    "MAX_METADATA_VALUE_CHARS",
    "MAX_PAGE_SIZE",
    "Path",
    "callback",
    "check_headers",
    "check_limit",
    "check_metadata",
    "dotted",
    "idempotency_key",
    "identifier",
    "identifiers",
    "instance_of",
    "json_object",
    "json_value",
    "optional_seconds",
    "positive_int",
    "query_params",
    "seconds",
    "statuses",
    "text",
]

Path = tuple[str | int, ...]
"""Where a value sits inside a document: keys and list indexes from the root."""


def dotted(path: Path) -> str:
    """Render a path as ``method.supervised.hyperparameters`` or ``integrations[0].type``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# Stated in the prose of the document's ``Metadata`` schema.
MAX_METADATA_KEYS = 16
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 512
# The largest page the service sends (the document states no bound); look-ups and the CLI ask
# for it, and the emulator serves at most this many items a page.
MAX_PAGE_SIZE = 100

# RFC 9110 token characters: what a header name may hold.
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# What a header value may not hold (RFC 9110 section 5.5: field-vchar, SP, HTAB, obs-text):
# the same class aiohttp refuses when it writes the request.
_NOT_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _kind(value: object) -> str:
    return type(value).__name__


def _utf8(value: str, param: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidParameterError(
            param, f"cannot be encoded as UTF-8 (lone surrogate at index {exc.start})"
        ) from None
    return value


def text(value: object, param: str) -> str:
    """Return ``value`` if it is a ``str`` that can be encoded as UTF-8 (no lone surrogates).

    Raises:
        InvalidParameterError: not a string, or not encodable.
    """
    if not isinstance(value, str):
        raise InvalidParameterError(param, f"must be a string, got {_kind(value)}")
    return _utf8(value, param)


def identifier(value: object, param: str) -> str:
    """Return an id that travels in a URL path or query: a non-blank UTF-8 string.

    An empty or blank id would leave its path segment (``/jobs/`` is another endpoint, and
    proxies strip blanks); every other string is percent-encoded into its segment by the
    protocol layer and left to the server to judge.

    Raises:
        InvalidParameterError: not a non-empty string, or not encodable.
    """
    checked = text(value, param)
    if not checked.strip():
        raise InvalidParameterError(param, "must be a non-empty string")
    return checked


def identifiers(value: object, param: str) -> list[str]:
    """Return a collection of ids as a list; a single string is refused, not split into letters.

    Raises:
        InvalidParameterError: a string, a mapping or a non-iterable; or a bad id, named by index.
    """
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise InvalidParameterError(
            param, f"must be a collection of id strings (a list, say), got {_kind(value)}"
        )
    items = list(value)
    for index, item in enumerate(items):
        identifier(item, f"{param}[{index}]")
    return items


def seconds(value: object, param: str, *, zero: bool = False, unit: str = "seconds") -> float:
    """THE seconds check: a finite real number > 0 (``>= 0`` with ``zero=True``).

    NaN, infinities, bools and numbers too large for a float are refused, so no timeout, wait or
    interval silently means "never" or overflows later. ``unit`` names what is counted in the
    message (the rate gate's ``min_rate`` is requests per second).

    Raises:
        InvalidParameterError: naming ``param``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidParameterError(param, f"must be a number of {unit}, got {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or number < 0 or (number == 0 and not zero):
        bound = ">= 0" if zero else "> 0"
        raise InvalidParameterError(param, f"must be finite and {bound} {unit}, got {value!r:.40}")
    return number


def optional_seconds(value: object, param: str) -> float | None:
    """:func:`seconds`, with None passed through (no limit)."""
    return None if value is None else seconds(value, param)


def _int_at_least(value: object, param: str, least: int) -> int:
    # bools are ints to Python, never a count to a caller
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidParameterError(param, f"must be an integer >= {least}, got {value!r:.40}")
    return value


def positive_int(value: object, param: str) -> int:
    """Return ``value`` if it is an integer >= 1 (bools are not integers here).

    Raises:
        InvalidParameterError: naming ``param``.
    """
    return _int_at_least(value, param, 1)


def non_negative_int(value: object, param: str) -> int:
    """Return ``value`` if it is an integer >= 0, such as a number of retries (bools refused).

    Raises:
        InvalidParameterError: naming ``param``.
    """
    return _int_at_least(value, param, 0)


def check_limit(limit: object, param: str = "limit") -> int | None:
    """Return ``limit`` if it is None or an integer, the only rule the document states.

    Its range is the server's to judge (``0`` is sent as given).

    Raises:
        InvalidParameterError: not an integer (bools included).
    """
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidParameterError(param, f"must be an integer, got {_kind(limit)}")
    return limit


def instance_of(value: object, kinds: type | tuple[type, ...], param: str, what: str) -> None:
    """Refuse ``value`` unless it is an instance of ``kinds`` (``what`` describes them).

    Raises:
        InvalidParameterError: naming ``param`` and the type given.
    """
    if not isinstance(value, kinds):
        raise InvalidParameterError(param, f"must be {what}, got {_kind(value)}")


def callback(value: object, param: str) -> None:
    """Refuse a ``value`` that is neither None nor callable."""
    if value is not None and not callable(value):
        raise InvalidParameterError(param, f"must be a callable or None, got {_kind(value)}")


def statuses(value: object, param: str = "stop_on") -> frozenset[str]:
    """Return a collection of job statuses as a frozenset; a single string is refused.

    Raises:
        InvalidParameterError: a string or non-collection, or an item that is not a string.
    """
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Collection):
        raise InvalidParameterError(
            param, f"must be a collection of status strings (a set, say), got {_kind(value)}"
        )
    for item in value:
        text(item, f"{param}[{item!r:.40}]")
    return frozenset(value)


def header_name(name: object, param: str) -> str:
    """Return ``name`` if it is a valid HTTP field name (an RFC 9110 token).

    Raises:
        InvalidParameterError: not a string, empty, or holding a character outside the token
            set (CR, LF, ``:``, space, NUL, non-ASCII...).
    """
    if not isinstance(name, str):
        raise InvalidParameterError(param, f"header names must be strings, got {_kind(name)}")
    if not name or not _TOKEN.issuperset(name):
        raise InvalidParameterError(
            f"{param}[{name!r:.60}]",
            "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)",
        )
    return name


def header_value(value: object, param: str) -> str:
    """THE header value check: UTF-8 text with no control character but tab (RFC 9110 5.5).

    CR, LF and NUL could split a header or the request; the other controls (``\\x01``-``\\x08``,
    ``\\x0b``-``\\x1f``, DEL) are what aiohttp refuses at send time with a bare ValueError.

    Raises:
        InvalidParameterError: naming ``param`` and the first control character found.
    """
    if not isinstance(value, str):
        raise InvalidParameterError(param, f"must be a string, got {_kind(value)}")
    bad = _NOT_IN_HEADER.search(value)
    if bad is not None:
        raise InvalidParameterError(
            param,
            "must not contain CR, LF, NUL or other control characters (tab is allowed), "
            f"found {bad.group()!r} at index {bad.start()}",
        )
    return _utf8(value, param)


def check_headers(headers: object, param: str = "extra_headers") -> dict[str, str]:
    """Return ``headers`` (None: none) as a dict after checking every name and value.

    Raises:
        InvalidParameterError: not a mapping, or a bad name or value, named as ``param['X-A']``.
    """
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise InvalidParameterError(
            param, f"must be a mapping of header names to values, got {_kind(headers)}"
        )
    for name, value in headers.items():
        header_value(value, f"{param}[{header_name(name, param)!r}]")
    return dict(headers)


def idempotency_key(key: object, param: str = "idempotency_key") -> str:
    """Return ``key`` if it fits where it travels: a header value and a metadata value.

    Raises:
        InvalidParameterError: empty, over :data:`MAX_METADATA_VALUE_CHARS` characters, or not a
            valid header value.
    """
    checked = header_value(key, param)
    if not 1 <= len(checked) <= MAX_METADATA_VALUE_CHARS:
        raise InvalidParameterError(
            param, f"must have 1 to {MAX_METADATA_VALUE_CHARS} characters, got {len(checked)}"
        )
    return checked


def check_metadata(metadata: object, param: str = "metadata") -> None:
    """Check the documented metadata limits: 16 keys, keys <= 64 and values <= 512 characters.

    Raises:
        InvalidParameterError: naming the offending key.
    """
    if metadata is None:
        return
    if not isinstance(metadata, Mapping):
        raise InvalidParameterError(
            param, f"must be a mapping of str to str, got {_kind(metadata)}"
        )
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidParameterError(
            param, f"at most {MAX_METADATA_KEYS} keys are allowed, got {len(metadata)}"
        )
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise InvalidParameterError(param, f"keys must be strings, got {_kind(key)}")
        where = f"{param}[{key[:20]!r}...]" if len(key) > 20 else f"{param}[{key!r}]"
        _utf8(key, where)
        if len(key) > MAX_METADATA_KEY_CHARS:
            raise InvalidParameterError(
                where, f"keys have at most {MAX_METADATA_KEY_CHARS} characters, got {len(key)}"
            )
        text(value, where)
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise InvalidParameterError(
                where,
                f"values have at most {MAX_METADATA_VALUE_CHARS} characters, got {len(value)}",
            )


def json_value(value: Any, path: Path) -> None:
    """Refuse what JSON cannot carry: non-finite numbers, non-string keys, lone surrogates."""
    if value is None or isinstance(value, (bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidParameterError(dotted(path), f"must be a finite number, got {value!r}")
    elif isinstance(value, str):
        _utf8(value, dotted(path))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidParameterError(dotted(path), f"keys must be strings, got {_kind(key)}")
            _utf8(key, dotted((*path, key)))
            json_value(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            json_value(item, (*path, index))
    else:
        raise InvalidParameterError(dotted(path), f"is not a JSON value, got {_kind(value)}")


def json_object(value: object, param: str) -> dict[str, Any]:
    """Return a mapping (None: empty) that can be merged into a JSON body, e.g. ``extra_body``.

    Raises:
        InvalidParameterError: not a mapping, or a value JSON cannot carry, named by path
            (``extra_body.x[0]``).
    """
    if value is None:
        return {}
    instance_of(value, Mapping, param, "a mapping or None")
    assert isinstance(value, Mapping)  # instance_of proved it
    json_value(value, (param,))
    return dict(value)


def query_params(value: object, param: str) -> dict[str, Any]:
    """Return a mapping (None: empty) of query parameters, e.g. ``extra_query``.

    Each value is sent as one ``name=value`` pair: a string, an integer, a finite number or a
    bool (``None`` leaves the parameter out).

    Raises:
        InvalidParameterError: not a mapping, a key that is not a string, or another value.
    """
    if value is None:
        return {}
    instance_of(value, Mapping, param, "a mapping or None")
    assert isinstance(value, Mapping)  # instance_of proved it
    for key, item in value.items():
        where = f"{param}[{text(key, param)!r}]"
        if isinstance(item, float):
            json_value(item, (where,))
        elif isinstance(item, str):
            _utf8(item, where)
        elif item is not None and not isinstance(item, (int, bool)):
            raise InvalidParameterError(
                where, f"must be a string, a number or a bool, got {_kind(item)}"
            )
    return dict(value)
