"""One distribution installs both import packages, typed, from a wheel, `pip install .` and -e."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import meetbit
import pytest
from conftest import ROOT


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("dist")
    run(
        sys.executable,
        "-m",
        "build",
        "--wheel",
        "--no-isolation",
        "--outdir",
        str(outdir),
        str(ROOT),
    )
    (built,) = outdir.glob("*.whl")
    return built


def test_wheel_holds_both_packages_typed_and_nothing_else(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"meetbit", "meetbit_api", f"meetbit-{meetbit.__version__}.dist-info"}
    for required in (
        "meetbit/__init__.py",
        "meetbit/py.typed",
        "meetbit_api/__init__.py",
        "meetbit_api/py.typed",
        "meetbit_api/api/events/cancel_event.py",
        "meetbit_api/models/event.py",
    ):
        assert required in names
    assert not [name for name in names if "__pycache__" in name or ".ruff_cache" in name]


def test_wheel_metadata_declares_ranges_not_pins(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.message_from_string(
            archive.read(f"meetbit-{meetbit.__version__}.dist-info/METADATA").decode()
        )
    assert metadata["Version"] == meetbit.__version__
    assert metadata["Requires-Python"] == ">=3.11"
    assert sorted(metadata.get_all("Requires-Dist")) == [
        "attrs>=22.2.0",
        "httpx<1,>=0.23.1",
        "msgspec>=0.19; extra == 'fast'",  # only with pip install "meetbit[fast]"
        "redis>=5; extra == 'redis'",  # only with pip install "meetbit[redis]"
        "sniffio>=1.1",
    ]
    assert sorted(metadata.get_all("Provides-Extra")) == ["fast", "redis"]
    with zipfile.ZipFile(wheel) as archive:
        assert "meetbit/_rate/redis_store.py" in archive.namelist(), "the Redis store ships"


def test_wheel_metadata_names_licence_authors_and_project_urls(wheel: Path) -> None:
    dist_info = f"meetbit-{meetbit.__version__}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.message_from_string(archive.read(f"{dist_info}/METADATA").decode())
        licence = archive.read(f"{dist_info}/licenses/LICENSE").decode()
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert licence == (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert metadata["Author"] == "The MeetBit Python client authors"
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL"))
    assert set(urls) == {"Homepage", "Source", "Changelog"}


def import_from(site: Path) -> str:
    # -S keeps this virtualenv's editable install of the project off sys.path, so the import
    # can only succeed from `site`; httpx and attrs come from this virtualenv via PYTHONPATH.
    import attrs
    import httpx

    dependencies = {str(Path(module.__file__).parent.parent) for module in (attrs, httpx)}
    code = (
        "import meetbit, meetbit_api, meetbit_api.api.events.cancel_event\n"
        "print(meetbit.__file__, meetbit_api.__file__, meetbit.__version__)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *dependencies])}
    return run(sys.executable, "-S", "-c", code, env=env, cwd=site).stdout


@pytest.mark.parametrize("source", ["wheel", "project"])
def test_installed_copy_imports_both_packages(source: str, wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    what = str(wheel) if source == "wheel" else str(ROOT)
    run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--target",
        str(target),
        what,
    )
    meetbit_file, api_file, version = import_from(target).split()
    assert meetbit_file.startswith(str(target))
    assert api_file.startswith(str(target))
    assert version == meetbit.__version__


def test_editable_install_imports_from_the_source_tree() -> None:
    import meetbit_api

    assert Path(meetbit.__file__).parent == ROOT / "overlay" / "meetbit"
    assert Path(meetbit_api.__file__).parent == ROOT / "generated" / "meetbit_api"


def test_sdist_carries_the_licence_and_the_specs_provenance(tmp_path: Path) -> None:
    run(
        sys.executable,
        "-m",
        "build",
        "--sdist",
        "--no-isolation",
        "--outdir",
        str(tmp_path),
        str(ROOT),
    )
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        page = archive.extractfile(f"meetbit-{meetbit.__version__}/spec/upstream/cancel-event.md")
        assert page is not None
        assert page.read() == (ROOT / "spec/upstream/cancel-event.md").read_bytes()
    assert {"LICENSE", "openapi.yaml", "spec/upstream/README.md", "CHANGELOG.md"} <= names
