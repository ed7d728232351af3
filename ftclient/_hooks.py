"""The hooks ``ftclient._convert`` registers: strict scalars, unions, and generated class hooks.

Every hook takes ``(value, type)`` and returns the structured value or raises; a ``Mismatch``
carries the message a ``DecodeError`` shows. Registration happens in one place,
``ftclient._convert._configure``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .models import OpenStrEnum

Hook = Callable[[Any, Any], Any]
_NONE = type(None)


class Mismatch(ValueError):
    """Raised by the hooks below; its text is the ``DecodeError`` message."""


def _describe(value: Any) -> str:
    name = {dict: "object", list: "array", _NONE: "null"}.get(type(value), type(value).__name__)
    return name if isinstance(value, dict | list) or value is None else f"{name} {value!r:.60}"


def _mismatch(expected: str, value: Any) -> Mismatch:
    return Mismatch(f"expected {expected}, got {_describe(value)}")


# Scalars. ``o.__class__ is int`` both rejects bool and is the fastest check there is.
def strict_str(o: Any, _: Any) -> Any:
    if o.__class__ is str:
        return o
    raise _mismatch("str", o)


def strict_int(o: Any, _: Any) -> Any:
    if o.__class__ is int:
        return o
    raise _mismatch("int", o)


def strict_float(o: Any, _: Any) -> Any:
    if o.__class__ is float or o.__class__ is int:
        return o
    raise _mismatch("number", o)


def strict_bool(o: Any, _: Any) -> Any:
    if o.__class__ is bool:
        return o
    raise _mismatch("bool", o)


def any_object(o: Any, _: Any) -> dict[str, Any]:
    if isinstance(o, dict):
        return o
    raise _mismatch("object", o)


def str_map(o: Any, _: Any) -> dict[str, str]:
    if isinstance(o, dict) and all(v.__class__ is str for v in o.values()):
        return o
    raise _mismatch("object of strings", o)


def _str_list(o: Any, _: Any) -> Any:
    if o.__class__ is list and all(v.__class__ is str for v in o):
        return o
    raise _mismatch("array of strings", o)


def _noted(exc: Exception, key: int | str, t: Any) -> Exception:
    """Attach the note cattrs uses for "this happened at index/key ``key``"."""
    exc.__notes__ = [*getattr(exc, "__notes__", ()), IterableValidationNote(repr(key), key, t)]
    return exc


def list_hook(c: cattrs.Converter, t: Any, *, fast: bool) -> Hook:
    """A JSON array only (cattrs would take any iterable, a string included)."""
    (arg,) = typing.get_args(t) or (Any,)
    if fast and arg is str:
        return _str_list
    element = c.get_structure_hook(arg)

    if fast:

        def fast_list(o: Any, _: Any) -> list[Any]:
            if o.__class__ is not list:
                raise _mismatch("array", o)
            return [element(e, arg) for e in o]

        return fast_list

    def detailed_list(o: Any, _: Any) -> list[Any]:
        if not isinstance(o, list):
            raise _mismatch("array", o)
        out = []
        for i, e in enumerate(o):
            try:
                out.append(element(e, arg))
            except Exception as exc:
                raise IterableValidationError("bad item", [_noted(exc, i, arg)], t) from None
        return out

    return detailed_list


def str_map_detailed(o: Any, t: Any) -> dict[str, str]:
    if not isinstance(o, dict):
        raise _mismatch("object of strings", o)
    for k, v in o.items():
        if v.__class__ is not str:
            raise IterableValidationError("bad value", [_noted(_mismatch("str", v), k, str)], t)
    return o


def token_usage(o: Any, _: Any) -> Any:
    if o is None or o.__class__ is int or isinstance(o, dict):
        return typing.cast(int | dict[str, Any] | None, o)
    raise _mismatch("int, object or null", o)


def literal_hook(t: Any) -> Hook:
    allowed = frozenset(typing.get_args(t))
    expected = " or ".join(repr(a) for a in typing.get_args(t))

    def hook(o: Any, _: Any) -> Any:
        if o.__class__ is str and o in allowed:
            return o
        raise _mismatch(expected, o)

    return hook


def is_auto_union(t: Any) -> bool:
    return _is_union(t) and Literal["auto"] in typing.get_args(t)


def auto_union_hook(t: Any) -> Hook:
    """``Literal["auto"] | int`` or ``| float``, maybe ``| None``: a hyperparameter value."""
    args = typing.get_args(t)
    nullable = _NONE in args
    numbers = (int, float) if float in args else (int,)
    expected = f"'auto' or {'number' if float in args else 'int'}{' or null' if nullable else ''}"

    def hook(o: Any, _: Any) -> Any:
        if o.__class__ in numbers or o == "auto" or (o is None and nullable):
            return o
        raise _mismatch(expected, o)

    # Read by _generate_fast, which inlines the check.
    number_check = " and ".join(f"v.__class__ is not {n.__name__}" for n in numbers)
    none_check = " and v is not None" if nullable else ""
    hook.ftc_check = (f"{number_check} and v != 'auto'{none_check}", expected)  # type: ignore[attr-defined]
    return hook


def enum_hook(o: Any, cl: type[OpenStrEnum]) -> Any:
    if o.__class__ is str:
        member = cl._value2member_map_.get(o)
        return member if member is not None else cl(o)
    raise _mismatch(f"str ({cl.__name__})", o)


def equals(expected: Any) -> Callable[[Any], bool]:
    """A hook predicate matching one type (unions compare equal regardless of order)."""
    return lambda t: bool(t == expected)


def origin(t: Any) -> Any:
    return typing.get_origin(t)


def _is_union(t: Any) -> bool:
    return typing.get_origin(t) in (typing.Union, types.UnionType)


def is_simple_optional(t: Any) -> bool:
    args = typing.get_args(t)
    return _is_union(t) and len(args) == 2 and _NONE in args


def optional_hook(c: cattrs.Converter, t: Any) -> Hook:
    """``X | None`` with X's hook looked up once (cattrs looks it up on every call)."""
    (inner,) = (a for a in typing.get_args(t) if a is not _NONE)
    h = c.get_structure_hook(inner)

    def hook(o: Any, _: Any) -> Any:
        return None if o is None else h(o, inner)

    hook.ftc_optional_of = (h, inner)  # type: ignore[attr-defined]  # read by _generate_fast
    return hook


def tagged(c: cattrs.Converter, table: dict[str, type[Any]], unknown: type[Any], what: str) -> Hook:
    """Dispatch a mapping on its ``type``; an unknown string ``type`` keeps the raw mapping."""
    hooks: dict[str, Hook] = {}

    def hook(o: Any, _: Any) -> Any:
        if not isinstance(o, dict):
            raise _mismatch(what, o)
        tag: Any = o.get("type")
        if tag.__class__ is not str:
            raise _mismatch(f"{what} with a string 'type'", tag)
        cl = table.get(tag)
        if cl is None:
            return unknown(type=tag, raw=o)
        h = hooks.get(tag)
        if h is None:
            h = hooks[tag] = c.get_structure_hook(cl)
        return h(o, cl)

    return hook


def unstructure_enum(value: Any) -> Any:
    return value._value_ if isinstance(value, OpenStrEnum) else value


# Scalar hooks the generated class hooks inline as a check instead of a call.
_INLINE_CHECKS: dict[Hook, tuple[str, str]] = {
    strict_str: ("v.__class__ is not str", "str"),
    strict_int: ("v.__class__ is not int", "int"),
    strict_bool: ("v.__class__ is not bool", "bool"),
    strict_float: ("v.__class__ is not float and v.__class__ is not int", "number"),
}


def class_hook(c: cattrs.Converter, cl: type[Any], *, fast: bool) -> Hook:
    """The structure hook of an attrs class: generated code on the fast path, cattrs' otherwise."""
    attrs.resolve_types(cl)
    if fast:
        return _generate_fast(c, cl)
    generated = make_dict_structure_fn(cl, c)
    # An absent required field that admits None decodes as None (see the module docstring).
    fill = {
        a.name: None
        for a in attrs.fields(cl)
        if a.default is attrs.NOTHING and _NONE in typing.get_args(a.type)
    }

    def detailed(o: Any, t: Any) -> Any:
        if not isinstance(o, Mapping):
            raise _mismatch(f"object ({cl.__name__})", o)
        return generated({**fill, **o} if fill else o, t)

    return detailed


def _generate_fast(c: cattrs.Converter, cl: type[Any]) -> Hook:
    """Generate ``structure_<Class>(o, _)``: one line per field, scalar checks inlined.

    It only has to succeed on valid data and raise *something* on invalid data: any exception
    sends ``structure`` to the detailed converter, which names the path.
    """
    names: dict[str, Any] = {"__cl": cl, "__new": object.__new__, "_mismatch": _mismatch}
    lines = [f"def structure_{cl.__name__}(o, _=None):"]
    args = []
    # Setting the slots directly is about twice as fast as the generated frozen __init__; that is
    # only equivalent while the class has no validators, converters or post-init.
    direct = not hasattr(cl, "__attrs_post_init__") and all(
        a.validator is None and a.converter is None and a.init for a in attrs.fields(cl)
    )
    if direct:
        lines.append("  inst = __new(__cl)")
    for i, a in enumerate(attrs.fields(cl)):
        t = a.type
        required = a.default is attrs.NOTHING
        nullable = _NONE in typing.get_args(t)
        key = repr(a.name)
        if required and not nullable:
            lines.append(f"  v = o[{key}]")
        elif a.default is None or a.default is attrs.NOTHING:
            lines.append(f"  v = o.get({key})")
        else:
            names[f"d{i}"] = a.default
            lines.append(f"  v = o.get({key}, d{i})")
        hook = c.get_structure_hook(t)
        inner: tuple[Hook, Any] | None = getattr(hook, "ftc_optional_of", None)
        indent = "  "
        if inner is not None:
            hook, t = inner
            lines.append("  if v is not None:")
            indent = "    "
        check = _INLINE_CHECKS.get(hook) or getattr(hook, "ftc_check", None)
        if check is not None:
            lines.append(f"{indent}if {check[0]}:")
            lines.append(f"{indent}  raise _mismatch({check[1]!r}, v)")
        elif hook is enum_hook:
            names[f"m{i}"], names[f"h{i}"], names[f"t{i}"] = t._value2member_map_, hook, t
            lines.append(f"{indent}e = m{i}.get(v)")
            lines.append(f"{indent}v = h{i}(v, t{i}) if e is None else e")
        elif origin(t) is Literal and len(typing.get_args(t)) == 1:
            names[f"k{i}"] = typing.get_args(t)[0]
            lines.append(f"{indent}if v != k{i}:")
            lines.append(f"{indent}  raise _mismatch({check_literal(t)!r}, v)")
        else:
            names[f"h{i}"], names[f"t{i}"] = hook, t
            lines.append(f"{indent}v = h{i}(v, t{i})")
        if direct:
            names[f"s{i}"] = cl.__dict__[a.name].__set__
            lines.append(f"  s{i}(inst, v)")
        else:
            lines.append(f"  f{i} = v")
            args.append(f"{a.alias}=f{i}")
    lines.append("  return inst" if direct else f"  return __cl({', '.join(args)})")
    namespace = dict(names)
    exec("\n".join(lines), namespace)  # source built above from the class's fields
    fn: Hook = namespace[f"structure_{cl.__name__}"]
    return fn


def check_literal(t: Any) -> str:
    return " or ".join(repr(a) for a in typing.get_args(t))


def unstructure_class_hook(c: cattrs.Converter, cl: type[Any]) -> Callable[[Any], Any]:
    """Omit an attribute only if it is None and its default is None (optional, not given)."""
    overrides: dict[str, Any] = {
        a.name: override(omit_if_default=True) for a in attrs.fields(cl) if a.default is None
    }
    return make_dict_unstructure_fn(cl, c, _cattrs_omit_if_default=False, **overrides)
