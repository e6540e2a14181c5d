# Backprop Explained. `make build` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Stamps record that an install step ran against the current pyproject.toml.
INSTALLED      := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.test-installed
BROWSER_OK     := $(VENV)/.browser-ok

.PHONY: build test serve bench clean check unit e2e offline scorm fuzz

build: $(INSTALLED)
	$(PY) -m site_builder build

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(TEST_INSTALLED): pyproject.toml $(INSTALLED)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# A browser for Playwright: a system Chromium/Chrome if there is one, else Debian's
# chromium when we are root, else Playwright's own download (see tests/browser.py).
$(BROWSER_OK): tests/browser.py $(TEST_INSTALLED)
	$(PY) tests/browser.py --ensure
	touch $@

# Test-only npm tools (the Nu HTML checker, which runs on Java 17+).
NODE_OK := node_modules/.installed
$(NODE_OK): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The tests run in parallel (pytest-xdist), a worker per core: the browser tests spend much of
# their time in Chromium, the build tests in their own worker pools. Each test file stays on
# one worker, with its module fixtures (the sites it builds, the zips it makes).
# `make test TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= auto
test: $(TEST_INSTALLED) $(BROWSER_OK) $(NODE_OK) build
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile tests

# A long fuzzing run (make test runs a short, fixed one): 5,000 mutated sites, each either
# building clean pages or failing with path:line messages only.
fuzz: $(TEST_INSTALLED)
	FUZZ_EXAMPLES=5000 $(PY) -m pytest -q -p no:cacheprovider tests/unit/test_fuzz.py

unit: $(TEST_INSTALLED)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile tests/unit

e2e: $(TEST_INSTALLED) $(BROWSER_OK) $(NODE_OK) build
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile tests/e2e

# Serves build/ on http://127.0.0.1:8000/, rebuilds on every saved change and reloads the open page.
serve: $(INSTALLED)
	$(PY) -m site_builder serve

check: $(INSTALLED)
	$(PY) -m site_builder check

# mkdocs and mkdocs-material are installed for the benchmarks only: the references they compare with.
# Each benchmark prints its table and records its issue-16 figure; targets.py prints them all.
bench: export BENCH_TARGETS = $(CURDIR)/.cache/bench-targets.jsonl
bench: $(TEST_INSTALLED) $(BROWSER_OK) build
	$(PY) -m pip install -q mkdocs mkdocs-material
	mkdir -p .cache && rm -f $(BENCH_TARGETS)
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/build.py
	$(PY) benchmarks/pages.py
	$(PY) benchmarks/nnjs.py
	$(PY) benchmarks/live.py
	$(PY) benchmarks/scale.py
	$(PY) benchmarks/memory.py
	$(PY) benchmarks/serve.py
	$(PY) benchmarks/targets.py

# A zip of the site that opens from index.html on any computer: dist/<site>-offline.zip
offline: build
	$(PY) -m site_builder offline

# SCORM 1.2 packages for an LMS: dist/scorm/<slug>.zip per lesson and dist/scorm/course.zip
scorm: build
	$(PY) -m site_builder scorm

clean:
	rm -rf build dist .cache .staging* .pytest_cache
