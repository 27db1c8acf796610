"""``dg.components.load_defs``: load a package of definitions modules (Dagster components)."""

from headwater.definitions.load import load_defs

__all__ = ["load_defs"]
