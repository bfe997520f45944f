# graphsvc — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test lint bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found); set PYTHON=..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall when the project's metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/graphsvc init
	$(BIN)/graphsvc seed --dataset all --if-empty
	$(BIN)/graphsvc serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# The Cypher check's linter (tests/cypher, see docs/cypher-check.md): installed exactly as locked, again only
# when package.json or the lockfile changes. The stamp is inside node_modules, which `npm ci` wipes first.
NPM ?= npm
CYPHER_DIR := tests/cypher
CYPHER_STAMP := $(CYPHER_DIR)/node_modules/.installed

$(CYPHER_STAMP): $(CYPHER_DIR)/package.json $(CYPHER_DIR)/package-lock.json
	@for tool in node $(NPM); do command -v $$tool >/dev/null 2>&1 || { echo "$$tool not found: the Cypher check (tests/cypher) needs Node.js >= 18.18.2 and npm on PATH" >&2; exit 1; }; done
	$(NPM) ci --prefix $(CYPHER_DIR) --no-audit --no-fund --ignore-scripts
	@touch $@

test: $(STAMP) $(CYPHER_STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
