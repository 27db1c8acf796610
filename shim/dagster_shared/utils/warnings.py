"""``dagster_shared.utils.warnings`` on Headwater: Dagster's API-stage warning categories.

The classes are Headwater's own (``headwater.definitions.warning_categories``), so
``dagster.BetaWarning`` and ``dagster_shared.utils.warnings.BetaWarning`` are one class and a
filter on either matches. Headwater has no preview/beta stages of its API, so it never emits
them; they exist so ``pytest.warns``/``filterwarnings`` lines naming them still import.
"""

from headwater.definitions.warning_categories import (
    BetaWarning,
    ConfigArgumentWarning,
    PreviewWarning,
    SupersessionWarning,
)


class DeprecationWarning(FutureWarning):  # noqa: A001 - older Dagster's name for its category
    pass


ExperimentalWarning = BetaWarning  # older Dagster's name for the beta stage

__all__ = [
    "BetaWarning", "ConfigArgumentWarning", "DeprecationWarning", "ExperimentalWarning",
    "PreviewWarning", "SupersessionWarning",
]
