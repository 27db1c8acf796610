"""The `dagster`-named shim runs code that imports `dagster` on Headwater, unchanged."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

SHIM = Path(__file__).resolve().parents[1] / "shim"

PROJECT = textwrap.dedent('''
    import dagster as dg
    from dagster import AssetExecutionContext, asset, materialize

    @asset
    def numbers():
        return [1, 2, 3]

    @asset
    def total(context: AssetExecutionContext, numbers):
        context.log.info("adding up")
        return sum(numbers)

    result = materialize([numbers, total])
    assert result.success
    assert result.output_for_node("total") == 6
    import headwater
    assert dg.Definitions is headwater.Definitions
    assert dg.components.load_defs is headwater.components.load_defs
    print("ok")
''')


def test_project_importing_dagster_runs_on_headwater(tmp_path):
    script = tmp_path / "project.py"
    script.write_text(PROJECT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SHIM), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")


def run_with_shim(tmp_path, code):
    script = tmp_path / "check_shim.py"
    script.write_text(textwrap.dedent(code))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SHIM), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(script)],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def documented_private_paths():
    """Every module path in docs/compatibility.md's table of the shim's private paths."""
    doc = (SHIM.parent / "docs" / "compatibility.md").read_text()
    section = doc.split("## The dagster shim: private paths it provides", 1)[1].split("\n## ", 1)[0]
    paths = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        names = re.findall(r"`([^`]+)`", first_cell)
        base = names[0]
        paths.append(base)
        parent = base.rsplit(".", 1)[0]
        paths += [parent + n if n.startswith(".") else n for n in names[1:]]
    return paths


def test_every_documented_private_path_imports_and_none_is_real_dagster(tmp_path):
    paths = documented_private_paths()
    assert "dagster._core.errors" in paths and "dagster._utils.backoff" in paths
    assert "dagster._core.execution.context.output" in paths
    out = run_with_shim(tmp_path, f"""
        import importlib, sys
        for path in {paths!r}:
            importlib.import_module(path)
        shim = {str(SHIM)!r}
        foreign = [name for name, m in sys.modules.items()
                   if name.split(".")[0] in ("dagster", "dagster_shared")
                   and not (getattr(m, "__file__", None) or shim).startswith(shim)]
        assert not foreign, foreign
        print("imported", len({paths!r}))
    """)
    assert out.strip() == f"imported {len(paths)}"


def test_private_paths_behave(tmp_path):
    run_with_shim(tmp_path, """
        import os
        import headwater
        import dagster
        from dagster._core import errors
        from dagster._core.errors import (DagsterInvariantViolationError, DagsterUserCodeProcessError,
                                          DagsterExecutionLoadInputError, DagsterError)
        from dagster._utils.backoff import backoff, exponential_delay_generator
        from dagster._core.test_utils import environ, instance_for_test
        from dagster._utils.cached_method import cached_method
        import dagster._check as check
        from dagster._time import get_current_datetime, datetime_from_timestamp

        # errors: Headwater's own classes where it raises them; the rest on Dagster's bases
        assert DagsterInvariantViolationError is headwater.InvariantViolationError
        assert errors.DagsterTypeCheckDidNotPass is headwater.TypeCheckDidNotPass
        assert issubclass(DagsterUserCodeProcessError, DagsterError)
        assert issubclass(DagsterExecutionLoadInputError, dagster.DagsterUserCodeExecutionError)
        assert dagster.DagsterUserCodeProcessError is DagsterUserCodeProcessError
        assert len(errors.__all__) >= 60

        # backoff: max_retries + 1 calls, the last error propagates; others at once
        calls = []
        def flaky(x, y=0):
            calls.append((x, y))
            if len(calls) < 3:
                raise KeyError("not yet")
            return x + y
        def no_wait():
            while True:
                yield 0
        assert backoff(flaky, retry_on=(KeyError,), args=[1], kwargs={"y": 2},
                       delay_generator=no_wait()) == 3
        assert calls == [(1, 2)] * 3
        calls.clear()
        def always(): calls.append(1); raise KeyError("never")
        try:
            backoff(always, retry_on=(KeyError,), max_retries=2, delay_generator=no_wait())
        except KeyError:
            pass
        assert len(calls) == 3
        calls.clear()
        def wrong(): calls.append(1); raise ValueError("other")
        try:
            backoff(wrong, retry_on=(KeyError,), delay_generator=no_wait())
        except ValueError:
            pass
        assert len(calls) == 1
        delays = exponential_delay_generator(base_delay=1, backoff_factor=3)
        assert [next(delays) for _ in range(3)] == [1, 3, 9]

        # test utils
        os.environ.pop("HW_SHIM_VAR", None)
        with environ({"HW_SHIM_VAR": "on"}):
            assert os.environ["HW_SHIM_VAR"] == "on"
        assert "HW_SHIM_VAR" not in os.environ
        with instance_for_test() as instance:
            assert isinstance(instance, dagster.DagsterInstance)

        # cached_method: once per instance and arguments
        class Client:
            def __init__(self): self.n = 0
            @cached_method
            def fetch(self, key):
                self.n += 1
                return key * 2
        c = Client()
        assert (c.fetch("a"), c.fetch("a"), c.fetch(key="b"), c.n) == ("aa", "aa", "bb", 2)

        # _check
        assert check.str_param("x", "name") == "x"
        assert check.opt_dict_param(None, "d") == {}
        try:
            check.int_param("1", "count")
        except check.CheckError as e:
            assert "count" in str(e)
        else:
            raise AssertionError("check.int_param accepted a str")

        # _time
        assert get_current_datetime().tzinfo is not None
        assert datetime_from_timestamp(0).year == 1970

        # definitions paths re-export Headwater's own names
        from dagster._core.definitions import AssetKey
        from dagster._core.definitions.metadata import MetadataValue, CodeReferencesMetadataValue
        from dagster._core.execution.context.compute import AssetExecutionContext
        from dagster._core.storage.dagster_run import DagsterRunStatus
        assert AssetKey is headwater.AssetKey and MetadataValue is headwater.MetadataValue
        assert CodeReferencesMetadataValue is headwater.CodeReferencesMetadataValue
        assert AssetExecutionContext is headwater.AssetExecutionContext
        assert DagsterRunStatus is headwater.RunStatus

        # one shim has both the private paths and the public submodules
        from dagster.preview.freshness import FreshnessPolicy
        assert dagster.components.load_defs is headwater.components.load_defs
        from dagster._annotations import beta, deprecated
        @beta
        def f(): return 1
        @deprecated(breaking_version="2.0")
        def g(): return 2
        assert (f(), g()) == (1, 2)

        # one class per warning category, whichever path names it
        from dagster_shared.utils import warnings as stage_warnings
        for name in ("BetaWarning", "PreviewWarning", "SupersessionWarning", "ConfigArgumentWarning"):
            assert getattr(stage_warnings, name) is getattr(dagster, name) is getattr(headwater, name)
    """)


def test_configure_loggers_sets_up_the_framework_loggers(tmp_path):
    # Checked against Dagster 1.13: the "dagster" logger gets one stream handler at the level,
    # records still propagate; "null" silences; an unknown handler or formatter is refused.
    out = run_with_shim(tmp_path, """
        import json, logging, sys
        from dagster import get_dagster_logger
        from dagster._utils.log import configure_loggers

        configure_loggers()
        framework = logging.getLogger("dagster")
        assert framework.level == logging.INFO and framework.propagate
        assert [type(h).__name__ for h in framework.handlers] == ["StreamHandler"]
        assert get_dagster_logger().getEffectiveLevel() == logging.INFO

        configure_loggers(handler="null", log_level="DEBUG")
        assert framework.level == logging.DEBUG
        assert [type(h).__name__ for h in framework.handlers] == ["NullHandler"]

        configure_loggers(formatter="json", log_level=logging.WARNING)
        framework.handlers[0].setStream(sys.stdout)
        framework.info("dropped")
        framework.warning("kept %s", 1)
        for bad in ({"handler": "file"}, {"formatter": "xml"}, {"log_level": "LOUD"}):
            try:
                configure_loggers(**bad)
            except ValueError:
                pass
            else:
                raise AssertionError(bad)
    """)
    line = json.loads(out.strip())
    assert (line["logger"], line["level"], line["event"]) == ("dagster", "warning", "kept 1")
