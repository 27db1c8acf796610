"""The API-stage warning categories a project's tests name: ``dg.BetaWarning`` and friends.

Projects write ``filterwarnings = ignore::dagster.BetaWarning`` in their pytest config and
``pytest.warns(dg.PreviewWarning)`` in tests; both need the classes at the top level.
"""

import importlib
import os
import warnings

import pytest

IMPL = os.environ.get("DG_IMPL", "headwater")
dg = importlib.import_module(IMPL)

CATEGORIES = {
    "BetaWarning": Warning,
    "PreviewWarning": Warning,
    "SupersessionWarning": FutureWarning,
    "ConfigArgumentWarning": SyntaxWarning,
}


def test_every_public_warning_category_is_exported():
    exported = {name for name in dir(dg) if name.endswith("Warning")}
    assert set(CATEGORIES) <= exported


@pytest.mark.parametrize("name", sorted(CATEGORIES))
def test_category_bases(name):
    category = getattr(dg, name)
    assert issubclass(category, CATEGORIES[name])
    assert not issubclass(category, DeprecationWarning)


@pytest.mark.parametrize("name", sorted(CATEGORIES))
def test_filterwarnings_spelling_resolves_and_filters(name):
    # pytest resolves "ignore::<module>.<Name>" by importing the module and reading the name
    module, _, attr = f"{IMPL}.{name}".rpartition(".")
    category = getattr(importlib.import_module(module), attr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=category)
        warnings.warn("stage", category, stacklevel=1)
    assert caught == []
    with pytest.warns(category, match="stage"):
        warnings.warn("stage", category, stacklevel=1)
