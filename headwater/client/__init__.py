"""A Python client of Headwater's HTTP API (``headwater webserver`` / ``headwater dev``).

    from headwater.client import HeadwaterClient

    client = HeadwaterClient("http://127.0.0.1:3000")
    for run in client.runs(status=["FAILURE"]):            # every page, newest first
        print(run["run_id"], run["job_name"])
    for event in client.follow_run_events(run_id):         # live, until the run ends
        print(event["event_type"], event["message"])

It uses only the standard library (no HTTP package to install) and returns the API's JSON as
dicts; the shapes are the OpenAPI document's (``client.openapi()``). A 4xx or 5xx answer raises
``ApiError`` with the server's message and the fields it names.
"""

from headwater.client._client import ApiError, HeadwaterClient

__all__ = ["ApiError", "HeadwaterClient"]
