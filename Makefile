# The README's commands. Needs only Python 3.11+ on the machine: uv is bootstrapped into .tools/.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test check lint types bench clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

demo: $(VENV)/.synced  ## build the sample database if needed and serve the dashboard
	$(BIN)/callstats demo

test: $(VENV)/.synced  ## the whole suite (browser and slow tests included)
	$(BIN)/pytest -q

lint: $(VENV)/.synced
	$(BIN)/ruff check pipeline dashboard tests bench

types: $(VENV)/.synced
	$(BIN)/mypy

check: lint types test

bench: $(VENV)/.synced  ## benchmarks at 1 and 10 million calls (bench/README.md); about 15 minutes
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache callstats.duckdb callstats.work.duckdb
