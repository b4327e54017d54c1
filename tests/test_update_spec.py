"""make update-spec: sources merged, documents validated or refused, changes classified,
the client regenerated, the version and CHANGELOG moved by the one rule.

Every spec a test feeds in is derived from the spec in the tree (tests/spec_variants.py),
so a legitimate spec update leaves these tests green: the last tests rehearse exactly that.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import apply_overlay
import changelog
import pytest
import spec_variants as variants
import update_spec
import versioning
from conftest import ROOT
from ruamel.yaml import YAML
from update_spec import sources

# What each fixture page's operation becomes, spelled out (not computed by the code under
# test): its generated module, its resource method, its CLI command.
NAMES = {
    "GET /calendars/{calendar_id}/events/{event_id}": "getEvent: meetbit_api.api.events."
    "get_event, client.events.get_event, meetbit events get-event",
    "GET /calendars/{calendar_id}/events": "listEvents: meetbit_api.api.events.list_events, "
    "client.events.list_events, meetbit events list-events",
    "PATCH /calendars/{calendar_id}/events/{event_id}": "updateEvent: meetbit_api.api.events."
    "update_event, client.events.update_event, meetbit events update-event",
}
# The classification tests edit the spec text around these two operations.
CANCEL = "POST /calendars/{calendar_id}/events/{event_id}/cancel"
LIST = "GET /calendars/{calendar_id}/events"


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, Path]:
    """MeetBit's pages for operations the tree's spec does not have yet, by operation."""
    directory = tmp_path / "pages"
    directory.mkdir()
    found = variants.new_pages(directory)
    if not found:
        pytest.skip(
            "the tree's spec has every fixture page's operation: add a page to "
            "tests/fixtures/pages/ for one it lacks"
        )
    return found


def run(*specs: Path, project: Path, type_check: bool = False) -> int:
    return update_spec.main(
        [*map(str, specs), "--root", str(project), *([] if type_check else ["--no-type-check"])]
    )


def state(project: Path) -> str:
    """A digest of everything update-spec may write: equal digests, nothing changed."""
    digest = hashlib.sha256()
    written = [
        project / "openapi.yaml",
        project / "CHANGELOG.md",
        project / versioning.VERSION_FILE,
    ]
    for path in sorted(
        [*written, *(project / "generated").rglob("*"), *(project / "spec").rglob("*")]
    ):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(project)).encode() + path.read_bytes())
    return digest.hexdigest()


def provenance_holds(project: Path) -> None:
    """What tests/test_provenance.py checks in the tree, on the copy."""
    vendored = sources.vendored(project)
    assert (project / "openapi.yaml").read_bytes() == sources.merge(vendored)
    readme = (project / sources.UPSTREAM / "README.md").read_text()
    for source in vendored:
        assert hashlib.sha256(source.raw).hexdigest() in readme, source.name


def unreleased(project: Path) -> str:
    version = versioning.tree_version(project)
    section = changelog.section((project / "CHANGELOG.md").read_text(), version)
    assert section is not None, f"CHANGELOG.md has no section for {version}"
    return section


# --- Taking MeetBit's pages ---------------------------------------------------------------


def test_a_page_for_a_new_operation_is_vendored_merged_and_generated(
    project: Path, pages: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    operation, page = next(iter(pages.items()))
    assert run(page, project=project) == 0
    out = capsys.readouterr().out
    assert "Changes for callers (1):" in out
    assert f"added     {operation}: operation added ({NAMES[operation]})" in out
    assert (project / sources.UPSTREAM / page.name).read_bytes() == page.read_bytes()
    provenance_holds(project)
    module = NAMES[operation].split(", ")[0].split(".")[-1]
    assert (
        "def sync_detailed("
        in (project / f"generated/meetbit_api/api/events/{module}.py").read_text()
    )
    # The rule, from the last release: an addition is a patch over it, which an unreleased
    # tree version already covers.
    expected = versioning.decide(ROOT, versioning.ADDITION).version
    assert versioning.tree_version(project) == expected
    assert f"  - added: {operation}: operation added" in unreleased(project)


def test_three_new_operations_are_reported_and_generated(
    project: Path, pages: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A directory of pages as saved from the docs site, guides without an excerpt included.
    directory = tmp_path / "pages"
    (directory / "introduction.md").write_text("# Introduction\n\nWelcome to MeetBit.\n")
    assert run(directory, project=project) == 0
    out = capsys.readouterr().out
    assert "Pages without an OpenAPI excerpt, left out: introduction.md" in out
    assert f"Changes for callers ({len(pages)}):" in out
    for operation in pages:
        assert f"added     {operation}: operation added ({NAMES[operation]})" in out
    assert "BREAKING" not in out
    provenance_holds(project)
    api = project / "generated/meetbit_api/api/events"
    for operation in pages:
        module = NAMES[operation].split(", ")[0].split(".")[-1]
        assert "def sync_detailed(" in (api / f"{module}.py").read_text()
    if "GET /calendars/{calendar_id}/events" in pages:
        assert "per_page: int | Unset = 15" in (api / "list_events.py").read_text()


def test_lowered_request_limit_is_breaking(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # MeetBit republishes a vendored page with a request field's limit halved.
    for source in sources.vendored(ROOT):
        document = sources.layout().load(source.excerpt)
        try:
            operation, field, schema = variants.request_limit(document)
        except LookupError:
            continue
        break
    else:
        pytest.skip("no vendored page has a request field with a maxLength")
    before = schema["maxLength"]
    schema["maxLength"] = before // 2
    page = tmp_path / source.name
    page.write_bytes(source.raw.replace(source.excerpt, variants.text(document).encode(), 1))
    assert run(page, project=project) == 0
    out = capsys.readouterr().out
    assert "Changes for callers (1):" in out
    assert (
        f"BREAKING  {operation} request body.{field}: maxLength lowered from {before} to "
        f"{before // 2}" in out
    )
    decision = versioning.decide(ROOT, versioning.BREAKING)
    assert versioning.tree_version(project) == decision.version
    assert f"Version: {decision.explain()}" in out
    assert (project / sources.UPSTREAM / source.name).read_bytes() == page.read_bytes()
    provenance_holds(project)
    assert f"  - BREAKING: {operation} request body.{field}: maxLength lowered" in unreleased(
        project
    )


def test_pages_that_disagree_on_a_component_are_refused_naming_both(
    project: Path, pages: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = next(iter(pages.values()))
    raw = page.read_bytes()
    excerpt, _ = sources.fenced_yaml(raw)
    document = sources.layout().load(excerpt)
    event = document["components"]["schemas"]["Event"]
    field = next(iter(event["properties"]))
    event["properties"][field]["description"] = "Changed on this page only."
    stale = tmp_path / "stale" / page.name
    stale.parent.mkdir()
    stale.write_bytes(raw.replace(excerpt, variants.text(document).encode(), 1))
    first = sources.vendored(ROOT)[0].name
    before = state(project)
    assert run(stale, project=project) == 1
    err = capsys.readouterr().err
    assert f"{first} and {page.name} both describe components.schemas.Event, differently" in err
    assert f"at .properties.{field}.description: (absent) in {first}" in err
    assert "Nothing changed." in err
    assert state(project) == before


def test_the_same_pages_again_change_nothing(
    project: Path, pages: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    page = next(iter(pages.values()))
    assert run(page, project=project) == 0
    before = state(project)
    capsys.readouterr()
    assert run(page, project=project) == 0
    assert "unchanged: " in capsys.readouterr().out
    assert state(project) == before


def test_a_vendored_page_deleted_and_the_directory_taken_removes_its_operation(
    project: Path, pages: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    operation, page = next(iter(pages.items()))
    assert run(page, project=project) == 0
    (project / sources.UPSTREAM / page.name).unlink()
    capsys.readouterr()
    assert run(project / sources.UPSTREAM, project=project) == 0
    out = capsys.readouterr().out
    assert f"BREAKING  {operation}: operation removed" in out
    provenance_holds(project)


def test_a_whole_yaml_document_replaces_the_pages_and_provenance_holds(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = variants.tree()
    field = variants.optional_field(document, "Event")
    del document["components"]["schemas"]["Event"]["properties"][field]
    conference = document["components"]["schemas"]["OnlineConference"]["properties"]
    conference["recording_url"] = {"type": "string", "nullable": True, "readOnly": True}
    variant = variants.write(document, tmp_path / "openapi.yaml")
    assert run(variant, project=project) == 0
    out = capsys.readouterr().out
    cancel = next(name for name, _ in variants.operations(document) if "cancel" in name)
    assert f"BREAKING  {cancel} 200.data.{field}: field removed" in out
    assert f"added     {cancel} 200.data.online_conference.recording_url: field added" in out
    assert (project / "openapi.yaml").read_bytes() == variant.read_bytes()
    assert sorted(path.name for path in (project / sources.UPSTREAM).iterdir()) == [
        "README.md",
        "openapi.yaml",
    ]
    provenance_holds(project)
    assert field not in (project / "generated/meetbit_api/models/event.py").read_text()
    # The removed attribute breaks the public API: declared for make api-check.
    assert f"- Breaking (MeetBit spec update): `meetbit_api.models.Event.{field}`" in unreleased(
        project
    )


def test_a_whole_document_replaces_the_one_taken_before_it(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    document = variants.tree()
    first = variants.write(document, tmp_path / "first/openapi.yaml")
    operation, field, schema = variants.request_limit(document)
    schema["maxLength"] -= 1
    second = variants.write(document, tmp_path / "second/openapi.yaml")
    assert run(second, project=project) == 0
    capsys.readouterr()
    # The same file name as the vendored document: it replaces it, it is not merged with it.
    assert run(first, project=project) == 0
    assert (
        f"added     {operation} request body.{field}: maxLength raised" in capsys.readouterr().out
    )
    assert sorted(path.name for path in (project / sources.UPSTREAM).iterdir()) == [
        "README.md",
        "openapi.yaml",
    ]
    provenance_holds(project)


def test_a_tree_without_a_version_takes_the_spec_and_records_nothing(
    project: Path, pages: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A scratch project of specs alone (tools/real_specs.py makes such copies)."""
    (project / versioning.VERSION_FILE).unlink()
    before = (project / "CHANGELOG.md").read_bytes()
    assert run(next(iter(pages.values())), project=project) == 0
    assert "Version: not recorded, this tree has no overlay/meetbit/_version.py." in (
        capsys.readouterr().out
    )
    assert (project / "CHANGELOG.md").read_bytes() == before


def test_operation_the_generator_would_skip_is_named_and_nothing_changes(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = variants.tree()
    document["paths"]["/events/import"] = {
        "post": {
            "tags": ["Events"],
            "operationId": "importEvents",
            "requestBody": {"content": {"text/calendar": {"schema": {"type": "string"}}}},
            "responses": {"204": {"description": "Imported."}},
        }
    }
    variant = variants.write(document, tmp_path / "ical.yaml")
    before = state(project)
    assert run(variant, project=project) == 1
    err = capsys.readouterr().err
    assert (
        "POST /events/import (importEvents): skipped: Unsupported content type text/calendar" in err
    )
    assert "Nothing changed." in err
    assert state(project) == before


def test_properties_the_generator_names_alike_are_named_in_the_refusal(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Scribe writes an array's items as a second key (`tags.*`). Was: "Properties a property
    # and a property have the same python_name" (the generator's message, with object reprs).
    document = variants.tree()
    tags = {"type": "array", "items": {"type": "string"}}
    document["paths"]["/events/tag"] = {
        "post": {
            "tags": ["Events"],
            "operationId": "tagEvents",
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"tags": tags, "tags.*": {"type": "string"}},
            }}}},
            "responses": {"204": {"description": "Tagged."}},
        }
    }  # fmt: skip
    variant = variants.write(document, tmp_path / "scribe.yaml")
    before = state(project)
    assert run(variant, project=project) == 1
    err = capsys.readouterr().err
    assert (
        "POST /events/tag (tagEvents): skipped: properties 'tags' and 'tags.*' get the same "
        "Python name" in err
    )
    assert state(project) == before


# --- Refusals -----------------------------------------------------------------------------


def test_path_at_the_wrong_yaml_level_is_refused_with_the_validators_message(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "openapi.yaml").read_text()
    assert text.count("\ncomponents:\n") == 1
    stray = (
        "/calendars/{calendar_id}/stray:\n  get:\n    responses:\n      '204':\n"
        "        description: ''\n"
    )
    variant = tmp_path / "wrong-level.yaml"
    variant.write_text(text.replace("\ncomponents:\n", f"\n{stray}components:\n", 1))
    before = state(project)
    assert run(variant, project=project) == 1
    captured = capsys.readouterr()
    assert (
        "openapi-spec-validator rejects the fixed document at $: "
        "'/calendars/{calendar_id}/stray' does not match any of the regexes: '^x-'" in captured.err
    )
    assert "(a path outside `paths:`? check its indentation)" in captured.err
    assert "Nothing changed." in captured.err
    assert captured.out == ""
    assert state(project) == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("        title:\n          type: string\n", "        title:\n          type: strin\n"),
            "rejects the fixed document at $.components.schemas.Event.properties.title.type: "
            "'strin' is not one of ['array', 'boolean', 'integer', 'number', 'object', 'string']",
        ),
        (
            ("'#/components/responses/UnexpectedErrorResponse'", "'#/components/responses/Gone'"),
            "cannot check the fixed document: $ref '/components/responses/Gone' points to nothing",
        ),
    ],
    ids=["misspelt-type", "dangling-ref"],
)
def test_invalid_document_is_refused_with_the_first_error_where_it_is(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: tuple[str, str],
    message: str,
) -> None:
    text = (ROOT / "openapi.yaml").read_text()
    assert edit[0] in text
    variant = tmp_path / "invalid.yaml"
    variant.write_text(text.replace(*edit, 1))
    before = state(project)
    assert run(variant, project=project) == 1
    err = capsys.readouterr().err
    assert f"update-spec: openapi-spec-validator {message}" in err
    assert len(err) < 400  # the first error, not the document it sits in
    assert state(project) == before


def test_fix_that_no_longer_applies_fails_clearly_and_changes_nothing(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Upstream drops a property one of our fixes is written for.
    document = variants.tree()
    overlay = apply_overlay.load(ROOT / "spec/fixes.overlay.yaml")
    schema, field = next(
        (parts[3], parts[5])
        for action in overlay["actions"]
        if len(parts := action["target"].split(".")) == 6
        and parts[1:3] == ["components", "schemas"]
        and parts[4] == "properties"
    )
    target = document["components"]["schemas"][schema]
    del target["properties"][field]
    if field in (target.get("required") or []):
        target["required"].remove(field)
    variant = variants.write(document, tmp_path / "fix-target-gone.yaml")
    before = state(project)
    assert run(variant, project=project) == 1
    err = capsys.readouterr().err
    assert "the fix layer no longer applies" in err
    assert f"{schema}.properties.{field}" in err
    assert state(project) == before


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("new-openapi.yaml", None, "cannot read it (No such file or directory)"),
        (
            "new-openapi.yaml",
            b"openapi: 3.0.3\npaths: [\n",
            "not an OpenAPI document: not valid YAML: ",
        ),
        ("new-openapi.yaml", b"\xff\xfe not text", "not UTF-8 text"),
        ("new-openapi.yaml", b"- openapi\n- 3.0.3\n", "not an OpenAPI document"),
        ("new-openapi.yaml", b"", "not an OpenAPI document"),
        ("get-event.md", b"# Get Event\n\nNo excerpt.\n", "not a MeetBit docs page: expected one"),
        (
            "get-event.md",
            b"# Get Event\n\n````yaml openapi.yaml get /x\nopenapi: 3.0.3\npaths: [\n````\n",
            "its ````yaml excerpt is not valid YAML: ",
        ),
    ],
    ids=["missing", "invalid-yaml", "binary", "a-list", "empty", "page-no-fence", "page-bad-yaml"],
)
def test_unusable_file_is_one_line_and_exit_2(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    reason: str,
) -> None:
    spec = tmp_path / name
    if content is not None:
        spec.write_bytes(content)
    before = state(project)
    assert run(spec, project=project) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"update-spec: {spec}: {reason}")
    assert state(project) == before


def test_a_page_s_yaml_error_is_placed_on_the_page_s_line(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "get-event.md"
    page.write_bytes(
        b"# Get Event\n\n````yaml openapi.yaml get /x\nopenapi: 3.0.3\npaths: [\n````\n"
    )
    assert run(page, project=project) == 2
    assert "at line 6," in capsys.readouterr().err  # the page's line, not the excerpt's


def test_a_whole_document_given_with_pages_is_a_usage_error(
    project: Path, pages: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = variants.write(variants.tree(), tmp_path / "openapi.yaml")
    assert run(variant, next(iter(pages.values())), project=project) == 2
    assert "give it alone, not with pages" in capsys.readouterr().err


# --- Through make: exit statuses, and the rehearsal of the maintainer's loop --------------

SKIP_WITHOUT_MAKE = pytest.mark.skipif(
    shutil.which("make") is None or not (ROOT / ".venv/bin/python").exists(),
    reason="needs make and the project's .venv (make creates it)",
)


def copy_of_the_project(destination: Path) -> Path:
    """Everything make test reads, with the project's virtualenv linked in (no reinstall)."""
    shutil.copytree(
        ROOT,
        destination,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".venv*", "build", ".git", "node_modules", "__pycache__", ".*_cache", ".hypothesis"
        ),
    )
    (destination / ".venv").symlink_to(ROOT / ".venv")
    return destination


def make(root: Path, *arguments: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # -o: treat the virtualenv as up to date, so make never rebuilds it from a test.
    command = ["make", "--no-print-directory", "-C", str(root), "-o", ".venv/.installed"]
    return subprocess.run(
        [*command, *arguments], capture_output=True, text=True, timeout=timeout, check=False
    )


@SKIP_WITHOUT_MAKE
def test_make_update_spec_says_the_script_s_status_and_make_s_own() -> None:
    usage = make(ROOT, "update-spec")
    assert usage.returncode == 2
    assert "usage: make update-spec SPEC=page.md|pages/|openapi.yaml" in usage.stderr
    missing = make(ROOT, "update-spec", "SPEC=/nonexistent/get-event.md")
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert (
        "update-spec: /nonexistent/get-event.md: cannot read it (No such file or directory)\n"
        "update-spec: exit status 2 (1: refused or hand-written code to fix; 2: usage or SPEC "
        "unusable)\n" in missing.stderr
    )


@SKIP_WITHOUT_MAKE
def test_a_refusal_through_make_names_status_1_and_changes_nothing(
    pages: dict[str, Path], tmp_path: Path
) -> None:
    root = copy_of_the_project(tmp_path / "project")
    page = next(iter(pages.values()))
    stale = tmp_path / "stale" / page.name
    stale.parent.mkdir()
    stale.write_bytes(page.read_bytes().replace(b"version: '2.0'", b"version: '2.1'", 1))
    assert stale.read_bytes() != page.read_bytes()
    before = state(root)
    refused = make(root, "update-spec", f"SPEC={stale}")
    assert refused.returncode == 2  # GNU make's status for any failed recipe
    assert "both describe info, differently" in refused.stderr
    assert "update-spec: exit status 1 (1: refused" in refused.stderr
    assert state(root) == before
    direct = subprocess.run(
        [sys.executable, str(root / "tools/update_spec"), str(stale), "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert direct.returncode == 1, direct.stderr


# The tests that read the spec in the tree, run in the rehearsal on the updated copy (the
# whole suite passes there too, measured by hand: these are the ones about the spec).
SPEC_TESTS = (
    "tests/test_provenance.py",
    "tests/test_update_spec.py",
    "tests/test_generation.py",
    "tests/test_spec_fixes.py",
    "tests/test_api_check.py",
    "tests/test_tools_follow_the_spec.py",
)


@SKIP_WITHOUT_MAKE
@pytest.mark.skipif(
    os.environ.get("MEETBIT_REHEARSAL") == "1", reason="this run is inside the rehearsal"
)
def test_rehearsal_meetbit_s_page_for_a_new_operation_leaves_make_test_green(
    pages: dict[str, Path], tmp_path: Path
) -> None:
    """The maintainer's loop on a copy of the project: MeetBit's page in, make update-spec,
    then make test's checks that depend on the spec, green with no other hand edit."""
    root = copy_of_the_project(tmp_path / "project")
    operation, page = next(iter(pages.items()))
    taken = make(root, "update-spec", f"SPEC={page}")
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert f"added     {operation}: operation added" in taken.stdout
    assert "type-checks against the new generated code" in taken.stdout
    checks = make(root, "check-generated", "validate-spec", "api-check")
    assert checks.returncode == 0, checks.stdout + checks.stderr
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SPEC_TESTS],
        cwd=root,
        # The copy's packages, ahead of the editable install of this tree's.
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(root / "overlay"), str(root / "generated")]),
            "MEETBIT_REHEARSAL": "1",
        },
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout.splitlines()[-1]


# --- Nothing to do ------------------------------------------------------------------------


def test_identical_spec_is_unchanged_and_asks_for_no_version_bump(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(project)
    for spec in (ROOT / "openapi.yaml", ROOT / sources.UPSTREAM):
        assert run(spec, project=project) == 0
        out = capsys.readouterr().out
        assert "unchanged" in out
        assert "No version bump" in out
        assert state(project) == before


def test_fix_made_upstream_is_reported_as_no_longer_needed(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Upstream makes one of our fixes itself: the action that names the operation.
    overlay = apply_overlay.load(ROOT / "spec/fixes.overlay.yaml")
    number, action = next(
        (number, action)
        for number, action in enumerate(overlay["actions"], start=1)
        if set(action.get("update") or {}) == {"operationId"}
    )
    document = variants.tree()
    fixed_upstream, _ = apply_overlay.apply(document, {**overlay, "actions": [action]})
    variant = variants.write(fixed_upstream, tmp_path / "fixed-upstream.yaml")
    assert run(variant, project=project) == 0
    out = capsys.readouterr().out
    assert f"fix no longer needed: action {number}" in out
    assert "Changes for callers (0): unchanged for callers." in out
    assert "Version: no change a built package would show" in out
    assert "Nothing for CHANGELOG.md." in out
    assert (project / "CHANGELOG.md").read_bytes() == (ROOT / "CHANGELOG.md").read_bytes()


# --- Hand-written code against the new generated code (the one mypy run: it is slow) ------


def test_removed_field_names_the_hand_written_lines_that_use_it(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (make installs it from requirements/dev.txt)")
    demo_lines = [
        number
        for number, line in enumerate(
            (project / "examples/demo.py").read_text().splitlines(), start=1
        )
        if "event.title" in line
    ]
    assert demo_lines, "examples/demo.py no longer reads event.title: pick another field"
    document = variants.tree()
    event = document["components"]["schemas"]["Event"]
    del event["properties"]["title"]
    event["required"].remove("title")
    variant = variants.write(document, tmp_path / "title-removed.yaml")
    assert run(variant, project=project, type_check=True) == 1
    out = capsys.readouterr().out
    cancel = next(name for name, _ in variants.operations(document) if "cancel" in name)
    assert f"BREAKING  {cancel} 200.data.title: field removed" in out
    for number in demo_lines:
        assert f'  examples/demo.py:{number}: error: "Event" has no attribute "title"' in out
    reported = [line for line in out.splitlines() if ": error: " in line]
    assert f"hand-written code no longer type-checks: {len(reported)} errors" in out
    assert all(line.startswith(("  overlay/", "  examples/")) for line in reported)
    # Taken all the same: fixing those lines is the maintainer's next step.
    assert (project / "openapi.yaml").read_bytes() == variant.read_bytes()


# --- Classification -----------------------------------------------------------------------


def changes(old_text: str, new_text: str) -> list[update_spec.Change]:
    assert old_text != new_text
    overlay = apply_overlay.load(ROOT / "spec/fixes.overlay.yaml")

    def fixed(text: str) -> Any:
        return apply_overlay.apply(YAML(typ="safe", pure=True).load(text), overlay)[0]

    return update_spec.summarise(fixed(old_text), fixed(new_text))


BASE = (ROOT / "openapi.yaml").read_text()
MORE = variants.text(variants.with_fixture_operations(variants.tree()))

NEW_REQUIRED_FIELD = (
    "                - cancel_note\n              properties:\n",
    "                - cancel_note\n                - reason_code\n              properties:\n"
    "                reason_code:\n                  type: integer\n",
)
ENUM_NARROWED = ("        - 2\n        - 3\n", "        - 2\n")
ENUM_WIDENED = ("        - 2\n        - 3\n", "        - 2\n        - 3\n        - 4\n")
TYPE_CHANGED = (
    "    EventCanceledByType:\n      type: string",
    "    EventCanceledByType:\n      type: integer",
)
CANCEL_NOTE = "                cancel_note:\n                  type: string\n"
PER_PAGE = "            minimum: 1\n            maximum: 100\n            default: 15\n"
SEARCH = "            minLength: 1\n            maxLength: 100\n"
STATUS = "              - scheduled\n              - canceled\n"
TITLE = (
    "          nullable: false\n          maxLength: 255\n          readOnly: false\n        body:"
)


def last_step(what: str) -> tuple[str, str]:
    """From "GET /x 200.data[].title: maxLength lowered": ("title", "maxLength lowered")."""
    where, description = what.split(": ", 1)
    return where.rsplit(".", 1)[-1], description


@pytest.mark.parametrize(
    ("base", "edit", "expected", "kind"),
    [
        (BASE, NEW_REQUIRED_FIELD, "request body.reason_code: required field added", "BREAKING"),
        (BASE, ENUM_NARROWED, "enum narrowed, [3] removed", "BREAKING"),
        (BASE, ENUM_WIDENED, "enum widened, [4] added", "added"),  # response enums are open
        (BASE, TYPE_CHANGED, "type changed from string to integer", "BREAKING"),
        # Request limits: tightened breaks a caller's valid call, loosened is additive.
        (
            BASE,
            ("maxLength: 255\n      responses:", "maxLength: 500\n      responses:"),
            "request body.cancel_note: maxLength raised from 255 to 500",
            "added",
        ),
        (
            BASE,
            (CANCEL_NOTE, CANCEL_NOTE + "                  minLength: 3\n"),
            "request body.cancel_note: minLength raised from 0 to 3",
            "BREAKING",
        ),
        (
            BASE,
            (CANCEL_NOTE, CANCEL_NOTE + "                  pattern: ^[^<>]*$\n"),
            "request body.cancel_note: pattern '^[^<>]*$' added",
            "BREAKING",
        ),
        (
            MORE,
            (PER_PAGE, PER_PAGE.replace("100", "50")),
            f"{LIST} per_page: maximum lowered from 100 to 50",
            "BREAKING",
        ),
        (
            MORE,
            (PER_PAGE, PER_PAGE.replace("100", "500")),
            f"{LIST} per_page: maximum raised from 100 to 500",
            "added",
        ),
        (
            MORE,
            (PER_PAGE, PER_PAGE + "            exclusiveMaximum: true\n"),
            f"{LIST} per_page: exclusiveMaximum set",
            "BREAKING",
        ),
        (
            MORE,
            (SEARCH, "            maxLength: 100\n"),
            f"{LIST} search: minLength lowered from 1 to 0",
            "added",
        ),
        (
            MORE,
            (STATUS, "              - scheduled\n"),
            f"{LIST} status: enum narrowed, ['canceled'] removed",
            "BREAKING",
        ),
        (
            MORE,
            (STATUS, STATUS + "              - deleted\n"),
            f"{LIST} status: enum widened, ['deleted'] added",
            "added",
        ),
        (
            MORE,
            ("            minimum: 1\n            default: 1\n", "            default: 1\n"),
            f"{LIST} page: minimum 1 removed",
            "added",
        ),
        # Response limits: the client does not check them; nothing a caller wrote breaks.
        (
            BASE,
            (TITLE, TITLE.replace("255", "100")),
            f"{CANCEL} 200.data.title: maxLength lowered from 255 to 100",
            "info",
        ),
        (
            BASE,
            (TITLE, TITLE.replace("255", "1000")),
            f"{CANCEL} 200.data.title: maxLength raised from 255 to 1000 (responses may now",
            "info",
        ),
    ],
)
def test_classification(base: str, edit: tuple[str, str], expected: str, kind: str) -> None:
    assert base.count(edit[0]) == 1
    found = changes(base, base.replace(*edit))
    assert any(expected in change.what for change in found), found
    assert {change.kind for change in found} == {kind}
    # One change, reported once for each operation (and way) that reaches the edited part.
    assert len({last_step(change.what) for change in found}) == 1, found


def test_removed_operation_and_parameter_are_breaking() -> None:
    gone = {name for name, _ in variants.operations(YAML(typ="safe").load(MORE))} - {
        name for name, _ in variants.operations(YAML(typ="safe").load(BASE))
    }
    if gone:  # else the tree has every fixture page's operation already
        removed = [change for change in changes(MORE, BASE) if "operation removed" in change.what]
        assert {change.kind for change in removed} == {"BREAKING"}
        assert {change.what.split(":")[0] for change in removed} == gone
    search = "        - name: search\n"
    start = MORE.index(search)
    end = MORE.index("      responses:", start)
    (change,) = changes(MORE, MORE[:start] + MORE[end:])
    assert change.what == f"{LIST}: parameter search (query) removed"
    assert change.breaking


def test_response_limit_only_is_unchanged_for_callers_and_a_fix(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = tmp_path / "title-limit-100.yaml"
    variant.write_text(BASE.replace(TITLE, TITLE.replace("255", "100")))
    assert run(variant, project=project) == 0
    out = capsys.readouterr().out
    assert "Changes for callers (0): unchanged for callers." in out
    assert f"info      {CANCEL} 200.data.title: maxLength lowered from 255 to 100" in out
    # Nothing a caller notices, but the generated docs and metadata change: a fix.
    assert f"Version: {versioning.decide(ROOT, versioning.FIX).explain()}" in out
    assert f"  - info: {CANCEL} 200.data.title: maxLength lowered" in unreleased(project)


def test_composed_request_body_is_compared_part_by_part() -> None:
    def document(extra: dict[str, Any]) -> dict[str, Any]:
        body = {"allOf": [{"$ref": "#/components/schemas/Base"}, extra]}
        return {
            "paths": {
                "/things": {
                    "post": {
                        "operationId": "createThing",
                        "requestBody": {"content": {"application/json": {"schema": body}}},
                        "responses": {"204": {"description": ""}},
                    }
                }
            },
            "components": {
                "schemas": {
                    "Base": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string", "maxLength": 50}},
                    }
                }
            },
        }

    old = document({"properties": {"note": {"type": "string"}}})
    new = document({"properties": {"name": {"maxLength": 20}}})
    found = {(change.kind, change.what) for change in update_spec.summarise(old, new)}
    assert found == {
        ("BREAKING", "POST /things request body.note: field removed"),
        ("BREAKING", "POST /things request body.name: maxLength lowered from 50 to 20"),
    }


def test_null_is_compared_as_the_schema_rules_allow_it() -> None:
    # Was: "may now be null" for a nullable enum that lists no null, which refuses it.
    def document(kind: dict[str, Any]) -> dict[str, Any]:
        answer = {"type": "object", "properties": {"kind": kind}}
        content = {"application/json": {"schema": answer}}
        return {
            "paths": {
                "/things": {
                    "get": {
                        "operationId": "getThing",
                        "responses": {"200": {"description": "", "content": content}},
                    }
                }
            }
        }

    enum = {"type": "string", "enum": ["a", "b"]}
    same = update_spec.summarise(document(enum), document({**enum, "nullable": True}))
    assert [(c.kind, c.what) for c in same] == []
    widened = update_spec.summarise(
        document(enum), document({**enum, "enum": ["a", "b", None], "nullable": True})
    )
    assert ("BREAKING", "GET /things 200.kind: may now be null") in {
        (c.kind, c.what) for c in widened
    }
