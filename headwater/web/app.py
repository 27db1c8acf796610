"""The ASGI app: ``/api/v1/...`` (``api/``), ``/api/openapi.json``, and the UI's static files
(``static/``, built from ``ui/`` by ``make ui``; any other path gets the UI's ``index.html`` so
that its routes load directly)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from headwater.web.context import WebContext
from headwater.web.errors import ApiError
from headwater.web.routing import error_response, json_response, openapi_document

_log = logging.getLogger("headwater.web")
STATIC_DIR = Path(__file__).parent / "static"
TITLE = "Headwater API"

_NO_UI = """<!doctype html><title>Headwater</title>
<p>The UI is not built in this installation (no <code>headwater/web/static/</code>):
run <code>make ui</code> in a checkout. The API is at
<a href="/api/openapi.json">/api/openapi.json</a>.</p>"""


def create_app(ctx: WebContext) -> Starlette:
    from headwater.web.api import load_endpoints

    api = load_endpoints()
    document = openapi_document(api, TITLE, _version())

    async def openapi(request: Request) -> Response:
        return json_response(document)

    async def api_not_found(request: Request) -> Response:
        return error_response(ApiError(404, f"no API route {request.url.path}"))

    routes: list[Any] = [Route("/api/openapi.json", openapi, methods=["GET"]), *api.routes(ctx),
                         Route("/api/{rest:path}", api_not_found,
                               methods=["GET", "POST", "PUT", "PATCH", "DELETE"])]
    # The built files live under /static/ (Vite's assetsDir): /assets/... is the UI's asset
    # pages (/assets/<key path>), which must get index.html like every other UI route.
    if (STATIC_DIR / "static").is_dir():
        routes.append(Mount("/static", StaticFiles(directory=STATIC_DIR / "static"),
                            name="static"))
    routes.append(Route("/{path:path}", _ui, methods=["GET"]))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error_response(ApiError(exc.status_code, str(exc.detail)))

    async def server_error(request: Request, exc: Exception) -> Response:
        _log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return json_response({"error": {"message": "internal error (see the server's log)",
                                        "fields": []}}, 500)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error,
                                                       Exception: server_error})
    app.state.context = ctx
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("headwater")
    except PackageNotFoundError:  # a source tree not installed
        return "0+unknown"


async def _ui(request: Request) -> Response:
    index = STATIC_DIR / "index.html"
    path = request.path_params.get("path", "")
    candidate = (STATIC_DIR / path).resolve()
    if path and candidate.is_file() and STATIC_DIR.resolve() in candidate.parents:
        return FileResponse(candidate)  # favicon.svg and the like
    if index.is_file():
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
    return HTMLResponse(_NO_UI)
