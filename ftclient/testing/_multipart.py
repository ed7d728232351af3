"""Reading a ``multipart/form-data`` request body part by part, within per-part limits.

createFile and addUploadPart send their bytes as form parts (RFC 7578). The body is never read
whole: each part is streamed in chunks into one buffer of its own, and a part that grows past its
limit is refused as soon as it does, without reading the rest. So the emulator holds at most one
copy of each part, and never more than the limit of a part it refuses.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import attrs
from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.helpers import parse_mimetype

from ._errors import EmulatorError, bad_request

__all__ = ["FIELD_LIMIT", "Form", "FormFile", "read_form"]

FIELD_LIMIT = 64 * 1024
"""Bytes allowed in a part that has no limit of its own (``purpose``, ``expires_after[...]``)."""
_CHUNK = 256 * 1024


@attrs.frozen
class FormFile:
    """A part read as bytes (named in ``read_form``'s ``limits``).

    Attributes:
        data: the part's bytes, exactly as sent.
        filename: the ``filename`` of its ``Content-Disposition``, if any.
        content_type: its ``Content-Type`` header, if any.
    """

    data: bytes
    filename: str | None
    content_type: str | None


@attrs.frozen
class Form:
    """A decoded form: text fields, and the parts read as bytes."""

    fields: dict[str, str]
    files: dict[str, FormFile]

    def names(self) -> list[str]:
        """Every part name, fields first."""
        return [*self.fields, *self.files]


def _unparsable(why: str) -> EmulatorError:
    return bad_request(f"Could not parse the multipart/form-data body: {why}.", None)


async def read_form(request: web.BaseRequest, limits: Mapping[str, int]) -> Form:
    """Read the request's form, streaming each part within its limit.

    Args:
        request: a request whose body has not been read.
        limits: the parts read as bytes, by name, with the most bytes each may hold; any
            other part is a text field of at most :data:`FIELD_LIMIT` bytes.

    Returns:
        The form. A repeated part name keeps its first value.

    Raises:
        EmulatorError: 400 when the body is not ``multipart/form-data`` or is malformed, or a
            text field is not UTF-8; 413 (``param`` naming the part) when a part is over its
            limit.
    """
    mimetype = parse_mimetype(request.headers.get("Content-Type", ""))
    if (mimetype.type, mimetype.subtype) != ("multipart", "form-data"):
        raise bad_request(
            "This operation expects a multipart/form-data body "
            f"(got Content-Type {request.headers.get('Content-Type', 'none')!r}).",
            None,
        )
    try:
        reader = MultipartReader(request.headers, request.content)
    except ValueError as exc:  # no boundary, or an invalid one
        raise _unparsable(str(exc)) from None
    fields: dict[str, str] = {}
    files: dict[str, FormFile] = {}
    while True:
        try:
            part = await reader.next()
        except (ValueError, RuntimeError) as exc:
            raise _unparsable(str(exc)) from None
        if part is None:
            return Form(fields, files)
        if not isinstance(part, BodyPartReader):
            raise _unparsable("nested multipart parts are not supported")
        name = part.name or ""
        limit = limits.get(name, FIELD_LIMIT)
        data = await _read_part(part, name, limit)
        if name in fields or name in files:
            continue
        if name in limits:
            files[name] = FormFile(data, part.filename, part.headers.get("Content-Type"))
            continue
        try:
            fields[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise bad_request(f"Form field {name!r} is not UTF-8 text.", name) from None


async def _read_part(part: BodyPartReader, name: str, limit: int) -> bytes:
    buffer = io.BytesIO()
    size = 0
    while True:
        try:
            chunk = await part.read_chunk(_CHUNK)
        except ValueError as exc:
            raise _unparsable(str(exc)) from None
        if not chunk:
            # getvalue() hands over the buffer without a copy when nothing else holds it.
            return buffer.getvalue()
        size += len(chunk)
        if size > limit:
            raise EmulatorError(
                413,
                f"Form part {name!r} is larger than {limit} bytes, the most it may hold.",
                param=name or None,
                code="request_too_large",
            )
        buffer.write(chunk)
