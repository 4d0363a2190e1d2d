# `make run` and `make test` are the two commands a new machine needs; both set everything up.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test test-fast test-slow lint bench chaos fuzz screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@QT_QPA_PLATFORM= $(BIN)/python -m desktop.preflight && QT_QPA_PLATFORM= $(BIN)/fincast $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Fast tests: everything but the slow chaos and long real-process runs.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

test: lint test-fast

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow -q

# The import benchmark's peer is hledger (a Debian package): installed here when we may.
bench: $(STAMP)
	@command -v hledger >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hledger >/dev/null; } \
	  || echo "hledger is not installed (apt-get install hledger): its row will say so"
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

chaos: $(STAMP)
	$(BIN)/python -m pytest -m slow -q tests/chaos

fuzz: $(STAMP)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} $(BIN)/python -m pytest -q -s tests/fuzz --hypothesis-profile=$${FUZZ_PROFILE:-short}

screenshots: $(STAMP)
	$(BIN)/python -m desktop.screenshots docs/screenshots

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
