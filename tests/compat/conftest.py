"""Shared setup for the Dagster-compatibility suite.

Every test module picks its implementation with ``DG_IMPL`` (``headwater`` by default,
``dagster`` for the oracle run: ``make compat-dagster``).
"""

import os
import sys

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
if FIXTURES not in sys.path:
    sys.path.insert(0, FIXTURES)
