"""Run config is validated once, before anything runs, and every bad path is reported at once."""

from __future__ import annotations

import pytest

import headwater as dg


class CountConfig(dg.Config):
    count: int


class LabelConfig(dg.Config):
    label: str
    size: int = 3


@dg.asset
def counted(config: CountConfig):
    return config.count


@dg.asset
def labelled(config: LabelConfig):
    return config.label


class Db(dg.ConfigurableResource):
    port: int


class Cache(dg.ConfigurableResource):
    ttl: int


@dg.asset
def uses_both(db: Db, cache: Cache):
    return db.port + cache.ttl


@pytest.fixture
def instance(tmp_path):
    with dg.Instance.local(tmp_path / "home") as instance:
        yield instance


def config_error(assets, run_config, resources=None, instance=None) -> dg.InvalidConfigError:
    with pytest.raises(dg.InvalidConfigError) as info:
        dg.materialize_to_memory(assets, run_config=run_config, resources=resources,
                                 instance=instance)
    return info.value


def test_bad_config_of_two_assets_reports_both_paths():
    err = config_error([counted, labelled], {"ops": {
        "counted": {"config": {"count": "many"}},
        "labelled": {"config": {"label": ["not", "a", "str"]}},
    }})
    paths = sorted(e.split(":", 1)[0] for e in err.errors)
    assert paths == ["ops.counted.config.count", "ops.labelled.config.label"]
    for path in paths:
        assert path in str(err)


def test_missing_config_of_two_assets_reports_both_paths():
    err = config_error([counted, labelled], None)
    paths = sorted(e.split(":", 1)[0] for e in err.errors)
    assert paths == ["ops.counted.config.count", "ops.labelled.config.label"]


def test_unknown_op_is_reported_with_the_other_errors():
    err = config_error([counted], {"ops": {"countd": {"config": {}},
                                           "counted": {"config": {"count": "x"}}}})
    text = "\n".join(err.errors)
    assert "ops.countd" in text and "ops.counted.config.count" in text
    assert len(err.errors) == 2


def test_op_config_error_creates_no_run(instance):
    config_error([counted], {"ops": {"counted": {"config": {"count": "x"}}}},
                 instance=instance)
    assert instance.get_runs() == []


def test_unknown_field_does_not_hide_other_errors_of_the_same_config():
    err = config_error([labelled], {"ops": {"labelled": {"config": {"size": "big", "colour": 1}}}})
    paths = sorted(e.split(":", 1)[0] for e in err.errors)
    assert paths == ["ops.labelled.config.colour", "ops.labelled.config.label",
                     "ops.labelled.config.size"]


def test_bad_config_of_two_resources_reports_both_paths():
    err = config_error(
        [uses_both],
        {"resources": {"db": {"config": {"port": "x"}}, "cache": {"config": {"ttl": "y"}}}},
        resources={"db": Db.configure_at_launch(), "cache": Cache.configure_at_launch()})
    paths = sorted(e.split(":", 1)[0] for e in err.errors)
    assert paths == ["resources.cache.config.ttl", "resources.db.config.port"]


def test_op_and_resource_config_errors_are_reported_together():
    @dg.asset
    def configured(config: CountConfig, db: Db):
        return config.count + db.port

    err = config_error(
        [configured],
        {"ops": {"configured": {"config": {"count": "x"}}},
         "resources": {"db": {"config": {"port": "y"}}}},
        resources={"db": Db.configure_at_launch()})
    paths = sorted(e.split(":", 1)[0] for e in err.errors)
    assert paths == ["ops.configured.config.count", "resources.db.config.port"]
