"""The contract shipped in the package is the shared OpenAPI document, unchanged."""

from __future__ import annotations

import json

import pytest
import yaml

from ftclient._wire import schema as _schema
from tests.spec.request_validator import PACKAGE_SPEC, SHARED_SPEC


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="no shared/spec beside this checkout")
def test_package_json_equals_the_shared_yaml() -> None:
    shared = yaml.safe_load(SHARED_SPEC.read_text(encoding="utf-8"))
    bundled = json.loads(PACKAGE_SPEC.read_text(encoding="utf-8"))
    assert bundled == shared, "run tools/sync_spec.py to refresh ftclient/_spec/"


def test_the_validator_reads_the_bundled_document() -> None:
    assert _schema.spec() == json.loads(PACKAGE_SPEC.read_text(encoding="utf-8"))
    assert _schema.spec()["info"]["x-source"]["repository"] == "openai/openai-openapi"
