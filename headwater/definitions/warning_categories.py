"""Warning categories for API stages, under the names Dagster exports.

Headwater has no beta/preview stages of its API and never emits these; they exist so that
projects' ``pytest.warns(dg.BetaWarning)`` and ``filterwarnings = ignore::dagster.BetaWarning``
lines resolve. There is one class per name: the shim's ``dagster_shared.utils.warnings``
re-exports these, so a filter on either spelling matches the same category.
"""

from __future__ import annotations


class PreviewWarning(Warning):
    """An API in preview: may change or go away without notice."""


class BetaWarning(Warning):
    """An API in beta: stable in intent, details may still change."""


class SupersessionWarning(FutureWarning):
    """An API that still works but has a newer replacement."""


class ConfigArgumentWarning(SyntaxWarning):
    """A config argument given in a form that is accepted but discouraged."""
