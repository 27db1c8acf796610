"""``dagster._config`` on Headwater: the legacy config schema types."""

from headwater.definitions.config_types import (  # noqa: F401
    Array,
    BoolSource,
    Enum,
    EnumValue,
    Field,
    IntSource,
    Map,
    Noneable,
    Permissive,
    Selector,
    Shape,
    StringSource,
)
