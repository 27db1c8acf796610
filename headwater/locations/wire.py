"""The code server's wire format: length-prefixed JSON messages over one TCP connection.

Why not HTTP: a call is one small request and one reply on a connection kept open, so a frame
is a 4-byte big-endian length and an orjson body -- no header parsing, no per-call connection,
no third-party server. On loopback, with Nagle's algorithm off, a call costs tens of
microseconds plus the work. Request: ``{"op": NAME, "args": {...}}``; reply:
``{"ok": true, "result": ...}`` or ``{"ok": false, "kind": KIND, "message": ..., "info": ...}``
where KIND is ``load_error`` (the code did not load), ``bad_request`` or ``internal``.
"""

from __future__ import annotations

import socket
import struct
from typing import Any

import orjson

_HEADER = struct.Struct(">I")
MAX_MESSAGE = 1 << 30  # a snapshot of a very large location still fits


class ConnectionClosed(Exception):
    """The other side closed the connection (between or inside a message)."""


def send(sock: socket.socket, message: Any) -> None:
    body = orjson.dumps(message)
    sock.sendall(_HEADER.pack(len(body)) + body)


def receive(sock: socket.socket) -> Any:
    (size,) = _HEADER.unpack(_exactly(sock, _HEADER.size))
    if size > MAX_MESSAGE:
        raise ConnectionClosed(f"message of {size} bytes is larger than allowed")
    return orjson.loads(_exactly(sock, size))


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise ConnectionClosed("connection closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def no_delay(sock: socket.socket) -> None:
    """Send small messages at once (Nagle's algorithm would hold them back ~40 ms)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
