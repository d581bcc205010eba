# One command surface for humans and CI. `make help` lists the targets.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPECS := $(wildcard specs/*)
# pytest-xdist workers for `make test` (auto: one a core; 0 runs the suite in one process)
TEST_WORKERS ?= auto

# node tools the tests run on the generated documents (pinned; installed into a gitignored folder)
NPM_TOOLS := .npm-tools
NPM_PINS := @redocly/cli@2.77.0 @stoplight/spectral-cli@6.16.3 openapi-typescript@7.13.0 typescript@5.9.3
NPM_STAMP := $(NPM_TOOLS)/.installed

.PHONY: help install browser npm-tools generate check-generated lint test serve bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## Create the virtualenv and install everything

browser:  ## Headless Chromium for the browser tests (Debian's package; installed when missing and root)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || { echo "the browser tests need chromium: sudo apt-get install chromium"; exit 1; }

$(NPM_STAMP): Makefile
	mkdir -p $(NPM_TOOLS)
	npm install --prefix $(NPM_TOOLS) --no-save --no-package-lock --no-audit --no-fund --loglevel=error $(NPM_PINS)
	touch $(NPM_STAMP)

npm-tools: $(NPM_STAMP)  ## Install the pinned OpenAPI linters (redocly, spectral) and openapi-typescript into .npm-tools/

generate: $(STAMP)  ## Compile every app under specs/ into generated/
	$(BIN)/specgen generate-all specs -o generated

check-generated: $(STAMP)  ## Fail when generated/ differs from what specgen produces now
	$(BIN)/specgen generate-all specs -o generated --check

lint: $(STAMP)  ## ruff format --check, ruff check, mypy --strict on everything (packages, generated, tests, bench)
	$(BIN)/ruff format --check specgen runtime tests bench
	$(BIN)/ruff check specgen runtime tests bench generated
	$(BIN)/mypy specgen runtime generated
	$(BIN)/mypy tests bench

test: $(STAMP) browser $(NPM_STAMP) lint check-generated  ## Lint, stale check, then every test (unit, golden, HTTP, schemathesis)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=25

serve: $(STAMP)  ## Serve the Coffee Shop example on SQLite at http://127.0.0.1:3000/api
	$(BIN)/specgen generate-all specs -o generated --if-stale
	$(BIN)/specgen serve specs/coffee-shop --generated generated/coffee_shop --host 127.0.0.1 --port 3000

bench: $(STAMP)  ## req/s, p99, SQL statements of findById, find, count, include2, create; SQLite then PostgreSQL if up; LB3 side by side when installed; then the cost of authorization (bench/acl.py), RSS after 100k requests and a 5-minute soak (bench/soak.py), specgen generate on 100 models (bench/generate.py) (ARGS="--database sqlite")
	$(BIN)/python -m bench.run $(ARGS)
	$(BIN)/python -m bench.acl $(ARGS)
	$(BIN)/python -m bench.soak $(ARGS)
	$(BIN)/python -m bench.generate $(ARGS)

clean:  ## Remove the virtualenv and caches
	rm -rf $(VENV) $(NPM_TOOLS) .pytest_cache .ruff_cache .specgen-cache
