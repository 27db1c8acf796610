"""The web server: the HTTP API (``/api/v1``, OpenAPI at ``/api/openapi.json``) and the UI, one
ASGI app over the instance and the code locations' snapshots. It never imports user code."""
