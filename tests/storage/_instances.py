"""An ``instance`` fixture over every database the storage tests run on.

Import it into a test module (``from ._instances import instance``) to run each test once per
backend; a PostgreSQL backend joins by adding a parameter here.
"""

from __future__ import annotations

import pytest

from headwater.storage import Instance


@pytest.fixture(params=["memory", "file"])
def instance(request, tmp_path):
    if request.param == "memory":
        with Instance.ephemeral() as inst:
            yield inst
    else:
        with Instance.local(tmp_path / "home") as inst:
            yield inst
