"""`make bench`: what the client adds on top of the wire, as ratios to baselines run in the same process.

Every comparison interleaves its contenders (shuffled rounds) on the same machine in the
same run, so machine load shifts all of them alike; the ratios are the result, the absolute
numbers only context. Prints Markdown tables (paste into docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import gc
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import coldstart
import httpx
import meetbit
from meetbit_api.api.events import cancel_event
from meetbit_api.client import Client as GeneratedClient
from meetbit_api.models import CancelEventBody, CancelEventResponse200
from payload import BODY

HERE = Path(__file__).resolve().parent
KEY_ID, KEY_SECRET = "bench-key", "bench-secret"
HEADERS = {"X-Access-Key-Id": KEY_ID, "X-Access-Key-Secret": KEY_SECRET}
PREFIX = "/api/public/v2.0"
PATH = f"{PREFIX}/calendars/12/events/345/cancel"
NOTE = {"cancel_note": "Moved to next week"}


def row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


@contextmanager
def bench_server(rate: float | None = None, burst: float | None = None) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    limits = [] if rate is None else [str(rate), str(burst)]
    process = subprocess.Popen(
        [sys.executable, HERE / "server.py", str(port), *limits], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait(timeout=10)


# --- 1. per-call cost ---------------------------------------------------------------------------


def mock() -> httpx.BaseTransport:
    """The transport of the per-call tables: every request answered in memory, no I/O."""
    return httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=BODY, headers={"Content-Type": "application/json"}
        )
    )


def contenders(
    transport: Callable[[], httpx.BaseTransport], base: str
) -> dict[str, Callable[[], object]]:
    raw = httpx.Client(base_url=base, headers=HEADERS, transport=transport())
    generated = GeneratedClient(
        base_url=base + PREFIX, headers=HEADERS, httpx_args={"transport": transport()}
    )
    client = meetbit.Client(base_url=base + PREFIX, access_key_id=KEY_ID, access_key_secret=KEY_SECRET,
                            transport=transport())  # fmt: skip

    def raw_call() -> object:
        response = raw.post(PATH, json=NOTE)
        response.raise_for_status()
        return json.loads(response.content)

    def generated_call() -> object:
        # The body is built per call, as a caller of the generated function must; the
        # resource method builds it from its keyword arguments.
        body = CancelEventBody(cancel_note=NOTE["cancel_note"])
        return cancel_event.sync_detailed(12, 345, client=generated, body=body).parsed

    def meetbit_call() -> object:
        return client.events.cancel_event(12, 345, cancel_note=NOTE["cancel_note"])

    return {
        "raw httpx + json.loads": raw_call,
        "bare generated client": generated_call,
        "meetbit.Client": meetbit_call,
    }


def per_call(
    transport: Callable[[], httpx.BaseTransport], base: str, rounds: int, calls: int
) -> tuple[dict[str, list[int]], dict[str, float]]:
    functions = contenders(transport, base)
    samples: dict[str, list[int]] = {name: [] for name in functions}
    best_round: dict[str, float] = {name: float("inf") for name in functions}
    for number in range(rounds + 1):
        order = list(functions)
        random.shuffle(order)
        for name in order:
            call, clock, times = functions[name], time.perf_counter_ns, []
            gc.collect()
            for _ in range(calls):
                started = clock()
                call()
                times.append(clock() - started)
            if number:  # round 0 warms up
                samples[name] += times
                best_round[name] = min(best_round[name], statistics.fmean(times))
    return samples, best_round


def report_per_call(
    title: str, measured: tuple[dict[str, list[int]], dict[str, float]]
) -> list[str]:
    samples, best_round = measured
    stats = {
        name: (statistics.median(s) / 1000, sorted(s)[int(len(s) * 0.99)] / 1000)
        for name, s in samples.items()
    }
    # Ratios from each contender's best round (mean per call): the least disturbed by the
    # machine, like timeit's min; medians and p99 show the spread.
    raw, generated = best_round["raw httpx + json.loads"], best_round["bare generated client"]
    lines = [f"**{title}** ({len(next(iter(samples.values())))} calls each, interleaved rounds)", "",
             row("", "median µs", "p99 µs", "best-round mean µs", "× raw httpx", "× bare generated"),
             row(*["---"] * 6)]  # fmt: skip
    for name, (median, p99) in stats.items():
        mean = best_round[name]
        lines.append(
            row(
                name,
                f"{median:.1f}",
                f"{p99:.1f}",
                f"{mean / 1000:.1f}",
                f"{mean / raw:.3f}",
                f"{mean / generated:.3f}",
            )
        )
    return [*lines, ""]


def instructions(calls: int = 200) -> list[str]:
    """Instructions per call under callgrind: a measure the machine's load cannot move."""
    import re
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return [
            "**Instructions per call**: SKIPPED (valgrind not installed: apt-get install valgrind)",
            "",
        ]
    counts: dict[str, float] = {}
    for name in ("raw httpx + json.loads", "bare generated client", "meetbit.Client"):
        totals = []
        for count in (0, calls):
            result = subprocess.run(
                [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null",
                 sys.executable, HERE / "instructions.py", name, str(count)],
                capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"},
            )  # fmt: skip
            totals.append(int(re.search(r"Collected : (\d+)", result.stderr)[1]))  # type: ignore[index]
        counts[name] = (totals[1] - totals[0]) / calls
    generated = counts["bare generated client"]
    lines = [f"**Instructions per call** (callgrind, {calls} calls after a warm-up, minus a run "
             "with none; MockTransport)", "", row("", "instructions", "× bare generated"),
             row("---", "---", "---")]  # fmt: skip
    lines += [
        row(name, f"{value:,.0f}", f"{value / generated:.3f}") for name, value in counts.items()
    ]
    return [*lines, ""]


# --- 2. parsing ---------------------------------------------------------------------------------


# The body with one field the spec lacks: then every optional field is looked up with a
# default and the unknown ones are collected (from_dict's other path).
BODY_WITH_UNKNOWN = json.dumps(
    {"message": "Event canceled.", "data": {**json.loads(BODY)["data"], "brand_new": 1}}
).encode()


def json_without_the_extra() -> Any:
    """meetbit._json as it loads where msgspec is not installed (a second copy of the module)."""
    import importlib.util

    import meetbit._json

    saved = sys.modules.get("msgspec")
    sys.modules["msgspec"] = None  # type: ignore[assignment]
    try:
        spec = importlib.util.spec_from_file_location(
            "_json_without_msgspec", meetbit._json.__file__
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["msgspec"]
        else:
            sys.modules["msgspec"] = saved
    assert module.DECODER == "json"
    return module


def decoder_installed() -> str:
    """Which decoder the client's default path uses here (the fast extra installed or not)."""
    import meetbit._json

    decoder = meetbit._json.DECODER
    if decoder == "json":
        return "meetbit[fast] not installed: json.loads"
    return f"meetbit[fast] installed: {decoder}"


def parse_contenders() -> dict[str, Callable[[], object]]:
    import meetbit._json
    import msgspec
    import pydantic
    from parse_models import MsgspecEnvelope, PydanticEnvelope

    msgspec_decoder = msgspec.json.Decoder(MsgspecEnvelope)
    pydantic_adapter = pydantic.TypeAdapter(PydanticEnvelope)
    from_dict = CancelEventResponse200.from_dict
    # The client's path from a read response: the one decoder every operation uses, then the
    # generated from_dict (what cancel_event._parse_response does for a 200).
    response = httpx.Response(200, content=BODY, headers={"Content-Type": "application/json"})
    unknown = httpx.Response(
        200, content=BODY_WITH_UNKNOWN, headers={"Content-Type": "application/json"}
    )
    decode = meetbit._json.decode_json
    decode_without = json_without_the_extra().decode_json
    return {
        "json.loads": lambda: json.loads(BODY),
        "meetbit (pip install meetbit): from_dict(decode_json) (json.loads)": lambda: from_dict(
            decode_without(response)
        ),
        f"meetbit as installed here: from_dict(decode_json) ({meetbit._json.DECODER})": lambda: (
            from_dict(decode(response))
        ),
        "msgspec (typed Structs)": lambda: msgspec_decoder.decode(BODY),
        "pydantic v2 (validate_json)": lambda: pydantic_adapter.validate_json(BODY),
        "meetbit as installed here, a field the spec lacks added": lambda: from_dict(
            decode(unknown)
        ),
    }


def parse_instructions(calls: int = 1000) -> dict[str, float] | str:
    """Instructions per parse under callgrind (what the load cannot move), or why none."""
    import re
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return "SKIPPED (valgrind not installed: apt-get install valgrind)"
    counts: dict[str, float] = {}
    for name in parse_contenders():
        totals = []
        for count in (0, calls):
            result = subprocess.run(
                [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null",
                 sys.executable, HERE / "instructions.py", "parse", name, str(count)],
                capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"},
            )  # fmt: skip
            totals.append(int(re.search(r"Collected : (\d+)", result.stderr)[1]))  # type: ignore[index]
        counts[name] = (totals[1] - totals[0]) / calls
    return counts


def parsing(repeats: int = 7, number: int = 2000, calls: int = 1000) -> list[str]:
    functions = parse_contenders()
    best: dict[str, float] = {name: float("inf") for name in functions}
    for _ in range(repeats):
        for name in random.sample(list(functions), len(functions)):
            function = functions[name]
            started = time.perf_counter()
            for _ in range(number):
                function()
            best[name] = min(best[name], (time.perf_counter() - started) / number * 1e6)
    baseline = best["json.loads"]
    counted = parse_instructions(calls)
    lines = [f"**Parsing** the {len(BODY)}-byte body (5 attendees, an online conference) into typed "
             f"objects ({decoder_installed()}): the best of {repeats} interleaved rounds of {number}, "
             f"and instructions per parse (callgrind, {calls} parses after a warm-up, minus a run with none)",
             "", row("", "µs", "× json.loads", "instructions", "× json.loads"),
             row(*["---"] * 5)]  # fmt: skip
    for name, value in best.items():
        cells = [f"{value:.1f}", f"{value / baseline:.2f}"]
        if isinstance(counted, str):
            cells += ["", ""]
        else:
            cells += [f"{counted[name]:,.0f}", f"{counted[name] / counted['json.loads']:.2f}"]
        lines.append(row(name, *cells))
    if isinstance(counted, str):
        lines += ["", f"Instructions: {counted}"]
    return [*lines, ""]


# --- 3. cold start: bench/coldstart.py ---------------------------------------------------------


# --- 4. async throughput ------------------------------------------------------------------------


async def throughput(make: Callable[[], Any], call: str, total: int, workers: int) -> float:
    async with make() as client:

        async def worker(count: int) -> None:
            for _ in range(count):
                if call == "raw":
                    response = await client.post(PATH, json=NOTE)
                    response.raise_for_status()
                    json.loads(response.content)
                else:
                    await client.events.cancel_event(12, 345, cancel_note=NOTE["cancel_note"])

        started = time.perf_counter()
        await asyncio.gather(*(worker(total // workers) for _ in range(workers)))
        return total / (time.perf_counter() - started)


def async_throughput(base: str, rounds: int = 3, total: int = 3000, workers: int = 50) -> list[str]:
    contenders: dict[str, tuple[Callable[[], Any], str]] = {
        "raw httpx.AsyncClient (default pool)": (lambda: httpx.AsyncClient(base_url=base, headers=HEADERS), "raw"),
        "raw httpx.AsyncClient, unlimited keep-alive": (
            lambda: httpx.AsyncClient(base_url=base, headers=HEADERS,
                                      limits=httpx.Limits(max_connections=None, max_keepalive_connections=None)),
            "raw",
        ),
        "meetbit.AsyncClient (defaults)": (
            lambda: meetbit.AsyncClient(base_url=base + PREFIX, access_key_id=KEY_ID, access_key_secret=KEY_SECRET),
            "meetbit",
        ),
    }  # fmt: skip
    results: dict[str, list[float]] = {name: [] for name in contenders}
    asyncio.run(
        throughput(*contenders["raw httpx.AsyncClient (default pool)"], total=500, workers=workers)
    )  # warm up
    for _ in range(rounds):
        for name in random.sample(list(contenders), len(contenders)):
            results[name].append(
                asyncio.run(throughput(*contenders[name], total=total, workers=workers))
            )
    medians = {name: statistics.median(values) for name, values in results.items()}
    baseline = medians["raw httpx.AsyncClient (default pool)"]
    try:
        import sniffio  # noqa: F401

        sniffio_state = "installed"
    except ImportError:
        sniffio_state = "NOT installed"
    lines = [f"**Async throughput**: {workers} concurrent workers, {total} cancels, loopback server "
             f"(median of {rounds}; sniffio {sniffio_state})", "",
             row("", "calls/s", "× raw httpx"), row("---", "---", "---")]  # fmt: skip
    lines += [
        row(name, f"{value:.0f}", f"{value / baseline:.2f}") for name, value in medians.items()
    ]
    return [*lines, ""]


# --- 5. goodput under a rate limit --------------------------------------------------------------


async def goodput(base: str, mode: str, events: int, workers: int) -> dict[str, float]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for event_id in range(1, events + 1):
        queue.put_nowait(event_id)
    completed = failed = 0
    finished: list[float] = []
    async with httpx.AsyncClient() as control:
        await control.post(f"{base}/reset")
    started = time.perf_counter()

    if mode == "naive":
        client: Any = httpx.AsyncClient(base_url=base, headers=HEADERS)
    else:
        client = meetbit.AsyncClient(
            base_url=base + PREFIX, access_key_id=KEY_ID, access_key_secret=KEY_SECRET
        )

    async def worker() -> None:
        nonlocal completed, failed
        while not queue.empty():
            event_id = queue.get_nowait()
            if mode == "naive":  # what common SDKs do: each request retries on its own
                while (
                    response := await client.post(
                        f"/calendars/12/events/{event_id}/cancel", json=NOTE
                    )
                ).status_code == 429:
                    await asyncio.sleep(float(response.headers["Retry-After"]))
                completed += 1
            else:
                try:
                    await client.events.cancel_event(12, event_id, cancel_note=NOTE["cancel_note"])
                    completed += 1
                except meetbit.MeetBitError:
                    failed += 1
            finished.append(time.perf_counter() - started)

    async with client:
        await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - started
    async with httpx.AsyncClient() as control:
        counts = (await control.get(f"{base}/stats")).json()
    return {"completed": completed, "failed": failed, "elapsed": elapsed, "limited": counts["429"]}


def rate_limit(
    rate: float = 20, burst: float = 20, events: int = 200, workers: int = 50
) -> list[str]:
    best = (events - burst) / rate  # the burst goes at once, the rest at the quota
    lines = [f"**Goodput under a rate limit**: token bucket {rate:g} req/s, burst {burst:g}, per access key; "
             f"{workers} async workers cancel {events} events. Best possible: {best:.1f} s "
             f"({events / best:.1f} completed/s).", "",
             row("", "completed", "failed", "seconds", "completed/s", "× quota", "× best possible", "429s received"),
             row(*["---"] * 8)]  # fmt: skip
    with bench_server(rate, burst) as base:
        for label, mode in (
            ("naive per-request retry (raw httpx)", "naive"),
            ("meetbit.AsyncClient (defaults)", "meetbit"),
        ):
            result = asyncio.run(goodput(base, mode, events, workers))
            per_second = result["completed"] / result["elapsed"]
            lines.append(row(label, int(result["completed"]), int(result["failed"]), f"{result['elapsed']:.2f}",
                             f"{per_second:.1f}", f"{per_second / rate:.2f}", f"{best / result['elapsed']:.2f}",
                             int(result["limited"])))  # fmt: skip
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke run")
    parser.add_argument(
        "--only",
        choices=["parse", "per-call", "cold-start"],
        help="run one section and print it (build/bench.md is left alone)",
    )
    arguments = parser.parse_args()
    quick = arguments.quick
    random.seed(1)
    lines = [f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()}, httpx {httpx.__version__}, "
             f"meetbit {meetbit.__version__}.", ""]  # fmt: skip
    if arguments.only == "parse":
        print("\n".join(lines + parsing(repeats=2 if quick else 7, number=300 if quick else 2000,
                                         calls=100 if quick else 1000)))  # fmt: skip
        return
    if arguments.only == "cold-start":
        with bench_server() as base:
            print("\n".join(lines + coldstart.table(5 if quick else 21, base + PREFIX)))
        return

    rounds, calls = (2, 300) if quick else (6, 1500)
    lines += report_per_call(
        "Per call over httpx.MockTransport (pure client cost)",
        per_call(mock, "http://mock", rounds, calls),
    )
    lines += instructions(calls=50 if quick else 200)
    print("\n".join(lines), flush=True)
    if arguments.only == "per-call":
        return
    with bench_server() as base:
        more = report_per_call(
            "Per call over a loopback HTTP server",
            per_call(httpx.HTTPTransport, base, rounds, calls // 2),
        )
        more += async_throughput(base, rounds=1 if quick else 3, total=1000 if quick else 3000)
        more += coldstart.table(5 if quick else 21, base + PREFIX)
    more += parsing(
        repeats=2 if quick else 7, number=300 if quick else 2000, calls=100 if quick else 1000
    )
    print("\n".join(more), flush=True)
    last = rate_limit()
    print("\n".join(last), flush=True)
    # Real limiters, 50 threads each; `make bench-limiters` runs every mode (~10 minutes).
    import limiters

    last += limiters.panel(quick=True)
    Path("build").mkdir(exist_ok=True)
    Path("build/bench.md").write_text("\n".join(lines + more + last) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
