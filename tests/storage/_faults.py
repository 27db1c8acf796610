"""Helpers of the bad-storage fault tests: find and overwrite a page of a real SQLite file,
mount folders read-only or on a small tmpfs, run a process that file permissions bind.

Pages are found by reading the SQLite file format (the b-tree of a table, from its root page
in ``sqlite_master``), so the tests need no SQLite compile option such as ``dbstat``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

_INTERIOR_TABLE, _LEAF_TABLE = 0x05, 0x0D


def _page(data: bytes, page_size: int, number: int) -> tuple[bytes, int]:
    """The bytes of page ``number`` and where its b-tree header starts (after the file
    header on page 1)."""
    start = (number - 1) * page_size
    return data[start:start + page_size], (100 if number == 1 else 0)


def table_leaf_pages(db_path: str | os.PathLike[str], table: str) -> list[int]:
    """The leaf pages of ``table``'s b-tree, in row order (left to right)."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table' "
                               "AND name = ?", (table,)).fetchone()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    data = Path(db_path).read_bytes()
    leaves: list[int] = []

    def walk(number: int) -> None:
        page, h = _page(data, page_size, number)
        kind = page[h]
        if kind == _LEAF_TABLE:
            leaves.append(number)
            return
        assert kind == _INTERIOR_TABLE, f"page {number} of {table} is not a table b-tree page"
        cells = int.from_bytes(page[h + 3:h + 5], "big")
        for i in range(cells):
            offset = int.from_bytes(page[h + 12 + 2 * i:h + 14 + 2 * i], "big")
            walk(int.from_bytes(page[offset:offset + 4], "big"))
        walk(int.from_bytes(page[h + 8:h + 12], "big"))  # the right-most child

    walk(root)
    return leaves


def overwrite_page(db_path: str | os.PathLike[str], number: int, fill: bytes = b"\0") -> None:
    """Overwrite page ``number`` of the (closed) database file, as a disk fault would."""
    conn = sqlite3.connect(db_path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db_path, "r+b") as f:
        f.seek((number - 1) * page_size)
        f.write((fill * page_size)[:page_size])


# ------------------------------------------------------------------ mounts and permissions

def _need_root_for(what: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs root (mount), and these tests do not run as root")


@contextlib.contextmanager
def mounted(args: list[str], target: Path, what: str) -> Iterator[Path]:
    """``mount ARGS TARGET`` for the test, unmounted afterwards; a skip (with the reason)
    where mounting is not permitted (not root, or a container without the capability)."""
    _need_root_for(what)
    if shutil.which("mount") is None:
        pytest.skip(f"{what}: no mount command")
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"{what}: mount is not permitted here ({done.stderr.strip()})")
    try:
        yield target
    finally:
        if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)


def read_only_bind(source: Path, target: Path) -> contextlib.AbstractContextManager[Path]:
    """``source`` seen read-only at ``target`` (a real read-only file system)."""
    return mounted(["--bind", "-o", "ro", str(source)], target, "a read-only mount")


def small_tmpfs(target: Path, size: str) -> contextlib.AbstractContextManager[Path]:
    return mounted(["-t", "tmpfs", "-o", f"size={size}", "tmpfs"], target, "a small tmpfs")


def bound_by_permissions() -> list[str]:
    """A command prefix whose process is bound by file permissions: nothing when not root;
    as root, ``setpriv`` drops the capabilities that let root ignore them."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: chmod cannot make files read-only to root")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
