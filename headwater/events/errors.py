"""Errors as data: what a failed step records, with the user's frames only."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from typing import Any

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PLUMBING = (os.sep + "contextlib.py", os.sep + "importlib" + os.sep)


@dataclass(frozen=True)
class SerializableErrorInfo:
    message: str
    stack: list[str]
    cls_name: str | None
    cause: SerializableErrorInfo | None = None
    context: SerializableErrorInfo | None = None

    def to_string(self) -> str:
        text = "".join(self.stack) + self.message
        if self.cause is not None:
            text = (self.cause.to_string() + "\nThe above exception was the direct cause of the "
                    "following exception:\n\n" + text)
        elif self.context is not None:
            text = (self.context.to_string() + "\nDuring handling of the above exception, "
                    "another exception occurred:\n\n" + text)
        return text

    def __str__(self) -> str:
        return self.to_string()

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "stack": self.stack, "cls_name": self.cls_name,
                "cause": self.cause.to_json() if self.cause else None,
                "context": self.context.to_json() if self.context else None}

    @staticmethod
    def from_json(data: dict[str, Any] | None) -> SerializableErrorInfo | None:
        if not data:
            return None
        return SerializableErrorInfo(data["message"], list(data["stack"]), data.get("cls_name"),
                                     SerializableErrorInfo.from_json(data.get("cause")),
                                     SerializableErrorInfo.from_json(data.get("context")))


def _is_framework_frame(filename: str) -> bool:
    """Headwater's own frames, and the standard library's call plumbing between them."""
    if filename.startswith(_PKG_DIR + os.sep):
        return True
    return filename.endswith(_PLUMBING[0]) or _PLUMBING[1] in filename


def error_info_from_exc(exc: BaseException, user_frames_only: bool = True,
                        _depth: int = 0) -> SerializableErrorInfo:
    """Record an exception; framework frames are dropped so the user sees their own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    if user_frames_only:
        kept = [f for f in frames if not _is_framework_frame(f.filename)]
        frames = traceback.StackSummary.from_list(kept or frames[-1:])
    stack = traceback.format_list(frames)
    message = "".join(traceback.format_exception_only(type(exc), exc))
    cause = context = None
    if exc.__cause__ is not None and _depth < 5:
        cause = error_info_from_exc(exc.__cause__, user_frames_only, _depth + 1)
    elif exc.__context__ is not None and not exc.__suppress_context__ and _depth < 5:
        context = error_info_from_exc(exc.__context__, user_frames_only, _depth + 1)
    return SerializableErrorInfo(message, stack, type(exc).__name__, cause, context)
