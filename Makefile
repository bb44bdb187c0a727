# Scoreline: `make demo` runs the product, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export SCORELINE_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo token test lint bench format browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.app $@

demo: $(VENV)/.app
	$(BIN)/scoreline demo

# An API token for a login of the demo database: make token USER=ceo
token: $(VENV)/.app
ifneq ($(origin USER),command line)
	$(error name the login: make token USER=ceo)
endif
	@$(BIN)/scoreline token create $(USER)

browser:
	@scripts/ensure-chromium

test: $(VENV)/.dev browser
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/django-admin makemigrations --check --dry-run --settings=scoreline.settings

format: $(VENV)/.dev
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
