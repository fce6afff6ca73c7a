# Roost — two commands on a fresh machine: `make run` and `make test`.
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# Test processes in parallel (pytest-xdist): one per core by default; TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= auto

.PHONY: help setup run test test-postgres test-browser lint format messages e2e bench-short clean

help:
	@echo "make run            set up, migrate, create the demo and serve http://127.0.0.1:8000"
	@echo "make test           set up and run the whole test suite (SQLite)"
	@echo "make test-postgres  the suite on PostgreSQL (DATABASE_URL, default 127.0.0.1:5432)"
	@echo "make lint           ruff (lint + format check), mypy, the import layers, no missing migration"
	@echo "make messages       refresh and compile the translations"
	@echo "make e2e            end-to-end tests against a local Bluesky network"
	@echo "make bench-short    short benchmarks that print their figures (docs/performance.md)"

setup:
	@scripts/bootstrap

run: setup
	@$(BIN)/roost run

test: setup
	@$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-postgres: setup
	@DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/roost} $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# lint-imports checks the layering in pyproject.toml (docs/architecture.md); makemigrations
# --check fails on a model change without its migration (in memory: lint touches no data).
lint: setup
	@$(BIN)/ruff check roost bench
	@$(BIN)/ruff format --check roost bench
	@$(BIN)/mypy roost bench
	@$(BIN)/lint-imports --no-cache
	@DATABASE_URL=sqlite://:memory: $(BIN)/roost makemigrations --check --dry-run

format: setup
	@$(BIN)/ruff format roost bench
	@$(BIN)/ruff check --fix roost bench

messages: setup
	@cd roost && ../$(BIN)/roost makemessages -l pl --no-obsolete --no-location --ignore 'conftest.py' --ignore '*/tests/*'
	@cd roost && ../$(BIN)/roost compilemessages

# A short run of each benchmark, so a slowdown shows in the next closing note. It prints
# figures and never fails on time (only if a bench breaks); the full runs are in
# docs/performance.md.
bench-short: setup
	@$(BIN)/python bench/publish.py --n 1000 --runs 1 --busy-ok
	@$(BIN)/python bench/inbox.py --n 10000 --store 100000 --requests 50 --runs 1 --busy-ok
	@$(BIN)/python bench/pages.py --posts 1000 --approvals 1000 --messages 5000 --requests 10 --runs 1 --busy-ok
	@$(BIN)/python bench/analytics.py --rows 30000 --requests 20 --runs 1 --busy-ok
	@$(BIN)/python bench/listening.py --n 2000 --topics 100 --runs 1 --busy-ok
	@$(BIN)/python bench/paid.py --rows 20000 --runs 1 --busy-ok
	@$(BIN)/python bench/team.py --events 200000 --members 50 --requests 20 --runs 1 --busy-ok
	@$(BIN)/python bench/experiments.py --sims 2000 --seed 1

clean:
	rm -rf $(VENV) var/static

e2e: setup
	@bash e2e/run
