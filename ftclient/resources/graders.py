"""``client.graders`` (alpha): run and validate graders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.paths import GRADERS_RUN_PATH, GRADERS_VALIDATE_PATH
from .._wire.requests import request_body
from ..errors import InvalidParameterError
from ..models import Grader, RunGraderResponse, ValidateGraderResponse
from ._base import Options, Resource, TimeoutArg

if TYPE_CHECKING:
    from ..params import GraderParam

__all__ = ["Graders"]


class Graders(Resource):
    """Graders for reinforcement fine-tuning (an alpha API)."""

    __slots__ = ()
    _name = "graders"

    async def run(
        self,
        *,
        grader: GraderParam | Grader,
        model_sample: str,
        item: Mapping[str, Any] | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> RunGraderResponse:
        """Run a grader on one sample (``POST /fine_tuning/alpha/graders/run``).

        Args:
            grader: a grader model or mapping (string_check, text_similarity, python,
                score_model or multi).
            model_sample: the model output to grade; fills ``{{sample.output_text}}``.
            item: the dataset item; fills ``{{item.*}}``.

        Returns:
            The :class:`~ftclient.models.RunGraderResponse` with ``reward`` and metadata.
        """
        if item is not None and not isinstance(item, Mapping):
            raise InvalidParameterError("item", f"must be a mapping, got {type(item).__name__}")
        body = request_body(
            "RunGraderRequest",
            {"grader": grader, "model_sample": model_sample, "item": item},
        )
        return await self._request(
            "run",
            RunGraderResponse,
            "POST",
            GRADERS_RUN_PATH,
            Options(timeout, extra_headers, extra_query, extra_body),
            body=body,
        )

    async def validate(
        self,
        *,
        grader: GraderParam | Grader,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ValidateGraderResponse:
        """Ask the API to validate a grader (``POST /fine_tuning/alpha/graders/validate``)."""
        body = request_body("ValidateGraderRequest", {"grader": grader})
        return await self._request(
            "validate",
            ValidateGraderResponse,
            "POST",
            GRADERS_VALIDATE_PATH,
            Options(timeout, extra_headers, extra_query, extra_body),
            body=body,
        )
