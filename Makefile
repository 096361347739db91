# Newsstand: `make run` starts it, `make test` checks it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BIND ?= 127.0.0.1:8000

.PHONY: help run test lint bench screenshots install clean

help:
	@echo "make run    - install into .venv, migrate, load the catalogue, serve on http://$(BIND)"
	@echo "make test   - the full suite on SQLite, then on PostgreSQL"
	@echo "make lint   - ruff, mypy and lint-imports (the package layers)"
	@echo "make bench  - benchmarks (results in docs/benchmarks.md)"
	@echo "make screenshots - every page type, phone and desktop, into docs/screenshots/"

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

bench: $(STAMP)
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/search.py
	nice -n 10 $(BIN)/python -m bench.hostile

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
