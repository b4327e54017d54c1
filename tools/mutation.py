"""make mutation: mutmut over the overlay's runtime core, one score per module (docs/mutation.md).

The core is split into groups, each mutated against the tests written for it: a mutant of
the rate controller runs the rate-control tests, not every test that happens to send a
request through it (that would be the whole wire suite, minutes per surviving mutant). A
mutant only slower tests would kill counts as surviving, so the score is a lower bound.

mutmut names a mutant after its module's path, and only strips a leading ``src.``: each
group is staged in build/mutation/<group>/ with the package as src/meetbit, so mutants are
named meetbit._retry.x_parse_retry_after__mutmut_3 and the tests import the mutated copy.
Results are kept there between runs (mutmut re-tests only what changed).

Equivalent mutants (no test can tell them from the original) are listed, each with its
reason, in tests/equivalent_mutants.toml, by module, function and the line the mutant
changes; they are left out of the score and printed apart. A listed mutant that no longer
survives, or no longer exists, is reported, so the list does not rot.

Usage: python tools/mutation.py [--group NAME ...] [--module NAME ...] [--jobs N] [--report-only]
[--markdown FILE]. --module _rate.bucket mutates that module alone (its group's tests), so a
long run can be taken in parts; the table shows what every part measured so far.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "overlay" / "meetbit"
STAGE = ROOT / "build" / "mutation"
EQUIVALENTS = ROOT / "tests" / "equivalent_mutants.toml"
COPIED = ["openapi.yaml", "spec", "tools", "bench", "overlay", "generator-config.yml", "templates"]
"""What the tests read besides the package and themselves: the pytest pythonpath, the spec,
and what the generator reads (it loads overlay/meetbit/_schema.py by its path: unmutated)."""
KILLED = (1, 3)
"""mutmut's exit codes of a killed mutant (a test failed; pytest's internal error)."""


@dataclass(frozen=True)
class Group:
    name: str
    modules: tuple[str, ...]
    """Paths under overlay/meetbit/ (a trailing / for a package)."""
    tests: tuple[str, ...]
    slow: tuple[str, ...] = ()
    """Tests of those files not run against mutants (pytest node ids): on the wire, seconds
    each in real time, and timed (a loaded machine would kill mutants they cannot tell)."""


GROUPS = (
    Group(
        "wire",
        ("_transport.py", "_retry.py", "_errors.py", "_auth.py"),
        (
            "tests/test_client.py",
            "tests/test_retry_on_the_wire.py",
            "tests/test_connections.py",
            "tests/test_response_bodies.py",
            "tests/test_security.py",
            "tests/test_transport.py",
            "tests/test_errors.py",
            "tests/test_attempt.py",
            "tests/test_retry_decisions.py",
        ),
    ),
    Group(
        "settings",
        ("_schema.py", "_config.py"),
        (
            "tests/test_config.py",
            "tests/test_checks.py",
            "tests/test_schema_rules.py",
            "tests/test_schema.py",
            "tests/test_cli.py",
            "tests/test_testing.py",
        ),
    ),
    # Last: another branch tunes the controller; its score is the one most likely to move.
    Group(
        "rate",
        ("_rate/",),
        (
            "tests/test_rate_controller.py",
            "tests/test_quota_window.py",
            "tests/test_rate_redis_store.py",
        ),
        (
            "tests/test_quota_window.py::"
            "test_clients_of_one_key_with_controllers_of_their_own_on_laravels_window",
        ),
    ),
)

# Not mutated: the wording of log lines. Tests hold that a retry or a fallback is logged, at
# which level, and that no secret is; the words are not a contract (error messages are).
DO_NOT_MUTATE = [r"^\s*logger\.(debug|info|warning)\("]


@dataclass
class Score:
    killed: int = 0
    """Detected: a test failed, or the mutant hung the tests past mutmut's timeout."""
    survived: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    other: dict[str, int] = field(default_factory=dict)  # no tests, suspicious, segfault...
    unchecked: int = 0
    """Not run yet (an interrupted run): left out of the score, and said."""

    @property
    def counted(self) -> int:
        return self.killed + len(self.survived) + sum(self.other.values())

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 100.0

    def add(self, other: Score) -> None:
        self.killed += other.killed
        self.survived += other.survived
        self.equivalent += other.equivalent
        self.unchecked += other.unchecked
        for kind, count in other.other.items():
            self.other[kind] = self.other.get(kind, 0) + count


def _sync(source: Path, target: Path) -> None:
    """Make `target` a copy of `source`, keeping mtimes (mutmut re-mutates changed files only)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def stage(group: Group) -> Path:
    where = STAGE / group.name
    where.mkdir(parents=True, exist_ok=True)
    _sync(PACKAGE, where / "src" / "meetbit")
    _sync(ROOT / "tests", where / "tests")
    for name in COPIED:
        if (ROOT / name).is_dir():
            _sync(ROOT / name, where / name)
        else:
            shutil.copy2(ROOT / name, where / name)
    # mutmut copies tests/ and pyproject.toml into mutants/ and runs pytest there: the
    # mutated package must come before the editable install of the real one.
    tests = [t for t in group.tests if (ROOT / t).exists()]
    only = [f"src/meetbit/{m}*" if m.endswith("/") else f"src/meetbit/{m}" for m in group.modules]
    table = {
        "source_paths": ["src/meetbit"],
        "also_copy": COPIED,
        "only_mutate": only,
        "do_not_mutate_patterns": DO_NOT_MUTATE,
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider"]
        + [argument for test in group.slow for argument in ("--deselect", test)],
        "timeout_multiplier": 4.0,
        "timeout_constant": 5.0,
        "use_git_change_detection": False,
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8") + "\n".join(lines) + "\n"
    pyproject = where / "pyproject.toml"
    if not pyproject.exists() or pyproject.read_text(encoding="utf-8") != text:
        pyproject.write_text(text, encoding="utf-8")
    return where


def retest_survivors(where: Path, modules: list[str], keep: frozenset[str] = frozenset()) -> None:
    """Forget every result but a kill: mutmut lets a result stand, and tests may be new.

    With `modules`, only theirs: the others are not run this time and keep their results.
    The survivals in `keep` (listed as equivalent) stand too: an equivalent mutant survives
    every test, and a survivor costs every test that reaches its function; a change to its
    function makes mutmut test it again anyway.
    """
    for meta in (where / "mutants").rglob("*.py.meta"):
        name = ".".join(meta.relative_to(where / "mutants" / "src" / "meetbit").parts)
        if modules and name.removesuffix(".py.meta") not in modules:
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data["exit_code_by_key"]
        data["exit_code_by_key"] = {
            k: v if v in KILLED or (v == 0 and k in keep) else None for k, v in codes.items()
        }
        meta.write_text(json.dumps(data), encoding="utf-8")


def run(group: Group, where: Path, jobs: int, modules: list[str]) -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    chosen = [m for m in modules if _in_group(group, m)]
    keep: set[str] = set()
    if (where / "mutants").exists():
        for module_score in score(where, _equivalents(), set()).values():
            keep.update(module_score.equivalent)
    retest_survivors(where, chosen, frozenset(keep))
    # mutmut maps each function to the tests that call it once, and after a change maps only
    # new tests: a function that appeared since (a dataclass turned into a plain class) would
    # keep the tests of its first mapping, and its mutants survive tests never run on them.
    (where / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    command = [str(mutmut), "run", "--max-children", str(jobs)]
    # A module of the group alone: mutmut takes names (or globs) of mutants, and re-runs
    # every one it is given, killed or not; so it is given those without a result. It is
    # first made to mutate what changed (a changed function's mutants lose their results,
    # the others keep theirs), so that the names are those of the code as it is now.
    if chosen:
        mutate = "from mutmut.__main__ import create_mutants; create_mutants(1)"
        subprocess.run([sys.executable, "-c", mutate], cwd=where, env=environment,
                       capture_output=True, check=True)  # fmt: skip
    names = [name for m in chosen for name in _to_run(where, m)]
    if chosen and not names:
        print(f"== {group.name}: nothing to re-test in {', '.join(chosen)}")
        return 0
    command += names
    print(f"== {group.name}: {', '.join(group.modules)} against {', '.join(group.tests)}")
    return subprocess.run(command, cwd=where, env=environment, check=False).returncode


def _to_run(where: Path, module: str) -> list[str]:
    """Names of the mutants of `module` ("_rate.window") that have no result."""
    meta = where / "mutants" / Path("src", "meetbit", *module.split(".")).with_suffix(".py.meta")
    if not meta.exists():
        return []
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return [name for name, code in codes.items() if code is None]


def _in_group(group: Group, module: str) -> bool:
    """Whether `module` ("_transport", "_rate.bucket") is one `group` mutates."""
    path = module.replace(".", "/")
    return any(path == m.removesuffix(".py") or path.startswith(m) for m in group.modules)


def _equivalents() -> list[dict[str, str]]:
    if not EQUIVALENTS.exists():
        return []
    return list(tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8")).get("mutant", []))


def _changed_lines(diff: str) -> tuple[str, str]:
    """The lines a mutant's diff removes and adds, stripped, each side joined by " / "."""
    lines = diff.splitlines()
    removed = [line[1:].strip() for line in lines if line[:1] == "-" and line[:3] != "---"]
    added = [line[1:].strip() for line in lines if line[:1] == "+" and line[:3] != "+++"]
    return " / ".join(removed), " / ".join(added)


def score(where: Path, listed: list[dict[str, str]], used: set[int]) -> dict[str, Score]:
    """Scores per module from mutmut's results in `where`; marks the equivalents it used."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from mutmut.mutation.data import SourceFileMutationData\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "from mutmut.stats import status_by_exit_code\n"
        "out = []\n"
        "for meta in Path('mutants/src').rglob('*.py.meta'):\n"
        "    path = meta.relative_to('mutants').with_suffix('')\n"
        "    data = SourceFileMutationData(path=path)\n"
        "    data.load()\n"
        "    for name, exit_code in data.exit_code_by_key.items():\n"
        "        status = status_by_exit_code[exit_code]\n"
        "        diff = get_diff_for_mutant(name, path=path) if status == 'survived' else ''\n"
        "        out.append([str(path), name, status, diff])\n"
        "json.dump(out, sys.stdout)\n"
    )
    for _ in range(3):  # a run in progress may be writing a results file
        found = subprocess.run(
            [sys.executable, "-c", code], cwd=where, capture_output=True, text=True, check=False
        )
        if found.returncode == 0:
            break
        time.sleep(1)
    else:
        raise SystemExit(f"cannot read mutmut's results in {where}:\n{found.stderr}")
    scores: dict[str, Score] = {}
    for path, name, status, diff in json.loads(found.stdout):
        module = path.removeprefix("src/").removesuffix(".py").replace("/", ".")
        entry = scores.setdefault(module, Score())
        if status in ("killed", "timeout"):
            entry.killed += 1
            continue
        if status == "not checked":
            entry.unchecked += 1
            continue
        function = name.rpartition(".")[2].partition("__mutmut_")[0]
        before, after = _changed_lines(diff)
        match = next(
            (
                index
                for index, item in enumerate(listed)
                if item["module"] == module
                and item["function"] == function
                and item["before"].strip() == before
                and item["after"].strip() == after
            ),
            None,
        )
        if status == "survived" and match is not None:
            used.add(match)
            entry.equivalent.append(name)
        elif status == "survived":
            entry.survived.append(f"{name}\n{diff}")
        else:
            entry.other[status] = entry.other.get(status, 0) + 1
    return scores


def table(scores: dict[str, Score]) -> str:
    rows = [
        "| module | mutants | equivalent | killed | survived | other | killed of non-equivalent |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    total = Score()
    for module in sorted(scores):
        rows.append(_row(f"`{module}`", scores[module]))
        total.add(scores[module])
    rows.append(_row("**runtime core**", total))
    return "\n".join(rows)


def _row(name: str, s: Score) -> str:
    other = [f"{n} {kind}" for kind, n in sorted(s.other.items())]
    if s.unchecked:
        other.append(f"{s.unchecked} not run yet")
    everything = s.counted + len(s.equivalent) + s.unchecked
    return (
        f"| {name} | {everything} | {len(s.equivalent)} | {s.killed} | {len(s.survived)} "
        f"| {', '.join(other) or '-'} | {s.percent:.1f} % |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", action="append", choices=[g.name for g in GROUPS])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--module", action="append", default=[], help="only this module (_retry, _rate.bucket)"
    )
    parser.add_argument("--report-only", action="store_true", help="score the last run")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    parser.add_argument("--survivors", action="store_true", help="print each survivor's diff")
    options = parser.parse_args()
    chosen = [g for g in GROUPS if not options.group or g.name in options.group]
    if options.module:
        chosen = [g for g in chosen if any(_in_group(g, m) for m in options.module)]
    status = 0
    listed = _equivalents()
    used: set[int] = set()
    scores: dict[str, Score] = {}
    for group in chosen:
        where = stage(group) if not options.report_only else STAGE / group.name
        if not options.report_only and run(group, where, options.jobs, options.module) != 0:
            status = 1
        if (where / "mutants").exists():
            scores.update(score(where, listed, used))
    print()
    print(table(scores))
    stale = [item for index, item in enumerate(listed) if index not in used]
    prefixes = tuple(
        "meetbit." + m.removesuffix(".py").rstrip("/").replace("/", ".")
        for group in chosen
        for m in group.modules
    )
    stale = [item for item in stale if item["module"].startswith(prefixes)]
    if stale:
        print("\nListed as equivalent, but no surviving mutant matches (remove or update):")
        for item in stale:
            print(f"  {item['module']}.{item['function']}: {item['before']!r} -> {item['after']!r}")
    survivors = [s for module in sorted(scores) for s in scores[module].survived]
    print(f"\n{len(survivors)} surviving mutants (tools/mutation.py --survivors shows them)")
    if options.survivors:
        for survivor in survivors:
            print(survivor, end="\n\n")
    if options.markdown:
        options.markdown.parent.mkdir(parents=True, exist_ok=True)
        options.markdown.write_text(table(scores) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
