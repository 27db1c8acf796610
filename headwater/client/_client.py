"""The client: one method per API operation, pages followed by generators."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

API = "/api/v1"


class ApiError(Exception):
    """The server answered 4xx/5xx: ``status``, its ``message`` and the ``fields`` it names."""

    def __init__(self, status: int, message: str, fields: Sequence[Mapping[str, str]] = ()):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.fields = list(fields)


def _key(key: str | Sequence[str]) -> str:
    """An asset key as the API's path: ``"a/b"`` or ``["a", "b"]``."""
    path = key.split("/") if isinstance(key, str) else list(key)
    return "/".join(urllib.parse.quote(part, safe="") for part in path)


class HeadwaterClient:
    def __init__(self, url: str = "http://127.0.0.1:3000", timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    # ------------------------------------------------------------------ plumbing

    def _request(self, method: str, path: str, params: Mapping[str, Any] | None = None,
                 body: Any = None) -> Any:
        url = self.url + path
        query = _query(params or {})
        if query:
            url += "?" + query
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/json", **({"Content-Type": "application/json"}
                                              if data is not None else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            raise _api_error(e) from None

    def _pages(self, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            page = self._request("GET", path, {**params, "cursor": cursor})
            yield from page["items"]
            cursor = page.get("next_cursor")
            if cursor is None or not page["items"]:
                return

    def openapi(self) -> dict[str, Any]:
        """The server's OpenAPI document."""
        return dict(self._request("GET", "/api/openapi.json"))

    # ----------------------------------------------------------------------- runs

    def runs(self, status: Iterable[str] | None = None, job_name: str | None = None,
             tags: Mapping[str, str] | None = None, page_size: int = 200,
             ) -> Iterator[dict[str, Any]]:
        """Runs, newest first, every page."""
        return self._pages(f"{API}/runs", {
            "status": list(status or ()), "job_name": job_name, "limit": page_size,
            "tag": [f"{k}={v}" for k, v in (tags or {}).items()]})

    def run(self, run_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"{API}/runs/{urllib.parse.quote(run_id)}"))

    def cancel_run(self, run_id: str) -> dict[str, Any]:
        return dict(self._request("POST", f"{API}/runs/{urllib.parse.quote(run_id)}/cancel"))

    def run_events(self, run_id: str, event_type: Iterable[str] | None = None,
                   page_size: int = 1000) -> Iterator[dict[str, Any]]:
        """The run's event log as stored now, in order."""
        cursor = None
        while True:
            page = self._request("GET", f"{API}/runs/{urllib.parse.quote(run_id)}/events", {
                "cursor": cursor, "limit": page_size, "event_type": list(event_type or ())})
            yield from page["items"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return

    def follow_run_events(self, run_id: str, after: int | None = None,
                          ) -> Iterator[dict[str, Any]]:
        """The run's events as they are stored (Server-Sent Events), until the run ends."""
        url = f"{self.url}{API}/runs/{urllib.parse.quote(run_id)}/events/stream"
        if after is not None:
            url += f"?cursor={after}"
        request = urllib.request.Request(url, headers={"Accept": "text/event-stream"})
        try:
            response = urllib.request.urlopen(request, timeout=None)
        except urllib.error.HTTPError as e:
            raise _api_error(e) from None
        with response:
            kind, data = None, []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line:  # the end of a message
                    if kind == "end":
                        return
                    if kind == "events" and data:
                        yield from json.loads("\n".join(data))
                    kind, data = None, []

    def compute_log(self, run_id: str, step_key: str, io: str = "stdout") -> str:
        """What a step printed (all of it so far)."""
        out, offset = [], 0
        while True:
            chunk = self._request("GET", f"{API}/runs/{urllib.parse.quote(run_id)}"
                                  "/compute_logs/read",
                                  {"step_key": step_key, "io": io, "offset": offset})
            out.append(chunk["data"])
            offset = chunk["next_offset"]
            if not chunk["more"]:
                return "".join(out)

    # --------------------------------------------------------------------- assets

    def assets(self, search: str | None = None, group: str | None = None,
               page_size: int = 1000) -> Iterator[dict[str, Any]]:
        return self._pages(f"{API}/assets", {"search": search, "group": group,
                                             "limit": page_size})

    def asset(self, key: str | Sequence[str]) -> dict[str, Any]:
        return dict(self._request("GET", f"{API}/assets/{_key(key)}"))

    def asset_partitions(self, key: str | Sequence[str]) -> dict[str, Any]:
        """Partition status: counts, one character per partition, ranges."""
        return dict(self._request("GET", f"{API}/assets/{_key(key)}/partitions"))

    def asset_checks(self, key: str | Sequence[str]) -> list[dict[str, Any]]:
        """The asset's checks, each with its latest evaluation (None if never evaluated)."""
        return list(self._request("GET", f"{API}/assets/{_key(key)}/checks")["items"])

    def check_evaluations(self, key: str | Sequence[str], check_name: str,
                          page_size: int = 100) -> Iterator[dict[str, Any]]:
        """One check's evaluations, newest first."""
        return self._pages(f"{API}/assets/{_key(key)}/checks/"
                           f"{urllib.parse.quote(check_name, safe='')}/evaluations",
                           {"limit": page_size})

    def metadata_series(self, key: str | Sequence[str], limit: int = 200,
                        partition: str | None = None) -> dict[str, Any]:
        """Numeric metadata over the latest ``limit`` materializations, as columns."""
        return dict(self._request("GET", f"{API}/assets/{_key(key)}/metadata_series",
                                  {"limit": limit, "partition": partition}))

    def asset_partition_keys(self, key: str | Sequence[str], search: str | None = None,
                             newest_first: bool = True, page_size: int = 200,
                             ) -> Iterator[dict[str, Any]]:
        """A partitioned asset's keys (``key``, ``index``, ``status``), newest first unless
        told, those containing ``search``; fetched a page at a time."""
        return self._pages(f"{API}/assets/{_key(key)}/partition_keys",
                           {"search": search, "newest_first": str(newest_first).lower(),
                            "limit": page_size})

    def asset_graph(self, collapse: str = "auto") -> dict[str, Any]:
        return dict(self._request("GET", f"{API}/asset_graph", {"collapse": collapse}))

    # ----------------------------------------------------------------------- jobs

    def jobs(self) -> list[dict[str, Any]]:
        """Every loaded location's jobs: name, location, kind (asset/op), partitioned."""
        return list(self._request("GET", f"{API}/jobs")["items"])

    def job(self, location: str, name: str) -> dict[str, Any]:
        """One job: its ops and their upstream ops, layout, config schema, default config."""
        return dict(self._request("GET", f"{API}/jobs/{urllib.parse.quote(location, safe='')}/"
                                         f"{urllib.parse.quote(name, safe='')}"))

    def validate_run_config(self, location: str, job_name: str,
                            run_config: Mapping[str, Any] | None) -> dict[str, Any]:
        """``{"valid": bool, "problems": [{"path", "message"}]}``: the run config checked by
        the job's code location as a run would check it; nothing is launched."""
        return dict(self._request("POST", f"{API}/run_config/validate", body={
            "location": location, "job_name": job_name,
            "run_config": None if run_config is None else dict(run_config)}))

    # ------------------------------------------------------------------- launches

    def launch(self, location: str, job_name: str | None = None,
               asset_selection: str | Sequence[Sequence[str]] | None = None,
               partition_key: str | None = None, run_config: Mapping[str, Any] | None = None,
               tags: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Queue a run of a job or of assets (key paths or a selection string) for the
        daemon; returns the queued run's id."""
        body: dict[str, Any] = {"location": location, "job_name": job_name,
                                "partition_key": partition_key, "run_config": run_config,
                                "tags": tags}
        if asset_selection is not None:
            body["asset_selection"] = (asset_selection if isinstance(asset_selection, str)
                                       else [list(k) for k in asset_selection])
        return dict(self._request("POST", f"{API}/launches",
                                  body={k: v for k, v in body.items() if v is not None}))

    def reexecute(self, run_id: str, strategy: str = "FROM_FAILURE",
                  step_keys: Sequence[str] | None = None) -> dict[str, Any]:
        """Queue a re-execution: FROM_FAILURE, SELECTED (with step_keys) or ALL_STEPS."""
        body: dict[str, Any] = {"strategy": strategy}
        if step_keys is not None:
            body["step_keys"] = list(step_keys)
        return dict(self._request(
            "POST", f"{API}/runs/{urllib.parse.quote(run_id)}/reexecute", body=body))

    # ---------------------------------------------------- schedules and sensors

    def schedules(self) -> list[dict[str, Any]]:
        return list(self._request("GET", f"{API}/schedules")["items"])

    def sensors(self) -> list[dict[str, Any]]:
        return list(self._request("GET", f"{API}/sensors")["items"])

    def set_running(self, kind: str, location: str, name: str,
                    running: bool) -> dict[str, Any]:
        """Start or stop a schedule (``kind="schedules"``) or sensor (``"sensors"``)."""
        path = (f"{API}/{kind}/{urllib.parse.quote(location, safe='')}/"
                f"{urllib.parse.quote(name, safe='')}/{'start' if running else 'stop'}")
        return dict(self._request("POST", path))

    def ticks(self, kind: str, location: str, name: str,
              page_size: int = 200) -> Iterator[dict[str, Any]]:
        return self._pages(f"{API}/{kind}/{urllib.parse.quote(location, safe='')}/"
                           f"{urllib.parse.quote(name, safe='')}/ticks", {"limit": page_size})

    # ------------------------------------------------------------------ backfills

    def backfills(self, status: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
        return self._pages(f"{API}/backfills", {"status": list(status or ())})

    def backfill(self, backfill_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"{API}/backfills/{urllib.parse.quote(backfill_id)}"))

    def launch_backfill(self, location: str, **request: Any) -> dict[str, Any]:
        """Launch a backfill for the daemon: ``asset_selection=`` or ``job_name=``, and
        ``partition_keys=``, ``partition_range={"start", "end"}`` or ``all_partitions=True``
        (see the OpenAPI document's BackfillLaunch)."""
        return dict(self._request("POST", f"{API}/backfills",
                                  body={"location": location, **request}))

    def cancel_backfill(self, backfill_id: str) -> dict[str, Any]:
        return dict(self._request(
            "POST", f"{API}/backfills/{urllib.parse.quote(backfill_id)}/cancel"))

    # --------------------------------------------------------- concurrency pools

    def pools(self) -> dict[str, Any]:
        return dict(self._request("GET", f"{API}/concurrency/pools"))

    def set_pool_limit(self, key: str, limit: int) -> dict[str, Any]:
        return dict(self._request(
            "POST", f"{API}/concurrency/pools/{urllib.parse.quote(key, safe='')}",
            body={"limit": limit}))

    # ------------------------------------------------------------- code locations

    def code_locations(self) -> list[dict[str, Any]]:
        return list(self._request("GET", f"{API}/code_locations")["items"])

    def reload_code_location(self, name: str) -> dict[str, Any]:
        return dict(self._request(
            "POST", f"{API}/code_locations/{urllib.parse.quote(name, safe='')}/reload"))

    def server_info(self) -> dict[str, Any]:
        """``read_only`` (whether writes are refused) and the server's ``version``."""
        return dict(self._request("GET", f"{API}/server_info"))


def _query(params: Mapping[str, Any]) -> str:
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((name, str(v)) for v in value)
        else:
            pairs.append((name, str(value)))
    return urllib.parse.urlencode(pairs)


def _api_error(e: urllib.error.HTTPError) -> ApiError:
    try:
        error = json.loads(e.read())["error"]
        return ApiError(e.code, error["message"], error.get("fields") or ())
    except (ValueError, KeyError, TypeError):
        return ApiError(e.code, str(e.reason))
