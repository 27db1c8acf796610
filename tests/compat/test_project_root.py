"""Finding a project's root (its ``pyproject.toml`` / ``dg.toml``) when loading a defs folder.

``load_from_defs_folder`` and ``components.load_defs`` look in the given folder (or the defs
module's folder) and every parent folder, and fail with Dagster's errors when none has one.
"""

import importlib
import os
import sys
import textwrap
import uuid
import warnings

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

pytestmark = pytest.mark.filterwarnings("ignore::Warning")  # project_root= is deprecated in Dagster

ASSET_MODULE = textwrap.dedent("""
    import importlib, os
    dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

    @dg.asset
    def {name}():
        return 1
""")


@pytest.fixture
def make_project(tmp_path, monkeypatch):
    """A project folder ``<tmp>/proj`` with a uniquely named root module ``<pkg>/defs``."""
    created = []

    def make(config="pyproject.toml", *, nested_without_init=False):
        pkg = f"hwproj_{uuid.uuid4().hex[:8]}"
        root = tmp_path / pkg / "proj"
        defs = root / pkg / "defs"
        defs.mkdir(parents=True)
        (root / pkg / "__init__.py").write_text("")
        (defs / "__init__.py").write_text("")
        (defs / "top.py").write_text(ASSET_MODULE.format(name=f"{pkg}_top"))
        if nested_without_init:
            (defs / "nested").mkdir()
            (defs / "nested" / "inner.py").write_text(ASSET_MODULE.format(name=f"{pkg}_inner"))
        if config == "pyproject.toml":
            (root / "pyproject.toml").write_text(
                f'[project]\nname = "{pkg}"\n\n[tool.dg]\ndirectory_type = "project"\n\n'
                f'[tool.dg.project]\nroot_module = "{pkg}"\n')
        elif config == "dg.toml":
            (root / "dg.toml").write_text(
                f'directory_type = "project"\n\n[project]\nroot_module = "{pkg}"\n')
        monkeypatch.syspath_prepend(str(root))
        created.append(pkg)
        return root, pkg

    yield make
    for pkg in created:
        for name in [m for m in sys.modules if m == pkg or m.startswith(pkg + ".")]:
            del sys.modules[name]


def keys(defs):
    return {k.to_user_string() for k in defs.resolve_all_asset_keys()}


def test_project_root_inside_the_project_finds_its_pyproject(make_project):
    root, pkg = make_project()
    defs = dg.load_from_defs_folder(project_root=root / pkg / "defs")
    assert keys(defs) == {f"{pkg}_top"}


def test_project_root_at_the_project(make_project):
    root, pkg = make_project()
    assert keys(dg.load_from_defs_folder(project_root=root)) == {f"{pkg}_top"}


def test_dg_toml_marks_a_project(make_project):
    root, pkg = make_project(config="dg.toml")
    assert keys(dg.load_from_defs_folder(path_within_project=root / pkg)) == {f"{pkg}_top"}


def test_no_config_file_in_any_parent(make_project):
    root, pkg = make_project(config=None)
    with pytest.raises(dg.DagsterError, match=r"Could not find config file \(pyproject.toml/dg.toml\)"):
        dg.load_from_defs_folder(project_root=root)
    with pytest.raises(dg.DagsterError, match=r"Could not find config file \(pyproject.toml/dg.toml\)"):
        dg.load_from_defs_folder(path_within_project=root / pkg)


def test_load_defs_searches_parents_of_the_module_file(make_project):
    root, pkg = make_project()
    module = importlib.import_module(f"{pkg}.defs")
    assert keys(dg.components.load_defs(module)) == {f"{pkg}_top"}


def test_load_defs_without_a_project_file_is_refused(make_project):
    root, pkg = make_project(config=None)
    module = importlib.import_module(f"{pkg}.defs")
    with pytest.raises(FileNotFoundError, match="No project root with pyproject.toml or setup.py found"):
        dg.components.load_defs(module)


def test_load_defs_with_setup_py(make_project):
    root, pkg = make_project(config=None)
    (root / "setup.py").write_text("")
    module = importlib.import_module(f"{pkg}.defs")
    assert keys(dg.components.load_defs(module)) == {f"{pkg}_top"}


def test_load_defs_with_explicit_project_root_needs_no_project_file(make_project):
    root, pkg = make_project(config=None)
    module = importlib.import_module(f"{pkg}.defs")
    assert keys(dg.components.load_defs(module, project_root=root)) == {f"{pkg}_top"}


def test_folders_without_init_are_loaded_too(make_project):
    root, pkg = make_project(nested_without_init=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_folder = dg.load_from_defs_folder(path_within_project=root)
    assert keys(from_folder) == {f"{pkg}_top", f"{pkg}_inner"}
    module = importlib.import_module(f"{pkg}.defs")
    assert keys(dg.components.load_defs(module)) == {f"{pkg}_top", f"{pkg}_inner"}
