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

    # One repr for every model (they are declared with ``repr=False``), written as attrs writes
    # it: attrs would compile one per class, which was a sixth of ``import ftclient``'s own time.
    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        """``FineTuningJob(id='ftjob-abc', status='running', ...)``: every field, in order."""
        fields = ", ".join(f"{a.name}={getattr(self, a.name)!r}" for a in _fields(self))
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({fields})"


def _fields(model: Model) -> tuple[attrs.Attribute[Any], ...]:
    # Every subclass is an attrs class; Model itself is not, hence the cast.
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cast("type[Any]", type(model)))
    return fields
