# Two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= ./leadsync.db
PORT ?= 8080
DEMO_USER := demo17_1_809934544BFABAE58E5D27
DEMO_SECRET := 27272727aa

.PHONY: run test lint typecheck unit clean

$(BIN)/leadsync: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(BIN)/leadsync
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/leadsync
	$(BIN)/leadsync users add $(DEMO_USER) --secret $(DEMO_SECRET) --db $(DB)
	@echo "demo user: $(DEMO_USER)  secret: $(DEMO_SECRET)"
	$(BIN)/leadsync serve --db $(DB) --port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests

typecheck: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev
	$(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
