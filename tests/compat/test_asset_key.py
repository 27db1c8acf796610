import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def test_single_string_path():
    assert dg.AssetKey("a").path == ["a"]


def test_list_path():
    assert dg.AssetKey(["a", "b"]).path == ["a", "b"]


def test_tuple_path_becomes_list():
    key = dg.AssetKey(("a", "b"))
    assert key.path == ["a", "b"]
    assert isinstance(key.path, list)


def test_slash_in_string_is_not_split():
    # Surprising: AssetKey("a/b") is ONE component; only from_user_string splits on "/".
    assert dg.AssetKey("a/b").path == ["a/b"]


def test_equality_string_vs_list():
    assert dg.AssetKey("a") == dg.AssetKey(["a"])
    assert dg.AssetKey(["a", "b"]) != dg.AssetKey(["b", "a"])


def test_not_equal_to_plain_string():
    assert dg.AssetKey("a") != "a"


def test_hashable_dict_and_set():
    d = {dg.AssetKey("a"): 1}
    assert d[dg.AssetKey(["a"])] == 1
    assert len({dg.AssetKey("a"), dg.AssetKey(["a"]), dg.AssetKey("b")}) == 2


def test_to_user_string():
    assert dg.AssetKey(["a", "b"]).to_user_string() == "a/b"
    assert dg.AssetKey("a").to_user_string() == "a"


def test_to_string_is_json_list():
    assert dg.AssetKey(["a", "b"]).to_string() == '["a", "b"]'


def test_repr():
    assert repr(dg.AssetKey(["a", "b"])) == "AssetKey(['a', 'b'])"
    assert str(dg.AssetKey("a")) == "AssetKey(['a'])"


def test_from_user_string():
    assert dg.AssetKey.from_user_string("a/b") == dg.AssetKey(["a", "b"])
    assert dg.AssetKey.from_user_string("a") == dg.AssetKey("a")


def test_from_coercible():
    assert dg.AssetKey.from_coercible("a") == dg.AssetKey(["a"])
    assert dg.AssetKey.from_coercible(["a", "b"]) == dg.AssetKey(["a", "b"])
    assert dg.AssetKey.from_coercible(("a", "b")) == dg.AssetKey(["a", "b"])
    assert dg.AssetKey.from_coercible(dg.AssetKey("x")) == dg.AssetKey("x")


def test_from_coercible_string_not_split():
    assert dg.AssetKey.from_coercible("a/b").path == ["a/b"]


def test_with_prefix_string():
    assert dg.AssetKey("a").with_prefix("p") == dg.AssetKey(["p", "a"])


def test_with_prefix_list():
    assert dg.AssetKey(["a", "b"]).with_prefix(["x", "y"]) == dg.AssetKey(["x", "y", "a", "b"])


def test_has_prefix():
    key = dg.AssetKey(["a", "b", "c"])
    assert key.has_prefix(["a"])
    assert key.has_prefix(["a", "b"])
    assert not key.has_prefix(["b"])


def test_to_python_identifier():
    assert dg.AssetKey(["a", "b"]).to_python_identifier() == "a__b"
    assert dg.AssetKey(["a", "b"]).to_python_identifier("s") == "a__b__s"
    assert dg.AssetKey("a").to_python_identifier() == "a"


def test_sorting_is_by_path():
    keys = sorted([dg.AssetKey("b"), dg.AssetKey(["a", "c"]), dg.AssetKey("a")])
    assert keys == [dg.AssetKey("a"), dg.AssetKey(["a", "c"]), dg.AssetKey("b")]


def test_non_sequence_rejected():
    # Dagster raises an internal check error here; any exception class is acceptable.
    with pytest.raises(Exception):  # noqa: B017
        dg.AssetKey(1)


def test_asset_check_key():
    ck = dg.AssetCheckKey(dg.AssetKey("a"), "my_check")
    assert ck.asset_key == dg.AssetKey("a")
    assert ck.name == "my_check"
    assert ck == dg.AssetCheckKey(dg.AssetKey(["a"]), "my_check")


def test_asset_key_usable_in_asset_decorator():
    @dg.asset(key=dg.AssetKey(["x", "y"]))
    def thing():
        return 1

    assert thing.key == dg.AssetKey(["x", "y"])


def test_asset_key_invalid_component_rejected_by_asset():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="a b"):

        @dg.asset(key=["a b"])
        def thing():
            return 1


def test_asset_key_dash_allowed_in_asset_key():
    # Surprising: op names must match ^[A-Za-z0-9_]+$, but asset keys may contain '-'.
    @dg.asset(key=["my-asset"])
    def thing():
        return 1

    assert thing.key == dg.AssetKey("my-asset")
