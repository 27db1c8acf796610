"""Loading each kind of origin through the one loader, and its errors (user frames only)."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from headwater.locations.loader import (
    DefinitionsLoadError,
    describe_load_error,
    load_definitions,
)
from headwater.locations.origins import LocationOrigin, OriginKind, default_location_name

MODULE = textwrap.dedent('''
    import headwater as dg

    @dg.asset
    def {name}_asset() -> int:
        return 1

    defs = dg.Definitions(assets=[{name}_asset])
''')


def _asset_names(defs) -> list[str]:
    return sorted(k.to_user_string() for k in defs.get_asset_graph().keys)


def _write(folder: Path, name: str, source: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(source if source is not None else MODULE.format(name=name))
    return path


def test_python_file(tmp_path):
    path = _write(tmp_path, "hwloc_file")
    loaded = load_definitions(LocationOrigin(OriginKind.PYTHON_FILE, str(path)))
    assert _asset_names(loaded.defs) == ["hwloc_file_asset"]
    assert loaded.description == f"file {path}"


def test_python_module_from_its_working_directory(tmp_path):
    _write(tmp_path, "hwloc_module")
    origin = LocationOrigin(OriginKind.PYTHON_MODULE, "hwloc_module",
                            working_directory=str(tmp_path))
    assert _asset_names(load_definitions(origin).defs) == ["hwloc_module_asset"]


def test_python_package_with_attribute(tmp_path):
    pkg = tmp_path / "hwloc_pkg"
    _write(pkg, "__init__", MODULE.format(name="hwloc_pkg").replace("defs =", "other ="))
    origin = LocationOrigin(OriginKind.PYTHON_PACKAGE, "hwloc_pkg", "other", str(tmp_path))
    assert _asset_names(load_definitions(origin).defs) == ["hwloc_pkg_asset"]


def test_pyproject_tool_headwater(tmp_path):
    _write(tmp_path, "hwloc_pyproj")
    (tmp_path / "pyproject.toml").write_text('[tool.headwater]\nmodule_name = "hwloc_pyproj"\n')
    origin = LocationOrigin(OriginKind.PYPROJECT, str(tmp_path / "pyproject.toml"))
    assert _asset_names(load_definitions(origin).defs) == ["hwloc_pyproj_asset"]


def test_pyproject_dg_project_defs_folder(tmp_path):
    defs_pkg = tmp_path / "src" / "hwloc_dg" / "defs"
    _write(defs_pkg.parent, "__init__", "")
    _write(defs_pkg, "__init__", "")
    _write(defs_pkg, "snow", MODULE.format(name="hwloc_dg").split("defs =")[0])
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "hwloc-dg"\n\n[tool.dg.project]\nroot_module = "hwloc_dg"\n')
    from headwater.locations.pyproject import find_target, origin_for

    target = find_target(tmp_path / "src")
    assert target is not None and target.defs_folder
    origin = origin_for(target)
    assert origin.name == "hwloc-dg"
    assert _asset_names(load_definitions(origin).defs) == ["hwloc_dg_asset"]


def test_default_location_names_follow_dagster():
    module = LocationOrigin(OriginKind.PYTHON_MODULE, "pkg.defs")
    assert module.name == "pkg.defs"
    assert LocationOrigin(OriginKind.PYTHON_FILE, "/x/defs.py").name == "defs.py"
    assert LocationOrigin(OriginKind.PYTHON_FILE, "/x/defs.py", "d").name == "defs.py:d"
    assert default_location_name(LocationOrigin(OriginKind.PYTHON_PACKAGE, "pkg")) == "pkg"
    assert module.with_name("mine").name == "mine"
    assert LocationOrigin.from_json(module.to_json()) == module


def test_error_in_user_code_keeps_the_users_frames_only(tmp_path):
    path = _write(tmp_path, "hwloc_broken", textwrap.dedent('''
        def load_settings():
            return {}["hwloc_missing"]

        SETTINGS = load_settings()
    '''))
    with pytest.raises(DefinitionsLoadError) as caught:
        load_definitions(LocationOrigin(OriginKind.PYTHON_FILE, str(path), location_name="b"))
    error = caught.value
    assert error.location_name == "b"
    assert error.info.cause is not None
    frames = "".join(error.info.cause.stack)
    assert "hwloc_broken.py" in frames and "load_settings" in frames
    assert "headwater" not in frames and "importlib" not in frames
    text = describe_load_error(error.info)
    assert text.startswith(f"Error while loading file {path}:")
    assert "KeyError: 'hwloc_missing'" in text
    # it crosses process boundaries (a run worker's failure reaches its parent)
    again = pickle.loads(pickle.dumps(error))
    assert describe_load_error(again.info) == text


@pytest.mark.parametrize("origin, fragment", [
    (LocationOrigin(OriginKind.PYTHON_MODULE, "hwloc_nowhere"), "no module named 'hwloc_nowhere'"),
    (LocationOrigin(OriginKind.PYTHON_FILE, "/nonexistent/x.py"), "not found"),
    (LocationOrigin(OriginKind.PYTHON_MODULE, "json", working_directory="/nonexistent"),
     "does not exist"),
    (LocationOrigin(OriginKind.PYTHON_MODULE, "json"), "No definitions found in module json"),
    (LocationOrigin(OriginKind.PYTHON_MODULE, "json", "nope"), "has no attribute 'nope'"),
])
def test_errors_say_what_and_how(origin, fragment):
    with pytest.raises(DefinitionsLoadError) as caught:
        load_definitions(origin)
    assert fragment in str(caught.value)
    assert caught.value.info.cause is None  # not the user's code: no traceback


def test_reconstructable_lives_in_locations_and_is_the_public_one():
    import headwater as dg
    from headwater.definitions.job_pointers import JobPointer, pointer_for
    from headwater.locations import reconstruct

    assert dg.reconstructable is reconstruct.reconstructable
    from tests.execution import hwexec_jobs

    pointer = pointer_for(hwexec_jobs.hwexec_fan_in)  # the factory the locations registered
    assert isinstance(pointer, JobPointer)
    assert pickle.loads(pickle.dumps(pointer)).describe() == pointer.describe()
