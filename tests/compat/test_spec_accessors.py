"""``AssetsDefinition`` spec accessors: what users read off a decorated asset in their tests
(``my_asset.specs_by_key[key].group_name``, ``my_asset.check_specs``...)."""

import importlib
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

X = dg.AssetKey("x")
P, Q = dg.AssetKey("p"), dg.AssetKey("q")


@dg.asset(group_name="g", metadata={"m": 1}, tags={"t": "v"}, owners=["a@b.com"],
          code_version="1", description="desc",
          check_specs=[dg.AssetCheckSpec("c1", asset="x")])
def x(up):
    return up


@dg.multi_asset(specs=[dg.AssetSpec("p", deps=["x"]), dg.AssetSpec("q", description="qd")],
                check_specs=[dg.AssetCheckSpec("qc", asset="q"), dg.AssetCheckSpec("qd", asset="q")],
                can_subset=True)
def m():
    pass


def test_specs_by_key_and_specs():
    assert set(x.specs_by_key) == {X}
    assert x.specs_by_key[X].group_name == "g"
    assert x.specs_by_key[X] == x.get_asset_spec(X) == x.get_asset_spec()
    assert [s.key for s in x.specs] == [X]
    assert set(m.specs_by_key) == {P, Q}
    assert {s.key for s in m.specs} == {P, Q}
    assert m.get_asset_spec(Q).description == "qd"
    assert [d.asset_key for d in m.specs_by_key[P].deps] == [X]


def test_a_multi_asset_has_no_single_key():
    assert x.key == X
    with pytest.raises(Exception, match="multiple asset keys"):  # noqa: B017 (Dagster: CheckError)
        _ = m.key
    with pytest.raises(Exception, match="multiple asset keys"):  # noqa: B017
        m.get_asset_spec()


def test_check_spec_accessors():
    check = dg.AssetCheckKey(X, "c1")
    assert [s.name for s in x.check_specs] == ["c1"]
    assert x.check_keys == {check}
    assert x.check_key == check
    assert list(x.check_specs_by_output_name) == ["x_c1"]
    assert x.check_specs_by_output_name["x_c1"].asset_key == X
    assert x.node_check_specs_by_output_name == x.check_specs_by_output_name
    assert m.check_keys == {dg.AssetCheckKey(Q, "qc"), dg.AssetCheckKey(Q, "qd")}
    assert set(m.check_specs_by_output_name) == {"q_qc", "q_qd"}
    with pytest.raises(Exception, match="more or less than 1 asset check key"):  # noqa: B017
        _ = m.check_key


def test_keys_and_dependencies():
    assert x.keys == {X}
    assert m.keys == {P, Q}
    assert x.keys_by_output_name == {"result": X}
    assert m.keys_by_output_name == {"p": P, "q": Q}
    assert m.node_keys_by_output_name == {"p": P, "q": Q}
    assert x.keys_by_input_name == {"up": dg.AssetKey("up")}
    assert x.dependency_keys == {dg.AssetKey("up")}
    assert x.asset_deps == {X: {dg.AssetKey("up")}}
    assert m.dependency_keys == {X}
    assert m.asset_deps == {P: {X}, Q: set()}


def test_attributes_by_key():
    assert x.group_names_by_key == {X: "g"}
    assert x.metadata_by_key == {X: {"m": 1}}
    assert x.tags_by_key == {X: {"t": "v"}}
    assert x.owners_by_key == {X: ["a@b.com"]}
    assert x.code_versions_by_key == {X: "1"}
    assert x.descriptions_by_key == {X: "desc"}
    assert x.partitions_def is None
    assert m.group_names_by_key == {P: "default", Q: "default"}
    assert m.metadata_by_key == {P: {}, Q: {}}
    assert m.tags_by_key == {P: {}, Q: {}}
    assert m.owners_by_key == {P: [], Q: []}
    assert m.code_versions_by_key == {P: None, Q: None}
    # only the assets that have a description / automation condition appear
    assert m.descriptions_by_key == {Q: "qd"}
    assert m.automation_conditions_by_key == {}


def test_partitions_def_and_automation_condition():
    parts = dg.StaticPartitionsDefinition(["a", "b"])
    cond = dg.AutomationCondition.eager()

    @dg.asset(partitions_def=parts, automation_condition=cond)
    def parted():
        return 1

    assert parted.partitions_def == parts
    assert parted.automation_conditions_by_key == {dg.AssetKey("parted"): cond}
