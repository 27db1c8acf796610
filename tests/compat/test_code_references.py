"""Code references: ``with_source_code_references`` and ``link_code_references_to_git``."""

import importlib
import os
import warnings
from pathlib import Path

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

import hwcompat_code_refs as mod  # noqa: E402  (tests/compat/fixtures is on sys.path)

KEY = "dagster/code_references"
MOD_FILE = str(Path(mod.__file__).resolve())
FIXTURES = Path(mod.__file__).resolve().parent

pytestmark = pytest.mark.filterwarnings("ignore::Warning")  # Dagster marks these names beta


def line_of(marker):
    """The 1-based line of the decorator tagged ``# line-of: <marker>`` in the fixture module."""
    lines = Path(MOD_FILE).read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.endswith(f"# line-of: {marker}"))


def refs(assets_def, key):
    value = assets_def.metadata_by_key[dg.AssetKey(key)][KEY]
    assert isinstance(value, dg.CodeReferencesMetadataValue)
    assert isinstance(value, dg.MetadataValue)
    return value.code_references


def referenced():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dg.with_source_code_references(
            [mod.plain, mod.with_metadata, mod.multi, mod.composed, mod.already_referenced,
             mod.external])


def test_reference_points_at_the_decorated_function():
    plain = referenced()[0]
    assert refs(plain, "plain") == [
        dg.LocalFileCodeReference(file_path=MOD_FILE, line_number=line_of("plain"))]
    ref = refs(plain, "plain")[0]
    assert (ref.file_path, ref.line_number, ref.label) == (MOD_FILE, line_of("plain"), None)


def test_originals_are_not_changed_and_other_metadata_is_kept():
    out = referenced()
    assert out[0] is not mod.plain
    assert KEY not in mod.plain.metadata_by_key[dg.AssetKey("plain")]
    md = out[1].metadata_by_key[dg.AssetKey("with_metadata")]
    assert md["owner_note"] == "kept"
    assert refs(out[1], "with_metadata")[0].line_number == line_of("with_metadata")


def test_every_key_of_a_multi_asset_and_graph_asset():
    out = referenced()
    assert [r.line_number for r in refs(out[2], "multi_one")] == [line_of("multi")]
    assert [r.line_number for r in refs(out[2], "multi_two")] == [line_of("multi")]
    assert [r.line_number for r in refs(out[3], "composed")] == [line_of("composed")]


def test_existing_references_come_first():
    out = referenced()
    assert refs(out[4], "already_referenced") == [
        dg.UrlCodeReference(url="https://docs.example.com/x", label="docs"),
        dg.LocalFileCodeReference(file_path=MOD_FILE, line_number=line_of("already_referenced")),
    ]


def test_specs_come_back_unchanged():
    out = referenced()
    assert isinstance(out[5], dg.AssetSpec)
    assert KEY not in out[5].metadata


def test_references_survive_definitions():
    defs = dg.Definitions(assets=referenced())
    assert refs(defs.get_assets_def("plain"), "plain")[0].line_number == line_of("plain")


def test_metadata_value_compares_by_value():
    one = dg.CodeReferencesMetadataValue(
        code_references=[dg.LocalFileCodeReference(file_path="/a.py", line_number=3)])
    two = dg.CodeReferencesMetadataValue(
        code_references=[dg.LocalFileCodeReference(file_path="/a.py", line_number=3)])
    assert one == two
    assert dg.LocalFileCodeReference(file_path="/a.py") == dg.LocalFileCodeReference(file_path="/a.py")
    assert dg.UrlCodeReference(url="u").label is None


# --- file path mappings -------------------------------------------------------------------------


def test_anchor_mapping_keeps_positions_relative_to_a_file_anchor():
    mapping = dg.AnchorBasedFilePathMapping(
        local_file_anchor=Path("/home/me/proj/pkg/__init__.py"),
        file_anchor_path_in_repository="src/pkg/__init__.py")
    assert isinstance(mapping, dg.FilePathMapping)
    assert mapping.convert_to_source_control_path(Path("/home/me/proj/pkg/assets.py")) == \
        "src/pkg/assets.py"
    assert mapping.convert_to_source_control_path(Path("/home/me/proj/pkg/sub/x.py")) == \
        "src/pkg/sub/x.py"
    assert mapping.convert_to_source_control_path(Path("/home/me/proj/setup.py")) == "src/setup.py"


def test_anchor_mapping_with_a_folder_anchor():
    mapping = dg.AnchorBasedFilePathMapping(local_file_anchor=Path("/home/me/proj"),
                                            file_anchor_path_in_repository="code")
    assert mapping.convert_to_source_control_path(Path("/home/me/proj/a/b.py")) == "code/a/b.py"


def test_anchor_mapping_compares_by_value():
    def make():
        return dg.AnchorBasedFilePathMapping(local_file_anchor=Path("/p"),
                                             file_anchor_path_in_repository="x")
    assert make() == make()


def test_file_path_mapping_is_abstract():
    with pytest.raises(TypeError):
        dg.FilePathMapping()


# --- linking to git -----------------------------------------------------------------------------


def linked(git_url, mapping=None, **kwargs):
    mapping = mapping or dg.AnchorBasedFilePathMapping(
        local_file_anchor=FIXTURES, file_anchor_path_in_repository="tests/fixtures")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dg.link_code_references_to_git(referenced(), git_url=git_url, git_branch="main",
                                              file_path_mapping=mapping, **kwargs)


def test_github_urls():
    out = linked("https://github.com/acme/pipelines")
    assert refs(out[0], "plain") == [dg.UrlCodeReference(
        url="https://github.com/acme/pipelines/tree/main/tests/fixtures/hwcompat_code_refs.py"
            f"#L{line_of('plain')}")]
    assert refs(out[2], "multi_two")[0].url.endswith(f"#L{line_of('multi')}")


def test_gitlab_urls():
    out = linked("https://gitlab.com/acme/pipelines")
    assert refs(out[0], "plain")[0].url == (
        "https://gitlab.com/acme/pipelines/-/tree/main/tests/fixtures/hwcompat_code_refs.py"
        f"#L{line_of('plain')}")


def test_explicit_platform_and_custom_mapping():
    class FlatMapping(dg.FilePathMapping):
        def convert_to_source_control_path(self, local_path):
            return "flat/" + local_path.name

    out = linked("https://git.example.com/acme/pipelines", FlatMapping(), platform="github")
    assert refs(out[0], "plain")[0].url == (
        f"https://git.example.com/acme/pipelines/tree/main/flat/hwcompat_code_refs.py#L{line_of('plain')}")


def test_url_references_are_kept_and_specs_untouched():
    out = linked("https://github.com/acme/pipelines")
    kept = refs(out[4], "already_referenced")
    assert kept[0] == dg.UrlCodeReference(url="https://docs.example.com/x", label="docs")
    assert kept[1].url.startswith("https://github.com/acme/pipelines/tree/main/")
    assert KEY not in out[5].metadata


def test_assets_without_references_stay_without():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = dg.link_code_references_to_git(
            [mod.plain], git_url="https://github.com/acme/p", git_branch="main",
            file_path_mapping=dg.AnchorBasedFilePathMapping(local_file_anchor=FIXTURES,
                                                            file_anchor_path_in_repository=""))
    assert KEY not in out[0].metadata_by_key[dg.AssetKey("plain")]


def test_reference_without_line_links_to_the_file():
    @dg.asset(metadata={KEY: dg.CodeReferencesMetadataValue(code_references=[
        dg.LocalFileCodeReference(file_path="/repo/pkg/f.py", label="f")])})
    def no_line():
        return 1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = dg.link_code_references_to_git(
            [no_line], git_url="https://github.com/acme/p", git_branch="dev",
            file_path_mapping=dg.AnchorBasedFilePathMapping(local_file_anchor=Path("/repo"),
                                                            file_anchor_path_in_repository="root"))
    assert refs(out[0], "no_line") == [
        dg.UrlCodeReference(url="https://github.com/acme/p/tree/dev/root/pkg/f.py", label="f")]


def test_unknown_host_without_platform_is_refused():
    with pytest.raises(ValueError, match="Unable to infer the source control platform"):
        linked("https://git.example.com/acme/pipelines")
