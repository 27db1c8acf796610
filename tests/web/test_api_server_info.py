"""The server's own description: its version and whether it is read-only (what the UI reads
to disable its write controls)."""

from __future__ import annotations

import headwater as hw

from .conftest import make_client


def test_server_info_says_whether_writes_are_refused(instance):
    with make_client(instance) as client:
        assert client.get("/api/v1/server_info").json() == {"read_only": False,
                                                            "version": hw.__version__}
        doc = client.get("/api/openapi.json").json()
    schema = doc["paths"]["/api/v1/server_info"]["get"]["responses"]["200"]
    assert "ServerInfoOut" in str(schema)
    with make_client(instance, read_only=True) as client:
        assert client.get("/api/v1/server_info").json()["read_only"] is True
