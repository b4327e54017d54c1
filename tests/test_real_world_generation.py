"""What real specs contain, generated and called over the wire (tests/fixtures/openapi-real-world.yaml).

Each spec here is generated into a scratch package (the same tools/generate.py as `make
generate`, with an empty fix layer) and driven in a subprocess whose `meetbit_api` is that
package, against a real HTTP server on 127.0.0.1 that the subprocess starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import generate
import pytest
from conftest import ROOT

FIXTURE = ROOT / "tests/fixtures/openapi-real-world.yaml"
EMPTY_FIXES = "overlay: 1.0.0\ninfo: {title: none, version: '1'}\nactions: []\n"


def generate_package(spec: Path, where: Path, fixes: str = EMPTY_FIXES) -> Path:
    """Generate `spec` into where/meetbit_api; return `where` (a PYTHONPATH entry)."""
    root = where / "root"
    (root / "spec").mkdir(parents=True)
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copy(ROOT / "generator-config.yml", root / "generator-config.yml")
    (root / "spec/fixes.overlay.yaml").write_text(fixes, encoding="utf-8")
    generate.generate(spec, where / "meetbit_api", root=root)
    return where


def run(package_dir: Path, script: str, timeout: float = 120) -> Any:
    """Run `script` with the generated package first on the path; return its last JSON line."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(package_dir), str(ROOT / "overlay")]),
    }
    prelude = textwrap.dedent(
        """
        import json, threading, urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        SEEN = []
        ANSWERS = {}  # path (without query) -> (status, content type, body) or a function

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                SEEN.append({"method": self.command, "path": path, "query": query,
                             "headers": dict(self.headers), "body": body.decode()})
                found = ANSWERS.get(path, (404, "text/plain", "no such route"))
                if callable(found):
                    found = found(urllib.parse.parse_qs(query))
                status, kind, text = found
                data = text.encode()
                self.send_response(status)
                if kind:
                    self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        BASE = f"http://127.0.0.1:{server.server_address[1]}"
        import meetbit
        client = meetbit.Client(base_url=BASE, access_key_id="id", access_key_secret="secret",
                                max_retries=0)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_package(FIXTURE, tmp_path_factory.mktemp("real-world"))


def test_empty_successes_return_none_and_a_deprecated_operation_warns(package: Path) -> None:
    result = run(
        package,
        """
        import warnings
        ANSWERS["/petOwners/o/pets/1"] = (204, None, "")
        ANSWERS["/pets/p/adopt"] = (205, None, "")
        ANSWERS["/pets/p/ping"] = (200, None, "")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            deleted = client.pets.delete_pet("o", 1)
        from meetbit_api.models.person import Person
        adopted = client.pets.adopt_pet("p", body=Person(name="Ada"))
        pinged = client.pets.ping_pet("p")
        print(json.dumps({
            "results": [deleted, adopted, pinged],
            "warnings": [str(w.category.__name__) for w in caught],
            "adopt_body": SEEN[1]["body"],
        }))
        """,
    )
    assert result["results"] == [None, None, None]
    assert result["warnings"] == ["DeprecationWarning"]
    assert json.loads(result["adopt_body"]) == {"name": "Ada"}


def test_text_and_json_string_successes_are_strings(package: Path) -> None:
    result = run(
        package,
        """
        ANSWERS["/pets/p/photo"] = (200, "text/plain", "https://example.com/p.png")
        ANSWERS["/pets/p/name"] = (200, "application/json", '"Rex"')
        print(json.dumps([client.pets.get_pet_photo_url("p"), client.pets.get_pet_name("p")]))
        """,
    )
    assert result == ["https://example.com/p.png", "Rex"]


def test_dot_segments_are_one_segment_each_and_cannot_move_the_path(package: Path) -> None:
    result = run(
        package,
        """
        for value in ("..", ".", "a/b", "%2E"):
            ANSWERS[f"/pets/{urllib.parse.quote(value, safe='').replace('.', '%2E')}/name"] = (
                200, "application/json", json.dumps(value))
        answers = [client.pets.get_pet_name(value) for value in ("..", ".", "a/b")]
        from meetbit_api.api.pets import get_pet_name
        answers.append(client.call(get_pet_name.sync, pet_id=".."))  # the generated function
        print(json.dumps({"answers": answers, "paths": [seen["path"] for seen in SEEN]}))
        """,
    )
    assert result["paths"] == [
        "/pets/%2E%2E/name",
        "/pets/%2E/name",
        "/pets/a%2Fb/name",
        "/pets/%2E%2E/name",
    ]
    assert result["answers"] == ["..", ".", "a/b", ".."]


def test_same_name_parameters_headers_cookies_and_arrays_reach_the_wire(package: Path) -> None:
    result = run(
        package,
        """
        import inspect
        pet = {"id": 5, "name": "Rex", "kind": "cat", "error": "none"}
        ANSWERS["/petOwners/ow%20ner/pets/5"] = (200, "application/json", json.dumps(pet))
        got = client.pets.get_pet("ow ner", 5, pet_id_query="q", x_request_id="r-1",
                                  session="s-1", fields=["name", "tag"])
        signature = inspect.signature(client.pets.get_pet)
        print(json.dumps({
            "name": got.name, "error": got.error, "seen": SEEN[0],
            "header_required": signature.parameters["x_request_id"].default is inspect._empty,
        }))
        """,
    )
    seen = result["seen"]
    assert seen["path"] == "/petOwners/ow%20ner/pets/5"
    query = dict(pair.split("=") for pair in seen["query"].split("&"))
    assert query["petId"] == "q"
    assert seen["query"].count("fields=") == 2
    assert seen["headers"]["X-Request-Id"] == "r-1"
    assert "session=s-1" in seen["headers"]["Cookie"]
    assert result["header_required"] is True
    assert (result["name"], result["error"]) == ("Rex", "none")


def test_controller_prefixed_operation_ids_get_readable_method_names(package: Path) -> None:
    result = run(
        package,
        """
        from meetbit_api.operations import OPERATIONS
        print(json.dumps(sorted(OPERATIONS)))
        """,
    )
    assert {"get_pet", "delete_pet", "create_pet", "list_pets"} <= set(result)
    assert not [name for name in result if "controller" in name]


def test_a_one_of_of_twenty_one_alternatives_imports_and_parses_the_last(package: Path) -> None:
    result = run(
        package,
        """
        from meetbit_api.models.shape_21 import Shape21
        ANSWERS["/shapes"] = (200, "application/json", json.dumps({"shape": {"a21": "x"}}))
        shape = client.shapes.add_shape(shape=Shape21(a21="x"))
        print(json.dumps([type(shape.shape).__name__, json.loads(SEEN[0]["body"])]))
        """,
    )
    assert result == ["Shape21", {"shape": {"a21": "x"}}]


def test_maps_go_and_come_as_maps(package: Path) -> None:
    result = run(
        package,
        """
        from meetbit_api.models.set_labels_body import SetLabelsBody
        ANSWERS["/labels"] = (200, "application/json", json.dumps({"a": 1, "b": 2}))
        labels = client.labels.set_labels(body=SetLabelsBody.from_dict({"x": "y"}))
        print(json.dumps([labels.to_dict(), json.loads(SEEN[0]["body"])]))
        """,
    )
    assert result == [{"a": 1, "b": 2}, {"x": "y"}]


PAGES = """
def page(query):
    number = int(query.get("page", ["1"])[0])
    size = int(query.get("per_page", ["15"])[0])
    items = [{"id": i, "name": f"pet {i}", "kind": "cat"} for i in range(1, 6)]
    chunk = items[(number - 1) * size : number * size]
    last = (len(items) + size - 1) // size
    return (200, "application/json", json.dumps({
        "data": chunk,
        "links": {"first": "f", "last": "l", "prev": None, "next": None if number >= last else "n"},
        "meta": {"current_page": number, "last_page": last, "per_page": size, "total": len(items)},
    }))
ANSWERS["/pets"] = page
"""


def test_a_laravel_paginated_list_iterates_every_item_across_pages(package: Path) -> None:
    result = run(
        package,
        PAGES
        + textwrap.dedent(
            """
        ids = [pet.id for pet in client.default.iter_list_pets(per_page=2)]
        one_page = client.default.list_pets(per_page=2)
        print(json.dumps({"ids": ids, "queries": [seen["query"] for seen in SEEN],
                          "first_page": [pet.id for pet in one_page.data]}))
        """
        ),
    )
    assert result["ids"] == [1, 2, 3, 4, 5]
    assert result["queries"][:3] == ["page=1&per_page=2", "page=2&per_page=2", "page=3&per_page=2"]
    assert result["first_page"] == [1, 2]


def test_a_laravel_paginated_list_iterates_every_item_async(package: Path) -> None:
    result = run(
        package,
        PAGES
        + textwrap.dedent(
            """
        import asyncio
        async def main():
            async with meetbit.AsyncClient(base_url=BASE, access_key_id="id",
                                           access_key_secret="secret") as client:
                return [pet.id async for pet in client.default.iter_list_pets(per_page=3)]
        print(json.dumps(asyncio.run(main())))
        """
        ),
    )
    assert result == [1, 2, 3, 4, 5]


def test_page_fetches_are_retried_like_any_call(package: Path) -> None:
    result = run(
        package,
        PAGES
        + textwrap.dedent(
            """
        served = []
        def flaky(query):
            served.append(query)
            if len(served) == 2:
                return (503, "text/plain", "try again")
            return page(query)
        ANSWERS["/pets"] = flaky
        retrying = meetbit.Client(base_url=BASE, access_key_id="id", access_key_secret="secret",
                                  max_retries=2)
        print(json.dumps([pet.id for pet in retrying.default.iter_list_pets(per_page=2)]))
        """
        ),
    )
    assert result == [1, 2, 3, 4, 5]


@pytest.fixture(scope="module")
def more_operations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fixes = (ROOT / "spec/fixes.overlay.yaml").read_text(encoding="utf-8")
    spec = ROOT / "tests/fixtures/openapi-more-operations.yaml"
    return generate_package(spec, tmp_path_factory.mktemp("more-operations"), fixes)


def test_meetbit_s_paginated_list_iterates_every_event_from_the_fake(more_operations: Path) -> None:
    result = run(
        more_operations,
        """
        import asyncio
        from meetbit.testing import FakeMeetBit
        fake = FakeMeetBit()
        for event_id in range(1, 8):
            fake.add_event(12, event_id, title=f"event {event_id}")
        fake.add_event(99, 100, title="another calendar")
        with fake.client() as fake_client:
            ids = [event.id for event in fake_client.events.iter_list_events(12, per_page=3)]
            one_page = fake_client.events.list_events(12, per_page=3, page=2)

        async def main():
            async with fake.async_client() as client:
                return [event.id async for event in client.events.iter_list_events(12, per_page=3)]

        async_ids = asyncio.run(main())
        pages = sum(1 for request in fake.requests if request.operation == "list_events")
        print(json.dumps({"ids": ids, "async": async_ids, "pages": pages,
                          "page_2": [event.id for event in one_page.data]}))
        """,
    )
    assert result["ids"] == [1, 2, 3, 4, 5, 6, 7]
    assert result["async"] == [1, 2, 3, 4, 5, 6, 7]
    assert result["pages"] == 3 + 1 + 3  # 7 events, 3 a page, twice; and page 2 once
    assert result["page_2"] == [4, 5, 6]


def mypy_strict(package_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull,
         "-p", "meetbit_api"],
        cwd=package_dir, env={**os.environ, "MYPYPATH": str(package_dir)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_generated_package_is_mypy_strict_clean(package: Path) -> None:
    result = mypy_strict(package)
    assert result.returncode == 0, result.stdout[-3000:]


# --- spec text is data -----------------------------------------------------------------------

HOSTILE = '"""\nimport os; os.environ["PWNED"] = "1"\n"""'
HOSTILE_TEXTS = [
    HOSTILE,
    "'''\nimport os; os.environ['PWNED'] = '1'\n'''",
    'ends with a quote"',
    "ends with a backslash\\",
    "\\N{oops} \\x \\u12 {braces} {{x}} # not a comment\n# nor this",
    "nul \x00 and form feed \x0c and line sep \u2028 and CR \r done",
]


def hostile_spec() -> dict[str, Any]:
    text = " | ".join(HOSTILE_TEXTS)
    string = {"type": "string", "description": text, "example": text, "default": "d\"'\\{"}
    return {
        "openapi": "3.0.3",
        "info": {"title": text, "version": "1", "description": text},
        "paths": {
            "/things/{thingId}": {
                "post": {
                    "operationId": 'make"Thing',
                    "tags": [text],
                    "summary": text,
                    "description": text,
                    "parameters": [
                        {"name": "thingId", "in": "path", "required": True, "description": text,
                         "schema": {"type": "string", "pattern": '^[a-z"\\\\]+$'}},
                        {"name": 'q"\\', "in": "query", "description": text,
                         "schema": {"type": "string", "enum": ['a"b', "c\\d", "e'''f", '"""']}},
                        {"name": "limit", "in": "query", "description": text,
                         "schema": {"type": "integer", "default": 5, "example": 7}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    },
                    "responses": {
                        "200": {"description": text, "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Thing"}}}},
                        "404": {"description": text},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "description": text,
                    "example": {"note": text},
                    "required": ["note"],
                    "properties": {
                        "note": string,
                        'we"ird\\': {"type": "string", "description": text,
                                     "enum": ['a"b', "c\\d", "x\ny"]},
                    },
                }
            }
        },
    }  # fmt: skip


def test_hostile_spec_text_is_data_and_the_docs_still_read_right(tmp_path: Path) -> None:
    spec = tmp_path / "hostile.json"
    spec.write_text(json.dumps(hostile_spec()), encoding="utf-8")
    package = generate_package(spec, tmp_path / "out")
    for source in (package / "meetbit_api").rglob("*.py"):
        compile(source.read_text(encoding="utf-8"), str(source), "exec")  # no SyntaxError
    result = run(
        package,
        """
        import importlib, os, pkgutil, pydoc
        import meetbit_api
        for module in pkgutil.walk_packages(meetbit_api.__path__, "meetbit_api."):
            importlib.import_module(module.name)
        from meetbit_api.operations import OPERATIONS
        (name,) = OPERATIONS
        operation = OPERATIONS[name]
        method = getattr(getattr(client, operation.tag), name)
        from meetbit_api.models.thing import Thing
        print(json.dumps({
            "pwned": os.environ.get("PWNED"),
            "doc": method.__doc__,
            "summary": operation.summary,
            "field": [f.description for f in operation.fields][0],
            "model_doc": Thing.__doc__,
            "help": pydoc.render_doc(method, renderer=pydoc.plaintext),
        }))
        """,
    )
    text = " | ".join(HOSTILE_TEXTS)
    assert result["pwned"] is None
    assert result["summary"] == text
    assert result["field"] == text
    # The docstring carries the spec's text character for character (wrapped, not altered).
    flat = " ".join(result["doc"].split())
    assert " ".join(HOSTILE.split()) in flat
    assert "ends with a backslash\\" in flat
    assert "{braces} {{x}} # not a comment" in flat
    assert "PWNED" in result["help"]


def test_our_own_generated_package_is_mypy_strict_clean() -> None:
    result = mypy_strict(ROOT / "generated")
    assert result.returncode == 0, result.stdout[-3000:]


# --- update-spec: what it takes with a note, what it refuses by name ---------------------------


@pytest.fixture
def foreign_project(project: Path) -> Path:
    """The project copy with an empty fix layer: a foreign spec's, written for none of it."""
    (project / "spec/fixes.overlay.yaml").write_text(EMPTY_FIXES, encoding="utf-8")
    return project


def update_spec(spec: Path, project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools/update_spec"), str(spec), "--root", str(project),
         "--no-type-check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_unquoted_status_keys_are_read_as_strings_with_one_note(foreign_project: Path) -> None:
    result = update_spec(ROOT / "tests/corpus/oai-petstore.yaml", foreign_project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "status keys unquoted (200:): read as strings" in result.stdout
    assert (foreign_project / "generated/meetbit_api/api/pets/list_pets.py").exists()


def test_an_operation_the_generator_cannot_make_is_refused_in_one_line(
    foreign_project: Path, tmp_path: Path
) -> None:
    spec = hostile_spec()
    spec["info"]["title"] = "Refusals"
    operation = spec["paths"]["/things/{thingId}"]["post"]
    operation["parameters"][0]["schema"]["pattern"] = r"^\p{Lu}+$"  # needs the u flag
    path = tmp_path / "refused.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    before = sorted(p.read_bytes() for p in (foreign_project / "generated").rglob("*.py"))
    result = update_spec(path, foreign_project)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("  POST ")]
    assert line.startswith('  POST /things/{thingId} (make"Thing): path field thingId')
    assert "pattern" in line
    assert "Nothing changed." in result.stderr
    assert sorted(p.read_bytes() for p in (foreign_project / "generated").rglob("*.py")) == before


def test_spec_text_utf8_cannot_encode_is_refused_in_one_line(
    foreign_project: Path, tmp_path: Path
) -> None:
    spec = hostile_spec()
    spec["paths"]["/things/{thingId}"]["post"]["summary"] = "a lone surrogate \ud800 in JSON"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(spec), encoding="ascii")  # JSON escapes it: "\ud800"
    result = update_spec(path, foreign_project)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "$.paths['/things/{thingId}'].post.summary: holds a lone surrogate" in result.stderr


def test_method_name_collisions_are_resolved_deterministically_and_reported(
    foreign_project: Path, tmp_path: Path
) -> None:
    def operation(operation_id: str) -> dict[str, Any]:
        return {"operationId": operation_id, "tags": ["Bookings"],
                "responses": {"204": {"description": "done"}}}  # fmt: skip

    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Collisions", "version": "1"},
        "paths": {
            "/v1/bookings": {"delete": operation("BookingsController_2024_04_15_cancel")},
            "/v2/bookings": {"delete": operation("BookingsController_2024_08_13_cancel")},
            "/v2/bookings/{uid}": {
                "parameters": [{"name": "uid", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "get": operation("BookingsController_2024_08_13_getBooking"),
            },
        },
    }  # fmt: skip
    path = tmp_path / "collisions.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    output = update_spec(path, foreign_project).stdout
    assert output.count("note: DELETE") == 2
    assert "method name cancel is wanted by 2 operations" in output
    operations = (foreign_project / "generated/meetbit_api/operations.py").read_text(
        encoding="utf-8"
    )
    assert '"get_booking": Operation(' in operations
    assert '"bookings_controller_2024_04_15_cancel": Operation(' in operations
    assert '"bookings_controller_2024_08_13_cancel": Operation(' in operations
