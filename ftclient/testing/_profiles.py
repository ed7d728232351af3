"""The emulator playing one provider: its paths, auth, additions and refusals, from the same
:class:`~ftclient.providers.Provider` description the client reads.

- paths: ``/v1/fine_tuning/...`` (OpenAI, Bedrock) or ``/openai/fine_tuning/...`` (Azure);
- auth: ``Authorization: Bearer <key>``; Azure also takes its ``api-key`` header, and requires
  the ``api-version`` query on every request (a 404 ``Resource not found`` without it here: the
  emulator's choice, as Azure's exact answer is not documented);
- additions: a lambda grader is a 400 (an unknown grader type, as the OpenAI service answers it)
  unless the provider adds ``grader:lambda``; then its function must be registered
  (:meth:`FineTuningEmulator.register_lambda`), and each training step of the job calls it;
- refusals: a field the provider does not support is a 400 naming it and the provider, an
  operation it does not serve a 404, as an unknown URL.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from ftclient.providers import Provider

from ._auth import authenticate as check_key
from ._errors import EmulatorError, bad_request
from ._lifecycle import Job

__all__ = [
    "LambdaFunction",
    "attach_reward",
    "authenticate",
    "base_path",
    "check_request",
    "lambda_arn",
]

LambdaFunction = Callable[[dict[str, Any], dict[str, Any]], float]
"""A registered lambda grader: ``(sample, item) -> reward``."""

# The client operation each API operation is (Provider.unsupported names client operations).
_OPERATIONS = {
    "createFineTuningJob": "jobs.create",
    "listPaginatedFineTuningJobs": "jobs.list",
    "retrieveFineTuningJob": "jobs.retrieve",
    "cancelFineTuningJob": "jobs.cancel",
    "pauseFineTuningJob": "jobs.pause",
    "resumeFineTuningJob": "jobs.resume",
    "listFineTuningEvents": "jobs.list_events",
    "listFineTuningJobCheckpoints": "checkpoints.list",
    "listFineTuningCheckpointPermissions": "permissions.list",
    "createFineTuningCheckpointPermission": "permissions.create",
    "deleteFineTuningCheckpointPermission": "permissions.delete",
    "runGrader": "graders.run",
    "validateGrader": "graders.validate",
}


def base_path(profile: Provider) -> str:
    """The path every API path hangs from: ``/v1``, or Azure's ``/openai``."""
    return profile.path_prefix or "/v1"


def authenticate(
    profile: Provider,
    headers: Mapping[str, str],
    query: list[tuple[str, str]],
    api_keys: Collection[str] | None,
) -> None:
    """Check the credentials (and Azure's ``api-version``) as ``profile`` would.

    Raises:
        EmulatorError: 401 without a credential or with one not in ``api_keys`` (the service's
            answers, from ``_auth``); 404 without a required query parameter.
    """
    for name in profile.required_query:
        if not any(key == name and value for key, value in query):
            raise EmulatorError(404, "Resource not found", code="404")
    authorization = headers.get("Authorization", "")
    if profile.auth_header.lower() != "authorization" and not authorization.strip():
        key = headers.get(profile.auth_header, "").strip()
        if key:  # Azure's api-key header: checked as the bearer token is
            authorization = f"Bearer {key}"
    check_key(authorization, api_keys)


def lambda_arn(body: Any) -> str | None:
    """The function of a create request's lambda grader, or None when it has none."""
    method = body.get("method") if isinstance(body, dict) else None
    block = method.get("reinforcement") if isinstance(method, dict) else None
    grader = block.get("grader") if isinstance(block, dict) else None
    if not isinstance(grader, dict) or grader.get("type") != "lambda":
        return None
    inner = grader.get("lambda")
    function = inner.get("function") if isinstance(inner, dict) else None
    return function if isinstance(function, str) else ""


def _check_data_rule(profile: Provider, body: Any, held: Callable[[str], bytes | None]) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("training_file"), str):
        return
    method = body.get("method")
    kind = method.get("type") if isinstance(method, dict) else "supervised"
    rule = profile.data_rule(kind if isinstance(kind, str) else "supervised")
    content = held(body["training_file"]) if rule is not None else None
    if rule is None or content is None:
        return
    count = sum(1 for line in content.splitlines() if line.strip())
    low, high = rule.min_examples, rule.max_examples
    if (low is not None and count < low) or (high is not None and count > high):
        # A 400 at creation: the emulator's choice (where Bedrock reports it is not documented).
        raise bad_request(
            f"Invalid 'training_file': {profile.title} needs {low} to {high} {kind} examples, "
            f"the file has {count}.",
            "training_file",
        )


def check_request(
    profile: Provider,
    operation_id: str,
    body: Any,
    lambdas: Mapping[str, LambdaFunction],
    held: Callable[[str], bytes | None] = lambda file_id: None,
) -> None:
    """Refuse what ``profile`` does not serve or support, before the operation's handler.

    ``held(file_id)`` gives the bytes of a file the emulator holds (for the data rules).

    Raises:
        EmulatorError: 404 for an operation the provider does not serve; 400 naming a field it
            does not support, a lambda grader where it adds none, an unregistered function, or
            a held training file with fewer or more examples than the provider's data rule.
    """
    operation = _OPERATIONS.get(operation_id, operation_id)
    for rule in profile.unsupported:
        if rule.operation != operation:
            continue
        if rule.field is None:
            raise EmulatorError(404, f"Invalid URL ({operation} is not served by {profile.title})")
        if isinstance(body, dict) and body.get(rule.field) is not None:
            raise bad_request(
                f"Invalid '{rule.field}': not supported by {profile.title}.", rule.field
            )
    if operation_id != "createFineTuningJob":
        return
    _check_data_rule(profile, body, held)
    function = lambda_arn(body)
    if function is None:
        return
    param = "method.reinforcement.grader.type"
    if "grader:lambda" not in profile.additions:
        raise bad_request(
            f"Invalid '{param}': 'lambda' is not a grader type {profile.title} knows.", param
        )
    if function not in lambdas:
        param = "method.reinforcement.grader.lambda.function"
        raise bad_request(f"Invalid '{param}': no Lambda function {function!r}.", param)


def attach_reward(job: Job, body: Any, lambdas: Mapping[str, LambdaFunction]) -> None:
    """Make each training step of ``job`` call its lambda grader's registered function."""
    function = lambda_arn(body)
    if not function:
        return
    grade = lambdas[function]

    def reward(step: int, total: int) -> float:
        sample = {"step": step, "total_steps": total, "output_text": f"answer {step}"}
        return float(grade(sample, {}))

    job.reward = reward
