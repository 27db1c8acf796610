import importlib
import os
import pathlib

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

import hwcompat_mod_a  # noqa: E402  (tests/compat/fixtures is put on sys.path by conftest.py)
import hwcompat_mod_b  # noqa: E402
import hwcompat_pkg  # noqa: E402

PROJECT_DIR = pathlib.Path(__file__).parent / "fixtures" / "hwcompat_project"


def _keys(assets):
    out = set()
    for a in assets:
        if isinstance(a, dg.AssetsDefinition):
            out |= set(a.keys)
        else:
            out.add(a.key)
    return out


# --- load_assets_from_modules ---------------------------------------------------------------


def test_load_assets_from_modules_finds_assets_only():
    assets = dg.load_assets_from_modules([hwcompat_mod_a])
    assert _keys(assets) == {dg.AssetKey("mod_a_one"), dg.AssetKey("mod_a_two")}
    assert all(isinstance(a, dg.AssetsDefinition) for a in assets)


def test_load_assets_from_modules_dedupes_same_object():
    # mod_b re-imports mod_a_one: the same object is only returned once.
    assets = dg.load_assets_from_modules([hwcompat_mod_a, hwcompat_mod_b])
    keys = [k for a in assets if isinstance(a, dg.AssetsDefinition) for k in a.keys]
    assert sorted(keys) == sorted(set(keys))
    assert dg.AssetKey("mod_b_one") in set(keys)


def test_load_assets_from_modules_skips_specs_by_default():
    assets = dg.load_assets_from_modules([hwcompat_mod_b])
    assert _keys(assets) == {dg.AssetKey("mod_a_one"), dg.AssetKey("mod_b_one")}


def test_load_assets_from_modules_include_specs():
    assets = dg.load_assets_from_modules([hwcompat_mod_b], include_specs=True)
    assert _keys(assets) == {
        dg.AssetKey("mod_a_one"),
        dg.AssetKey("mod_b_one"),
        dg.AssetKey("mod_b_external"),
    }


def test_load_assets_from_modules_group_name():
    assets = dg.load_assets_from_modules([hwcompat_mod_a], group_name="loaded")
    groups = {k: g for a in assets for k, g in a.group_names_by_key.items()}
    assert groups == {dg.AssetKey("mod_a_one"): "loaded", dg.AssetKey("mod_a_two"): "loaded"}


def test_load_assets_from_modules_key_prefix_rewrites_deps():
    assets = dg.load_assets_from_modules([hwcompat_mod_a], key_prefix="pfx")
    by_key = {k: a for a in assets for k in a.keys}
    assert set(by_key) == {dg.AssetKey(["pfx", "mod_a_one"]), dg.AssetKey(["pfx", "mod_a_two"])}
    # Dependencies between loaded assets are prefixed too.
    assert set(by_key[dg.AssetKey(["pfx", "mod_a_two"])].dependency_keys) == {
        dg.AssetKey(["pfx", "mod_a_one"])
    }


def test_loaded_assets_materialize():
    result = dg.materialize(dg.load_assets_from_modules([hwcompat_mod_a]))
    assert result.output_for_node("mod_a_two") == 2


def test_load_asset_checks_from_modules():
    checks = dg.load_asset_checks_from_modules([hwcompat_mod_a])
    keys = {k for c in checks for k in c.check_keys}
    assert keys == {dg.AssetCheckKey(dg.AssetKey("mod_a_one"), "mod_a_one_positive")}


# --- load_assets_from_package_module --------------------------------------------------------


def test_load_assets_from_package_module_recurses():
    assets = dg.load_assets_from_package_module(hwcompat_pkg)
    assert _keys(assets) == {
        dg.AssetKey("pkg_root"),
        dg.AssetKey("pkg_leaf"),
        dg.AssetKey("pkg_deep"),
    }


def test_load_assets_from_package_module_keeps_explicit_group():
    assets = dg.load_assets_from_package_module(hwcompat_pkg)
    groups = {k: g for a in assets for k, g in a.group_names_by_key.items()}
    assert groups[dg.AssetKey("pkg_deep")] == "deep_group"
    assert groups[dg.AssetKey("pkg_root")] == "default"


def test_load_assets_from_package_module_group_name_conflict():
    # Surprising: group_name= does not override an explicit group_name; it is an error.
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="deep_group"):
        dg.load_assets_from_package_module(hwcompat_pkg, group_name="pkg")


def test_load_assets_from_modules_group_name_applies_to_default_group():
    import hwcompat_pkg.leaf

    assets = dg.load_assets_from_modules([hwcompat_pkg, hwcompat_pkg.leaf], group_name="pkg")
    groups = {g for a in assets for g in a.group_names_by_key.values()}
    assert groups == {"pkg"}


def test_load_assets_from_package_module_materialize():
    result = dg.materialize(dg.load_assets_from_package_module(hwcompat_pkg))
    assert result.output_for_node("pkg_leaf") == 1


# --- @definitions decorator -----------------------------------------------------------------


def test_definitions_decorator_returns_definitions_when_called():
    import hwcompat_definitions_entry

    defs = hwcompat_definitions_entry.defs()
    assert isinstance(defs, dg.Definitions)
    assert set(defs.resolve_all_asset_keys()) == {
        dg.AssetKey("mod_a_one"),
        dg.AssetKey("mod_a_two"),
    }
    assert defs.resolve_job_def("mod_a_job").name == "mod_a_job"


def test_definitions_decorator_on_local_function():
    @dg.definitions
    def my_defs():
        return dg.Definitions(assets=[dg.AssetSpec("x")])

    assert my_defs().resolve_all_asset_keys() == [dg.AssetKey("x")]


def test_definitions_decorator_rejects_unknown_parameters():
    with pytest.raises(dg.DagsterInvariantViolationError):

        @dg.definitions
        def bad(a, b):
            return dg.Definitions()


# --- load_from_defs_folder ------------------------------------------------------------------


@pytest.fixture
def project_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(PROJECT_DIR))
    return PROJECT_DIR


def test_load_from_defs_folder_keys(project_on_path):
    defs = dg.load_from_defs_folder(path_within_project=project_on_path)
    assert isinstance(defs, dg.Definitions)
    assert set(defs.resolve_all_asset_keys()) == {
        dg.AssetKey("proj_raw"),
        dg.AssetKey("proj_clean"),
        dg.AssetKey("proj_mart"),
        dg.AssetKey("proj_from_defs_object"),
    }


def test_load_from_defs_folder_module_with_definitions_object(project_on_path):
    # Surprising: a module that defines a Definitions object contributes ONLY that object;
    # loose @asset definitions in the same module are ignored.
    defs = dg.load_from_defs_folder(path_within_project=project_on_path)
    assert dg.AssetKey("proj_ignored_loose_asset") not in set(defs.resolve_all_asset_keys())


def test_load_from_defs_folder_from_path_inside_project(project_on_path):
    inner = project_on_path / "hwcompat_proj" / "defs" / "sub"
    defs = dg.load_from_defs_folder(path_within_project=inner)
    assert dg.AssetKey("proj_raw") in set(defs.resolve_all_asset_keys())


def test_load_from_defs_folder_groups_jobs_schedules_checks(project_on_path):
    defs = dg.load_from_defs_folder(path_within_project=project_on_path)
    groups = {s.key: s.group_name for s in defs.resolve_all_asset_specs()}
    assert groups[dg.AssetKey("proj_raw")] == "raw"
    assert groups[dg.AssetKey("proj_mart")] == "default"
    assert defs.resolve_job_def("proj_job").name == "proj_job"
    assert defs.resolve_schedule_def("proj_job_schedule").cron_schedule == "0 6 * * *"
    check_keys = {k for c in defs.asset_checks for k in c.check_keys}
    assert dg.AssetCheckKey(dg.AssetKey("proj_raw"), "proj_raw_check") in check_keys


def test_load_from_defs_folder_resources_from_definitions_function(project_on_path):
    defs = dg.load_from_defs_folder(path_within_project=project_on_path)
    assert set(defs.resources) == {"proj_res"}
    dg.Definitions.validate_loadable(defs)
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("proj_mart") == 14


def test_load_from_defs_folder_unimportable_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dg]\ndirectory_type = "project"\n\n[tool.dg.project]\n'
        'root_module = "hwcompat_not_importable_xyz"\n'
    )
    (tmp_path / "hwcompat_not_importable_xyz" / "defs").mkdir(parents=True)
    with pytest.raises(Exception, match="hwcompat_not_importable_xyz"):
        dg.load_from_defs_folder(path_within_project=tmp_path)
