"""Reading a Dagster workspace.yaml, and every error naming the file, the entry and the fix."""

from __future__ import annotations

import textwrap

import pytest

from headwater.locations.origins import LocationOrigin, OriginKind
from headwater.locations.workspace import WorkspaceError, load_workspace


def _workspace(tmp_path, text: str):
    path = tmp_path / "workspace.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_every_entry_form(tmp_path):
    (tmp_path / "defs.py").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.py").write_text("")
    path = _workspace(tmp_path, """
        load_from:
          - python_file: defs.py
          - python_file:
              relative_path: sub/other.py
              attribute: defs
              working_directory: sub
              location_name: other
              executable_path: /usr/bin/python3
          - python_module: my_project.definitions
          - python_module: {module_name: my_project.more, location_name: more}
          - python_package: my_pkg
          - python_package: {package_name: pkg2, attribute: defs}
    """)
    origins = load_workspace(path)
    assert origins == (
        LocationOrigin(OriginKind.PYTHON_FILE, str(tmp_path / "defs.py"), None, str(tmp_path)),
        LocationOrigin(OriginKind.PYTHON_FILE, str(tmp_path / "sub" / "other.py"), "defs",
                       str(tmp_path / "sub"), "other", "/usr/bin/python3"),
        LocationOrigin(OriginKind.PYTHON_MODULE, "my_project.definitions", None, str(tmp_path)),
        LocationOrigin(OriginKind.PYTHON_MODULE, "my_project.more", None, str(tmp_path), "more"),
        LocationOrigin(OriginKind.PYTHON_PACKAGE, "my_pkg", None, str(tmp_path)),
        LocationOrigin(OriginKind.PYTHON_PACKAGE, "pkg2", "defs", str(tmp_path)),
    )
    assert [o.name for o in origins] == ["defs.py", "other", "my_project.definitions", "more",
                                         "my_pkg", "pkg2:defs"]


@pytest.mark.parametrize("text, fragments", [
    ("load_from: [python_module: a\n", ["not valid YAML", "line"]),
    ("locations: []\n", ["`load_from:`"]),
    ("load_from: []\n", ["non-empty list"]),
    ("load_from:\n  - python_module: a\nextra: 1\n", ["unknown top-level key(s) extra"]),
    ("load_from:\n  - python_script: a.py\n", ["entry 1", "unknown kind 'python_script'",
                                               "python_file"]),
    ("load_from:\n  - python_module: a\n  - grpc_server: {host: localhost, port: 4266}\n",
     ["entry 2 (grpc_server)", "not supported yet"]),
    ("load_from:\n  - python_module: {module_name: a, attr: x}\n",
     ["entry 1 (python_module)", "unknown key(s) attr", "allowed: module_name"]),
    ("load_from:\n  - python_module: {module_name: a, location_name: 3}\n",
     ["entry 1 (python_module)", "location_name must be a non-empty string", "int"]),
    ("load_from:\n  - python_module: {location_name: x}\n",
     ["entry 1 (python_module)", "missing module_name"]),
    ("load_from:\n  - python_module: [a]\n", ["entry 1 (python_module)", "expected a string"]),
    ("load_from:\n  - python_file: missing.py\n",
     ["entry 1 (python_file)", "'missing.py' not found", "relative to"]),
    ("load_from:\n  - python_module: {module_name: a, working_directory: nope}\n",
     ["entry 1 (python_module)", "working_directory 'nope'", "not a folder"]),
    ("load_from:\n  - python_module: a\n  - python_module: {module_name: b, location_name: a}\n",
     ["entries 1 and 2", "both named 'a'", "distinct location_name"]),
    ("load_from:\n  - python_module: a\n    python_file: b.py\n",
     ["entry 1", "one key"]),
])
def test_errors_name_the_file_and_the_entry(tmp_path, text, fragments):
    path = _workspace(tmp_path, text)
    with pytest.raises(WorkspaceError) as caught:
        load_workspace(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_workspace_file(tmp_path):
    with pytest.raises(WorkspaceError, match="Cannot read workspace file .*nope.yaml"):
        load_workspace(tmp_path / "nope.yaml")
