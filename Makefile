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

# The web pages' front-end packages (package.json, exactly as locked), copied into the app's own
# static folder: the service never loads anything from a CDN. Again only when the lockfile changes.
WEB_VENDOR := graphsvc/web/static/vendor
WEB_STAMP := $(WEB_VENDOR)/.installed
NHSUK_DIST := node_modules/nhsuk-frontend/dist/nhsuk

$(WEB_STAMP): package.json package-lock.json Makefile
	@for tool in node $(NPM); do command -v $$tool >/dev/null 2>&1 || { echo "$$tool not found: the web pages' front-end packages need Node.js and npm on PATH" >&2; exit 1; }; done
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	rm -rf $(WEB_VENDOR) && mkdir -p $(WEB_VENDOR)/nhsuk
	cp $(NHSUK_DIST)/nhsuk-frontend.min.js $(WEB_VENDOR)/nhsuk/
	@# The stylesheet without its web fonts: they would load from the internet, which the service
	@# never relies on (and its content security policy refuses); pages fall back to Arial.
	sed -E 's/@font-face\{[^}]*https:[^}]*\}//g' $(NHSUK_DIST)/nhsuk-frontend.min.css > $(WEB_VENDOR)/nhsuk/nhsuk-frontend.min.css
	cp -R $(NHSUK_DIST)/assets $(WEB_VENDOR)/nhsuk/assets
	mkdir -p $(WEB_VENDOR)/cytoscape && cp node_modules/cytoscape/dist/cytoscape.min.js $(WEB_VENDOR)/cytoscape/
	@touch $@

run: $(STAMP) $(WEB_STAMP)
	$(BIN)/graphsvc init
	$(BIN)/graphsvc seed --dataset all --if-empty
	$(BIN)/graphsvc serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

NPM ?= npm

# The Cypher check's linter (tests/cypher, see docs/cypher-check.md): installed exactly as locked, again only
# when package.json or the lockfile changes. The stamp is inside node_modules, which `npm ci` wipes first.
CYPHER_DIR := tests/cypher
CYPHER_STAMP := $(CYPHER_DIR)/node_modules/.installed

$(CYPHER_STAMP): $(CYPHER_DIR)/package.json $(CYPHER_DIR)/package-lock.json
	@for tool in node $(NPM); do command -v $$tool >/dev/null 2>&1 || { echo "$$tool not found: the Cypher check (tests/cypher) needs Node.js >= 18.18.2 and npm on PATH" >&2; exit 1; }; done
	$(NPM) ci --prefix $(CYPHER_DIR) --no-audit --no-fund --ignore-scripts
	@touch $@

test: $(STAMP) $(CYPHER_STAMP) $(WEB_STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
