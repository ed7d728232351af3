"""The base URL a client sends to: checked, normalised and split from its query. No I/O.

Every operation path is appended to the base URL as text, so the base must be a plain
``scheme://host[:port][/path]``. What users paste is often more than that: Azure's portal shows
``https://res.openai.azure.com/openai?api-version=2025-04-01-preview``, env files leave a trailing
newline. The rules, in one place:

- surrounding whitespace is stripped (as the API key's is);
- spaces and control characters inside are refused: they are paste errors, and aiohttp would
  either drop them silently (tab, CR, LF) or refuse the request at send time;
- a ``#fragment`` is refused: it never reaches a server, so whatever it was meant to say is lost;
- a ``?query`` is split off and returned, for the caller to carry into ``default_query``;
- credentials (``user:pass@``) are refused: they would travel in every request's URL;
- the rest is normalised as aiohttp would send it (non-ASCII hosts IDNA-encoded, non-ASCII paths
  percent-encoded, dot segments resolved), runs of ``/`` folded into one and a trailing ``/``
  dropped.
"""

from __future__ import annotations

import ipaddress
import re
import warnings
from urllib.parse import parse_qsl, urlsplit

from yarl import URL

from .errors import InsecureURLWarning, InvalidParameterError

__all__ = ["split_base_url", "warn_if_cleartext"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
# Space, the C0 controls and DEL: never part of a URL as typed (RFC 3986 has no place for them).
_NOT_IN_URL = re.compile(r"[\x00-\x20\x7f]")
_SLASHES = re.compile(r"//+")


def split_base_url(value: str, param: str = "base_url") -> tuple[str, dict[str, str]]:
    """Return ``value`` as a base URL to append paths to, and the query it carried.

    Args:
        value: the URL as given (an argument or an environment variable).
        param: the name errors give (``base_url``, ``azure_endpoint``).

    Returns:
        ``(base, query)``: the base without query, fragment or trailing ``/``, and the query's
        parameters in order (``{}`` when there was none).

    Raises:
        InvalidParameterError: not an http(s) URL with a host; a space, control character,
            ``#fragment``, credentials or a query parameter given twice.
    """
    url = value.strip()
    bad = _NOT_IN_URL.search(url)
    if bad is not None:
        raise InvalidParameterError(
            param,
            f"must not contain spaces or control characters, found {bad.group()!r} at index "
            f"{bad.start()} (percent-encode it if it is meant)",
        )
    if "#" in url:
        raise InvalidParameterError(
            param, "must not contain a #fragment: it never reaches the server"
        )
    head, _, query = url.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs):
        repeated = next(name for name, _ in pairs if sum(n == name for n, _ in pairs) > 1)
        raise InvalidParameterError(
            param, f"gives the query parameter {repeated!r} more than once; give it once"
        )
    _check(head, param)
    try:
        parsed = URL(head)
    except ValueError as exc:  # yarl refuses what urlsplit let through (a bad IDNA host)
        raise InvalidParameterError(param, f"is not a valid URL ({exc})") from None
    # "https://host/" + "/v1" pasted together: aiohttp would send the empty segment doubled.
    path = _SLASHES.sub("/", parsed.raw_path).rstrip("/")
    return str(parsed.with_path(path, encoded=True)).rstrip("/"), params


def _check(url: str, param: str) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number
    except ValueError as exc:
        raise InvalidParameterError(param, f"is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidParameterError(param, f"must be an http(s) URL with a host, got {url!r}")
    if parts.username or parts.password:
        raise InvalidParameterError(param, "must not contain credentials")


def warn_if_cleartext(url: str) -> None:
    """Warn (:class:`InsecureURLWarning`) if ``url`` is plain http to a host off this machine."""
    parts = urlsplit(url)
    if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
        warnings.warn(
            f"base_url {url!r} is plain http to a host that is not loopback: the API key would "
            "travel unencrypted; use https",
            InsecureURLWarning,
            stacklevel=4,
        )


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
