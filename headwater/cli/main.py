"""The ``headwater`` command: one click group, one small module per sub-group.

Any ``HeadwaterError`` that reaches here came from the user's input (code, selection, config,
run id): it is printed as a message and exits 2, never as a traceback of Headwater's code.
"""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.asset_commands import asset_group
from headwater.cli.backfill_commands import backfill_group
from headwater.cli.code_server_command import code_server_group
from headwater.cli.common import CliError
from headwater.cli.daemon_commands import daemon_group
from headwater.cli.definitions_commands import definitions_group
from headwater.cli.dev_command import dev_command
from headwater.cli.instance_commands import instance_group
from headwater.cli.job_commands import job_group
from headwater.cli.partition_commands import partitions_command
from headwater.cli.reexecute_command import reexecute_command
from headwater.cli.run_commands import run_group
from headwater.cli.run_logs import run_logs
from headwater.cli.schedule_commands import schedule_group, sensor_group
from headwater.cli.web_command import webserver_command


class _HeadwaterGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from headwater.definitions.errors import HeadwaterError

        try:
            return super().invoke(ctx)
        except HeadwaterError as e:
            raise CliError(str(e)) from None


def _version() -> str:
    from headwater import __version__

    return __version__


@click.group(cls=_HeadwaterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="headwater",
                      message="%(prog)s %(version)s")
def cli() -> None:
    """Headwater: define, run and inspect data assets (Dagster-compatible).

    A ``.env`` file in the working directory is loaded into the environment first.
    """
    from pathlib import Path

    from headwater.cli.env_file import announce_env_file

    announce_env_file(Path.cwd())


cli.add_command(definitions_group)
cli.add_command(webserver_command)
asset_group.add_command(partitions_command)
cli.add_command(asset_group)
run_group.add_command(run_logs)
run_group.add_command(reexecute_command)
cli.add_command(run_group)
cli.add_command(job_group)
cli.add_command(backfill_group)
cli.add_command(instance_group)
cli.add_command(daemon_group)
cli.add_command(schedule_group)
cli.add_command(sensor_group)
cli.add_command(code_server_group)
cli.add_command(dev_command)


def main() -> None:
    cli(prog_name="headwater")
