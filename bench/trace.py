"""Per-process accepted/refused counts per second of a traced process row (BENCH_TRACE).

Usage: python bench/trace.py DIR [STEP]. Each line is STEP seconds (default 1) from the
first answer; each cell is one process's accepted/429s in it, then the total accepted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    runs = [json.loads(path.read_text()) for path in sorted(Path(sys.argv[1]).glob("*.json"))]
    step = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    start = runs[0]["start_at"]
    answers = [[(at - start, kind) for at, kind in run["trace"]] for run in runs]
    first = min(at for process in answers for at, _ in process)
    last = max(at for process in answers for at, _ in process)
    at = first
    while at <= last:
        cells, total = [], 0
        for process in answers:
            accepted = sum(1 for t, kind in process if at <= t < at + step and kind == "completed")
            refused = sum(1 for t, kind in process if at <= t < at + step and kind == "limited")
            cells.append(f"{accepted:3d}/{refused:<3d}")
            total += accepted
        print(f"{at:6.1f} s  " + "  ".join(cells) + f"  {total:4d}")
        at += step
    for n, process in enumerate(answers):
        refused = sum(1 for _, kind in process if kind == "limited")
        print(f"process {n}: done at {max(t for t, _ in process):.2f} s, {refused} 429s")


if __name__ == "__main__":
    main()
