"""One ``__repr__``, ``__eq__`` and ``__hash__`` for ftclient's frozen attrs classes.

attrs compiles the three for every class it decorates; for the 50-odd classes ``import ftclient``
defines, that was a third of the import's own time. A class declared ``repr=False, eq=False``
that derives from :class:`Value` gets them from here instead, with the results attrs' generated
ones give: the same repr text (a recursive reference shown as ``...``, a field declared
``repr=False`` left out), equal when of the same class with equal fields, and a hash of the
fields. They cost about a microsecond more per call, and none of them is on a request's path. A
class with per-field ``eq``/``hash`` options or a custom field repr keeps attrs' own.
"""

from __future__ import annotations

import reprlib
from typing import Any, cast

import attrs

__all__ = ["Value"]


class Value:
    """Base of frozen attrs classes declared ``repr=False, eq=False``: see the module docstring."""

    __slots__ = ()

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        """``ClassName(field=value, ...)``: every field not declared ``repr=False``, in order."""
        fields = ", ".join(f"{a.name}={getattr(self, a.name)!r}" for a in _fields(self) if a.repr)
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({fields})"

    def __eq__(self, other: object) -> bool:
        """Equal if of the same class with equal fields, field by field in order."""
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, a.name) == getattr(other, a.name) for a in _fields(self))

    def __hash__(self) -> int:
        """The hash of the class and the fields (``TypeError`` if a field is a list or dict)."""
        return hash((type(self), *(getattr(self, a.name) for a in _fields(self))))


def _fields(value: Value) -> tuple[attrs.Attribute[Any], ...]:
    # Every subclass is an attrs class; Value itself is not, hence the cast.
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cast("type[Any]", type(value)))
    return fields
