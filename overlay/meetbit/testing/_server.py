"""The socket server: the fake's answers over real HTTP/1.1 on 127.0.0.1.

http.server does the request line and headers; the body framing is ours, because the
fake must answer every request as a web server in front of Laravel would, and keep a
keep-alive connection in step: a chunked body is read and decoded; a `Content-Length`
that is not one number, or a body that cannot be framed, is 400 and the connection is
closed (the next request's start is unknown); a body over the limit is 413 and closed.
Any method is passed on to the fake (which answers 405 with `Allow` where the route
has no such operation); a method that is not an HTTP token is 400.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from ._answers import text

# PHP's default post_max_size; a larger body is refused before it is read.
BODY_LIMIT = 8 * 1024 * 1024
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(;[^\r\n]*)?\r?\n")


class _Refused(Exception):
    """The request cannot be framed or is too large: answer `status` and close."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class _Gone(Exception):
    """The client went away mid-request: nothing to answer."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    error_content_type = "text/plain; charset=UTF-8"
    error_message_format = "%(message)s.\n"
    timeout = 30  # seconds a connection may sit idle or stall mid-request
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        # http.server looks for do_<METHOD>: every method reaches the fake.
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def _answer(self) -> None:
        try:
            response = self._response()
        except _Gone:
            self.close_connection = True
            return
        except _Refused as refused:
            self.close_connection = True
            response = text(refused.status, refused.reason)
        try:
            self._send(response)
        except OSError:
            self.close_connection = True

    def _response(self) -> httpx.Response:
        if not _TOKEN.fullmatch(self.command):
            raise _Refused(400, "The request method is not an HTTP token.")
        body = self._body()
        try:
            request = httpx.Request(
                self.command, self._url(), headers=list(self.headers.items()), content=body
            )
        except Exception as error:  # an unusable target or header: the client's fault
            raise _Refused(400, f"Bad request: {type(error).__name__}.") from None
        try:
            return self.server.answer(request)
        except Exception as error:
            # A defect of the fake: the test sees it as an answer, not as a traceback
            # printed from the server's thread.
            return text(500, f"FakeMeetBit failed: {type(error).__name__}: {error}")

    def _url(self) -> str:
        target = self.path
        if not target.startswith("/"):
            raise _Refused(400, "The request target must be a path.")
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        return f"http://{host}{target}"

    def _body(self) -> bytes:
        codings = [
            coding.strip().lower()
            for value in self.headers.get_all("Transfer-Encoding") or []
            for coding in value.split(",")
            if coding.strip()
        ]
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if codings:
            if codings != ["chunked"]:
                raise _Refused(400, "Only the chunked transfer coding is understood.")
            if lengths:
                self.close_connection = True  # RFC 9112 6.1: both framings, close after
            return self._chunked()
        if not lengths:
            return b""
        (length,) = lengths if len(lengths) == 1 else (None,)
        if length is None or not length.isascii() or not length.isdigit():
            raise _Refused(400, "The Content-Length header is not a number.")
        if int(length) > BODY_LIMIT:
            raise _Refused(413, "The request body is too large.")
        return self._read(int(length))

    def _chunked(self) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise _Gone
            match = _CHUNK_SIZE.fullmatch(line)
            if match is None:
                raise _Refused(400, "A chunk size line is malformed.")
            size = int(match[1], 16)
            if len(body) + size > BODY_LIMIT:
                raise _Refused(413, "The request body is too large.")
            if size == 0:
                break
            body += self._read(size)
            if self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise _Refused(400, "A chunk does not end where its size says.")
        for _ in range(100):  # trailer fields, then the empty line
            line = self.rfile.readline(65537)
            if not line:
                raise _Gone
            if line in (b"\r\n", b"\n"):
                return bytes(body)
        raise _Refused(400, "Too many trailer fields.")

    def _read(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) < size:
            raise _Gone
        return data

    def _send(self, response: httpx.Response) -> None:
        self.send_response(response.status_code)
        for name, value in response.headers.multi_items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        length = response.headers.get("Content-Length", str(len(response.content)))
        self.send_header("Content-Length", length)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.content)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away; the fake's own defects are answered as 500s

    def close_connections(self) -> None:
        """End the keep-alive connections still open, so their threads end too."""
        with self._open_lock:
            for connection in self._open:
                with suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


@contextmanager
def serve(answer: Callable[[httpx.Request], httpx.Response], prefix: str) -> Iterator[str]:
    """Serve `answer` on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    server = _Server(answer)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join(timeout=5)
