"""Grader inputs: ``EvalItem`` messages and their content items."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import attrs

from ._enums import AudioFormat, EvalItemRole

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
class PromptCacheBreakpointConfig:
    """Marks the exact end of a reusable prompt prefix."""

    mode: Literal["explicit"] = "explicit"


@attrs.frozen(kw_only=True)
class InputTextContent:
    """A text input to the model (``type: input_text``)."""

    type: Literal["input_text"] = "input_text"
    text: str
    prompt_cache_breakpoint: PromptCacheBreakpointConfig | None = None


@attrs.frozen(kw_only=True)
class EvalItemContentOutputText:
    """A text output from the model (``type: output_text``)."""

    type: Literal["output_text"] = "output_text"
    text: str


@attrs.frozen(kw_only=True)
class EvalItemInputImage:
    """An image input block (``type: input_image``)."""

    type: Literal["input_image"] = "input_image"
    image_url: str
    # The spec types it as a plain string and documents high, low or auto (default auto).
    detail: str | None = None


@attrs.frozen(kw_only=True)
class InputAudioData:
    """The ``input_audio`` payload of ``InputAudio``: base64 data and its format."""

    data: str
    format: AudioFormat


@attrs.frozen(kw_only=True)
class InputAudio:
    """An audio input to the model (``type: input_audio``)."""

    type: Literal["input_audio"] = "input_audio"
    input_audio: InputAudioData


@attrs.frozen(kw_only=True)
class UnknownContentItem:
    """A content item whose ``type`` this SDK does not know; ``raw`` is the mapping as received."""

    type: str
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
class EvalItem:
    """A message input to a grader model, with a role and content."""

    role: EvalItemRole
    content: EvalItemContent
    type: Literal["message"] | None = None
