"""Finding the code location: -m, -f, -d, -a, pyproject.toml, and the errors on the way."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ._helpers import FIXTURES, in_fixtures, run_cli

MODULE_SOURCE = textwrap.dedent('''
    import headwater as dg

    @dg.asset
    def {name}_asset() -> int:
        return 1

    defs = dg.Definitions(assets=[{name}_asset])
''')


def _write_module(folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(MODULE_SOURCE.format(name=name))


def test_module_name_with_working_directory():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_snow")
    assert result.exit_code == 0, result.output
    assert "module hwcli_snow" in result.output


def test_python_file():
    result = run_cli("definitions", "validate", "-f", str(FIXTURES / "hwcli_snow.py"))
    assert result.exit_code == 0, result.output
    assert "hwcli_snow.py" in result.output
    assert "5 assets" in result.output


def test_python_file_relative_to_working_directory():
    result = in_fixtures("definitions", "validate", "-f", "hwcli_loose.py")
    assert result.exit_code == 0, result.output


def test_pyproject_tool_headwater_found_from_a_subfolder(tmp_path, monkeypatch):
    project = tmp_path / "proj"
    _write_module(project, "hwcli_pyproj_hw")
    (project / "pyproject.toml").write_text('[tool.headwater]\nmodule_name = "hwcli_pyproj_hw"\n')
    (project / "notebooks").mkdir()
    monkeypatch.chdir(project / "notebooks")
    result = run_cli("asset", "list")
    assert result.exit_code == 0, result.output
    assert "hwcli_pyproj_hw_asset" in result.output


def test_pyproject_tool_dagster(tmp_path):
    _write_module(tmp_path / "proj", "hwcli_pyproj_dagster")
    (tmp_path / "proj" / "pyproject.toml").write_text(
        '[tool.dagster]\nmodule_name = "hwcli_pyproj_dagster"\n')
    result = run_cli("asset", "list", "-d", str(tmp_path / "proj"))
    assert result.exit_code == 0, result.output
    assert "hwcli_pyproj_dagster_asset" in result.output


def test_pyproject_dg_project_loads_the_defs_folder(tmp_path):
    root = tmp_path / "proj"
    defs_pkg = root / "src" / "hwcli_dgproj" / "defs"
    defs_pkg.mkdir(parents=True)
    (defs_pkg.parent / "__init__.py").write_text("")
    (defs_pkg / "__init__.py").write_text("")
    (defs_pkg / "snow.py").write_text(MODULE_SOURCE.format(name="hwcli_dgproj").replace(
        "defs = dg.Definitions(assets=[hwcli_dgproj_asset])", ""))
    (root / "pyproject.toml").write_text(
        '[project]\nname = "hwcli-dgproj"\n\n[tool.dg.project]\nroot_module = "hwcli_dgproj"\n')
    result = run_cli("asset", "list", "-d", str(root))
    assert result.exit_code == 0, result.output
    assert "hwcli_dgproj_asset" in result.output


def test_no_code_location_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("definitions", "validate")
    assert result.exit_code == 2
    assert "[tool.headwater]" in result.output


def test_module_not_found():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_does_not_exist")
    assert result.exit_code == 2
    assert "no module named 'hwcli_does_not_exist'" in result.output
    assert "Traceback" not in result.output


def test_file_not_found(tmp_path):
    result = run_cli("definitions", "validate", "-f", str(tmp_path / "missing.py"))
    assert result.exit_code == 2
    assert "missing.py" in result.output and "not found" in result.output


def test_working_directory_must_exist(tmp_path):
    result = run_cli("definitions", "validate", "-m", "x", "-d", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_module_and_file_together_are_refused():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_snow", "-f", "hwcli_snow.py")
    assert result.exit_code == 2
    assert "not both" in result.output


def test_no_definitions_in_module():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_empty")
    assert result.exit_code == 2
    assert "No definitions found in module hwcli_empty" in result.output


def test_import_error_shows_the_users_frames_only():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_broken_import")
    assert result.exit_code == 2
    out = result.output
    assert "hwcli_broken_import.py" in out and "load_settings" in out
    assert "KeyError: 'hwcli_missing_setting'" in out
    assert "headwater/cli" not in out and "importlib" not in out


@pytest.mark.parametrize("flag", ["-m", "-f"])
def test_two_definitions_objects_are_named(flag):
    target = "hwcli_two_defs" if flag == "-m" else "hwcli_two_defs.py"
    result = in_fixtures("definitions", "validate", flag, target)
    assert result.exit_code == 2
    assert "defs_one" in result.output and "defs_two" in result.output
    assert "--attribute" in result.output


def test_attribute_picks_one_definitions():
    result = in_fixtures("asset", "list", "-m", "hwcli_two_defs", "-a", "defs_two")
    assert result.exit_code == 0, result.output
    assert "second_asset" in result.output and "first_asset" not in result.output


def test_loose_assets_and_checks_are_merged():
    result = in_fixtures("definitions", "validate", "-m", "hwcli_loose")
    assert result.exit_code == 0, result.output
    assert "2 assets, 1 check" in result.output


def test_definitions_function_is_called():
    result = in_fixtures("asset", "list", "-m", "hwcli_lazy")
    assert result.exit_code == 0, result.output
    assert "lazy_asset" in result.output
