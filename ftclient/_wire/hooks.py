"""The structure hooks of the types the models use, strict about JSON kinds (see ``convert``).

Each takes ``(value, type)`` like every cattrs hook and raises :class:`Mismatch`, whose text is
the ``DecodeError`` message, for a value of the wrong kind. ``o.__class__ is int`` both refuses
``True`` and is the cheapest check there is. A null is the business of the hook of ``X | None``
(:func:`nullable`), which checks scalars and enums itself rather than calling X's hook, so that
an optional field costs one call.

Containers note the index or key of a failing element (cattrs' ``IterableValidationNote``) only
in the converter with detailed validation, the one that explains a failure; the fast one does
not pay for it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from typing import Any

from cattrs.errors import IterableValidationError, IterableValidationNote

from ..models import Grader, OpenStrEnum
from ..models._enums import LITERAL_CLASSES

__all__ = [
    "Hook",
    "Mismatch",
    "array",
    "enum",
    "graders_map",
    "literal",
    "mismatch",
    "nullable",
    "object_map",
    "runtime_class",
    "scalar",
    "scalar_classes",
    "tagged",
    "without_none",
]

Hook = Callable[[Any, Any], Any]
_NONE = type(None)
# A scalar type: what the message says it expected, and the classes a JSON value of it may have.
_SCALARS: dict[Any, tuple[str, tuple[type, ...]]] = {
    str: ("str", (str,)),
    int: ("int", (int,)),
    float: ("number", (float, int)),  # an int stays an int, so a round trip is exact
    bool: ("bool", (bool,)),
    # RunGraderResponseMetadata.token_usage: a count, or an object of counts.
    int | dict[str, Any]: ("int or object", (int, dict)),
}


class Mismatch(ValueError):
    """A value of the wrong JSON kind; its text is the ``DecodeError`` message."""


def _describe(value: Any) -> str:
    name = {dict: "object", list: "array", _NONE: "null"}.get(type(value), type(value).__name__)
    return name if isinstance(value, dict | list) or value is None else f"{name} {value!r:.60}"


def mismatch(expected: str, value: Any) -> Mismatch:
    """The error for ``value`` where ``expected`` belongs (``expected int, got str '12'``)."""
    return Mismatch(f"expected {expected}, got {_describe(value)}")


def _is_union(t: Any) -> bool:
    return typing.get_origin(t) in (typing.Union, types.UnionType)


def without_none(t: Any) -> Any:
    """``X | None`` -> ``X`` (a union of the rest if there are several); other types unchanged."""
    args = typing.get_args(t)
    if _NONE not in args:
        return t
    rest = tuple(a for a in args if a is not _NONE)
    return rest[0] if len(rest) == 1 else typing.Union[rest]  # noqa: UP007  # a runtime union


def runtime_class(t: Any) -> Any:
    """What a value of ``t`` is at run time: the open enum (or ``str``) behind a status-like
    ``Literal`` alias (``LITERAL_CLASSES``), any other type itself."""
    try:
        return LITERAL_CLASSES.get(t, t)
    except TypeError:  # an unhashable type is no alias
        return t


def scalar_classes(t: Any) -> tuple[str, tuple[type, ...]] | None:
    """What a scalar type (or a union of them, ``int | str``) expects and accepts; else None."""
    if t in _SCALARS:
        return _SCALARS[t]
    if not _is_union(t) or not set(typing.get_args(t)) <= set(_SCALARS):
        return None
    parts = [_SCALARS[a] for a in typing.get_args(t)]
    return " or ".join(p[0] for p in parts), tuple(c for p in parts for c in p[1])


def scalar(t: Any) -> Hook:
    """The hook of a scalar type or union (see :func:`scalar_classes`)."""
    found = scalar_classes(t)
    assert found is not None, t  # registered only for the types scalar_classes knows
    expected, classes = found

    def hook(o: Any, _: Any) -> Any:
        if o.__class__ in classes:
            return o
        raise mismatch(expected, o)

    return hook


def enum(o: Any, cl: type[OpenStrEnum]) -> Any:
    """An ``OpenStrEnum``: a member, or the pseudo-member of a value this SDK does not list."""
    if o.__class__ is str:
        member = cl._value2member_map_.get(o)
        return cl(o) if member is None else member
    raise mismatch(f"str ({cl.__name__})", o)


def literal(t: Any) -> Hook:
    """A ``Literal`` of strings (a model's fixed ``type``)."""
    allowed = frozenset(typing.get_args(t))
    expected = " or ".join(repr(a) for a in typing.get_args(t))

    def hook(o: Any, _: Any) -> Any:
        if o.__class__ is str and o in allowed:
            return o
        raise mismatch(expected, o)

    return hook


def nullable(hook_for: Callable[[Any], Hook], t: Any, null: Any) -> Hook:
    """The hook of ``t`` (without None) that returns ``null`` for a null.

    ``null`` is None for ``X | None``, and a field's default where the service sends null for a
    field the spec gives a default (``"object": null``).
    """
    t = runtime_class(t)
    found = scalar_classes(t)
    if found is not None:
        expected, classes = found

        def checked(o: Any, _: Any) -> Any:
            if o.__class__ in classes:
                return o
            if o is None:
                return null
            raise mismatch(expected, o)

        return checked
    if isinstance(t, type) and issubclass(t, OpenStrEnum):
        members = t._value2member_map_  # one dict, pseudo-members are added to it

        def open_enum(o: Any, _: Any) -> Any:
            if o.__class__ is str:
                member = members.get(o)
                return t(o) if member is None else member
            if o is None:
                return null
            raise mismatch(f"str ({t.__name__})", o)

        return open_enum
    inner = hook_for(t)

    def other(o: Any, _: Any) -> Any:
        return null if o is None else inner(o, t)

    return other


def _noted(exc: Exception, key: int | str, t: Any) -> Exception:
    """Attach the note cattrs uses for "this happened at index/key ``key``"."""
    exc.__notes__ = [*getattr(exc, "__notes__", ()), IterableValidationNote(repr(key), key, t)]
    return exc


def _each(element: Hook, arg: Any, t: Any, pairs: Iterable[tuple[Any, Any]]) -> Any:
    """Structure each ``(key, value)``; a failure names its index or key."""
    for key, value in pairs:
        try:
            yield key, element(value, arg)
        except Exception as exc:
            raise IterableValidationError("bad element", [_noted(exc, key, arg)], t) from None


def array(element: Hook, arg: Any, t: Any, *, detailed: bool) -> Hook:
    """``list[arg]``: a JSON array only (cattrs' own would take any iterable, a string too)."""
    found = scalar_classes(arg)
    classes = found[1] if found else None

    def hook(o: Any, _: Any) -> list[Any]:
        if o.__class__ is not list:
            raise mismatch("array", o)
        if classes is not None and all(e.__class__ in classes for e in o):
            return o  # list[str], checked without a call per element
        if detailed:
            return [v for _, v in _each(element, arg, t, enumerate(o))]
        return [element(v, arg) for v in o]

    return hook


def object_map(element: Hook | None, arg: Any, t: Any, *, detailed: bool) -> Hook:
    """``dict[str, arg]``: a JSON object; with ``element`` None (``Any``), values stay as is."""
    found = scalar_classes(arg)
    classes = found[1] if found else None

    def hook(o: Any, _: Any) -> dict[str, Any]:
        if o.__class__ is not dict:
            raise mismatch("object", o)
        if element is None or (
            classes is not None and all(v.__class__ in classes for v in o.values())
        ):
            return o
        if detailed:
            return dict(_each(element, arg, t, o.items()))
        return {k: element(v, arg) for k, v in o.items()}

    return hook


def tagged(
    hook_for: Callable[[Any], Hook], table: dict[str, type[Any]], unknown: type[Any], what: str
) -> Hook:
    """Dispatch a JSON object on its ``type``; another or no ``type`` keeps the raw mapping."""

    def hook(o: Any, _: Any) -> Any:
        if o.__class__ is not dict:
            raise mismatch(what, o)
        tag: Any = o.get("type")
        cl = table.get(tag) if tag.__class__ is str else None
        if cl is None:  # ``raw`` is its document
            return unknown(type=tag if tag.__class__ is str else None, raw=o)
        return hook_for(cl)(o, cl)  # looked up now: the classes' hooks need this one

    return hook


def graders_map(grader: Hook) -> Hook:
    """``GraderMulti.graders``: the service's map, or the spec's single grader or list."""

    def hook(o: Any, t: Any) -> dict[str, Any]:
        if o.__class__ is list:
            items = list(enumerate(o))
        elif o.__class__ is dict and o.get("type").__class__ is str:
            items = [(0, o)]  # one grader: a mapping with a string ``type``
        elif o.__class__ is dict:
            items = list(o.items())
        else:
            raise mismatch("object (name -> grader) or array of graders", o)
        out: dict[str, Any] = {}
        key: int | str
        for key, value in items:
            try:
                g = grader(value, Grader)
            except Exception as exc:
                raise IterableValidationError("bad grader", [_noted(exc, key, t)], t) from None
            if isinstance(key, int):  # the spec's forms: keyed by name, else by position
                name = getattr(g, "name", None)
                key = name if isinstance(name, str) and name and name not in out else str(key)
            out[key] = g
        return out

    return hook
