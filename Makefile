# graphsvc — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test lint bench clean neo4j

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
	@# d3-force's UMD build and those of the d3 modules it uses: classic scripts that fill window.d3
	@# (browsers cannot resolve the ES modules' bare imports, and the policy refuses an inline import map).
	mkdir -p $(WEB_VENDOR)/d3 && for module in d3-dispatch d3-quadtree d3-timer d3-force; do \
		cp node_modules/$$module/dist/$$module.min.js $(WEB_VENDOR)/d3/ || exit 1; done
	@# uPlot for indicator charts: its classic build (fills window.uPlot) and its stylesheet, as files.
	mkdir -p $(WEB_VENDOR)/uplot && cp node_modules/uplot/dist/uPlot.iife.min.js \
		node_modules/uplot/dist/uPlot.min.css $(WEB_VENDOR)/uplot/
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

# A real Neo4j 5 Community for the tests and for trying GRAPHSVC_STORE=neo4j by hand (tests/neo4j,
# docs/testing.md): Neo4j's own libraries from Maven Central, embedded with Bolt on. Maven keeps its
# downloads in its usual cache (~/.m2), so later builds need no network. Without Java or Maven a local
# run goes on and the Neo4j cases skip, saying why; CI (CI=true) must build it.
MVN ?= mvn
NEO4J_DIR := tests/neo4j
NEO4J_STAMP := $(NEO4J_DIR)/target/.built
NEO4J_TEST_PASSWORD ?= graphsvc-test

$(NEO4J_STAMP): $(NEO4J_DIR)/pom.xml $(wildcard $(NEO4J_DIR)/src/main/java/graphsvc/neo4j/*.java)
	@if command -v java >/dev/null 2>&1 && command -v $(MVN) >/dev/null 2>&1; then \
		$(MVN) -q -B -Dstyle.color=never -f $(NEO4J_DIR)/pom.xml compile && touch $@; \
	elif [ "$$CI" = "true" ]; then \
		echo "Java 17 and Maven are needed to build the test Neo4j (tests/neo4j)" >&2; exit 1; \
	else \
		echo "Java 17 or Maven not found: the Neo4j tests will be skipped (apt-get install openjdk-17-jdk-headless maven)" >&2; \
	fi

# Neo4j in the foreground on bolt://127.0.0.1:7687 (user neo4j, password $(NEO4J_TEST_PASSWORD)), on a
# fresh store that is deleted when it stops (Ctrl-C).
neo4j: $(NEO4J_STAMP)
	java -cp "$(NEO4J_DIR)/target/classes:$$(cat $(NEO4J_DIR)/target/classpath.txt)" graphsvc.neo4j.TestServer \
		--host 127.0.0.1 --port 7687 --password '$(NEO4J_TEST_PASSWORD)'

test: $(STAMP) $(CYPHER_STAMP) $(WEB_STAMP) $(NEO4J_STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info $(NEO4J_DIR)/target
