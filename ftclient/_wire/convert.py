"""The cattrs converter between JSON-ready data and the models of ``ftclient.models``.

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

A ``metrics`` event's ``data`` decodes as a ``MetricPoint``; data that does not fit one (no
integer ``step``, a metric that is not a number) stays the mapping sent, as other events' does.

The same hooks make two converters: one with cattrs' ``detailed_validation`` off decodes, and
only when it fails does the data go again through one with it on, whose errors record where they
happened; cattrs' ``transform_error`` turns the first into the path of ``DecodeError``.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import transform_error

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
    GraderLambda,
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
from ..models._base import set_document
from ..models._enums import LITERAL_CLASSES
from ..models.metrics import EventMetrics
from . import hooks
from .hooks import Hook, Mismatch, mismatch, nullable, runtime_class, scalar_classes, without_none
from .unrolled import FieldHook, unrolled_hook

__all__ = ["DecodeError", "structure", "unstructure"]

T = TypeVar("T")
_NONE = type(None)

_GRADERS: dict[str, type[Any]] = {
    "string_check": GraderStringCheck,
    "text_similarity": GraderTextSimilarity,
    "python": GraderPython,
    "score_model": GraderScoreModel,
    "label_model": GraderLabelModel,
    "multi": GraderMulti,
    "lambda": GraderLambda,
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


def _origin_is(kind: Any) -> Callable[[Any], bool]:
    return lambda t: typing.get_origin(t) is kind


def _is_optional(t: Any) -> bool:
    return typing.get_origin(t) in (typing.Union, types.UnionType) and _NONE in typing.get_args(t)


def _equals(expected: Any) -> Callable[[Any], bool]:
    """A hook predicate matching one type (unions compare equal regardless of order)."""
    return lambda t: bool(t == expected)


def _fields(c: cattrs.Converter, cl: type[Any]) -> list[FieldHook]:
    """How each field of ``cl`` is read: the one policy both model hooks follow.

    Absent takes the field's default (a field without one is required). A value goes to its
    type's hook, whose ``X | None`` returns None for a null; a field with a default other than
    None takes it for a null too (the service sends ``"object": null`` where the spec has a
    constant).
    """
    attrs.resolve_types(cl)
    fields = []
    for a in attrs.fields(cl):
        required = a.default is attrs.NOTHING
        if required or a.default is None:
            hook = c.get_structure_hook(a.type)
        else:
            hook = nullable(c.get_structure_hook, a.type, a.default)
        inner = runtime_class(without_none(a.type))
        found = scalar_classes(inner)
        is_enum = isinstance(inner, type) and issubclass(inner, OpenStrEnum)
        fields.append(
            FieldHook(
                name=a.name,
                required=required,
                default=None if required else a.default,
                type=a.type,
                hook=hook,
                classes=found[1] if found else None,
                members=inner._value2member_map_ if is_enum else None,
            )
        )
    return fields


def _model(c: cattrs.Converter, cl: type[Any]) -> Hook:
    """The hook of a model class; every decoded instance keeps its document."""
    fields = _fields(c, cl)
    if not c.detailed_validation:
        return unrolled_hook(cl, fields)
    overrides: dict[str, Any] = {f.name: override(struct_hook=f.hook) for f in fields}
    from_fields = make_dict_structure_fn(cl, c, **overrides)
    expected = f"object ({cl.__name__})"

    def hook(o: Any, t: Any) -> Any:
        if o.__class__ is not dict:
            raise mismatch(expected, o)
        inst = from_fields(o, t)
        set_document(inst, o)
        return inst

    return hook


def _array(c: cattrs.Converter, t: Any) -> Hook:
    (arg,) = typing.get_args(t) or (Any,)
    return hooks.array(c.get_structure_hook(arg), arg, t, detailed=c.detailed_validation)


def _object_map(c: cattrs.Converter, t: Any) -> Hook:
    _, arg = typing.get_args(t) or (str, Any)
    element = None if arg is Any else c.get_structure_hook(arg)
    return hooks.object_map(element, arg, t, detailed=c.detailed_validation)


def _configure(c: cattrs.Converter) -> None:
    """Register every structure and unstructure hook on ``c``."""
    for t in (str, int, float, bool):
        c.register_structure_hook(t, hooks.scalar(t))
    # By class (singledispatch), so that it, not str's hook, serves every OpenStrEnum.
    c.register_structure_hook(OpenStrEnum, hooks.enum)
    c.register_structure_hook_factory(_origin_is(Literal), hooks.literal)
    c.register_structure_hook_factory(lambda t: scalar_classes(t) is not None, hooks.scalar)
    c.register_structure_hook_factory(attrs.has, lambda cl: _model(c, cl))
    c.register_structure_hook_factory(_origin_is(list), lambda t: _array(c, t))
    c.register_structure_hook_factory(_origin_is(dict), lambda t: _object_map(c, t))
    c.register_structure_hook_factory(
        _is_optional, lambda t: nullable(c.get_structure_hook, without_none(t), None)
    )

    # Exact types after the factories: a later registration wins.
    for alias, runtime in LITERAL_CLASSES.items():
        # A status-like Literal accepts any string (the type checker knows the values, the
        # server may add one), decoded as its open enum's member or kept as the string.
        c.register_structure_hook_func(_equals(alias), _as(c.get_structure_hook(runtime), runtime))
    grader = hooks.tagged(c.get_structure_hook, _GRADERS, UnknownGrader, "grader object")
    c.register_structure_hook_func(_equals(Grader), grader)
    c.register_structure_hook_func(_equals(dict[str, Grader]), hooks.graders_map(grader))
    c.register_structure_hook(GraderLambda, _structure_lambda)
    c.register_unstructure_hook(GraderLambda, _unstructure_lambda)
    # An event's data: the mapping here; the event's own hook makes a metrics one a MetricPoint.
    c.register_structure_hook_func(
        _equals(MetricPoint | dict[str, Any]), _accepting("object", dict)
    )
    for event_class in (FineTuningJobEvent, EventMetrics):
        c.register_structure_hook_func(_equals(event_class), _event(c, event_class))
    item = hooks.tagged(
        c.get_structure_hook, _CONTENT_ITEMS, UnknownContentItem, "content item object"
    )

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

    c.register_unstructure_hook_factory(attrs.has, lambda cl: _unstructure_class(c, cl))
    # A caller may put a plain string where an enum is declared; it passes through unchanged.
    c.register_unstructure_hook(
        OpenStrEnum, lambda v: v._value_ if isinstance(v, OpenStrEnum) else v
    )
    c.register_unstructure_hook(UnknownGrader, lambda obj: _copy(obj.raw))
    c.register_unstructure_hook(UnknownContentItem, lambda obj: _copy(obj.raw))


def _as(hook: Hook, t: Any) -> Hook:
    """``hook`` called with the type ``t`` whatever type it is asked for."""
    return lambda o, _: hook(o, t)


def _accepting(expected: str, *classes: type) -> Hook:
    """A value of one of ``classes``, passed through as it is."""

    def hook(o: Any, _: Any) -> Any:
        if o.__class__ in classes:
            return o
        raise mismatch(expected, o)

    return hook


def _event(c: cattrs.Converter, cl: type[Any]) -> Hook:
    """A job event; the data of a ``metrics`` one as a ``MetricPoint`` where it fits one."""
    event_hook = _model(c, cl)
    point_hook = _model(c, MetricPoint)
    set_data = cl.__dict__["data"].__set__  # a slot descriptor: the instance is frozen
    metrics = FineTuningJobEventType.METRICS

    def hook(o: Any, t: Any) -> Any:
        event = event_hook(o, t)
        if event.type is metrics and event.data is not None:
            # Not contextlib.suppress: this runs once per event of every page.
            try:  # noqa: SIM105
                set_data(event, point_hook(event.data, MetricPoint))
            except Exception:  # liberal: data that is no point stays the mapping it was
                pass
        return event

    return hook


def _structure_lambda(o: Any, _: Any) -> GraderLambda:
    """Bedrock's ``{"type": "lambda", "lambda": {"function": ARN}}``: the ARN becomes
    ``function`` (a keyword cannot be a field); a missing or odd ``lambda`` leaves it None."""
    if o.__class__ is not dict:
        raise mismatch("grader object", o)
    inner = o.get("lambda")
    function = inner.get("function") if inner.__class__ is dict else None
    name = o.get("name")
    grader = GraderLambda(
        function=function if function.__class__ is str else None,
        name=name if name.__class__ is str else None,
    )
    set_document(grader, o)
    return grader


def _unstructure_lambda(obj: GraderLambda) -> dict[str, Any]:
    document = getattr(obj, "_ftc_document", None)
    if document is not None:
        return _copy(document)  # type: ignore[no-any-return]
    body: dict[str, Any] = {"type": "lambda", "lambda": {"function": obj.function}}
    if obj.name is not None:
        body["name"] = obj.name
    return body


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


def make_converter(*, detailed: bool) -> cattrs.Converter:
    """A converter with every hook; ``detailed`` is cattrs' ``detailed_validation``."""
    c = cattrs.Converter(detailed_validation=detailed)
    _configure(c)
    return c


@functools.cache
def converter() -> cattrs.Converter:
    """The converter every decode and encode uses, built on first use (not at import)."""
    return make_converter(detailed=False)


@functools.cache
def _explaining() -> cattrs.Converter:
    """The converter that records where a failure happened, built at the first failure."""
    return make_converter(detailed=True)


def _message(exc: BaseException, _: Any = None) -> str:
    if isinstance(exc, Mismatch):
        return str(exc)
    if isinstance(exc, KeyError):
        field = getattr(exc, "ftc_field", None)
        return "required field missing" + (f" ({field})" if field else "")
    return f"{type(exc).__name__}: {exc}"


def _mark_owners(exc: BaseException) -> None:
    """Note on each missing-field ``KeyError`` the model and field (``FineTuningJob.model``),
    for the message: the path alone (``$.data[3].model``) does not say which class it is."""
    if isinstance(exc, ClassValidationError):
        for sub, note in exc.group_exceptions()[0]:
            if isinstance(sub, KeyError):
                sub.ftc_field = f"{exc.cl.__name__}.{note.name}"  # type: ignore[attr-defined]
    for sub in getattr(exc, "exceptions", ()):
        _mark_owners(sub)


# transform_error writes "<message> @ <path>"; a message ending with NUL (which the repr in every
# message escapes) is split from its path even when either holds " @ ".
_END = "\x00"


def _first_error(exc: BaseException) -> tuple[str, str]:
    """The path and message of the first failure (field order, depth first) in ``exc``."""
    _mark_owners(exc)
    first = transform_error(exc, "$", lambda e, t: _message(e) + _END)[0]
    message, _, path = first.partition(_END + " @ ")
    return path, message


def structure(data: Any, cls: type[T]) -> T:
    """Turn decoded JSON into ``cls`` (a model, or a type such as ``list[Model]``).

    Raises:
        DecodeError: the data does not fit; nothing else escapes.
    """
    try:
        return converter().structure(data, cls)
    except Exception:  # the same data again, by the converter that says where
        pass
    try:
        return _explaining().structure(data, cls)
    except Exception as exc:  # turned into DecodeError
        path, message = _first_error(exc)
        raise DecodeError(path, message) from None


def unstructure(obj: Any) -> Any:
    """Turn a model (or a list/dict of models, or plain values) into JSON-ready data."""
    return converter().unstructure(obj)
