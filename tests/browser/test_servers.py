"""The test servers themselves (no browser): the stub's routing and the ASGI runner."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from .servers import serve_asgi, serve_static_stub


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_stub_serves_the_ui_its_routes_and_the_canned_api(tmp_path):
    (tmp_path / "index.html").write_text("<div id=root></div>")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.js").write_text("console.log(1)")
    with serve_static_stub(str(tmp_path)) as url:
        assert _get(f"{url}/static/app.js")[2] == b"console.log(1)"
        assert _get(f"{url}/static/missing.js")[0] == 404
        for ui_route in ("/", "/runs", "/assets", "/assets/raw/orders", "/jobs/some_job"):
            status, _, body = _get(url + ui_route)
            assert (status, body) == (200, b"<div id=root></div>")
        status, content_type, body = _get(f"{url}/api/v1/runs?limit=50")
        assert (status, content_type) == (200, "application/json")
        assert json.loads(body) == {"items": [], "next_cursor": None}
        status, _, body = _get(f"{url}/api/v1/nothing")
        assert status == 404 and "no stub" in json.loads(body)["error"]["message"]


def test_serve_asgi_serves_an_app_on_a_free_loopback_port_and_stops():
    pytest.importorskip("uvicorn")

    async def app(scope, receive, send):
        if scope["type"] != "http":  # lifespan: nothing to set up
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    with serve_asgi(app) as url:
        assert url.startswith("http://127.0.0.1:")
        assert _get(f"{url}/api/v1/runs")[2] == b"/api/v1/runs"
    with pytest.raises(OSError):
        _get(f"{url}/after")
