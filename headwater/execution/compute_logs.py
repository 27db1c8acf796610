"""Compute logs: each step's stdout and stderr, captured to files under the instance.

Layout: ``<instance root>/compute_logs/<run_id>/<step_key>.out`` (stdout) and ``.err``
(stderr). The location is derived from the run id and step key alone, so no event records it.

Capture swaps ``sys.stdout``/``sys.stderr`` for the duration of a step (in every executor) with
streams that write through to the file on every write, so a running step's log can be read as
it grows, and still mirror to the original stream, so the console shows what it always showed.
A file is created on the step's first write: a step that prints nothing costs no file.

File names: a step key is used as it is when it makes a file name that fits; a longer one (or
one with a path separator, a NUL, or ``~``) is shortened to a prefix, ``~`` and a hash
(``safe_paths.py``), and a ``<name>.key`` file next to the logs, written whole and atomically,
holds the full key, so listing a run's logs gives the keys back.

One writer per file: a file belongs to one step of one run (run ids are unique; a step key is
unique in its run); the attempts of a step run one after the other, each appending
(``O_APPEND``), and a thread that outlives its step's attempt writes only to the console.

A failing log file (a full disk, a read-only folder) never fails the step: capture of that
stream stops, the output still reaches the console, and one warning says so on stderr.

Known limit: what bypasses ``sys.stdout`` (a subprocess or C code writing to file descriptor 1
directly) is not captured; it still reaches the console.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

from headwater.execution.safe_paths import HASH_MARK, NAME_MAX, is_plain, shortened, write_whole

IO_SUFFIX = {"stdout": ".out", "stderr": ".err"}
DIRECTORY_NAME = "compute_logs"


KEY_SUFFIX = ".key"
_SUFFIX_BYTES = 4  # ".out", ".err", ".key"


def _safe(name: str) -> str:
    """A run id or step key as a file name (without suffix): itself if it fits and cannot be
    mistaken for a shortened name, else shortened (unique, within the limit)."""
    if HASH_MARK not in name and is_plain(name, NAME_MAX - _SUFFIX_BYTES):
        return name
    return shortened(name)


class ComputeLogManager:
    """Where a run's step logs live under the instance, how to read them, how to capture them."""

    def __init__(self, base_dir: str):
        self.base_dir = base_dir

    @classmethod
    def for_instance(cls, instance: Any) -> ComputeLogManager:
        return cls(os.path.join(instance.root_directory, DIRECTORY_NAME))

    def run_directory(self, run_id: str) -> str:
        return os.path.join(self.base_dir, _safe(run_id))

    def path(self, run_id: str, step_key: str, io: str = "stdout") -> str:
        if io not in IO_SUFFIX:
            raise ValueError(f"io must be 'stdout' or 'stderr', not {io!r}")
        return os.path.join(self.run_directory(run_id), _safe(step_key) + IO_SUFFIX[io])

    def read(self, run_id: str, step_key: str, io: str = "stdout") -> str:
        """What the step wrote so far ('' if it wrote nothing); safe while the step runs."""
        try:
            with open(self.path(run_id, step_key, io), encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def step_keys(self, run_id: str) -> list[str]:
        """Steps of the run that wrote anything, by key."""
        folder = self.run_directory(run_id)
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return []
        suffixes = tuple(IO_SUFFIX.values())
        keys = set()
        for stem in {n[:-_SUFFIX_BYTES] for n in names if n.endswith(suffixes)}:
            if HASH_MARK in stem:  # a shortened name: its full key is beside it
                try:
                    with open(os.path.join(folder, stem + KEY_SUFFIX), encoding="utf-8") as f:
                        stem = f.read()
                except OSError:
                    pass
            keys.add(stem)
        return sorted(keys)

    @contextlib.contextmanager
    def capture(self, run_id: str, step_key: str,
                mask: Callable[[str], str] | None = None) -> Iterator[None]:
        """Send this process's ``sys.stdout``/``sys.stderr`` to the step's files (and on);
        ``mask`` (the run's secret masker) rewrites each write before the file and console."""
        saved_out, saved_err = sys.stdout, sys.stderr
        key_file = (None if _safe(step_key) == step_key
                    else (os.path.join(self.run_directory(run_id), _safe(step_key) + KEY_SUFFIX),
                          step_key))
        out = _TeeStream(saved_out, self.path(run_id, step_key, "stdout"), mask, key_file,
                         saved_err)
        err = _TeeStream(saved_err, self.path(run_id, step_key, "stderr"), mask, key_file)
        sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved_out, saved_err
            out.close()
            err.close()


_MADE_DIRS: set[str] = set()
_APPEND_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
                 | getattr(os, "O_CLOEXEC", 0))


class _TeeStream:
    """A text stream that writes through to a log file (opened on first write) and mirrors.

    ``mask``: rewrites each write (secrets) before the file and the console. ``key_file``:
    (path, step key) of the file naming the step, written with the log's first write when the
    log's name is shortened. ``warn_to``: where to say that the log file failed (the original
    stderr; default: the mirror)."""

    def __init__(self, mirror: IO[str] | None, path: str,
                 mask: Callable[[str], str] | None = None,
                 key_file: tuple[str, str] | None = None, warn_to: IO[str] | None = None):
        self._mirror = mirror
        self._warn_to = warn_to
        self._path = path
        self._mask = mask
        self._key_file = key_file
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _open(self) -> int:
        folder = os.path.dirname(self._path)
        if folder not in _MADE_DIRS:
            os.makedirs(folder, exist_ok=True)
            _MADE_DIRS.add(folder)
        try:
            fd = os.open(self._path, _APPEND_FLAGS, 0o644)
        except FileNotFoundError:  # the folder was removed behind our back
            _MADE_DIRS.discard(folder)
            os.makedirs(folder, exist_ok=True)
            fd = os.open(self._path, _APPEND_FLAGS, 0o644)
        if self._key_file is not None and not os.path.exists(self._key_file[0]):
            try:
                write_whole(self._key_file[0], self._key_file[1].encode("utf-8"))
            except BaseException:
                os.close(fd)
                raise
        return fd

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        written = len(text)
        if self._mask is not None:  # per write: a secret split across two writes is not seen
            text = self._mask(text)
        with self._lock:
            if not self._closed:
                self._write_file(text)
        if self._mirror is not None:
            try:
                self._mirror.write(text)
            except (ValueError, OSError):  # the original stream was closed: the file has it
                pass
        return written

    def _write_file(self, text: str) -> None:
        """Append to the log now (readable while the step runs); on a failure (a full disk),
        stop capturing this stream, say so once, and never fail the caller."""
        data = text.encode("utf-8", "replace")
        try:
            if self._fd is None:
                self._fd = self._open()
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as e:
            self._give_up(e)

    def _give_up(self, error: OSError) -> None:
        self._closed = True
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        reason = ("the disk is full" if error.errno in (errno.ENOSPC, errno.EDQUOT)
                  else error.strerror or str(error))
        warning = (f"headwater: could not write the compute log {self._path}: {reason}; the rest "
                   "of this output is not captured (it still shows here). Free space there to "
                   "capture the next steps' output.\n")
        console = self._warn_to if self._warn_to is not None else self._mirror
        if console is not None:
            with contextlib.suppress(ValueError, OSError):
                console.write(warning)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._mirror is not None:
            with contextlib.suppress(ValueError, OSError):
                self._mirror.flush()

    def close(self) -> None:
        """End of the step: later writes (a thread that outlived it) only reach the mirror."""
        with self._lock:
            self._closed = True
            if self._fd is not None:
                with contextlib.suppress(OSError):  # nothing is buffered: nothing to lose
                    os.close(self._fd)
                self._fd = None
        self.flush()

    @property
    def closed(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def isatty(self) -> bool:
        try:
            return bool(self._mirror is not None and self._mirror.isatty())
        except (AttributeError, ValueError):
            return False

    @property
    def encoding(self) -> str:
        return "utf-8"

    @property
    def errors(self) -> str:
        return "replace"

    def fileno(self) -> int:
        if self._mirror is None:
            raise OSError("no file descriptor")
        return self._mirror.fileno()

    def __getattr__(self, name: str) -> Any:  # anything else a stream has: the original's
        return getattr(self._mirror, name)


def read_compute_log(instance: Any, run_id: str, step_key: str, io: str = "stdout") -> str:
    """A step's captured stdout (or stderr), as far as it has been written."""
    return ComputeLogManager.for_instance(instance).read(run_id, step_key, io)
