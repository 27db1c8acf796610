"""What the server is: its version and whether it refuses writes (``--read-only``), so the UI
can disable the controls that would only meet a 403."""

from __future__ import annotations

from pydantic import BaseModel, Field

from headwater.web.api import API
from headwater.web.context import WebContext
from headwater.web.routing import Call


class ServerInfoOut(BaseModel):
    read_only: bool = Field(description="every write (launch, cancel, start/stop, reload, ...) "
                                        "is refused with 403")
    version: str = Field(description="the headwater package's version")


@API.get("/server_info", tag="server", response=ServerInfoOut)
def get_server_info(ctx: WebContext, call: Call[None, None]) -> ServerInfoOut:
    """The server's version and whether it is read-only."""
    return ServerInfoOut(read_only=ctx.read_only, version=_version())


def _version() -> str:
    """The installed distribution's version (the web layer may not import the top-level
    package, which holds the same number as ``__version__``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("headwater")
    except PackageNotFoundError:
        return "unknown"
