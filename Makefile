# Two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= ./leadsync.db
PORT ?= 8080
DEMO_USER := demo17_1_809934544BFABAE58E5D27
DEMO_SECRET := 27272727aa
DEMO_CLIENT_ID := demo-rest-client
DEMO_CLIENT_SECRET := demo-rest-secret

.PHONY: run test test-fast toolchains lint typecheck unit bench bench-compare bench-history bench-lists bench-bulk bench-relay bench-decode fuzz clean

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
	$(BIN)/leadsync rest-clients add demo --client-id $(DEMO_CLIENT_ID) --client-secret $(DEMO_CLIENT_SECRET) --db $(DB)
	@echo "demo user: $(DEMO_USER)  secret: $(DEMO_SECRET)"
	@echo "demo REST client id: $(DEMO_CLIENT_ID)  secret: $(DEMO_CLIENT_SECRET)"
	$(BIN)/leadsync serve --db $(DB) --port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks

typecheck: $(VENV)/.dev
	$(BIN)/mypy

# The real SOAP client stacks (PHP, Java, Perl, Ruby, Node) for tests/clients. Without root
# outside CI they cannot be installed; their tests then skip with the reason. In CI
# (CI=true) a missing toolchain fails.
toolchains:
	@bash scripts/install-client-toolchains.sh || [ "$$CI" != "true" ]

unit: $(VENV)/.dev toolchains
	$(BIN)/pytest -q

# The quick loop while developing: no process started (no e2e, no client matrix).
test-fast: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	HYPOTHESIS_PROFILE=quick $(BIN)/pytest -q -n 2 -m "not clients and not e2e"

test: lint typecheck unit

# The long fuzz campaign: 20,000 generated cases per fuzz test (make test runs 150, and
# 200 per test of the text scan against the tree decoder).
fuzz: $(VENV)/.dev
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:cacheprovider tests/test_fuzz.py tests/test_scan.py

# The benchmark (not a test): writes docs/performance.md's results, JSON and plot.
# BENCH_SIZES, BENCH_CALLS and BENCH_BACKENDS narrow it (see benchmarks/bench.py).
$(VENV)/.bench: $(VENV)/.dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

bench: $(VENV)/.bench
	$(BIN)/python -m benchmarks.bench

# This checkout against another (OTHER=DIR, e.g. `git worktree add /tmp/base HEAD~1`),
# side by side in one run: the way to measure a change on this VM (benchmarks/compare.py).
bench-compare: $(VENV)/.bench
	$(BIN)/python -m benchmarks.compare $(OTHER)

# The history reads at 10,000,000 activities, and bytes per activity (benchmarks/history.py).
bench-history: $(VENV)/.bench
	$(BIN)/python -m benchmarks.history

# listOperation ADDTOLIST of 1,000 leads and StaticListSelector paging at 1,000,000 leads
# with a 100,000-member list (benchmarks/lists.py).
bench-lists: $(VENV)/.bench
	$(BIN)/python -m benchmarks.lists

# REST bulk extract of 1,000,000 leads: enqueue to Completed, download, server memory
# (benchmarks/bulk.py).
bench-bulk: $(VENV)/.bench
	$(BIN)/python -m benchmarks.bulk

# Relay mode: its overhead per 300-lead call beside the upstream's own p50, and whether
# it sustains the upstream's 100 calls / 20 s (benchmarks/relay.py).
bench-relay: $(VENV)/.bench
	$(BIN)/python -m benchmarks.relay

bench-decode: $(VENV)/.bench
	$(BIN)/python -m benchmarks.decode

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
