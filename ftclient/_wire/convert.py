"""The one cattrs converter between JSON-ready data and the models of ``ftclient.models``.

Every hook is registered in ``_configure``; the policies, in one place:

* **Liberal about content.** A field the model does not know is ignored and stays in the
  document; an unknown enum value becomes a pseudo-member (see ``OpenStrEnum``); an unknown
  grader or content ``type`` decodes as ``UnknownGrader`` / ``UnknownContentItem`` keeping the raw
  mapping; an absent or null field takes its default. Only identity fields (a job's ``id``, a
  page's ``data``) have no default, so only they are required.
* **Strict about kind.** An object is a JSON object, an array an array; ``"12"`` is not an int,
  ``1.5`` is not an int, ``True`` is not an int; an int is a valid float (kept as int, so a round
  trip is exact). A failure raises ``DecodeError`` naming the JSON path (``$.data[3].id``).
* **Nothing lost.** Every model instance decoded keeps the mapping it came from in its
  ``_ftc_document`` slot; unstructuring such an instance returns (a copy of) that mapping, so
  ``to_dict`` gives back the object as it arrived. An instance the caller built unstructures from
  its fields, omitting those that are None with a None default (not given), which is exactly the
  body ftclient sends.
* A job ``error`` with neither code nor message (``{}``, all-null) decodes as ``None``.
* A ``metrics`` event's ``data`` decodes as a ``MetricPoint``; data that does not fit one (no
  integer ``step``, a metric that is not a number) stays the mapping sent, as other events' does.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_unstructure_fn, override

from ..models import (
    EvalItemContent,
    EvalItemContentItem,
    EvalItemContentOutputText,
    EvalItemInputImage,
    FineTuningJobError,
    FineTuningJobEvent,
    FineTuningJobEventType,
    Grader,
    GraderLabelModel,
    GraderMulti,
    GraderPython,
    GraderScoreModel,
    GraderStringCheck,
    GraderTextSimilarity,
    InputAudio,
    InputTextContent,
    MetricPoint,
    OpenStrEnum,
    UnknownContentItem,
    UnknownGrader,
)
from ..models.metrics import EventMetrics
from .classes import (
    Disagreement,
    Mismatch,
    OptionalHook,
    fast_hook,
    mismatch,
    plan,
    reference_hook,
    without_none,
)

__all__ = ["DecodeError", "structure", "unstructure"]

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]
_NONE = type(None)

_GRADERS: dict[str, type[Any]] = {
    "string_check": GraderStringCheck,
    "text_similarity": GraderTextSimilarity,
    "python": GraderPython,
    "score_model": GraderScoreModel,
    "label_model": GraderLabelModel,
    "multi": GraderMulti,
}
_CONTENT_ITEMS: dict[str, type[Any]] = {
    "input_text": InputTextContent,
    "output_text": EvalItemContentOutputText,
    "input_image": EvalItemInputImage,
    "input_audio": InputAudio,
}


class DecodeError(Exception):
    """Data does not fit the model; ``path`` locates the first bad value (``$.data[3].id``)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


# --- scalars: ``o.__class__ is int`` both rejects bool and is the fastest check there is ------


class _Scalar:
    """The hook of a scalar type; model classes inline its ``classes`` check."""

    __slots__ = ("classes", "expected")

    def __init__(self, expected: str, *classes: type) -> None:
        self.expected = expected
        self.classes = classes

    def __call__(self, o: Any, _: Any) -> Any:
        if o.__class__ in self.classes:
            return o
        raise mismatch(self.expected, o)


def _enum(o: Any, cl: type[OpenStrEnum]) -> Any:
    if o.__class__ is str:
        return cl(o)  # a member, or the pseudo-member of an unknown value
    raise mismatch(f"str ({cl.__name__})", o)


def _literal(t: Any) -> Hook:
    allowed = frozenset(typing.get_args(t))
    expected = " or ".join(repr(a) for a in typing.get_args(t))

    def hook(o: Any, _: Any) -> Any:
        if o.__class__ is str and o in allowed:
            return o
        raise mismatch(expected, o)

    return hook


_SCALARS: dict[Any, _Scalar] = {
    str: _Scalar("str", str),
    int: _Scalar("int", int),
    float: _Scalar("number", float, int),
    bool: _Scalar("bool", bool),
}


def _is_union(t: Any) -> bool:
    return typing.get_origin(t) in (typing.Union, types.UnionType)


def _is_scalar_union(t: Any) -> bool:
    # A union with None never gets here: the optional factory, registered later, wins.
    return _is_union(t) and set(typing.get_args(t)) <= set(_SCALARS)


def _scalar_union(t: Any) -> Hook:
    """``int | str``, ``float | str``: a hyperparameter that is a number or ``"auto"``."""
    parts = [_SCALARS[a] for a in typing.get_args(t)]
    return _Scalar(" or ".join(p.expected for p in parts), *(c for p in parts for c in p.classes))


# --- containers: notes carry the index or key, so the error names the path ------------------


def _noted(exc: Exception, key: int | str, t: Any) -> Exception:
    """Attach the note cattrs uses for "this happened at index/key ``key``"."""
    exc.__notes__ = [*getattr(exc, "__notes__", ()), IterableValidationNote(repr(key), key, t)]
    return exc


def _origin_is(kind: Any) -> Callable[[Any], bool]:
    return lambda t: typing.get_origin(t) is kind


def _elements(element: Hook, arg: Any, t: Any, pairs: Any) -> Any:
    """Structure each ``(key, value)``; a failure names its index or key."""
    for key, value in pairs:
        try:
            yield key, element(value, arg)
        except Exception as exc:
            raise IterableValidationError("bad element", [_noted(exc, key, arg)], t) from None


def _list(c: cattrs.Converter, t: Any) -> Hook:
    """A JSON array only (cattrs would take any iterable, a string included)."""
    (arg,) = typing.get_args(t) or (Any,)
    element = c.get_structure_hook(arg)
    scalar = element.classes if isinstance(element, _Scalar) else None

    def hook(o: Any, _: Any) -> list[Any]:
        if o.__class__ is not list:
            raise mismatch("array", o)
        if scalar is not None and all(e.__class__ in scalar for e in o):
            return o  # list[str], checked without a call per element
        try:  # a page of 100 items: no generator step and no try per element
            return [element(v, arg) for v in o]
        except Exception:  # read again below, to name the failing index
            pass
        return [v for _, v in _elements(element, arg, t, enumerate(o))]

    return hook


def _dict(c: cattrs.Converter, t: Any) -> Hook:
    """A JSON object; ``dict[str, Any]`` keeps its values as they are."""
    _, arg = typing.get_args(t) or (str, Any)
    element = None if arg is Any else c.get_structure_hook(arg)
    scalar = element.classes if isinstance(element, _Scalar) else None

    def hook(o: Any, _: Any) -> dict[str, Any]:
        if o.__class__ is not dict:
            raise mismatch("object", o)
        if element is None or (
            scalar is not None and all(v.__class__ in scalar for v in o.values())
        ):
            return o
        return dict(_elements(element, arg, t, o.items()))

    return hook


def _optional(c: cattrs.Converter, t: Any) -> Hook:
    """``X | None`` (X maybe a union itself) with X's hook looked up once."""
    inner = without_none(t)
    return OptionalHook(c.get_structure_hook(inner), inner)


def _is_optional(t: Any) -> bool:
    return _is_union(t) and _NONE in typing.get_args(t)


# --- attrs classes ------------------------------------------------------------------------


def _class(c: cattrs.Converter, cl: type[Any], *, fast: bool) -> Hook:
    fields = plan(
        cl,
        c.get_structure_hook,
        lambda h: h.classes if isinstance(h, _Scalar) else None,
        lambda h, t: t._value2member_map_ if h is _enum else None,
    )
    return fast_hook(cl, fields) if fast else reference_hook(cl, fields)


# --- tagged unions ------------------------------------------------------------------------


def _tagged(
    c: cattrs.Converter, table: dict[str, type[Any]], unknown: type[Any], what: str
) -> Hook:
    """Dispatch a JSON object on its ``type``; another or no ``type`` keeps the raw mapping."""

    def hook(o: Any, _: Any) -> Any:
        if o.__class__ is not dict:
            raise mismatch(what, o)
        tag: Any = o.get("type")
        cl = table.get(tag) if tag.__class__ is str else None
        if cl is None:  # ``raw`` is its document
            return unknown(type=tag if tag.__class__ is str else None, raw=o)
        return c.get_structure_hook(cl)(o, cl)  # looked up now: the classes' hooks need this one

    return hook


def _graders_map(grader: Hook) -> Hook:
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


def _configure(c: cattrs.Converter, *, fast: bool) -> None:
    """Register every structure and unstructure hook on ``c``."""
    for cl, scalar in _SCALARS.items():
        c.register_structure_hook(cl, scalar)
    # OpenStrEnum is registered per class too, so the more specific class wins over str.
    c.register_structure_hook(OpenStrEnum, _enum)
    c.register_structure_hook_factory(_origin_is(Literal), _literal)
    c.register_structure_hook_factory(_is_scalar_union, _scalar_union)
    c.register_structure_hook_factory(attrs.has, lambda cl: _class(c, cl, fast=fast))
    c.register_structure_hook_factory(_origin_is(list), lambda t: _list(c, t))
    c.register_structure_hook_factory(_origin_is(dict), lambda t: _dict(c, t))
    c.register_structure_hook_factory(_is_optional, lambda t: _optional(c, t))

    # Exact types after the factories: a later registration wins.
    c.register_structure_hook_func(
        _equals(int | dict[str, Any] | None),
        _Scalar("int or object", int, dict),  # RunGraderResponseMetadata.token_usage (or null)
    )
    grader = _tagged(c, _GRADERS, UnknownGrader, "grader object")
    c.register_structure_hook_func(_equals(Grader), grader)
    c.register_structure_hook_func(_equals(dict[str, Grader]), _graders_map(grader))
    item = _tagged(c, _CONTENT_ITEMS, UnknownContentItem, "content item object")

    def content_item(o: Any, t: Any) -> Any:
        return o if o.__class__ is str else item(o, t)

    c.register_structure_hook_func(_equals(EvalItemContentItem), content_item)
    items = c.get_structure_hook(list[EvalItemContentItem])
    c.register_structure_hook_func(
        _equals(EvalItemContent),
        lambda o, t: items(o, t) if o.__class__ is list else content_item(o, t),
    )
    job_error = c.get_structure_hook(FineTuningJobError)

    def optional_job_error(o: Any, t: Any) -> FineTuningJobError | None:
        # The spec's examples send {} and all-null objects for a job that has not failed.
        if o is None or (o.__class__ is dict and not o.get("code") and not o.get("message")):
            return None
        return job_error(o, FineTuningJobError)  # type: ignore[no-any-return]

    c.register_structure_hook_func(_equals(FineTuningJobError | None), optional_job_error)
    # The event's own reading takes data as the mapping; the event's hook types a metrics one.
    c.register_structure_hook_func(
        _equals(MetricPoint | dict[str, Any]),
        _Scalar("object", dict),  # a class check the fast hook inlines: no call per event
    )
    for event_class in (FineTuningJobEvent, EventMetrics):
        c.register_structure_hook_func(_equals(event_class), _event(c, event_class, fast=fast))

    c.register_unstructure_hook_factory(attrs.has, lambda cl: _unstructure_class(c, cl))
    # A caller may put a plain string where an enum is declared; it passes through unchanged.
    c.register_unstructure_hook(
        OpenStrEnum, lambda v: v._value_ if isinstance(v, OpenStrEnum) else v
    )
    c.register_unstructure_hook(UnknownGrader, lambda obj: _copy(obj.raw))
    c.register_unstructure_hook(UnknownContentItem, lambda obj: _copy(obj.raw))


def _event(c: cattrs.Converter, cl: type[Any], *, fast: bool) -> Hook:
    """A job event; the data of a ``metrics`` one as a ``MetricPoint`` where it fits one."""
    event_hook = _class(c, cl, fast=fast)
    point_hook = _class(c, MetricPoint, fast=fast)
    set_data = cl.__dict__["data"].__set__  # a slot descriptor
    metrics = FineTuningJobEventType.METRICS

    def hook(o: Any, t: Any) -> Any:
        event = event_hook(o, t)
        if event.type is metrics:
            data = event.data
            if data is not None:
                # Not contextlib.suppress: this runs once per event of every page.
                try:  # noqa: SIM105
                    set_data(event, point_hook(data, MetricPoint))
                except (ClassValidationError, Mismatch):
                    pass  # liberal: data that is no point stays the mapping it was
        return event

    return hook


def _equals(expected: Any) -> Callable[[Any], bool]:
    """A hook predicate matching one type (unions compare equal regardless of order)."""
    return lambda t: bool(t == expected)


def _unstructure_class(c: cattrs.Converter, cl: type[Any]) -> Callable[[Any], Any]:
    """A decoded instance: its document. A built one: its fields, minus None-defaults not given."""
    overrides: dict[str, Any] = {
        a.name: override(omit_if_default=True) for a in attrs.fields(cl) if a.default is None
    }
    from_fields = make_dict_unstructure_fn(cl, c, **overrides)

    def hook(obj: Any) -> Any:
        document = getattr(obj, "_ftc_document", None)
        return from_fields(obj) if document is None else _copy(document)

    return hook


def _copy(value: Any) -> Any:
    """A copy of decoded JSON, so what the caller does with it never changes the object's."""
    if value.__class__ is dict:
        return {k: _copy(v) for k, v in value.items()}
    if value.__class__ is list:
        return [_copy(v) for v in value]
    return value


def make_converter(*, fast: bool = True) -> cattrs.Converter:
    """The converter; ``fast=False`` gives the reference reading alone (for the agreement test)."""
    c = cattrs.Converter()
    _configure(c, fast=fast)
    return c


@functools.cache
def converter() -> cattrs.Converter:
    """The converter every decode and encode uses, built on first use (not at import)."""
    return make_converter()


def _first_error(exc: BaseException, path: str) -> tuple[str, BaseException]:
    """Walk the failure down to its leaf and that leaf's path (each group holds one, noted)."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, _ = exc.group_exceptions()
        if with_notes:
            sub, note = with_notes[0]
            if isinstance(note, AttributeValidationNote):
                sub_path = f"{path}.{note.name}"
            else:
                index = note.index
                sub_path = f"{path}[{index!r}]"  # [3] or ['k']
            return _first_error(sub, sub_path)
    return path, exc


def _message(exc: BaseException) -> str:
    if isinstance(exc, Mismatch):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    return f"{type(exc).__name__}: {exc}"


def structure(data: Any, cls: type[T]) -> T:
    """Turn decoded JSON into ``cls`` (a model, or a type such as ``list[Model]``).

    Raises:
        DecodeError: the data does not fit; nothing else escapes.
    """
    try:
        return converter().structure(data, cls)
    except Exception as exc:  # turned into DecodeError below
        path, leaf = _first_error(exc, "$")
        if isinstance(leaf, Disagreement):
            raise leaf from exc
        raise DecodeError(path, _message(leaf)) from None


def unstructure(obj: Any) -> Any:
    """Turn a model (or a list/dict of models, or plain values) into JSON-ready data."""
    return converter().unstructure(obj)
