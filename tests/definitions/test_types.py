"""Runtime types: what each annotation resolves to, its name, its check, whether config can give it."""

from __future__ import annotations

import typing

import pytest

import headwater as dg
from headwater.definitions.types import ANY, NOTHING, resolve_type


class Custom:
    pass


@pytest.mark.parametrize(("annotation", "name", "loadable"), [
    (None, "Any", True), (typing.Any, "Any", True), (int, "Int", True), (str, "String", True),
    (float, "Float", True), (bool, "Bool", True), (list, "[Any]", True), (list[int], "[Int]", True),
    (typing.List[int], "[Int]", True), (dict, "dict", True),  # noqa: UP006
    (dict[str, int], "Dict[String,Int]", True), (typing.Optional[int], "Int?", True),  # noqa: UP045
    (int | None, "Int?", True), (set, "set", False), (Custom, "Custom", False),
    (dg.Output[int], "Int", True),
])
def test_resolved_names_and_config_loadability(annotation, name, loadable):
    dagster_type = resolve_type(annotation)
    assert (dagster_type.display_name, dagster_type.loadable_from_config) == (name, loadable)


def test_nothing_and_any_are_singletons():
    assert resolve_type(type(None)) is NOTHING and resolve_type(dg.Nothing) is NOTHING
    assert resolve_type(None) is ANY and resolve_type(typing.Any) is ANY
    assert resolve_type(typing.Callable[[int], int]) is ANY  # not checked


@pytest.mark.parametrize(("annotation", "good", "bad"), [
    (int, 1, True), (int, 1, 1.0), (float, 1.5, 1), (bool, True, 1), (str, "a", b"a"),
    (list[int], [1, 2], [1, "2"]), (typing.Optional[int], None, "x"),  # noqa: UP045
    (dict[str, int], {"a": 1}, [("a", 1)]), (Custom, Custom(), object()),
])
def test_checks(annotation, good, bad):
    dagster_type = resolve_type(annotation)
    assert dagster_type.type_check(None, good).success
    check = dagster_type.type_check(None, bad)
    assert not check.success and check.description


def test_type_check_function_must_return_bool_or_type_check():
    odd = dg.DagsterType(lambda _, v: "yes", name="Odd")
    with pytest.raises(TypeError, match="Odd"):
        odd.type_check(None, 1)
