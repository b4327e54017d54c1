"""A scripted HTTP/1.1 server on 127.0.0.1 for tests that cross the wire.

Each test queues the replies it wants (status, headers, body, a delay, or a fault) and then
reads what the server received: method, path, headers, body, arrival time and the client's
port (which tells whether a connection was reused). Every wait is bounded, and the server
stops with the fixture that started it.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from machine import finish

MAX_STALL = 10.0  # no fault holds a connection longer than this


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # "close-mid-body", "stall", "close-before-reply", "chunked", "drip", or "declare-only":
    # the headers with the body's Content-Length, then nothing (a body that never comes).
    fault: str | None = None
    drip_interval: float = (
        0.2  # "drip": one byte of the body per interval; "drip-head": of the head
    )

    def payload(self) -> tuple[bytes, str]:
        if isinstance(self.body, dict):
            return json.dumps(self.body).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return self.body, "application/octet-stream"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    time: float
    port: int
    header_names: list[str] = field(default_factory=list)
    """Every header name as it arrived (lowercase), duplicates included."""


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 resets concurrent clients before we see them

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading (a refused body, a timeout) is what many tests
        # provoke: a broken pipe here is expected, and its traceback is only noise.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class WireServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.replies: deque[Reply] = deque()
        self.default = Reply(500, "no reply queued")
        self.received: list[Received] = []
        self.script: Callable[[Received], Reply] | None = None  # replaces the queue when set
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                received = Received(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    time.monotonic(),
                    self.client_address[1],
                    [k.lower() for k in self.headers],
                )
                with server._lock:
                    server.received.append(received)
                    if server.script is not None:
                        reply = server.script(received)
                    else:
                        reply = server.replies.popleft() if server.replies else server.default
                if reply.delay:
                    server.stopping.wait(reply.delay)
                if reply.fault == "stall":
                    server.stopping.wait(MAX_STALL)
                    self.close_connection = True
                    return
                if reply.fault == "close-before-reply":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                payload, content_type = reply.payload()
                if reply.fault == "drip-head":  # each byte well within any read timeout
                    head = (
                        f"HTTP/1.1 {reply.status} Reply\r\nContent-Type: {content_type}\r\n"
                        f"Content-Length: {len(payload)}\r\n\r\n"
                    ).encode()
                    try:
                        for index in range(len(head)):
                            if server.stopping.wait(reply.drip_interval):
                                break
                            self.wfile.write(head[index : index + 1])
                            self.wfile.flush()
                        self.wfile.write(payload)
                    except OSError:  # the client gave up, as it should
                        self.close_connection = True
                    return
                self.send_response(reply.status)
                headers = {"Content-Type": content_type, **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                if reply.fault == "chunked":  # no Content-Length: the size is unknown up front
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    step = 1 << 16
                    try:
                        for start in range(0, len(payload), step):
                            chunk = payload[start : start + step]
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    except OSError:  # the client stopped reading, as it should
                        self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if reply.fault == "declare-only":
                    self.wfile.flush()
                    server.stopping.wait(MAX_STALL)
                    self.close_connection = True
                    return
                if reply.fault == "drip":
                    try:
                        for index in range(len(payload)):
                            if server.stopping.wait(reply.drip_interval):
                                break
                            self.wfile.write(payload[index : index + 1])
                            self.wfile.flush()
                    except OSError:  # the client gave up, as it should
                        self.close_connection = True
                    return
                if reply.fault == "close-mid-body":
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        scheme = "https" if isinstance(self._server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{host}:{port}"

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def start(self) -> WireServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        finish(self._thread, timeout=5)
