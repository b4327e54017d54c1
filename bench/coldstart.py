"""Cold start: a new interpreter that imports meetbit, builds a client or runs the command.

Each contender runs in a fresh interpreter, hyperfine-style: warm-up runs first, then the
contenders interleaved in shuffled rounds; the median is reported with its ratio to
`python -c "import httpx"` measured in the same rounds. Two environments:

* runtime: a virtualenv with meetbit's runtime dependencies only, at this virtualenv's
  versions (build/bench-runtime-venv, made on first use): what a service pinning meetbit
  has. httpx without its optional CLI (rich, click, pygments), so the cheaper baseline.
* dev: this virtualenv, where httpx also imports its CLI's rich, click and pygments.

Bytecode is cached (under build/pycache), as an installed wheel's is: under
PYTHONDONTWRITEBYTECODE a checkout would compile every module of meetbit on every start.

Usage: python bench/coldstart.py [RUNS]   (make bench runs it as its "Cold start" table)
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_VENV = ROOT / "build/bench-runtime-venv"
PYCACHE = ROOT / "build/pycache"
CLI = "import sys; sys.argv[0] = 'meetbit'; from meetbit._cli import run; run()"
CANCEL = ["events", "cancel-event", "--calendar-id", "12", "--event-id", "345",
          "--cancel-note", "Moved"]  # fmt: skip


def contenders(base_url: str) -> dict[str, list[str]]:
    """Each contender's arguments to `python`."""
    return {
        "python -c pass": ["-c", "pass"],
        "import httpx": ["-c", "import httpx"],
        "import meetbit": ["-c", "import meetbit"],
        "import meetbit; meetbit.Client(...)": [
            "-c",
            "import meetbit; meetbit.Client('acme.meetbit.com')",
        ],
        "meetbit --help": ["-c", CLI, "--help"],
        "meetbit events cancel-event ... (one call)": ["-c", CLI, *CANCEL, "--base-url", base_url],
    }


def runtime_pins(distribution: str = "meetbit") -> list[str]:
    """`name==version` for every runtime dependency of `distribution`, as installed here."""
    pins: dict[str, str] = {}
    pending = [distribution]
    while pending:
        for line in metadata.requires(pending.pop()) or []:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = requirement.name.lower().replace("_", "-")
            if name not in pins:
                pins[name] = metadata.version(name)
                pending.append(name)
    return sorted(f"{name}=={version}" for name, version in pins.items())


def runtime_python() -> Path | str:
    """The runtime virtualenv's python (made when its pins change), or why there is none."""
    pins = "\n".join(runtime_pins())
    python = RUNTIME_VENV / "bin/python"
    stamp = RUNTIME_VENV / "pins.txt"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == pins:
        return python
    shutil.rmtree(RUNTIME_VENV, ignore_errors=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", RUNTIME_VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-deps", *pins.split()], check=True, capture_output=True)  # fmt: skip
    except subprocess.CalledProcessError as error:
        return f"SKIPPED (could not install the runtime dependencies: {error})"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # The checkout's packages, as the editable install puts them on the path.
    Path(site, "meetbit-checkout.pth").write_text(
        f"{ROOT / 'generated'}\n{ROOT / 'overlay'}\n", encoding="utf-8"
    )
    stamp.write_text(pins, encoding="utf-8")
    return python


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETBIT_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        PYTHONPYCACHEPREFIX=str(PYCACHE),
        MEETBIT_ACCESS_KEY_ID="bench-key",
        MEETBIT_ACCESS_KEY_SECRET="bench-secret",  # noqa: S106 (a fake key for a local server)
    )
    return env


def measure(python: Path | str, runs: int, base_url: str) -> dict[str, dict[str, list[float]]]:
    """Each contender's wall and CPU (user + system) times in ms: 3 warm-up runs, then `runs`
    shuffled rounds."""
    env, commands = environment(), contenders(base_url)
    samples = {name: {"wall": [], "cpu": []} for name in commands}
    for round_ in range(runs + 3):
        for name in random.sample(list(commands), len(commands)):
            started = time.perf_counter()
            child = subprocess.Popen([python, *commands[name]], env=env, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            wall = (time.perf_counter() - started) * 1000
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode:
                raise SystemExit(f"cold start: {name!r} exited {child.returncode}")
            if round_ >= 3:
                samples[name]["wall"].append(wall)
                samples[name]["cpu"].append((usage.ru_utime + usage.ru_stime) * 1000)
    return samples


def instructions(python: Path | str, base_url: str) -> dict[str, int] | str:
    """Each contender's instructions, the whole process, under callgrind: what the machine's
    load cannot move (PYTHONHASHSEED fixed). Or why there are none."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return "SKIPPED (valgrind not installed: apt-get install valgrind)"
    env = {**environment(), "PYTHONHASHSEED": "0"}
    counts = {}
    for name, arguments in contenders(base_url).items():
        command = [python, *arguments]
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # bytecode
        result = subprocess.run(
            [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        counts[name] = int(re.search(r"Collected : (\d+)", result.stderr)[1])  # type: ignore[index]
    return counts


def _ratio_cells(values: dict[str, float], fmt: str) -> dict[str, list[str]]:
    httpx = values["import httpx"]
    return {name: [format(value, fmt), f"{value / httpx:.2f}"] for name, value in values.items()}


def table(runs: int, base_url: str) -> list[str]:
    """Markdown tables, one per environment. Each measure is given with its ratio to
    `import httpx` from the same runs: instructions (callgrind: exact, the one the target
    is held to), and median wall and CPU (user + system) times, which the load moves."""
    lines: list[str] = []
    runtime = runtime_python()
    environments = {"runtime dependencies only": runtime, "the dev virtualenv": sys.executable}
    for title, python in environments.items():
        lines += [f"**Cold start, {title}** (a new interpreter a run, bytecode cached; "
                  f"times: medians of {runs} interleaved runs after 3 warm-up runs)", ""]  # fmt: skip
        if isinstance(python, str) and python.startswith("SKIPPED"):
            lines += [python, ""]
            continue
        columns: dict[str, dict[str, list[str]]] = {}
        if python is runtime:
            counted = instructions(python, base_url)
            if isinstance(counted, str):
                lines += [f"Instructions: {counted}", ""]
            else:
                millions = {name: count / 1e6 for name, count in counted.items()}
                columns["instructions (M)"] = _ratio_cells(millions, ".1f")
        samples = measure(python, runs, base_url)
        for clock, label in (("wall", "wall ms"), ("cpu", "CPU ms")):
            medians = {name: statistics.median(s[clock]) for name, s in samples.items()}
            columns[label] = _ratio_cells(medians, ".1f")
        header = [f"{label} | ×&nbsp;httpx" for label in columns]
        lines += ["| | " + " | ".join(header) + " |", "|---" * (1 + 2 * len(header)) + "|"]
        for name in contenders(base_url):
            cells = [cell for column in columns.values() for cell in column[name]]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


@contextlib.contextmanager
def _server() -> Iterator[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import PREFIX, bench_server

    with bench_server() as base:
        yield base + PREFIX


if __name__ == "__main__":
    random.seed(1)
    with _server() as url:
        print("\n".join(table(int(sys.argv[1]) if len(sys.argv) > 1 else 21, url)))
