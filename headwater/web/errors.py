"""API errors as JSON: ``{"error": {"message": ..., "fields": [{"loc": ..., "msg": ...}]}}``.

A handler raises ``ApiError`` for a problem with the request (4xx); the app turns pydantic's
validation errors into 422 with the field that is wrong. Nothing a user sends yields a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    loc: str  # "query.limit", "body.run_config.ops.x"
    msg: str


@dataclass
class ApiError(Exception):
    status: int
    message: str
    fields: Sequence[FieldProblem] = field(default_factory=tuple)

    def __str__(self) -> str:
        return self.message

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message,
                          "fields": [{"loc": f.loc, "msg": f.msg} for f in self.fields]}}


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def validation_error(where: str, errors: Sequence[Any]) -> ApiError:
    """A 422 from pydantic's ``errors()``: one problem per bad field."""
    problems = tuple(
        FieldProblem(".".join([where, *(str(p) for p in e.get("loc", ()))]), str(e.get("msg")))
        for e in errors)
    first = problems[0] if problems else FieldProblem(where, "invalid")
    return ApiError(422, f"{first.loc}: {first.msg}", problems)
