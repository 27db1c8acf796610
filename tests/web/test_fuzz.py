"""The OpenAPI document fuzzed by schemathesis: every operation, with generated paths, queries
and bodies, answers without a server error (5xx)."""

from __future__ import annotations

import os
import tempfile

import pytest

schemathesis = pytest.importorskip("schemathesis")

import headwater as hw  # noqa: E402
from headwater.locations.in_process import InProcessLocation  # noqa: E402
from headwater.web.app import create_app  # noqa: E402
from headwater.web.context import WebContext  # noqa: E402

from .conftest import DEFS, numbers, total  # noqa: E402


def _app():
    home = tempfile.mkdtemp(prefix="hw-fuzz-")
    instance = hw.Instance.local(home)
    hw.materialize([numbers, total], instance=instance)
    location = InProcessLocation("web_tests", lambda: DEFS, instance)
    return create_app(WebContext(instance, lambda: [location]))


schema = schemathesis.openapi.from_asgi("/api/openapi.json", _app())
schema.config.generation.update(max_examples=int(os.environ.get("HEADWATER_FUZZ_EXAMPLES", "25")))


@schema.parametrize()
def test_no_operation_answers_with_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
