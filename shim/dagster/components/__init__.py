"""``dagster.components`` on Headwater."""

from headwater.components import *  # noqa: F403
from headwater.components import __all__  # noqa: F401
