"""Generation is deterministic and local: a spec change touches only the code it concerns."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import generate as generator
import pytest
from conftest import ROOT


def generate(spec_text: str, workdir: Path) -> Path:
    spec = workdir / "openapi.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    output = workdir / "out" / "meetbit_api"
    generator.generate(spec, output)
    return output


def changed_files(left: Path, right: Path) -> set[str]:
    changed: set[str] = set()

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        changed.update(
            prefix + name
            for name in comparison.left_only + comparison.right_only + comparison.diff_files
        )
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=["__pycache__"]), "")
    return changed


@pytest.fixture(scope="module")
def spec_text() -> str:
    return (ROOT / "openapi.yaml").read_text(encoding="utf-8")


def test_same_inputs_give_the_committed_bytes(spec_text: str, tmp_path: Path) -> None:
    assert changed_files(ROOT / "generated/meetbit_api", generate(spec_text, tmp_path)) == set()


def test_new_property_changes_only_its_model(spec_text: str, tmp_path: Path) -> None:
    anchor = "    OnlineConference:\n      type: object\n"
    assert anchor in spec_text
    new_property = "        recording_url:\n          type: string\n          nullable: true\n"
    changed_spec = spec_text.replace(
        "      properties:\n        id:\n          type: integer\n          nullable: false\n",
        "      properties:\n"
        + new_property
        + "        id:\n          type: integer\n          nullable: false\n",
        1,
    )
    assert changed_spec != spec_text
    output = generate(changed_spec, tmp_path)
    # The model, and the operation metadata whose response schemas inline it.
    assert changed_files(ROOT / "generated/meetbit_api", output) == {
        "models/online_conference.py",
        "operations.py",
    }
    assert (
        "recording_url: None | str | Unset" in (output / "models/online_conference.py").read_text()
    )


def test_make_generate_says_up_to_date_only_when_nothing_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "generated" / "meetbit_api"
    shutil.copytree(
        ROOT / "generated/meetbit_api", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    untouched = (package / "client.py").stat().st_mtime_ns
    # What `make generate` runs, with the target a copy of generated/meetbit_api.
    generator.main([str(ROOT / "openapi.yaml"), str(package), "--replace"])
    assert capsys.readouterr().out == f"{package} is up to date\n"
    assert (package / "client.py").stat().st_mtime_ns == untouched  # nothing was rewritten

    (package / "models/event.py").write_text("# edited by hand\n")
    (package / "stray.py").write_text("")
    (package / "types.py").unlink()
    generator.main([str(ROOT / "openapi.yaml"), str(package), "--replace"])
    assert capsys.readouterr().out == f"regenerated {package} (3 files changed)\n"
    assert changed_files(ROOT / "generated/meetbit_api", package) == set()
