"""``client.graders`` (alpha): run and validate graders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._inputs import request_body
from ..errors import InvalidParameterError
from ..models import Grader, RunGraderResponse, ValidateGraderResponse
from ._base import Resource, TimeoutArg

__all__ = ["Graders"]


class Graders(Resource):
    """Graders for reinforcement fine-tuning (an alpha API)."""

    __slots__ = ()

    async def run(
        self,
        *,
        grader: Grader | Mapping[str, Any],
        model_sample: str,
        item: Mapping[str, Any] | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
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
            RunGraderResponse,
            "POST",
            "/fine_tuning/alpha/graders/run",
            body=body,
            timeout=timeout,
            extra_headers=extra_headers,
        )

    async def validate(
        self,
        *,
        grader: Grader | Mapping[str, Any],
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ValidateGraderResponse:
        """Ask the API to validate a grader (``POST /fine_tuning/alpha/graders/validate``)."""
        body = request_body("ValidateGraderRequest", {"grader": grader})
        return await self._request(
            ValidateGraderResponse,
            "POST",
            "/fine_tuning/alpha/graders/validate",
            body=body,
            timeout=timeout,
            extra_headers=extra_headers,
        )
