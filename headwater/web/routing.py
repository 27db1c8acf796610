"""A thin route registry: typed endpoints, request validation, and the OpenAPI document.

    api = Api()

    @api.get("/runs", query=RunsQuery, response=RunsPage, tag="runs")
    def list_runs(ctx: WebContext, call: Call[RunsQuery, None]) -> RunsPage: ...

Query strings and JSON bodies are parsed into pydantic models (a bad one is a 422 naming the
field), handlers run on a worker thread (storage calls block), their return value is
serialized with orjson, and ``openapi()`` builds the OpenAPI 3.1 document from the same
declarations -- one source for the server, its document and the typed client.
"""

from __future__ import annotations

import logging
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from headwater.web.context import WebContext
from headwater.web.errors import ApiError, validation_error

_log = logging.getLogger("headwater.web")

Q = TypeVar("Q", bound=BaseModel | None)
B = TypeVar("B", bound=BaseModel | None)
API_PREFIX = "/api/v1"
_PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?}")  # {name} or {name:path}


@dataclass(frozen=True)
class Call(Generic[Q, B]):
    """One request, parsed: path parameters, the query model, the body model."""

    path: dict[str, str]
    query: Q
    body: B
    request: Request


Handler = Callable[[WebContext, Call[Any, Any]], Any]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # under the prefix: "/runs/{run_id}"
    handler: Handler
    summary: str
    tag: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    media_type: str = "application/json"  # text/event-stream for a live stream
    # A POST that writes nothing (a check whose input is too large or too structured for a
    # query string, e.g. validating a run config): allowed in --read-only.
    safe: bool = False

    @property
    def writes(self) -> bool:
        return self.method != "GET" and not self.safe

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


def json_response(value: Any, status: int = 200) -> Response:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return Response(orjson.dumps(value), status_code=status, media_type="application/json")


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.status)


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation))
    return False


def parse_query(model: type[BaseModel], request: Request) -> BaseModel:
    params = request.query_params
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if _is_list(info.annotation):
            values = params.getlist(key)
            if values:
                data[key] = [v for value in values for v in value.split(",") if v]
        elif key in params:
            data[key] = params[key]
    unknown = set(params) - {info.alias or name for name, info in model.model_fields.items()}
    if unknown:
        raise ApiError(422, f"unknown query parameter(s): {', '.join(sorted(unknown))}")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise validation_error("query", e.errors(include_url=False)) from None


async def parse_body(model: type[BaseModel], request: Request) -> BaseModel:
    raw = await request.body()
    try:
        data = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError as e:
        raise ApiError(400, f"the request body is not JSON: {e}") from None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise validation_error("body", e.errors(include_url=False)) from None


class Api:
    """The endpoints of one API version."""

    def __init__(self, prefix: str = API_PREFIX):
        self.prefix = prefix
        self.endpoints: list[Endpoint] = []

    def _register(self, method: str, path: str, *, tag: str, query: type[BaseModel] | None,
                  body: type[BaseModel] | None, response: type[BaseModel] | None,
                  status: int, media_type: str = "application/json", safe: bool = False,
                  ) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            summary = (handler.__doc__ or handler.__name__).strip().splitlines()[0]
            self.endpoints.append(Endpoint(method, path, handler, summary, tag, query, body,
                                           response, status, media_type, safe))
            return handler
        return decorate

    def get(self, path: str, *, tag: str, query: type[BaseModel] | None = None,
            response: type[BaseModel] | None = None,
            media_type: str = "application/json") -> Callable[[Handler], Handler]:
        return self._register("GET", path, tag=tag, query=query, body=None, response=response,
                              status=200, media_type=media_type)

    def post(self, path: str, *, tag: str, body: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
             status: int = 200, safe: bool = False) -> Callable[[Handler], Handler]:
        """A write (refused in --read-only), unless ``safe``: a POST that changes nothing."""
        return self._register("POST", path, tag=tag, query=query, body=body,
                              response=response, status=status, safe=safe)

    def routes(self, ctx: WebContext) -> list[Route]:
        return [Route(self.prefix + e.path, _endpoint_app(ctx, e), methods=[e.method])
                for e in self.endpoints]


def _endpoint_app(ctx: WebContext, endpoint: Endpoint) -> Callable[[Request], Any]:
    async def app(request: Request) -> Response:
        try:
            if endpoint.writes and ctx.read_only:
                raise ApiError(403, "this server is read-only (started with --read-only)")
            query = parse_query(endpoint.query, request) if endpoint.query else None
            if endpoint.query is None and request.query_params:
                raise ApiError(422, "this endpoint takes no query parameters")
            body = await parse_body(endpoint.body, request) if endpoint.body else None
            call = Call(dict(request.path_params), query, body, request)
            result = await run_in_threadpool(endpoint.handler, ctx, call)
        except ApiError as e:
            return error_response(e)
        if isinstance(result, Response):
            return result
        return json_response(result, endpoint.status)

    app.__name__ = endpoint.operation_id
    return app


# ------------------------------------------------------------------------------ OpenAPI


def openapi_document(api: Api, title: str, version: str) -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    models = {m for e in api.endpoints for m in (e.body, e.response) if m is not None}
    models.add(ErrorBody)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, top = models_json_schema([(m, "serialization" if m is not ErrorBody else "validation")
                                 for m in ordered],
                                ref_template="#/components/schemas/{model}")
    schemas = top.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for e in api.endpoints:
        op: dict[str, Any] = {"operationId": e.operation_id, "summary": e.summary,
                              "tags": [e.tag], "parameters": _parameters(e)}
        if e.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{e.body.__name__}"}}}}
        ok: dict[str, Any] = {"description": "OK"}
        if e.response is not None:
            ok["content"] = {e.media_type: {
                "schema": {"$ref": f"#/components/schemas/{e.response.__name__}"}}}
        elif e.media_type != "application/json":
            ok["content"] = {e.media_type: {"schema": {"type": "string"}}}
        error = {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
        op["responses"] = {str(e.status): ok,
                           "4XX": {"description": "a problem with the request", **error}}
        documented = _PATH_PARAM.sub(lambda m: "{" + m.group(1) + "}", api.prefix + e.path)
        paths.setdefault(documented, {})[e.method.lower()] = op
    return {"openapi": "3.1.0", "info": {"title": title, "version": version},
            "paths": paths, "components": {"schemas": schemas}}


def _parameters(e: Endpoint) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(e.path)]
    if e.query is not None:
        schema = e.query.model_json_schema()
        required = set(schema.get("required", ()))
        for name, prop in schema.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if prop.get("type") == "array" or any(
                    p.get("type") == "array" for p in prop.get("anyOf", ())):
                param.update(style="form", explode=True)
            if "description" in prop:
                param["description"] = prop["description"]
            params.append(param)
    return params


class ErrorProblem(BaseModel):
    loc: str
    msg: str


class ErrorDetail(BaseModel):
    message: str
    fields: list[ErrorProblem]


class ErrorBody(BaseModel):
    error: ErrorDetail
