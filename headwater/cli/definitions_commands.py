"""``headwater definitions validate``: load the code location, build and check its graph."""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.common import CliError
from headwater.cli.loading import CodeLocation, LocationArgs, code_location_options


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def load_valid(location: LocationArgs) -> CodeLocation:
    """Load the code location and validate its Definitions; invalid -> CliError (exit 2)."""
    from headwater.definitions.definitions import Definitions
    from headwater.definitions.errors import HeadwaterError

    loc = location.load()
    try:
        Definitions.validate_loadable(loc.defs)
    except HeadwaterError as e:
        raise CliError(f"The definitions in {loc.origin} are not valid:\n{e}") from None
    return loc


def summary(defs: Any) -> str:
    """'N assets, N checks, N jobs, N resources' (resource names only, never their config)."""
    graph = defs.asset_graph
    external = sum(1 for i in range(len(graph)) if not graph.is_executable(i))
    checks = sum(len(cd.specs) for cd in graph.checks_defs)
    assets = _plural(len(graph), "asset") + (f" ({external} external)" if external else "")
    resources = _plural(len(defs.resources), "resource")
    if defs.resources:
        resources += f" ({', '.join(sorted(defs.resources))})"
    return ", ".join([assets, _plural(checks, "check"), _plural(len(defs.jobs), "job"),
                      resources])


@click.group("definitions")
def definitions_group() -> None:
    """Inspect the definitions of a code location."""


@definitions_group.command("validate")
@code_location_options
def validate(location: LocationArgs) -> None:
    """Load the definitions and check them (keys, dependencies, cycles, resources, jobs)."""
    loc = load_valid(location)
    click.echo(f"Valid: {loc.origin}: {summary(loc.defs)}")
