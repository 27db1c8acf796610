"""The declarative model: assets, checks, config, resources, selections, Definitions. No I/O.

``dg.definitions`` is both this package and Dagster's ``@definitions`` decorator: Python binds
a subpackage as an attribute of its parent once it is imported, so the package itself is made
callable and forwards to the decorator (``headwater.definitions.load.definitions``).
"""

import sys
import types
from typing import Any


class _DefinitionsPackage(types.ModuleType):
    def __call__(self, fn: Any) -> Any:
        from headwater.definitions.load import definitions

        return definitions(fn)


sys.modules[__name__].__class__ = _DefinitionsPackage
