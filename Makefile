# Newsstand: `make run` starts it, `make test` checks it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BIND ?= 127.0.0.1:8000

.PHONY: help run test lint golden bench screenshots install clean

help:
	@echo "make run    - install into .venv, migrate, load the catalogue, serve on http://$(BIND)"
	@echo "make test   - the full suite on SQLite, then on PostgreSQL"
	@echo "make lint   - ruff, mypy and lint-imports (the package layers)"
	@echo "make golden - rewrite the golden test files from today's code (review: git diff tests/)"
	@echo "make bench  - benchmarks (results in docs/benchmarks.md)"
	@echo "make screenshots - every page type, phone and desktop: the demo set into docs/screenshots/,"
	@echo "                   real shared pages into docs/screenshots/real/ (not committed)"

$(BIN)/python:
	@py=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsstand migrate --no-input
	$(BIN)/newsstand sources load-default
	$(BIN)/newsstand up --bind $(BIND)

test: $(STAMP)
	@scripts/test

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

golden: $(STAMP)
	$(BIN)/python -m tests.golden

# Every benchmark that runs without arguments, with its defaults (docs/benchmarks.md says what
# each needs). bench/web.py needs wrk; without it the others still run and it is reported skipped.
bench: $(STAMP)
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.byline_tiers
	$(BIN)/python bench/ingest.py
	$(BIN)/python -m bench.ingest_feed
	$(BIN)/python -m bench.story_assignment
	$(BIN)/python -m bench.stories
	$(BIN)/python -m bench.stories --scale
	@if command -v wrk >/dev/null; then $(BIN)/python bench/web.py; \
	else echo "bench/web.py SKIPPED: wrk is not installed (Debian: apt-get install wrk)"; fi
	$(BIN)/python -m bench.recommend
	$(BIN)/python bench/search.py
	$(BIN)/python -m bench.briefing
	$(BIN)/python -m bench.sections
	nice -n 10 $(BIN)/python -m bench.hostile
	$(BIN)/python bench/sync.py
	$(BIN)/python -m bench.filecache
	$(BIN)/python -m bench.lead_photo

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
