"""``dagster_shared.utils.warnings`` on Headwater: Dagster's API-stage warning categories.

Headwater has no preview/beta stages of Dagster's API, so it never emits them; they exist so
``pytest.warns``/``filterwarnings`` lines naming them still import.
"""


class PreviewWarning(Warning):
    pass


class BetaWarning(Warning):
    pass


class SupersessionWarning(FutureWarning):
    pass


class DeprecationWarning(FutureWarning):  # noqa: A001 - Dagster's name for its own category
    pass


ExperimentalWarning = BetaWarning
