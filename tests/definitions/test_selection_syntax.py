"""Selection strings: invalid text raises InvalidSubsetError quoting the user's string."""

from __future__ import annotations

import pytest

import headwater as dg


@pytest.mark.parametrize("text", [
    "group:",
    "key:",
    "tag:",
    "(a or b",
    "((a)",
    "a)",
    "a and",
    "not",
    "a or or b",
    "foo:bar",
])
def test_invalid_selection_string_quotes_the_string(text):
    with pytest.raises(dg.InvalidSubsetError) as info:
        dg.AssetSelection.from_string(text)
    assert repr(text) in str(info.value)


def test_unknown_attribute_is_named_with_the_valid_ones():
    with pytest.raises(dg.InvalidSubsetError) as info:
        dg.AssetSelection.from_string("foo:bar")
    text = str(info.value)
    assert "'foo'" in text
    for attr in ("group", "key", "kind", "owner", "tag"):
        assert attr in text


def test_unclosed_parenthesis_is_explained():
    with pytest.raises(dg.InvalidSubsetError, match=r"'\(' is not closed"):
        dg.AssetSelection.from_string("(a or b")


def test_empty_selection_is_explained():
    with pytest.raises(dg.InvalidSubsetError, match="empty"):
        dg.AssetSelection.from_string("")


def test_invalid_string_passed_to_materialize_is_the_same_error():
    @dg.asset
    def a():
        return 1

    with pytest.raises(dg.InvalidSubsetError, match="'group:'"):
        dg.materialize_to_memory([a], selection="group:")


def test_unknown_key_in_selection_suggests_a_close_name():
    @dg.asset
    def upstream():
        return 1

    with pytest.raises(dg.InvalidSubsetError) as info:
        dg.materialize_to_memory([upstream], selection="upstrem")
    assert "'upstrem'" in str(info.value) and "'upstream'" in str(info.value)


def test_selection_matching_nothing_quotes_the_selection():
    @dg.asset
    def a():
        return 1

    with pytest.raises(dg.InvalidSubsetError, match="group:nowhere"):
        dg.materialize_to_memory([a], selection="group:nowhere")


@pytest.mark.parametrize("text", ["a", "a+", "*a", "group:g", 'key:"a"', "a or b", "not a",
                                  "(a or b) and group:g", "roots(a or b)", "*"])
def test_valid_strings_parse(text):
    assert isinstance(dg.AssetSelection.from_string(text), dg.AssetSelection)


@pytest.mark.parametrize("text", ["roots(*)", "(*)", "not *", "* and a"])
def test_star_is_all_assets_inside_an_expression(text):
    assert isinstance(dg.AssetSelection.from_string(text), dg.AssetSelection)
