"""What every API object carries besides its fields."""

from __future__ import annotations

import reprlib
from typing import Any, cast

import attrs

__all__ = ["Model"]


class Model:
    """Base of every model: two slots that decoding sets once, outside the attrs fields.

    ``_ftc_document`` is the JSON object the instance was decoded from (unknown fields included),
    ``_ftc_info`` the :class:`~ftclient.ResponseInfo` of a client method's top-level result. An
    instance the caller builds has neither. They take part in no comparison, hash or repr; read
    them with :func:`ftclient.to_dict` and :func:`ftclient.response_info`.
    """

    __slots__ = ("_ftc_document", "_ftc_info")

    # One repr, eq and hash for every model (declared with ``repr=False, eq=False``), doing what
    # attrs' generated ones do: attrs would compile the three for each class, which was a third
    # of ``import ftclient``'s own time. Comparing models is never on a request's path.
    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        """``FineTuningJob(id='ftjob-abc', status='running', ...)``: every field, in order."""
        fields = ", ".join(f"{a.name}={getattr(self, a.name)!r}" for a in _fields(self))
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({fields})"

    def __eq__(self, other: object) -> bool:
        """Equal if of the same class with equal fields, field by field in order."""
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, a.name) == getattr(other, a.name) for a in _fields(self))

    def __hash__(self) -> int:
        """The hash of the class and the fields (``TypeError`` if a field is a list or dict)."""
        return hash((type(self), *(getattr(self, a.name) for a in _fields(self))))


def _fields(model: Model) -> tuple[attrs.Attribute[Any], ...]:
    # Every subclass is an attrs class; Model itself is not, hence the cast.
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cast("type[Any]", type(model)))
    return fields
