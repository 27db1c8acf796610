# Headwater developer targets. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DG_VENV := .venv-dagster
DG_BIN := $(DG_VENV)/bin

.PHONY: venv demo test lint typecheck ui chromium compat-dagster dagster-venv dagster-webserver bench clean

$(BIN)/headwater: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]" -e examples/resort_snow
	touch $(BIN)/headwater

venv: $(BIN)/headwater

# Sets up and runs the example project end to end on the embedded default instance (and builds
# the web UI, which `headwater dev` then serves).
demo: venv ui
	bash examples/resort_snow/run_demo.sh

# Sets up and runs every test (plus lint and type checks), then the compat suite against Dagster.
# The storage tests start a real PostgreSQL (initdb/pg_ctl from the machine's PostgreSQL 15); the
# browser tests (tests/browser/) drive the built UI in the system Chromium.
test: venv lint typecheck ui chromium
	HEADWATER_REQUIRE_POSTGRES=1 HEADWATER_REQUIRE_BROWSER=1 $(BIN)/pytest tests examples/resort_snow/tests --durations=20
	$(MAKE) compat-dagster

lint: venv
	$(BIN)/ruff check headwater tests bench tools

typecheck: venv
	$(BIN)/mypy headwater

# The web UI (ui/, Node.js >= 20.19 and npm) is built into the package: headwater/web/static/.
# `npm ci` runs only when the lock file changed; the build only when a source is newer than it.
NPM ?= npm
UI_INSTALLED := ui/node_modules/.installed
UI_BUILT := headwater/web/static/index.html
UI_SOURCES := $(shell find ui/src -type f) ui/index.html ui/vite.config.ts ui/tsconfig.json \
	ui/package.json ui/package-lock.json

$(UI_INSTALLED): ui/package.json ui/package-lock.json
	cd ui && $(NPM) ci --no-audit --no-fund
	touch $@

$(UI_BUILT): $(UI_INSTALLED) $(UI_SOURCES)
	cd ui && $(NPM) run build
	touch $@

ui: $(UI_BUILT)

# The browser tests use Debian's Chromium (never a Playwright browser download). Installing it
# needs root, as in CI; elsewhere run the same apt-get command with sudo.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Dagster lives in its own virtualenv, never as a dependency of Headwater. dagster-postgres (for
# bench/'s W2-PG and W11) pins an exact dagster and the index has no 0.29.x for 1.13.29: the newest
# 0.29 goes in with --no-deps, so that it cannot downgrade dagster.
$(DG_BIN)/dagster:
	$(PY) -m venv $(DG_VENV)
	$(DG_BIN)/pip install -q --upgrade pip
	$(DG_BIN)/pip install -q "dagster==1.13.*" pytest duckdb pandas
	$(DG_BIN)/pip install -q --no-deps "dagster-postgres==0.29.*" psycopg2-binary
	$(DG_BIN)/pip install -q --no-deps "dagster-duckdb==0.29.*"
	touch $(DG_BIN)/dagster

dagster-venv: $(DG_BIN)/dagster

# Dagster's webserver, for bench/'s W9 comparison only (the tests never need it). The index's
# newest dagster-webserver is 1.13.28 (pinning dagster 1.13.28): it goes in with --no-deps beside
# 1.13.29, its own dependencies by name.
$(DG_BIN)/dagster-webserver: $(DG_BIN)/dagster
	$(DG_BIN)/pip install -q --no-deps "dagster-webserver==1.13.*" "dagster-graphql==1.13.*"
	$(DG_BIN)/pip install -q "gql[requests]" "graphene>=3" starlette "uvicorn[standard]"

dagster-webserver: $(DG_BIN)/dagster-webserver

# Runs the compatibility suite against real Dagster: proves each test encodes Dagster's behaviour.
compat-dagster: dagster-venv
	DG_IMPL=dagster $(DG_BIN)/pytest tests/compat

bench: venv dagster-venv dagster-webserver ui
	$(BIN)/python bench/compare.py

clean:
	rm -rf $(VENV) $(DG_VENV) .pytest_cache .mypy_cache .ruff_cache ui/node_modules headwater/web/static
