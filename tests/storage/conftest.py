"""An ``instance`` fixture over every database the storage tests run on: a test module that
asks for ``instance`` runs once per backend (a PostgreSQL backend joins by adding a parameter
here). The suite classes of test_backends.py bind their own ``instance`` instead.
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
