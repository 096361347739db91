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
	@echo "make lint   - ruff and mypy"
	@echo "make golden - rewrite the golden test files from today's code (review: git diff tests/)"
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

golden: $(STAMP)
	$(BIN)/python -m tests.golden

bench: $(STAMP)
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/search.py

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
