"""Compute logs: each step's stdout and stderr, captured to files under the instance.

Layout: ``<instance root>/compute_logs/<run_id>/<step_key>.out`` (stdout) and ``.err``
(stderr). The location is derived from the run id and step key alone, so no event records it.

Capture swaps ``sys.stdout``/``sys.stderr`` for the duration of a step (in every executor) with
streams that write through to the file on every write, so a running step's log can be read as
it grows, and still mirror to the original stream, so the console shows what it always showed.
A file is created on the step's first write: a step that prints nothing costs no file.

Known limit: what bypasses ``sys.stdout`` (a subprocess or C code writing to file descriptor 1
directly) is not captured; it still reaches the console.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

IO_SUFFIX = {"stdout": ".out", "stderr": ".err"}
DIRECTORY_NAME = "compute_logs"


def _safe(name: str) -> str:
    """A step key as a file name: path separators (never in keys we make) are replaced."""
    return name.replace("/", "_").replace("\\", "_").replace(os.sep, "_")


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
        """Steps of the run that wrote anything, by name."""
        try:
            names = os.listdir(self.run_directory(run_id))
        except FileNotFoundError:
            return []
        suffixes = tuple(IO_SUFFIX.values())
        return sorted({n[:-4] for n in names if n.endswith(suffixes)})

    @contextlib.contextmanager
    def capture(self, run_id: str, step_key: str,
                mask: Callable[[str], str] | None = None) -> Iterator[None]:
        """Send this process's ``sys.stdout``/``sys.stderr`` to the step's files (and on);
        ``mask`` (the run's secret masker) rewrites each write before the file and console."""
        saved_out, saved_err = sys.stdout, sys.stderr
        out = _TeeStream(saved_out, self.path(run_id, step_key, "stdout"), mask)
        err = _TeeStream(saved_err, self.path(run_id, step_key, "stderr"), mask)
        sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved_out, saved_err
            out.close()
            err.close()


_MADE_DIRS: set[str] = set()


class _TeeStream:
    """A text stream that writes through to a log file (opened on first write) and mirrors."""

    def __init__(self, mirror: IO[str] | None, path: str,
                 mask: Callable[[str], str] | None = None):
        self._mirror = mirror
        self._path = path
        self._mask = mask
        self._file: IO[str] | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _open(self) -> IO[str]:
        folder = os.path.dirname(self._path)
        if folder not in _MADE_DIRS:
            os.makedirs(folder, exist_ok=True)
            _MADE_DIRS.add(folder)
        try:
            return open(self._path, "a", encoding="utf-8", errors="replace")
        except FileNotFoundError:  # the folder was removed behind our back
            _MADE_DIRS.discard(folder)
            os.makedirs(folder, exist_ok=True)
            return open(self._path, "a", encoding="utf-8", errors="replace")

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        written = len(text)
        if self._mask is not None:  # per write: a secret split across two writes is not seen
            text = self._mask(text)
        with self._lock:
            if not self._closed:
                if self._file is None:
                    self._file = self._open()
                self._file.write(text)
                self._file.flush()  # readable while the step runs
        if self._mirror is not None:
            try:
                self._mirror.write(text)
            except (ValueError, OSError):  # the original stream was closed: the file has it
                pass
        return written

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
            if self._file is not None:
                self._file.close()
                self._file = None
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
