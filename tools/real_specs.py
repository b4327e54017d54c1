"""Measure the generator on real public OpenAPI documents (tests/corpus/): `make real-specs`.

Usage: python tools/real_specs.py [NAME ...] [--markdown FILE] [--keep DIR]

For each corpus document (tests/corpus/<name>.yaml|json, its source and licence in
tests/corpus/SOURCES.md, an optional fix layer of its own in <name>.fixes.yaml) this does
what a maintainer would do with it, in a scratch copy of the project:

1. `tools/update_spec SPEC` (what `make update-spec SPEC=...` runs). A refusal that names
   operations is recorded per operation (the reason), and, as a maintainer would, those
   operations are removed by a fix-layer action and update-spec runs again for the rest.
2. The generated package imports, and `mypy --strict` is clean on it.
3. tools/real_specs_calls.py, inside the scratch copy, calls every generated method once,
   sync and async, against Stoplight Prism's mock of the fixed spec (contract/, pinned) and
   against `meetbit.testing.FakeMeetBit`, and parses each answer.

An operation "fully works" when it passed every step. A traceback anywhere is counted and
shown. Prints one table row per document and a total; --markdown writes the same table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests/corpus"
PRISM = ROOT / "contract/node_modules/.bin/prism"
BIN = Path(sys.executable).parent
COPIED = ("tools", "templates", "overlay", "spec", "generator-config.yml", "openapi.yaml")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def corpus(names: list[str]) -> list[Path]:
    found = sorted(
        path
        for path in CORPUS.iterdir()
        if path.suffix in (".yaml", ".yml", ".json") and not path.name.endswith(".fixes.yaml")
    )
    chosen = [path for path in found if not names or path.stem in names]
    return chosen + [Path(name).resolve() for name in names if Path(name).is_file()]


def operations_of(spec: Path) -> list[tuple[str, str, Any]]:
    sys.path.insert(0, str(ROOT / "tools"))
    from update_spec import sources

    try:
        document = sources.read(spec).document
    except sources.Unusable:
        return []
    found = []
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                found.append((method, str(path), item[method]))
    return found


def scratch_copy(spec: Path, where: Path, origin: Path) -> Path:
    project = where / "project"
    project.mkdir(parents=True)
    for name in COPIED:
        source = origin / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    shutil.copytree(origin / "generated", project / "generated")
    fixes = spec.with_name(spec.stem + ".fixes.yaml")
    overlay = project / "spec/fixes.overlay.yaml"
    if fixes.exists():
        shutil.copy(fixes, overlay)
    else:
        overlay.write_text(
            "overlay: 1.0.0\ninfo:\n  title: no fixes\n  version: 1.0.0\nactions: []\n",
            encoding="utf-8",
        )
    return project


_REFUSED_LINE = re.compile(
    r"^\s*(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) (\S+) \(.*?\): (.*)$"
)


def update_spec(project: Path, spec: Path) -> tuple[int, str]:
    result = subprocess.run(
        [BIN / "python", "tools/update_spec", str(spec), "--no-type-check"],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


def remove_operations(project: Path, refused: dict[tuple[str, str], str]) -> None:
    """Append one fix-layer action per refused operation: remove it (what a maintainer does)."""
    overlay = project / "spec/fixes.overlay.yaml"
    text = overlay.read_text(encoding="utf-8").replace("actions: []\n", "actions:\n")
    for (method, path), reason in sorted(refused.items()):
        target = f"$.paths[{json.dumps(path)}].{method.lower()}"
        text += (
            f"  - target: {json.dumps(target)}\n"
            f"    description: {json.dumps('refused by the generator: ' + reason)}\n"
            "    remove: true\n"
        )
    overlay.write_text(text, encoding="utf-8")


def take(project: Path, spec: Path) -> tuple[bool, dict[tuple[str, str], str], str]:
    """Run update-spec until it takes the spec; return (taken, refused operations, output)."""
    refused: dict[tuple[str, str], str] = {}
    for _ in range(3):
        code, output = update_spec(project, spec)
        if code == 0 or "Took " in output:
            return True, refused, output
        named = {}
        for line in output.splitlines():
            match = _REFUSED_LINE.match(line)
            if match:
                named[match[1], match[2]] = match[3].strip()
        if not named or "Traceback" in output:
            return False, refused, output
        refused.update(named)
        remove_operations(project, named)
    return False, refused, output


def mypy_strict(project: Path) -> list[str]:
    env = {**os.environ, "MYPYPATH": str(project / "generated")}
    result = subprocess.run(
        [BIN / "python", "-m", "mypy", "--strict", "--no-error-summary", "--no-incremental",
         "--cache-dir", os.devnull, "-p", "meetbit_api"],
        cwd=project / "generated", env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return [line for line in result.stdout.splitlines() if ": error: " in line] or (
        [result.stderr.strip() or f"mypy exited {result.returncode}"] if result.returncode else []
    )


def fixed_spec(project: Path, spec: Path, target: Path) -> None:
    fixes = "spec/fixes.overlay.yaml"
    subprocess.run(
        [BIN / "python", "tools/apply_overlay.py", str(spec), fixes, str(target)],
        cwd=project, capture_output=True, check=True,
    )  # fmt: skip


def start_prism(spec: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log.open("w") as out:
        process = subprocess.Popen(
            [PRISM, "mock", "--dynamic", "--seed", "1", "--host", "127.0.0.1", "--port", str(port),
             str(spec)],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while "Prism is listening" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Prism did not start: {log.read_text(errors='replace')[-500:]}")
        time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def calls(project: Path, fixed: Path, base_url: str | None) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project / "generated"), str(project / "overlay")]),
    }
    command = [BIN / "python", str(Path(__file__).with_name("real_specs_calls.py")), str(fixed)]
    if base_url:
        command.append(base_url)
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": (result.stdout + result.stderr)[-2000:]}


def measure(spec: Path, keep: Path | None, origin: Path) -> dict[str, Any]:
    operations = operations_of(spec)
    row: dict[str, Any] = {"spec": spec.stem, "operations": len(operations), "notes": []}
    with tempfile.TemporaryDirectory() as scratch:
        where = (keep / spec.stem).resolve() if keep else Path(scratch)
        if keep:
            shutil.rmtree(where, ignore_errors=True)
        project = scratch_copy(spec, where, origin)
        taken, refused, output = take(project, spec)
        row["refused"] = {f"{m} {p}": reason for (m, p), reason in refused.items()}
        row["traceback"] = "Traceback" in output
        if not taken:
            row["notes"].append("update-spec: " + " | ".join(output.strip().splitlines()[-3:]))
            row.update(generated=0, mypy=None, works=0)
            return row
        row["mypy"] = mypy_strict(project)
        fixed = where / "fixed.json"
        fixed_spec(project, spec, fixed)
        prism = base_url = None
        if PRISM.exists():
            prism, base_url = start_prism(fixed, where / "prism.log")
        else:
            row["notes"].append("Prism not installed (make prism): its calls are not counted")
        try:
            result = calls(project, fixed, base_url)
        finally:
            if prism is not None:
                prism.terminate()
                prism.wait(timeout=10)
    if "error" in result:
        row["notes"].append("calls: " + result["error"].strip().splitlines()[-1])
        row.update(generated=0, works=0)
        row["traceback"] = True
        return row
    methods = result["methods"]
    row["generated"] = len(methods)
    row["imports"] = result["imports"]
    row["tracebacks"] = sum(
        str(value).startswith("TRACEBACK") for m in methods.values() for value in m.values()
    )
    row["traceback"] = row["traceback"] or bool(row["tracebacks"])
    ok = not row["mypy"] and result["imports"]
    steps = ("prism_sync", "prism_async", "fake_sync", "fake_async")
    row["passed"] = {step: sum(m.get(step) == "ok" for m in methods.values()) for step in steps}
    row["works"] = (
        sum(all(m.get(step) == "ok" for step in steps) for m in methods.values()) if ok else 0
    )
    row["works_prism"] = (
        sum(all(m.get(step) == "ok" for step in steps[:2]) for m in methods.values()) if ok else 0
    )
    row["failures"] = {
        name: {step: value for step, value in m.items() if value != "ok"}
        for name, m in methods.items()
        if any(value != "ok" for value in m.values())
    }
    return row


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| spec | operations | methods generated | refused | imports + mypy --strict "
        "| Prism sync/async parsed | fake sync/async parsed | work with Prism | fully work "
        "| calls that raised a non-MeetBitError |",
        "|---|---:|---:|---:|---|---|---|---:|---:|---:|",
    ]
    for row in rows:
        passed = row.get("passed", {})
        mypy = row.get("mypy")
        clean = "n/a" if mypy is None else ("yes" if not mypy and row.get("imports") else
                                           f"no ({len(mypy)} errors)")  # fmt: skip
        lines.append(
            f"| {row['spec']} | {row['operations']} | {row.get('generated', 0)} "
            f"| {len(row.get('refused', {}))} | {clean} "
            f"| {passed.get('prism_sync', 0)}/{passed.get('prism_async', 0)} "
            f"| {passed.get('fake_sync', 0)}/{passed.get('fake_async', 0)} "
            f"| {row.get('works_prism', 0)} | {row['works']} | {row.get('tracebacks', 0)} |"
        )
    total = sum(row["operations"] for row in rows)
    works = sum(row["works"] for row in rows)
    refused = sum(len(row.get("refused", {})) for row in rows)
    prism = sum(row.get("works_prism", 0) for row in rows)

    def share(count: int) -> str:
        return f"{count} ({100 * count / total:.1f} %)" if total else "-"

    lines.append(f"| **total** | {total} | {sum(r.get('generated', 0) for r in rows)} "
                 f"| {refused} | | | | {share(prism)} | **{share(works)}** "
                 f"| {sum(r.get('tracebacks', 0) for r in rows)} |")  # fmt: skip
    return "\n".join(lines)


def details(rows: list[dict[str, Any]]) -> str:
    out = []
    for row in rows:
        tracebacks = " (TRACEBACK)" if row.get("traceback") else ""
        out.append(f"\n{row['spec']}{tracebacks}:")
        for note in row["notes"]:
            out.append(f"  note: {note}")
        for operation, reason in row.get("refused", {}).items():
            out.append(f"  refused: {operation}: {reason}")
        for line in (row.get("mypy") or [])[:10]:
            out.append(f"  mypy: {line}")
        for name, failed in row.get("failures", {}).items():
            for step, value in failed.items():
                out.append(f"  {name} {step}: {value}")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="corpus documents by stem (default: all)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--keep", type=Path, help="keep each scratch copy under this directory")
    parser.add_argument(
        "--project",
        type=Path,
        default=ROOT,
        help="the project to copy (default: this one; e.g. an older checkout, to compare)",
    )
    arguments = parser.parse_args(argv)
    rows = []
    for spec in corpus(arguments.names):
        print(f"{spec.name} ...", file=sys.stderr, flush=True)
        rows.append(measure(spec, arguments.keep, arguments.project.resolve()))
    print(table(rows))
    print(details(rows))
    if arguments.markdown:
        arguments.markdown.parent.mkdir(parents=True, exist_ok=True)
        arguments.markdown.write_text(table(rows) + "\n", encoding="utf-8")
    return 1 if any(row.get("traceback") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
