"""An ``instance`` fixture over every database the storage tests run on: a test module that
asks for ``instance`` runs once per backend (in-memory SQLite, file SQLite and PostgreSQL). The suite classes of test_backends.py bind their own ``instance`` instead.
"""

from __future__ import annotations

import pytest

from headwater.storage import Instance


@pytest.fixture(params=["memory", "file", "postgres"])
def instance(request, tmp_path):
    if request.param == "memory":
        with Instance.ephemeral() as inst:
            yield inst
    elif request.param == "file":
        with Instance.local(tmp_path / "home") as inst:
            yield inst
    else:
        url = request.getfixturevalue("postgres_url")
        with Instance.from_url(url, storage_directory=str(tmp_path / "storage")) as inst:
            yield inst
