"""Test helpers shipped with the package: a throwaway persistent instance."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from headwater.storage.database import DEFAULT_BUSY_TIMEOUT
from headwater.storage.instance import HOME_ENV_VARS, Instance


@contextmanager
def instance_for_test(temp_dir: str | None = None, set_dagster_home: bool = True,
                      busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Iterator[Instance]:
    """A persistent SQLite instance in a temp folder, disposed (and the folder removed) on exit.

    While it is open, HEADWATER_HOME and DAGSTER_HOME point at that folder (so code calling
    ``Instance.get()`` finds it); both are restored afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="headwater-test-") as tmp:
        home = temp_dir or tmp
        saved = {var: os.environ.get(var) for var in HOME_ENV_VARS}
        if set_dagster_home:
            for var in HOME_ENV_VARS:
                os.environ[var] = home
        try:
            with Instance.local(home, busy_timeout=busy_timeout) as instance:
                yield instance
        finally:
            if set_dagster_home:
                for var, value in saved.items():
                    if value is None:
                        os.environ.pop(var, None)
                    else:
                        os.environ[var] = value
