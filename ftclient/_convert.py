"""The one place where JSON-ready data and the models of ``ftclient.models`` meet.

Two cattrs converters share every hook, registered in ``_configure``:

* ``_FAST`` (``detailed_validation=False``, hooks generated once per class) decodes every response.
* ``_DETAILED`` (``detailed_validation=True``) runs only after the fast path failed, to find the
  JSON path of the first bad value for ``DecodeError``.

Policies, all from the OpenAPI contract and its own examples:

* Strict scalars: ``"12"`` is not an int, ``1.5`` is not an int, ``True`` is not an int, and an
  int is a valid float (kept as int, so a round trip is exact).
* Unknown fields are ignored; unknown enum values become pseudo-members (see ``OpenStrEnum``);
  an unknown grader or content ``type`` decodes as ``UnknownGrader`` / ``UnknownContentItem``.
* A required field whose type admits ``None`` may be absent and then decodes as ``None``: the
  spec's example responses omit such fields (``error``, ``finished_at``, ``seed``...).
* A job ``error`` with neither code nor message (``{}``, all-null) decodes as ``None``.
* ``unstructure`` drops an attribute that is ``None`` and whose default is ``None`` (optional and
  not given) but keeps a required nullable attribute as ``null``.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)

from ._hooks import (
    Hook,
    Mismatch,
    any_object,
    auto_union_hook,
    class_hook,
    enum_hook,
    equals,
    is_auto_union,
    is_simple_optional,
    list_hook,
    literal_hook,
    optional_hook,
    origin,
    str_map,
    str_map_detailed,
    strict_bool,
    strict_float,
    strict_int,
    strict_str,
    tagged,
    token_usage,
    unstructure_class_hook,
    unstructure_enum,
)
from .errors import InvalidParameterError
from .models import (
    EvalItemContent,
    EvalItemContentItem,
    EvalItemContentOutputText,
    EvalItemInputImage,
    FineTuningJobError,
    Grader,
    GraderLabelModel,
    GraderMulti,
    GraderPython,
    GraderScoreModel,
    GraderStringCheck,
    GraderTextSimilarity,
    InputAudio,
    InputTextContent,
    OpenStrEnum,
    UnknownContentItem,
    UnknownGrader,
)

__all__ = ["DecodeError", "structure", "structure_input", "unstructure"]

T = TypeVar("T")

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


def _configure(c: cattrs.Converter, *, fast: bool) -> None:
    """Register every structure and unstructure hook on ``c``."""
    # Per class (singledispatch, which cattrs consults first); OpenStrEnum is registered too, so
    # the more specific class wins over str for every enum.
    scalars: list[tuple[type[Any], Hook]] = [
        (str, strict_str),
        (int, strict_int),
        (float, strict_float),
        (bool, strict_bool),
        (OpenStrEnum, enum_hook),
    ]
    for cl, h in scalars:
        c.register_structure_hook(cl, h)
    exact: list[tuple[Any, Hook]] = [
        (dict[str, Any], any_object),
        (dict[str, str], str_map if fast else str_map_detailed),
        (int | dict[str, Any] | None, token_usage),
    ]
    for t, h in exact:
        c.register_structure_hook_func(equals(t), h)
    c.register_structure_hook_factory(lambda t: origin(t) is Literal, literal_hook)
    c.register_structure_hook_factory(is_auto_union, auto_union_hook)
    c.register_structure_hook_factory(attrs.has, lambda cl: class_hook(c, cl, fast=fast))
    c.register_structure_hook_factory(
        lambda t: origin(t) is list, lambda t: list_hook(c, t, fast=fast)
    )
    c.register_structure_hook_factory(is_simple_optional, lambda t: optional_hook(c, t))

    grader = tagged(c, _GRADERS, UnknownGrader, "grader object")
    c.register_structure_hook_func(equals(Grader), grader)
    c.register_structure_hook_func(
        equals(Grader | None), lambda o, t: None if o is None else grader(o, t)
    )
    c.register_structure_hook_func(
        equals(Grader | list[Grader]),
        lambda o, _: c.structure(o, list[Grader]) if isinstance(o, list) else grader(o, Grader),
    )
    item = tagged(c, _CONTENT_ITEMS, UnknownContentItem, "content item object")

    def content_item(o: Any, t: Any) -> Any:
        return o if o.__class__ is str else item(o, t)

    c.register_structure_hook_func(equals(EvalItemContentItem), content_item)
    c.register_structure_hook_func(
        equals(EvalItemContent),
        lambda o, t: (
            c.structure(o, list[EvalItemContentItem]) if isinstance(o, list) else content_item(o, t)
        ),
    )

    def job_error(o: Any, _: Any) -> FineTuningJobError | None:
        # The spec's examples send {} and all-null objects for a job that has not failed.
        if o is None or (isinstance(o, dict) and not o.get("code") and not o.get("message")):
            return None
        return c.structure(o, FineTuningJobError)

    c.register_structure_hook_func(equals(FineTuningJobError | None), job_error)

    c.register_unstructure_hook_factory(attrs.has, lambda cl: unstructure_class_hook(c, cl))
    # A caller may put a plain string where an enum is declared; it passes through unchanged.
    c.register_unstructure_hook(OpenStrEnum, unstructure_enum)
    c.register_unstructure_hook(UnknownGrader, lambda obj: obj.raw)
    c.register_unstructure_hook(UnknownContentItem, lambda obj: obj.raw)


def _make(*, fast: bool) -> cattrs.Converter:
    c = cattrs.Converter(detailed_validation=not fast, forbid_extra_keys=False)
    _configure(c, fast=fast)
    return c


_FAST = _make(fast=True)
_DETAILED = _make(fast=False)
# The fast hook per type: cattrs' own dispatch looks it up again on every structure() call, a
# sixth of the cost of decoding a job. Every hook is registered above, so the lookup cannot change.
_FAST_HOOKS: dict[Any, Hook] = {}


def _first_error(exc: BaseException, path: str) -> tuple[str, BaseException]:
    """Walk a detailed-validation exception tree down to its first leaf and that leaf's path."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        if with_notes:
            sub, note = with_notes[0]
            if isinstance(note, AttributeValidationNote):
                sub_path = f"{path}.{note.name}"
            elif isinstance(note, IterableValidationNote):
                index = note.index
                sub_path = f"{path}[{index}]" if isinstance(index, int) else f"{path}[{index!r}]"
            else:  # pragma: no cover - cattrs attaches one of the two notes above
                sub_path = path
            return _first_error(sub, sub_path)
        if without:
            return _first_error(without[0], path)
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
    hook = _FAST_HOOKS.get(cls)
    if hook is None:
        hook = _FAST_HOOKS[cls] = _FAST.get_structure_hook(cls)
    try:
        return hook(data, cls)  # type: ignore[no-any-return]
    except Exception:  # any failure of the fast path is re-run to find its cause
        pass
    try:
        result = _DETAILED.structure(data, cls)
    except Exception as exc:  # turned into DecodeError below
        path, leaf = _first_error(exc, "$")
        raise DecodeError(path, _message(leaf)) from None
    # Only reachable if the two converters disagree; the detailed one is the stricter reading.
    return result


def unstructure(obj: Any) -> Any:
    """Turn a model (or a list/dict of models, or plain values) into JSON-ready data."""
    return _FAST.unstructure(obj)


def structure_input(data: Any, cls: type[T], param: str) -> T:
    """Accept caller input for parameter ``param`` as a ``cls`` instance or as a plain mapping.

    Raises:
        InvalidParameterError: the mapping does not fit ``cls``; names ``param`` and the path,
            e.g. ``method.supervised.hyperparameters.n_epochs``.
    """
    if isinstance(cls, type) and isinstance(data, cls):
        return data
    try:
        return structure(data, cls)
    except DecodeError as exc:
        raise InvalidParameterError(param + exc.path[1:], exc.message) from None
