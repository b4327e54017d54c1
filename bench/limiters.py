"""`make bench-limiters`: meetbit against real rate limiters, next to the naive loop and openai-python's policy.

Each limiter is started here on 127.0.0.1 with a quota of 20 requests/s per access key,
except the Laravel-style window (30 per 3 s):

* Flask-Limiter, fixed window, served by werkzeug's threaded server: sends Retry-After,
  0 for the part of a window after the wall-clock second turns;
* slowapi under uvicorn, fixed window: sends no Retry-After;
* nginx `limit_req` (leaky bucket, burst 20 nodelay: one second of the rate, the usual
  setting) from Debian's package, in front of bench/server.py, without and with
  `Retry-After: 1` on its 429s. Missing nginx skips those rows and says why;
* a Laravel-style window (bench/laravel.py: Laravel's ThrottleRequests over its
  RateLimiter, step for step): MeetBit's own limiter shape. Fixed, from the key's first
  hit, 30 per 3 s; `X-RateLimit-Limit`/`Remaining` on every response, `Retry-After` (whole
  seconds until the window's timer) and `X-RateLimit-Reset` on a 429.

Each row cancels 200 distinct events (POST .../calendars/12/events/{id}/cancel answering
the realistic event JSON of bench/payload.py) with 50 threads, 50 asyncio tasks, or 4
processes x 12 threads, with a fresh access key per row so no row inherits another's
window. Contenders, in the same run: meetbit with default settings, the naive loop (on 429
sleep Retry-After or 1 s, up to 10 retries), openai-python's policy (2 retries, Retry-After
when 0 < it <= 60 s, else min(0.5 * 2**n, 8) s minus up to 25 % jitter), and meetbit with
the Redis store (4 processes; needs redis-server, else skipped with the reason).

With BENCH_TRACE=DIR each process of a process row writes when each of its answers came to
DIR/KEY (KEY: the row's access key); `python bench/trace.py DIR/KEY` prints them per process
and second.

Usage: python bench/limiters.py [--quick] [--verbose] [--limiter TEXT] [--mode TEXT] [--contender TEXT] [--repeat N]
(--quick: 50 threads only, as `make bench` runs it; --verbose: when each process of a
process row finished; TEXT picks rows whose name contains it;
--repeat N runs each mode's rows N times: one run of a process row moves by ±0.05 x ideal
on a shared 2-core machine.) Prints a Markdown table, also written to build/bench-limiters.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from payload import BODY  # noqa: E402

QUOTA = 20.0
EVENTS = 200
PREFIX = "/api/public/v2.0"
SECRET = "bench-secret"  # noqa: S105 - the bench servers check no secret
NOTE = {"cancel_note": "Moved to next week"}
TRACE = os.environ.get("BENCH_TRACE")
"""A directory: each process of a process row writes when each answer came (for analysis)."""
LARAVEL_MAX, LARAVEL_DECAY = 30, 3
"""The Laravel-style window: 30 hits per 3 s (Laravel's default is 60 per minute)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[Any], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port} after {timeout} s")


@contextmanager
def running(command: list[str], port: int) -> Iterator[None]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, process)
        yield
    finally:
        process.kill()
        process.wait(timeout=10)


# --- the limiters -------------------------------------------------------------------------------


def serve_flask(port: int) -> None:
    from flask import Flask, Response, request
    from flask_limiter import Limiter

    app = Flask("flask-limiter-bench")
    limiter = Limiter(
        key_func=lambda: request.headers.get("X-Access-Key-Id", ""),
        app=app,
        storage_uri="memory://",
        strategy="fixed-window",
        headers_enabled=True,  # X-RateLimit-* and Retry-After
    )

    @app.post(PREFIX + "/calendars/<int:calendar_id>/events/<int:event_id>/cancel")
    @limiter.limit(f"{QUOTA:g} per second")
    def cancel(calendar_id: int, event_id: int) -> Response:
        return Response(BODY, mimetype="application/json")

    from werkzeug.serving import make_server

    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def serve_slowapi(port: int) -> None:
    import uvicorn
    from slowapi import Limiter, _rate_limit_exceeded_handler
    from slowapi.errors import RateLimitExceeded
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    limiter = Limiter(
        key_func=lambda request: request.headers.get("x-access-key-id", ""),
        strategy="fixed-window",
        key_style="endpoint",  # the default ("url") would give every event id its own quota
    )

    @limiter.limit(f"{QUOTA:g}/second")
    async def cancel(request: Request) -> Response:
        return Response(BODY, media_type="application/json")

    app = Starlette(
        routes=[
            Route(PREFIX + "/calendars/{c:int}/events/{e:int}/cancel", cancel, methods=["POST"])
        ]
    )
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)  # type: ignore[arg-type]
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def find_nginx() -> str | None:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
error_log {dir}/error.log error;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    limit_req_zone $http_x_access_key_id zone=api:1m rate={rate}r/s;
    limit_req_status 429;
    map $status $retry_after {{ 429 "{retry_after}"; default ""; }}
    upstream backend {{ server 127.0.0.1:{backend}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            limit_req zone=api burst={burst} nodelay;
            add_header Retry-After $retry_after always;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://backend;
        }}
    }}
}}
"""


@contextmanager
def nginx(retry_after: str) -> Iterator[str]:
    binary = find_nginx()
    assert binary is not None
    backend, port = free_port(), free_port()
    with (
        tempfile.TemporaryDirectory(prefix="bench-nginx-") as directory,
        running([sys.executable, str(HERE / "server.py"), str(backend)], backend),
    ):
        conf = Path(directory, "nginx.conf")
        conf.write_text(
            NGINX_CONF.format(dir=directory, rate=int(QUOTA), burst=int(QUOTA), port=port,
                              backend=backend, retry_after=retry_after),
        )  # fmt: skip
        with running(
            [binary, "-p", directory, "-c", str(conf), "-e", f"{directory}/error.log"], port
        ):
            yield f"http://127.0.0.1:{port}"


@contextmanager
def python_server(kind: str) -> Iterator[str]:
    port = free_port()
    with running([sys.executable, str(Path(__file__)), "serve", kind, str(port)], port):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def laravel_window() -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable,
        str(HERE / "laravel.py"),
        str(port),
        str(LARAVEL_MAX),
        str(LARAVEL_DECAY),
    ]
    with running(command, port):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    assert binary is not None
    port = free_port()
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    with running(command, port):
        yield f"redis://127.0.0.1:{port}/0"


# --- the contenders -----------------------------------------------------------------------------


class Tally:
    """What one run (or one process of it) did; counts are taken under a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.completed = self.gave_up = self.limited = 0
        self.trace: list[tuple[float, str]] = []

    def add(self, **counts: int) -> None:
        if TRACE and ("limited" in counts or "completed" in counts):
            self.trace.append((time.time(), "limited" if "limited" in counts else "completed"))
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, Any]:
        counts: dict[str, Any] = {
            "completed": self.completed,
            "gave_up": self.gave_up,
            "limited": self.limited,
        }
        if TRACE:
            counts["trace"] = self.trace
        return counts


def retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def naive_wait(response: httpx.Response, retry: int) -> float | None:
    """On 429 sleep Retry-After or 1 s, up to 10 retries."""
    if retry >= 10:
        return None
    hint = retry_after(response)
    return 1.0 if hint is None else hint


def openai_wait(response: httpx.Response, retry: int) -> float | None:
    """openai-python's policy: 2 retries; Retry-After if 0 < it <= 60 s, else capped backoff."""
    if retry >= 2:
        return None
    hint = retry_after(response)
    if hint is not None and 0 < hint <= 60:
        return hint
    return min(0.5 * 2**retry, 8.0) * (1 - 0.25 * random.random())


WAITS = {"naive": naive_wait, "openai": openai_wait}


class CountingTransport(httpx.BaseTransport):
    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.wire = httpx.HTTPTransport(
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=10)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.wire.handle_request(request)
        if response.status_code == 429:
            self.tally.add(limited=1)
        return response

    def close(self) -> None:
        self.wire.close()


class AsyncCountingTransport(httpx.AsyncBaseTransport):
    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.wire = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=10)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.wire.handle_async_request(request)
        if response.status_code == 429:
            self.tally.add(limited=1)
        return response

    async def aclose(self) -> None:
        await self.wire.aclose()


def run_threads(contender: str, base: str, key: str, ids: list[int], threads: int,
                store: str | None = None, start_at: float | None = None) -> dict[str, Any]:  # fmt: skip
    import meetbit
    from meetbit_api import code

    # Imported now, not by the first call: a process that imports while the others send
    # starts late, and that would be measured as the contender's doing.
    code.cancel_event, code.CancelEventBody  # noqa: B018

    tally, todo = Tally(), queue.SimpleQueue[int]()
    for event_id in ids:
        todo.put(event_id)
    if contender == "meetbit":
        client: Any = meetbit.Client(base_url=base + PREFIX, access_key_id=key, access_key_secret=SECRET,
                                     transport=CountingTransport(tally), rate_limit_store=store)  # fmt: skip

        def cancel(event_id: int) -> None:
            try:
                client.events.cancel_event(12, event_id, cancel_note=NOTE["cancel_note"])
                tally.add(completed=1)
            except meetbit.MeetBitError:
                tally.add(gave_up=1)
    else:
        client = httpx.Client(base_url=base + PREFIX, headers={"X-Access-Key-Id": key},
                              limits=httpx.Limits(max_connections=threads))  # fmt: skip
        wait_for = WAITS[contender]

        def cancel(event_id: int) -> None:
            retry = 0
            while (
                response := client.post(f"/calendars/12/events/{event_id}/cancel", json=NOTE)
            ).status_code == 429:
                tally.add(limited=1)
                wait = wait_for(response, retry)
                if wait is None:
                    tally.add(gave_up=1)
                    return
                time.sleep(wait)
                retry += 1
            response.raise_for_status()
            tally.add(completed=1)

    def worker() -> None:
        while True:
            try:
                event_id = todo.get_nowait()
            except queue.Empty:
                return
            cancel(event_id)

    if start_at is not None:
        time.sleep(max(0.0, start_at - time.time()))
    with client:
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    return tally.as_dict()


async def run_tasks(
    contender: str, base: str, key: str, ids: list[int], tasks: int
) -> dict[str, Any]:
    import meetbit

    tally, todo = Tally(), list(reversed(ids))
    if contender == "meetbit":
        client: Any = meetbit.AsyncClient(base_url=base + PREFIX, access_key_id=key, access_key_secret=SECRET,
                                          transport=AsyncCountingTransport(tally))  # fmt: skip

        async def cancel(event_id: int) -> None:
            try:
                await client.events.cancel_event(12, event_id, cancel_note=NOTE["cancel_note"])
                tally.add(completed=1)
            except meetbit.MeetBitError:
                tally.add(gave_up=1)
    else:
        client = httpx.AsyncClient(base_url=base + PREFIX, headers={"X-Access-Key-Id": key},
                                   limits=httpx.Limits(max_connections=tasks))  # fmt: skip
        wait_for = WAITS[contender]

        async def cancel(event_id: int) -> None:
            retry = 0
            while (
                response := await client.post(f"/calendars/12/events/{event_id}/cancel", json=NOTE)
            ).status_code == 429:
                tally.add(limited=1)
                wait = wait_for(response, retry)
                if wait is None:
                    tally.add(gave_up=1)
                    return
                await asyncio.sleep(wait)
                retry += 1
            response.raise_for_status()
            tally.add(completed=1)

    async def worker() -> None:
        while todo:
            await cancel(todo.pop())

    async with client:
        await asyncio.gather(*(worker() for _ in range(tasks)))
    return tally.as_dict()


def run_processes(contender: str, base: str, key: str, processes: int, threads: int,
                  store: str | None = None) -> dict[str, int]:  # fmt: skip
    ids = list(range(1, EVENTS + 1))
    start_at = time.time() + 3.0  # every process imported and ready before any sends
    workers = [
        subprocess.Popen(
            [sys.executable, str(Path(__file__)), "worker", json.dumps(
                {"contender": contender, "base": base, "key": key, "ids": ids[n::processes],
                 "threads": threads, "store": store, "start_at": start_at})],
            stdout=subprocess.PIPE, text=True,
        )
        for n in range(processes)
    ]  # fmt: skip
    total = {"completed": 0, "gave_up": 0, "limited": 0}
    finished = []
    for process in workers:
        out, _ = process.communicate(timeout=300)
        result = json.loads(out.strip().splitlines()[-1])
        for name in ("completed", "gave_up", "limited"):
            total[name] += result[name]
        finished.append(result["finished"] - start_at)
    total["elapsed"] = max(finished)
    if "--verbose" in sys.argv:  # each process does its own share: the slowest one decides
        print(
            f"  {contender}: processes finished at {sorted(round(f, 1) for f in finished)} s",
            file=sys.stderr,
        )
    return total  # type: ignore[return-value]


def worker_main(spec: dict[str, Any]) -> None:
    result: dict[str, Any] = run_threads(spec["contender"], spec["base"], spec["key"], spec["ids"],
                                         spec["threads"], spec["store"], spec["start_at"])  # fmt: skip
    result["finished"] = time.time()
    if TRACE:
        trace = result.pop("trace")
        row_dir = Path(TRACE, spec["key"])  # one directory per row
        row_dir.mkdir(parents=True, exist_ok=True)
        (row_dir / f"{os.getpid()}.json").write_text(
            json.dumps({"start_at": spec["start_at"], "trace": trace})
        )
    print(json.dumps(result), flush=True)


# --- the panel ----------------------------------------------------------------------------------

MODES = ("50 threads", "50 asyncio tasks", "4 processes × 12 threads")
run_number = 0


def measure(contender: str, mode: str, base: str, store: str | None = None) -> dict[str, float]:
    global run_number
    run_number += 1
    key = f"bench-{os.getpid()}-{run_number}"  # a fresh key: no window carried over
    ids = list(range(1, EVENTS + 1))
    started = time.perf_counter()
    if mode == MODES[0]:
        result: dict[str, float] = dict(run_threads(contender, base, key, ids, 50))
    elif mode == MODES[1]:
        result = dict(asyncio.run(run_tasks(contender, base, key, ids, 50)))
    else:
        return dict(run_processes(contender, base, key, 4, 12, store))
    result["elapsed"] = time.perf_counter() - started
    return result


LIMITERS = {
    "Flask-Limiter (fixed window, Retry-After incl. 0)": (lambda: python_server("flask"), QUOTA),
    "slowapi (fixed window, no Retry-After)": (lambda: python_server("slowapi"), QUOTA),
    "nginx limit_req (leaky bucket, no Retry-After)": (lambda: nginx(""), QUOTA),
    "nginx limit_req + Retry-After: 1": (lambda: nginx("1"), QUOTA),
    "Laravel-style window (30 per 3 s, X-RateLimit-*)": (
        laravel_window,
        LARAVEL_MAX / LARAVEL_DECAY,
    ),
}
"""Each limiter: how to start it, and its quota in requests/s (what "× ideal" divides by)."""


def row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def option(name: str) -> str:
    """`--name VALUE` from the command line, or "" (matches everything)."""
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else ""


def panel(quick: bool = False) -> list[str]:
    lines = [
        f"**Real rate limiters**, quota {QUOTA:g}/s per access key (Laravel-style: "
        f"{LARAVEL_MAX} per {LARAVEL_DECAY} s), {EVENTS} cancels of distinct events; ideal = the quota's "
        "rate. Targets for meetbit: all complete, ≥ 0.9 × ideal, 429s ≤ 25 % of naive (Redis store: "
        "≤ 10 %); on the Laravel-style window ≥ 0.95 × ideal and ≤ 10 % in every mode.",
        "",
        row(
            "limiter",
            "mode",
            "contender",
            "completed",
            "gave up",
            "seconds",
            "× ideal",
            "429s",
            "429s % of naive",
        ),
        row(*["---"] * 9),
    ]
    print("\n".join(lines), flush=True)
    nginx_missing = (
        "nginx not found (apt-get install nginx-light)" if find_nginx() is None else None
    )
    redis_missing = (
        "redis-server not found (apt-get install redis-server)"
        if shutil.which("redis-server") is None
        else None
    )
    modes = MODES[:1] if quick else MODES
    modes = tuple(mode for mode in modes if option("--mode") in mode)
    repeat = int(option("--repeat") or 1)
    for limiter, (start, quota) in LIMITERS.items():
        if option("--limiter") not in limiter:
            continue
        if nginx_missing and limiter.startswith("nginx"):
            lines.append(row(limiter, "all", "SKIPPED", nginx_missing, "", "", "", "", ""))
            print(lines[-1], flush=True)
            continue
        with start() as base:
            # Repeated rows run back to back, each with its own naive loop to compare with.
            for mode in [mode for mode in modes for _ in range(repeat)]:
                contenders = [("naive loop", "naive", None), ("openai-python policy", "openai", None),
                              ("meetbit (defaults)", "meetbit", None)]  # fmt: skip
                if mode == MODES[2]:
                    contenders.append(("meetbit + Redis store", "meetbit", "redis"))
                naive_429s = None
                for label, contender, store in contenders:
                    if option("--contender") not in label:
                        continue
                    if store == "redis" and redis_missing:
                        lines.append(
                            row(
                                limiter,
                                mode,
                                label,
                                "SKIPPED: " + redis_missing,
                                "",
                                "",
                                "",
                                "",
                                "",
                            )
                        )
                        print(lines[-1], flush=True)
                        continue
                    if store == "redis":
                        with redis_server() as url:
                            result = measure(contender, mode, base, url)
                    else:
                        result = measure(contender, mode, base)
                    if contender == "naive":
                        naive_429s = result["limited"]
                    speed = result["completed"] / result["elapsed"] / quota
                    share = f"{100 * result['limited'] / naive_429s:.0f} %" if naive_429s else "—"
                    lines.append(row(limiter, mode, label, int(result["completed"]), int(result["gave_up"]),
                                     f"{result['elapsed']:.1f}", f"{speed:.2f}", int(result["limited"]), share))  # fmt: skip
                    print(lines[-1], flush=True)
                    time.sleep(1.1)  # let a fixed window that the run touched end
    return [*lines, ""]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        {"flask": serve_flask, "slowapi": serve_slowapi}[sys.argv[2]](int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker_main(json.loads(sys.argv[2]))
        return
    usage = __doc__.split("\n\n")[-1]
    if {"-h", "--help"} & set(sys.argv):
        print(usage, end="")
        return
    # An unknown argument must not start the whole panel (about 10 minutes).
    flags, values = {"--quick", "--verbose"}, {"--limiter", "--mode", "--contender", "--repeat"}
    arguments = iter(sys.argv[1:])
    for argument in arguments:
        if argument not in flags and (argument not in values or next(arguments, None) is None):
            sys.exit(f"bench/limiters.py: unexpected {argument!r}\n{usage}")
    lines = panel(quick="--quick" in sys.argv)
    Path("build").mkdir(exist_ok=True)
    Path("build/bench-limiters.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
