"""Printing: tables (rich on a terminal, aligned plain text otherwise), times and durations.

``rich`` is imported only when a table goes to a terminal, so scripted use stays light.
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Sequence

import click

from headwater.cli.common import is_tty


def print_table(columns: Sequence[str], rows: Sequence[Sequence[object]],
                title: str | None = None, err: bool = False, wrap: Sequence[str] = ()) -> None:
    """A table on stdout (or stderr); plain aligned columns when not writing to a terminal.

    On a narrow terminal only the ``wrap`` columns fold; the others (keys, ids, times) stay whole.
    """
    stream = sys.stderr if err else sys.stdout
    cells = [["" if c is None else str(c) for c in row] for row in rows]
    if is_tty(stream):
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, title_justify="left", header_style="bold")
        for name in columns:
            table.add_column(name, no_wrap=name not in wrap, overflow="fold")
        for row in cells:
            table.add_row(*row)
        Console(file=stream, highlight=False).print(table)
        return
    if title:
        click.echo(title, err=err)
    widths = [len(c) for c in columns]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=False)).rstrip()

    click.echo(line(list(columns)), err=err)
    click.echo(line(["-" * w for w in widths]), err=err)
    for row in cells:
        click.echo(line(row), err=err)


def format_time(ts: float | None, with_date: bool = True, millis: bool = False) -> str:
    """A Unix timestamp in local time ('' when None)."""
    if ts is None:
        return ""
    when = _dt.datetime.fromtimestamp(ts)
    text = when.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")
    return f"{text}.{when.microsecond // 1000:03d}" if millis else text


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s"


def first_line(text: str | None, limit: int = 80) -> str:
    if not text:
        return ""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.rstrip().splitlines())
