"""What every API object carries besides its fields."""

from __future__ import annotations

__all__ = ["Model", "set_document", "set_info"]


class Model:
    """Base of every model: two slots that decoding sets once, outside the attrs fields.

    ``_ftc_document`` is the JSON object the instance was decoded from (unknown fields included),
    ``_ftc_info`` the :class:`~ftclient.ResponseInfo` of a client method's top-level result. An
    instance the caller builds has neither. Not being attrs fields, they take part in no
    comparison, hash or repr; read them with :func:`ftclient.to_dict` and
    :func:`ftclient.response_info`.
    """

    __slots__ = ("_ftc_document", "_ftc_info")


# How decoding sets the document of an instance once (a slot descriptor's setter).
set_document = Model._ftc_document.__set__  # type: ignore[attr-defined]
# How a response's info is set on an instance (the same for every model: one slot of the base).
set_info = Model._ftc_info.__set__  # type: ignore[attr-defined]
