"""``headwater instance concurrency``: the instance's concurrency pools (Dagster's
``dagster instance concurrency get/set``): how many slots each pool has, who holds them and
who waits."""

from __future__ import annotations

import os

import click

from headwater.cli.common import CliError, home_directory


@click.group("concurrency")
def concurrency_group() -> None:
    """Concurrency pools: slots shared by the steps of every run that name the pool."""


def _open_instance(create: bool):  # type: ignore[no-untyped-def]
    from headwater.storage import Instance

    home, from_env = home_directory()
    if not create and not from_env and not os.path.isdir(home):
        return None
    return Instance.local(home)


@concurrency_group.command("set")
@click.argument("pool")
@click.argument("slots", type=int)
def set_pool(pool: str, slots: int) -> None:
    """Give POOL a number of SLOTS (0 holds every step of the pool back)."""
    from headwater.definitions.errors import InvalidInvocationError

    with _open_instance(create=True) as instance:
        try:
            instance.set_concurrency_slots(pool, slots)
        except InvalidInvocationError as exc:
            raise CliError(str(exc)) from None
    click.echo(f"Pool {pool!r} has {slots} slot{'' if slots == 1 else 's'}.")


@concurrency_group.command("get")
@click.argument("pool", required=False)
def get_pool(pool: str | None) -> None:
    """Show POOL's slots, the steps holding them and the steps waiting (every pool without
    POOL)."""
    instance = _open_instance(create=False)
    if instance is None:
        click.echo("No concurrency pools are set.")
        return
    with instance:
        pools = sorted(instance.get_concurrency_keys())
        default = instance.default_pool_limit()
        if pool is not None and pool not in pools and default is None:
            raise CliError(f"No concurrency pool {pool!r} is set in this instance"
                           + (f" (pools: {', '.join(pools)})" if pools else "")
                           + f". Set it with `headwater instance concurrency set {pool} N`.")
        infos = [instance.get_concurrency_info(p) for p in ([pool] if pool else pools)]
    if not infos:
        click.echo("No concurrency pools are set.")
        return
    for info in infos:
        click.echo(f"{info.concurrency_key}: {info.active_slot_count} of {info.slot_count} "
                   f"slots in use, {info.pending_step_count} waiting"
                   + (" (the default limit: concurrency.pools.default_limit)"
                      if info.using_default_limit else ""))
        for slot in info.claimed_slots:
            click.echo(f"  held by run {slot.run_id} step {slot.step_key}")
        for step in info.pending_steps:
            click.echo(f"  waiting: run {step.run_id} step {step.step_key} "
                       f"(priority {step.priority})")


@concurrency_group.command("delete")
@click.argument("pool")
def delete_pool(pool: str) -> None:
    """Remove POOL's limit (its steps then run without waiting for a slot)."""
    instance = _open_instance(create=False)
    if instance is None:
        raise CliError(f"No concurrency pool {pool!r} is set in this instance.")
    with instance:
        if (pool not in instance.get_concurrency_keys()
                or instance.get_concurrency_info(pool).using_default_limit):
            raise CliError(f"No concurrency pool {pool!r} is set in this instance.")
        instance.delete_concurrency_limit(pool)
    click.echo(f"Pool {pool!r} removed.")
