"""The structure hook of a model class: one field plan, a plain reading of it, and a fast one.

The plan (:func:`plan`) is the whole policy for a class's fields:

* a field without a default is an identity field: absent is an error, any value goes to its hook;
* any other field that is absent or null takes its default (``None`` for every ``X | None``);
* otherwise the value goes to the hook of the field's type with ``None`` taken out.

:func:`reference_hook` follows the plan field by field and names the failing field (cattrs'
``AttributeValidationNote``), which is how errors get their JSON path. :func:`fast_hook` follows
the same plan in code generated once per class (scalar and enum checks inlined, slots set
directly instead of through the frozen ``__init__``): ``benchmarks/`` showed the reference alone
misses the CPU goals (see CHANGELOG). The fast hook never decides anything on its own: on any
failure it hands the value to the reference, which raises the error with its path; if the
reference accepts what the fast path refused, that is a bug and raises :class:`Disagreement`
instead of being papered over. ``tests/unit/wire/test_convert_paths.py`` checks that both agree on
every sample of the corpus.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import attrs
from cattrs.errors import AttributeValidationNote, ClassValidationError

from .._value import Value
from ..models._base import Model

__all__ = [
    "Disagreement",
    "Field",
    "Mismatch",
    "OptionalHook",
    "fast_hook",
    "mismatch",
    "plan",
    "reference_hook",
]

Hook = Callable[[Any, Any], Any]
_NONE = type(None)
_ABSENT = object()
_set_document = Model._ftc_document.__set__  # type: ignore[attr-defined]  # a slot descriptor


class Mismatch(ValueError):
    """A value of the wrong JSON kind; its text is the ``DecodeError`` message."""


class Disagreement(AssertionError):
    """The fast hook refused a value its reference accepts: a bug in ftclient, never data."""


def _describe(value: Any) -> str:
    name = {dict: "object", list: "array", _NONE: "null"}.get(type(value), type(value).__name__)
    return name if isinstance(value, dict | list) or value is None else f"{name} {value!r:.60}"


def mismatch(expected: str, value: Any) -> Mismatch:
    """The error for ``value`` where ``expected`` belongs (``expected int, got str '12'``)."""
    return Mismatch(f"expected {expected}, got {_describe(value)}")


@attrs.frozen(repr=False, eq=False)
class Field(Value):
    """How one attribute is read from a JSON object (see the module docstring)."""

    name: str
    required: bool
    default: Any
    type: Any  # the attribute's type without None
    hook: Hook
    # Inlined by the fast hook: the classes a scalar may have, or an enum's value -> member map.
    classes: tuple[type, ...] | None
    members: dict[str, Any] | None
    set: Callable[[Any, Any], None]


def without_none(t: Any) -> Any:
    """``X | None`` -> ``X`` (a union of the rest if there are several); other types unchanged."""
    args = typing.get_args(t)
    if _NONE not in args:
        return t
    rest = tuple(a for a in args if a is not _NONE)
    return rest[0] if len(rest) == 1 else typing.Union[rest]  # noqa: UP007  # a runtime union


class OptionalHook:
    """The hook of ``X | None``: None stays None, anything else goes to X's hook.

    A plan unwraps it (a field's null is handled by the plan itself), saving a call per field.
    """

    __slots__ = ("hook", "type")

    def __init__(self, hook: Hook, t: Any) -> None:
        self.hook = hook
        self.type = t

    def __call__(self, o: Any, _: Any) -> Any:
        return None if o is None else self.hook(o, self.type)


def plan(
    cl: type[Any],
    hook_for: Callable[[Any], Hook],
    classes_of: Callable[[Hook], tuple[type, ...] | None],
    members_of: Callable[[Hook, Any], dict[str, Any] | None],
) -> list[Field]:
    """The fields of ``cl`` with the hooks of ``hook_for`` (the converter's)."""
    attrs.resolve_types(cl)
    if hasattr(cl, "__attrs_post_init__") or any(
        a.validator is not None or a.converter is not None or not a.init for a in attrs.fields(cl)
    ):  # setting slots directly would skip them
        raise TypeError(f"{cl.__name__}: models have no validators, converters or post-init")
    fields = []
    for a in attrs.fields(cl):
        hook, inner = hook_for(a.type), a.type
        if isinstance(hook, OptionalHook):  # the plan handles null itself
            inner = hook.type
            hook = hook.hook
        fields.append(
            Field(
                name=a.name,
                required=a.default is attrs.NOTHING,
                default=None if a.default is attrs.NOTHING else a.default,
                type=inner,
                hook=hook,
                classes=classes_of(hook),
                members=members_of(hook, inner),
                set=cl.__dict__[a.name].__set__,
            )
        )
    return fields


def _noted(exc: Exception, name: str, t: Any) -> Exception:
    note = AttributeValidationNote(f"Structuring attribute {name}", name, t)
    exc.__notes__ = [*getattr(exc, "__notes__", ()), note]
    return exc


def reference_hook(cl: type[Any], fields: list[Field]) -> Hook:
    """The plan read field by field; a failure names its field."""
    expected = f"object ({cl.__name__})"
    new = object.__new__

    def structure(o: Any, _: Any = None) -> Any:
        if o.__class__ is not dict:
            raise mismatch(expected, o)
        values = []  # no half-built instance, whose repr fails, for a traceback to render
        for f in fields:
            v = o.get(f.name, _ABSENT)
            try:
                if v is _ABSENT and f.required:
                    raise KeyError(f.name)
                v = (
                    f.default
                    if (v is None or v is _ABSENT) and not f.required
                    else f.hook(v, f.type)
                )
            except Exception as exc:
                raise ClassValidationError(
                    f"While structuring {cl.__name__}", [_noted(exc, f.name, f.type)], cl
                ) from None
            values.append(v)
        inst = new(cl)
        for f, v in zip(fields, values, strict=True):
            f.set(inst, v)
        _set_document(inst, o)
        return inst

    return structure


def fast_hook(cl: type[Any], fields: list[Field]) -> Hook:
    """The plan as generated straight-line code; any failure goes to the reference."""
    reference = reference_hook(cl, fields)
    names: dict[str, Any] = {
        "new": object.__new__,
        "cl": cl,
        "set_document": _set_document,
        "reference": reference,
        "Disagreement": Disagreement,
        "ABSENT": _ABSENT,
    }
    body = ["inst = new(cl)"]
    for i, f in enumerate(fields):
        names.update({f"d{i}": f.default, f"h{i}": f.hook, f"t{i}": f.type, f"s{i}": f.set})
        if f.classes is not None:
            one = len(f.classes) == 1
            names[f"c{i}"] = f.classes[0] if one else f.classes
            convert = [f"if v.__class__ {'is not' if one else 'not in'} c{i}: raise TypeError"]
        elif f.members is not None:
            names[f"m{i}"] = f.members
            # An unhashable value makes .get raise, and the reference then names it.
            convert = [f"e = m{i}.get(v)", f"v = h{i}(v, t{i}) if e is None else e"]
        else:
            convert = [f"v = h{i}(v, t{i})"]
        if f.required:
            body += [f"v = o.get({f.name!r}, ABSENT)", "if v is ABSENT: raise KeyError", *convert]
        else:
            body += [f"v = o.get({f.name!r})", f"if v is None: v = d{i}", "else:"]
            body += [f"  {line}" for line in convert]
        body.append(f"s{i}(inst, v)")
    body += ["set_document(inst, o)", "return inst"]
    lines = [f"def structure_{cl.__name__}(o, _=None):", "  if o.__class__ is dict:", "    try:"]
    lines += [f"      {line}" for line in body]
    # Drop the half-built instance: a traceback rendered with its locals would call its repr.
    lines += ["    except Exception:", "      inst = None"]
    # The reference raises the error with its path; returning normally would mean the two
    # readings of the plan disagree.
    lines += ["  reference(o)", "  raise Disagreement(cl, o)"]
    namespace = dict(names)
    exec("\n".join(lines), namespace)  # built above from the class's field plan
    fn: Hook = namespace[f"structure_{cl.__name__}"]
    return fn
