# Every target bootstraps .venv from requirements/dev.txt (exact pins) on first use, so a
# fresh machine needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
INSTALLED_PACKAGE := $(VENV)/.package
FIXED_SPEC := build/openapi.fixed.json
GENERATE := $(BIN)/python tools/generate.py openapi.yaml
# docs/api.md, the reference of every resource method, from the same spec.
API_REFERENCE := $(BIN)/python tools/api_reference.py openapi.yaml docs/api.md

.PHONY: mutation real-specs dist api-check api-snapshot release update-spec demo bench bench-limiters limiter-servers generate check-generated fix-spec validate-spec test test-min-deps contract prism lint lock clean

$(STAMP): requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required, $(PYTHON) is " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

# The package itself, editable, for the tests (needs generated/, so not part of the bootstrap).
$(INSTALLED_PACKAGE): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

## Apply the fix layer (spec/fixes.overlay.yaml) to openapi.yaml, for validators and mocks.
fix-spec: $(STAMP)
	@mkdir -p build
	$(BIN)/python tools/apply_overlay.py openapi.yaml spec/fixes.overlay.yaml $(FIXED_SPEC)

## Regenerate generated/meetbit_api and docs/api.md from openapi.yaml, the fix layer,
## generator-config.yml and templates/.
generate: $(STAMP)
	$(GENERATE) generated/meetbit_api $(FIXED_SPEC) --replace
	$(API_REFERENCE)

## Fail with a diff when generated/ or docs/api.md is not what the current inputs generate.
check-generated: $(STAMP)
	@rm -rf build/check
	@$(GENERATE) build/check/meetbit_api
	@diff -ru generated/meetbit_api build/check/meetbit_api \
		|| { echo "generated/ differs from a fresh generation (diff above): run 'make generate' and commit, never edit generated/ by hand" >&2; exit 1; }
	@echo "generated/ matches a fresh generation"
	@$(API_REFERENCE) --check

## Build the sdist and wheel into build/dist (refused for a released version whose public API
## differs from its snapshot), twine check --strict them, install the wheel
## into a clean virtualenv (build/dist-venv) and import it there, and check that a wheel
## rebuilt from the sdist has the same files (tools/dist.py).
dist: $(STAMP)
	$(BIN)/python tools/dist.py build/dist

## Public API against the last release's snapshot (api/meetbit-X.Y.Z.json) with griffe, by
## the version rule (tools/versioning.py): a released version's API is frozen, a break needs
## the version the rule gives and a CHANGELOG declaration (tools/api_check.py).
api-check: $(STAMP)
	$(BIN)/python tools/api_check.py check

## The release step (docs/releasing.md): date the version's CHANGELOG section and snapshot
## its public API as api/meetbit-<__version__>.json, which marks the version released.
release: $(STAMP)
	$(BIN)/python tools/api_check.py release

## The snapshot alone (make release writes it).
api-snapshot: $(STAMP)
	$(BIN)/python tools/api_check.py snapshot

## Benchmarks (not part of make test): ratios against baselines measured in the same run.
bench: $(INSTALLED_PACKAGE) limiter-servers
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## Mutation testing of the overlay's runtime core (not part of make test): mutmut mutates
## each part (wire: _transport _retry _errors _auth; settings: _schema _config; rate: _rate/)
## and runs that part's tests against every mutant; prints the score per module and writes
## it to build/mutation.md (docs/mutation.md keeps the last one). An hour or more on 2 cores;
## results are kept in build/mutation/, so a second run re-tests only what changed and what
## survived. MUTATION_GROUPS="wire settings" picks parts, MUTATION_MODULES="_retry _rate.bucket"
## modules (the table keeps what earlier parts measured); MUTATION_JOBS sets the workers.
MUTATION_GROUPS ?=
MUTATION_MODULES ?=
MUTATION_JOBS ?= 2
mutation: $(INSTALLED_PACKAGE) limiter-servers
	$(BIN)/python tools/mutation.py --markdown build/mutation.md --jobs $(MUTATION_JOBS) \
		$(foreach group,$(MUTATION_GROUPS),--group $(group)) \
		$(foreach module,$(MUTATION_MODULES),--module $(module))

## The panel of real rate limiters in every mode (threads, asyncio, 4 processes, Redis store),
## next to the naive loop and openai-python's policy: about 10 minutes.
bench-limiters: $(INSTALLED_PACKAGE) limiter-servers
	$(BIN)/python bench/limiters.py $(BENCH_ARGS)

## nginx (limit_req) and redis-server from Debian for the limiter panel and the Redis tests;
## where they cannot be installed, their rows and tests say SKIPPED with the reason.
limiter-servers:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && apt-get install -y -qq nginx-light) >/dev/null 2>&1; } || true
	@command -v redis-server >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null 2>&1; } || true

## See it work without a tenant: the fake MeetBit, a retried 429, the client and the CLI.
demo: $(INSTALLED_PACKAGE)
	@$(BIN)/python examples/demo.py

## Take a new upstream spec: MeetBit's docs pages, directories of them, or one whole YAML
## document: make update-spec SPEC="get-event.md list-events.md" (docs/updating-the-spec.md).
## docs/api.md is then rewritten from the spec it leaves in place.
## tools/update_spec exits 0: taken; 1: refused, nothing changed (or taken, but hand-written
## code no longer type-checks, which it says); 2: usage, or a SPEC that is not a spec source.
## GNU make exits 2 for every failed recipe, so a last line names the script's own status.
update-spec: $(STAMP)
	@test -n "$(SPEC)" || { echo "usage: make update-spec SPEC=page.md|pages/|openapi.yaml" >&2; exit 2; }
	@$(BIN)/python tools/update_spec $(SPEC); status=$$?; \
	[ $$status -gt 1 ] || $(API_REFERENCE) || exit 1; \
	[ $$status = 0 ] || { echo "update-spec: exit status \
	$$status (1: refused or hand-written code to fix; 2: usage or SPEC unusable)" >&2; exit $$status; }

## Upstream document: list its findings (it is expected to fail). Fixed document: must pass.
validate-spec: fix-spec
	-$(BIN)/openapi-spec-validator openapi.yaml
	$(BIN)/openapi-spec-validator $(FIXED_SPEC)

lint: $(INSTALLED_PACKAGE)
	$(BIN)/ruff check overlay tests tools examples bench
	$(BIN)/ruff format --check overlay tests tools examples bench
	$(BIN)/mypy --strict overlay examples

## The full suite: drift check, spec validation, lint and types, public API against the last
## release, tests, the behaviour tests on the oldest dependencies and on every other Python
## (make test-pythons), and the distributions (make dist).
test: check-generated validate-spec lint api-check $(INSTALLED_PACKAGE) prism
	$(BIN)/pytest
	$(MAKE) --no-print-directory test-pythons
	$(MAKE) --no-print-directory dist

PRISM := contract/node_modules/.bin/prism
## Install Stoplight Prism from contract/package-lock.json, if this machine has node and npm.
prism:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		[ $(PRISM) -nt contract/package-lock.json ] || npm ci --prefix contract --no-audit --no-fund --silent; \
	else \
		echo "NOTE: node/npm not found: the Prism contract tests will be SKIPPED (see pytest's summary)"; \
	fi

## The client against Prism serving the fixed spec (skipped, and says so, without node/npm).
contract: $(INSTALLED_PACKAGE) prism
	$(BIN)/pytest tests/test_contract_prism.py

# $(call test-venv,INTERPRETER,PINS,REQUIREMENTS): the virtualenv $(@D) for the behaviour
# tests, the package editable in it. Every installed release must be one of PINS, and every
# requirement (the package's too) met: a package missing from REQUIREMENTS fails here, not later.
define test-venv
rm -rf $(@D) && $(1) -m venv $(@D)
$(@D)/bin/python -m pip install --quiet --disable-pip-version-check -c $(2) -r $(3)
$(@D)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
@$(@D)/bin/python -m pip check --disable-pip-version-check >/dev/null || { $(@D)/bin/python -m pip check; exit 1; }
@unpinned=$$($(@D)/bin/python -m pip freeze --exclude-editable | grep -vxF -f $(2)); \
	[ -z "$$unpinned" ] || { echo "$(@D): not pinned by $(2): $$unpinned" >&2; exit 1; }
@touch $@
endef

MIN_VENV := .venv-min-deps
$(MIN_VENV)/.installed: requirements/min-deps.txt pyproject.toml
	$(call test-venv,$(PYTHON),requirements/min-deps.txt,requirements/min-deps.txt)

## The client's behaviour tests against the oldest httpx, attrs and redis pyproject.toml admits,
## without msgspec (the fast extra): bodies decoded by json.loads.
test-min-deps: $(MIN_VENV)/.installed
	$(MIN_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_client.py tests/test_config.py tests/test_retry_on_the_wire.py tests/test_models.py tests/test_rate_redis_store.py tests/test_json_decoding.py tests/test_strict_parsing.py

# --- Every supported Python ---------------------------------------------------------------
## The behaviour tests beyond .venv, side by side: on the oldest dependencies (test-min-deps)
## and on every other Python this machine has, each 3.N of pyproject's classifiers and any
## newer one, in its own .venv-py3.N (docs/pythons.md). tools/pythons.py finds them (PATH,
## then pyenv); a missing one says SKIPPED and why, before the runs and after.
## PYTHONS="python3.12 /opt/python3.13/bin/python3" names the interpreters instead.
PYTHONS ?=
PYTHONS_JOBS ?= 3
BEHAVIOUR_TESTS = $(shell grep -l 'pytest\.mark\.behaviour' tests/test_*.py)
# make >= 4.0 keeps each run's output together (-O); an older make runs them one at a time.
PYTHONS_PARALLEL := $(if $(filter output-sync,$(.FEATURES)),-O -j$(PYTHONS_JOBS))

.PHONY: test-pythons
test-pythons: $(STAMP)
	@mkdir -p build/pythons
	@versions=$$($(BIN)/python tools/pythons.py build/pythons --besides $(BIN)/python $(PYTHONS) \
		2>build/pythons/found.txt); status=$$?; cat build/pythons/found.txt; [ $$status = 0 ] || exit $$status; \
	$(MAKE) --no-print-directory -k $(PYTHONS_PARALLEL) test-min-deps $$(printf 'test-py%s ' $$versions); \
	status=$$?; echo "Pythons (make test-pythons):"; sed 's/^/  /' build/pythons/found.txt; exit $$status

# build/pythons/python3.N ("VERSION PATH") changes only when that interpreter does.
.PRECIOUS: build/pythons/python3.% .venv-py3.%/.installed
build/pythons/python3.%:
	@echo "no interpreter recorded for Python 3.$*: run make test-pythons" >&2; exit 2

.venv-py3.%/.installed: build/pythons/python3.% requirements/pythons.in requirements/dev.txt pyproject.toml
	$(call test-venv,$$(cut -d' ' -f2- $<),requirements/dev.txt,requirements/pythons.in)

test-py3.%: .venv-py3.%/.installed
	@echo "== Python $$(cut -d' ' -f1 build/pythons/python3.$*) (.venv-py3.$*): the behaviour tests (pytest.mark.behaviour)"
	.venv-py3.$*/bin/python -m pytest -q -p no:cacheprovider -m behaviour $(BEHAVIOUR_TESTS)

.PHONY: clean-pythons
clean: clean-pythons
clean-pythons:
	rm -rf .venv-py3.*

## Re-resolve requirements/dev.txt from requirements/dev.in (needs the package registry).
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements/dev.in
	{ sed -n '1,3p' requirements/dev.txt; build/lock-venv/bin/pip freeze; } > requirements/dev.txt.new
	mv requirements/dev.txt.new requirements/dev.txt

clean:
	rm -rf $(VENV) $(MIN_VENV) build contract/node_modules

## The generator on real public OpenAPI documents (tests/corpus/, sources in SOURCES.md): each
## through update-spec into a scratch copy, mypy --strict, every method called against Prism's
## mock and the fake, sync and async. Not part of `make test`; the table also goes to build/real-specs.md
## (docs/real-specs.md keeps the last one measured). REAL_SPECS=name... picks documents.
real-specs: $(INSTALLED_PACKAGE) prism
	$(BIN)/python tools/real_specs.py --markdown build/real-specs.md $(REAL_SPECS)
