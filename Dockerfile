# syntax=docker/dockerfile:1
# graphsvc: the JSON API served by gunicorn, as a container image.
#
#   docker compose up -d                      # with Neo4j: see docker-compose.yml and docs/deployment.md
#   docker build -t graphsvc .                # the image alone; by default it uses SQLite in /data:
#   docker run -d -p 127.0.0.1:8000:8000 -v graphsvc-data:/data graphsvc
#
# On start the container runs `graphsvc init` (tables or constraints; prints the first admin token once),
# `graphsvc seed --if-empty` and `graphsvc serve`. Given a command it runs that instead, e.g.
#   docker compose run --rm api graphsvc token create --name "Governance chair" --role governance
# No secret is baked in: the Neo4j password comes from the environment at run time.

# --- web: the web pages' front-end packages, exactly as locked (served by the app; no CDN) ----------
FROM node:20-slim AS web
WORKDIR /web
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
    && mkdir -p vendor/nhsuk \
    && cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js vendor/nhsuk/ \
    && sed -E 's/@font-face\{[^}]*https:[^}]*\}//g' node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css \
          > vendor/nhsuk/nhsuk-frontend.min.css \
    && cp -R node_modules/nhsuk-frontend/dist/nhsuk/assets vendor/nhsuk/assets \
    && mkdir -p vendor/cytoscape && cp node_modules/cytoscape/dist/cytoscape.min.js vendor/cytoscape/

# --- build: install the project and its dependencies into a virtual environment ---------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY graphsvc ./graphsvc
COPY --from=web /web/vendor ./graphsvc/web/static/vendor
# A regular (non-editable) install: the package lands in site-packages, away from schema/ and seeds/,
# which is why the runtime stage copies those folders and points GRAPHSVC_VOCABULARY / GRAPHSVC_SEEDS at them.
RUN /opt/venv/bin/pip install .

# --- runtime -------------------------------------------------------------------------------------------
FROM python:3.11-slim

LABEL org.opencontainers.image.title="graphsvc" \
      org.opencontainers.image.description="A knowledge graph of anti-racism and health-equity work, as a JSON API." \
      org.opencontainers.image.licenses="MIT"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GRAPHSVC_VOCABULARY=/app/schema/vocabulary.yaml \
    GRAPHSVC_SEEDS=/app/seeds \
    GRAPHSVC_DATABASE=/data/graphsvc.sqlite3 \
    GRAPHSVC_WORKERS=2 \
    GRAPHSVC_SEED_DATASET=all

# An unprivileged user with a fixed uid; /data (the SQLite store, when GRAPHSVC_STORE is sqlite) is the
# only place it may write. The code, the vocabulary and the seeds stay root-owned and read-only to it.
RUN groupadd --system --gid 10001 graphsvc \
    && useradd --system --uid 10001 --gid graphsvc --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin graphsvc \
    && install -d -o graphsvc -g graphsvc -m 0750 /data

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY schema ./schema
COPY seeds ./seeds
# Smoke test at build time: the installed command builds the app from the copied vocabulary.
RUN GRAPHSVC_DATABASE=/tmp/build-check.sqlite3 graphsvc --help >/dev/null

# The start-up script. `set -e`: a failed init or seed stops the container (and its restart policy
# retries) rather than serving a half-initialised store. GRAPHSVC_SEED_DATASET is report, demo, all
# (the default, as `make run`) or none; `--if-empty` never touches a store that already holds data.
COPY --chmod=0755 <<"EOF" /usr/local/bin/graphsvc-entrypoint
#!/bin/sh
set -eu
if [ "$#" -gt 0 ]; then
    exec "$@"
fi
graphsvc init
if [ "${GRAPHSVC_SEED_DATASET:-all}" = "none" ]; then
    echo "GRAPHSVC_SEED_DATASET=none: not seeding."
else
    graphsvc seed --if-empty --dataset "${GRAPHSVC_SEED_DATASET:-all}"
fi
exec graphsvc serve --host 0.0.0.0 --port 8000 --workers "${GRAPHSVC_WORKERS:-2}"
EOF

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

# The slim image has no curl or wget; Python's urllib fails (exit 1) on anything but a 2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"]

ENTRYPOINT ["graphsvc-entrypoint"]
