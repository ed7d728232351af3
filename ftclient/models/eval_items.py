"""Grader inputs: ``EvalItem`` messages and their content items."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import attrs

from ._base import Model
from ._enums import AudioFormatValue, EvalItemRoleValue

__all__ = [
    "EvalItem",
    "EvalItemContent",
    "EvalItemContentArray",
    "EvalItemContentItem",
    "EvalItemContentOutputText",
    "EvalItemContentText",
    "EvalItemInputImage",
    "InputAudio",
    "InputAudioData",
    "InputTextContent",
    "PromptCacheBreakpointConfig",
    "UnknownContentItem",
]


@attrs.frozen(kw_only=True)
class PromptCacheBreakpointConfig(Model):
    """Marks the exact end of a reusable prompt prefix."""

    # The spec's only mode; another one a response carries is kept.
    mode: str = "explicit"


@attrs.frozen(kw_only=True)
class InputTextContent(Model):
    """A text input to the model (``type: input_text``)."""

    type: Literal["input_text"] = "input_text"
    text: str | None = None
    prompt_cache_breakpoint: PromptCacheBreakpointConfig | None = None


@attrs.frozen(kw_only=True)
class EvalItemContentOutputText(Model):
    """A text output from the model (``type: output_text``)."""

    type: Literal["output_text"] = "output_text"
    text: str | None = None


@attrs.frozen(kw_only=True)
class EvalItemInputImage(Model):
    """An image input block (``type: input_image``)."""

    type: Literal["input_image"] = "input_image"
    image_url: str | None = None
    # The spec types it as a plain string and documents high, low or auto (default auto).
    detail: str | None = None


@attrs.frozen(kw_only=True)
class InputAudioData(Model):
    """The ``input_audio`` payload of ``InputAudio``: base64 data and its format."""

    data: str | None = None
    format: AudioFormatValue | None = None


@attrs.frozen(kw_only=True)
class InputAudio(Model):
    """An audio input to the model (``type: input_audio``)."""

    type: Literal["input_audio"] = "input_audio"
    input_audio: InputAudioData | None = None


@attrs.frozen(kw_only=True)
class UnknownContentItem(Model):
    """A content item whose ``type`` this SDK does not know; ``raw`` is the mapping as received."""

    type: str | None
    raw: dict[str, Any]


EvalItemContentText: TypeAlias = str
"""A bare string content item (may contain template strings)."""

EvalItemContentItem: TypeAlias = (
    EvalItemContentText
    | InputTextContent
    | EvalItemContentOutputText
    | EvalItemInputImage
    | InputAudio
    | UnknownContentItem
)
"""One content item; objects dispatch on ``type``."""

EvalItemContentArray: TypeAlias = list[EvalItemContentItem]
"""A list of content items."""

EvalItemContent: TypeAlias = EvalItemContentItem | EvalItemContentArray
"""``EvalItem.content``: a single item or a list of items."""


@attrs.frozen(kw_only=True)
class EvalItem(Model):
    """A message input to a grader model, with a role and content.

    The spec knows only ``type: "message"``; an item of another type decodes with its ``type``
    kept and ``role``/``content`` possibly ``None`` (its other fields stay in the document).
    """

    role: EvalItemRoleValue | None = None
    content: EvalItemContent | None = None
    type: str | None = None
