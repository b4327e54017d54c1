"""Instructions per call of one contender, for callgrind: `python instructions.py [parse] NAME N`.

Wall-clock time on a shared machine swings by tens of percent; the number of instructions
a call executes does not. run.py runs this under `valgrind --tool=callgrind` with N calls
and with none (both after the same warm-up) and divides the difference by N. With `parse`,
NAME is one of the parsing table's contenders.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run
from meetbit._rate.controller import ROUND_HOLD

if __name__ == "__main__":
    if sys.argv[1] == "parse":
        name, count = sys.argv[2], int(sys.argv[3])
        call = run.parse_contenders()[name]
    else:
        name, count = sys.argv[1], int(sys.argv[2])
        call = run.contenders(run.mock, "http://mock")[name]
    started = time.monotonic()
    for _ in range(20):  # warm up: operation plans, caches, the connection pool
        call()
    # Then out of the rate controller's slow start, which ends ROUND_HOLD after the first
    # send and costs each call of it more: counted, it made the count depend on how fast
    # callgrind ran (how many of the calls fell inside it), by thousands of instructions.
    # A long-lived client's calls are steady-state calls. Sleeping costs no instructions.
    time.sleep(max(0.0, ROUND_HOLD + 0.1 - (time.monotonic() - started)))
    call()
    for _ in range(count):
        call()
