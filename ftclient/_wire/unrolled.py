"""The decoding converter's hook of a model class: straight-line code that sets the slots.

A kept trick, because the benchmark needs it: with cattrs' own generated hook (a dict of
keyword arguments, then the frozen ``__init__``, which sets each field through
``object.__setattr__``) pagination took 2.01x raw aiohttp's CPU per event against a goal of
1.6x; this hook without the inline checks below, 1.67x; with them, 1.53x (one run, 3 rounds;
figures in the commit that added this module). An event costs 1.9 us to decode with cattrs'
hook, 0.94 us with this one.

It decides nothing of its own. Each field is read with the hook cattrs is given for it
(:class:`FieldHook`, built by ``convert``): absent takes the default (or raises ``KeyError`` if
required), anything else goes to that hook, except that a value of a class the scalar hook
returns unchanged, or a known enum value, is taken without the call. Any failure goes to the
converter with cattrs' detailed validation and its generated hook, which reads the same fields
with the same hooks and names the path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import attrs

from ..models._base import set_document
from .hooks import Hook

__all__ = ["FieldHook", "unrolled_hook"]

_ABSENT = object()


class FieldHook(NamedTuple):
    """How one attribute is read: absent, ``default`` (an error if ``required``); else
    ``hook(value, type)``, which returns a value whose class is in ``classes`` unchanged, and
    a key of ``members`` (an enum's value -> member map) as its member."""

    name: str
    required: bool
    default: Any
    type: Any
    hook: Hook
    classes: tuple[type, ...] | None
    members: dict[str, Any] | None


def unrolled_hook(cl: type[Any], fields: list[FieldHook]) -> Hook:
    """The structure hook of ``cl`` as generated code (see the module docstring)."""
    if hasattr(cl, "__attrs_post_init__") or any(
        a.validator is not None or a.converter is not None or not a.init for a in attrs.fields(cl)
    ):  # setting slots directly would skip them
        raise TypeError(f"{cl.__name__}: models have no validators, converters or post-init")
    names: dict[str, Any] = {
        "new": object.__new__,
        "cl": cl,
        "set_document": set_document,
        "ABSENT": _ABSENT,
    }
    body = ["if o.__class__ is not dict: raise TypeError", "inst = new(cl)"]
    for i, f in enumerate(fields):
        setter: Callable[[Any, Any], None] = cl.__dict__[f.name].__set__
        names.update({f"d{i}": f.default, f"h{i}": f.hook, f"t{i}": f.type, f"s{i}": setter})
        if f.classes is not None:
            names[f"c{i}"] = f.classes
            read = f"v if v.__class__ in c{i} else h{i}(v, t{i})"
        elif f.members is not None:
            names[f"m{i}"] = f.members  # an unhashable value raises: the detailed converter says
            read = f"m{i}.get(v) or h{i}(v, t{i})"
        else:
            read = f"h{i}(v, t{i})"
        if f.required:
            body += [f"v = o[{f.name!r}]", f"s{i}(inst, {read})"]
        else:
            body += [f"v = o.get({f.name!r}, ABSENT)"]
            body += [f"s{i}(inst, d{i} if v is ABSENT else {read})"]
    body += ["set_document(inst, o)", "return inst"]
    source = "\n".join([f"def structure_{cl.__name__}(o, _=None):", *(f"  {b}" for b in body)])
    exec(source, names)  # built above from the class's fields
    hook: Hook = names[f"structure_{cl.__name__}"]
    return hook
