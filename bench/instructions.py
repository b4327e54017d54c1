"""Instructions per call of one contender, for callgrind: `python instructions.py [parse] NAME N`.

Wall-clock time on a shared machine swings by tens of percent; the number of instructions
a call executes does not. run.py runs this under `valgrind --tool=callgrind` with N calls
and with none (both after the same warm-up) and divides the difference by N. With `parse`,
NAME is one of the parsing table's contenders.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run

if __name__ == "__main__":
    if sys.argv[1] == "parse":
        name, count = sys.argv[2], int(sys.argv[3])
        call = run.parse_contenders()[name]
    else:
        name, count = sys.argv[1], int(sys.argv[2])
        call = run.contenders(run.mock, "http://mock")[name]
    for _ in range(20):  # warm up: operation plans, caches, the connection pool
        call()
    for _ in range(count):
        call()
