"""The container deployment, checked without a Docker engine.

* ``docker-compose.yml`` is validated against the Compose Specification's JSON schema, shipped in
  ``tests/data/compose-spec.json`` (provenance in ``tests/data/README.md``), so nothing is downloaded
  at test time; then the points that matter here are asserted: the api waits for a healthy Neo4j, no
  password is written in the file, data lives in a declared named volume, both services have
  healthchecks, and only the loopback interface is published.
* The ``Dockerfile`` is parsed (line continuations, heredocs): a python:3.11-slim base, a non-root
  USER, a HEALTHCHECK on /api/v1/health, the vocabulary and seeds copied where GRAPHSVC_VOCABULARY and
  GRAPHSVC_SEEDS point, no secret baked in.
* The start-up script embedded in the Dockerfile is run for real with ``sh``: ``graphsvc init`` and
  ``graphsvc seed --if-empty`` run against a temporary SQLite store, ``serve`` is recorded with its
  arguments instead of being started.
* Where the ``docker compose`` plugin is installed, ``docker compose config --quiet`` (which needs no
  engine) must accept the file too; elsewhere that one test is skipped.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE_SCHEMA = Path(__file__).resolve().parent / "data" / "compose-spec.json"

# The one way the password may appear: a required interpolation, which fails when the variable is unset.
REQUIRED_PASSWORD = re.compile(r"\$\{NEO4J_PASSWORD:\?[^}]*\}")
SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|AUTH|CREDENTIAL|KEY", re.IGNORECASE)


# --- helpers -------------------------------------------------------------------------------------------

def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def compose_schema() -> dict:
    return json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))


def schema_errors(document: dict) -> list[str]:
    schema = compose_schema()
    # The schema declares draft-07 (spelt without the trailing '#' that jsonschema's lookup expects).
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]


def environment(service: dict) -> dict[str, str | None]:
    """A service's environment as a mapping, whichever of the two spellings the file uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in env)
        return {name: value for name, value in pairs}
    return {name: (None if value is None else str(value)) for name, value in env.items()}


def healthcheck_command(healthcheck: dict) -> str:
    test = healthcheck["test"]
    return test if isinstance(test, str) else " ".join(test)


class Instruction:
    def __init__(self, keyword: str, arguments: str, heredocs: list[str]):
        self.keyword = keyword
        self.arguments = arguments
        self.heredocs = heredocs

    def __repr__(self) -> str:
        return f"{self.keyword} {self.arguments}"


_HEREDOC = re.compile(r"<<-?([\"']?)([A-Za-z_][A-Za-z0-9_]*)\1")


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions of a Dockerfile: comments dropped, continuation lines joined, heredoc bodies attached."""
    lines = text.splitlines()
    instructions: list[Instruction] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        while line.endswith("\\") and i < len(lines):
            nxt = lines[i].strip()
            i += 1
            if nxt.startswith("#"):
                continue
            line = line[:-1].rstrip() + " " + nxt
        keyword, _, arguments = line.partition(" ")
        heredocs = []
        for match in _HEREDOC.finditer(arguments):
            body = []
            while i < len(lines) and lines[i] != match.group(2):
                body.append(lines[i])
                i += 1
            assert i < len(lines), f"heredoc {match.group(2)} is never closed"
            i += 1
            heredocs.append("\n".join(body) + "\n")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), heredocs))
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [n for n, ins in enumerate(instructions) if ins.keyword == "FROM"]
    assert starts, "the Dockerfile has no FROM"
    return instructions[starts[-1]:]


def env_of(stage: list[Instruction]) -> dict[str, str]:
    values: dict[str, str] = {}
    for ins in stage:
        if ins.keyword == "ENV":
            for word in shlex.split(ins.arguments):
                name, _, value = word.partition("=")
                values[name] = value
    return values


def copy_destinations(stage: list[Instruction]) -> dict[str, str]:
    """Source → absolute destination of each plain COPY (no --from), resolved against WORKDIR."""
    workdir = "/"
    copies: dict[str, str] = {}
    for ins in stage:
        if ins.keyword == "WORKDIR":
            workdir = posixpath.join(workdir, ins.arguments)
        elif ins.keyword == "COPY" and not ins.heredocs:
            words = [w for w in shlex.split(ins.arguments)]
            if any(w.startswith("--from") for w in words):
                continue
            words = [w for w in words if not w.startswith("--")]
            *sources, dest = words
            for source in sources:
                copies[source.rstrip("/")] = posixpath.normpath(posixpath.join(workdir, dest))
    return copies


def entrypoint_script(stage: list[Instruction]) -> tuple[str, str]:
    """(path, text) of the script that ENTRYPOINT runs, written into the image by a COPY heredoc."""
    entrypoints = [ins for ins in stage if ins.keyword == "ENTRYPOINT"]
    assert entrypoints, "the final stage has no ENTRYPOINT"
    command = json.loads(entrypoints[-1].arguments)
    assert isinstance(command, list) and command, "ENTRYPOINT should use the exec (JSON) form"
    scripts = {}
    for ins in stage:
        if ins.keyword == "COPY" and ins.heredocs:
            scripts[shlex.split(_HEREDOC.sub("", ins.arguments))[-1]] = ins.heredocs[0]
    for path, text in scripts.items():
        if command[0] == path or posixpath.basename(path) == command[0]:
            return path, text
    raise AssertionError(f"ENTRYPOINT {command} is not a script written by the Dockerfile ({sorted(scripts)})")


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def stage() -> list[Instruction]:
    return final_stage(parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8")))


# --- docker-compose.yml: the Compose Specification -------------------------------------------------------

def test_shipped_schema_is_the_compose_specification():
    schema = compose_schema()
    assert schema.get("title") == "Compose Specification"
    assert {"services", "volumes", "networks"} <= set(schema["properties"])
    assert "service_healthy" in json.dumps(schema), "an old schema without depends_on conditions"


def test_compose_file_is_valid_against_the_compose_specification(compose):
    errors = schema_errors(compose)
    assert not errors, "docker-compose.yml breaks the Compose Specification:\n" + "\n".join(errors)


@pytest.mark.parametrize("mistake", ["unknown condition", "misspelt key", "port as a list", "volume as a number",
                                     "misspelt top-level key"])
def test_schema_validation_catches_mistakes(compose, mistake):
    """The validation has teeth: typical slips in a compose file are refused."""
    broken = copy.deepcopy(compose)
    api = broken["services"]["api"]
    if mistake == "unknown condition":
        api["depends_on"]["neo4j"]["condition"] = "service_ready"
    elif mistake == "misspelt key":
        api["healthchek"] = api.pop("healthcheck")
    elif mistake == "port as a list":
        api["ports"] = [["127.0.0.1", 8000, 8000]]
    elif mistake == "volume as a number":
        broken["services"]["neo4j"]["volumes"] = [7687]
    else:
        broken["volume"] = broken.pop("volumes")
    assert schema_errors(broken), f"a compose file with a {mistake} passed validation"


def test_no_obsolete_version_key(compose):
    assert "version" not in compose, "the Compose Specification has no `version:`; docker compose warns about it"


# --- docker-compose.yml: what this deployment needs ------------------------------------------------------

def test_api_waits_for_a_healthy_neo4j(compose):
    services = compose["services"]
    assert {"api", "neo4j"} <= set(services)
    depends_on = services["api"].get("depends_on")
    assert isinstance(depends_on, dict), "depends_on needs the long form to carry a condition"
    assert depends_on["neo4j"]["condition"] == "service_healthy"


def test_neo4j_image_is_a_pinned_5x(compose):
    image = compose["services"]["neo4j"]["image"]
    assert re.fullmatch(r"neo4j:5(\.\d+){0,2}-community", image), image


def test_api_is_built_here_and_configured_for_neo4j(compose):
    api = compose["services"]["api"]
    assert api["build"] in (".", {"context": "."}) or api["build"].get("context") == "."
    env = environment(api)
    assert env["GRAPHSVC_STORE"] == "neo4j"
    assert env["NEO4J_URI"] == "bolt://neo4j:7687", "the api must reach the neo4j service by its compose name"
    assert env["NEO4J_USER"] == "neo4j"
    assert env["NEO4J_DATABASE"] == "neo4j"
    assert api["restart"] == "unless-stopped"


def test_no_plaintext_password(compose):
    neo4j, api = compose["services"]["neo4j"], compose["services"]["api"]
    neo4j_auth = environment(neo4j)["NEO4J_AUTH"]
    assert neo4j_auth.startswith("neo4j/") and REQUIRED_PASSWORD.fullmatch(neo4j_auth[len("neo4j/"):]), neo4j_auth
    assert REQUIRED_PASSWORD.fullmatch(environment(api)["NEO4J_PASSWORD"] or "")
    # Every other variable whose name suggests a secret must come from the environment too.
    for name, service in compose["services"].items():
        for variable, value in environment(service).items():
            if SECRET_NAME.search(variable) and variable != "NEO4J_AUTH":
                assert value is None or REQUIRED_PASSWORD.fullmatch(value) or re.fullmatch(r"\$\{\w+\}", value), \
                    f"{name}.{variable} holds a literal value"
    # The neo4j image writes every NEO4J_* variable into neo4j.conf: a NEO4J_PASSWORD there would both
    # leak the password into the config file and stop Neo4j 5 (unknown setting).
    assert "NEO4J_PASSWORD" not in environment(neo4j)
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert not re.search(r"\$\{NEO4J_PASSWORD(:?-|:?\+)", text), "no default (or alternative) password value"
    assert not re.search(r"neo4j/(?!\$\{|\})", text), "a literal neo4j/<password>"
    assert "env_file" not in text, "secrets come from the environment or .env, not a file named in the repo"


def test_data_lives_in_declared_named_volumes(compose):
    declared = set(compose.get("volumes") or {})
    assert declared, "no named volumes declared"
    mounts = {}
    for service in compose["services"].values():
        for volume in service.get("volumes") or []:
            source, target = (volume.split(":")[:2] if isinstance(volume, str)
                              else (volume.get("source"), volume["target"]))
            if source and not source.startswith((".", "/", "~", "$")):
                assert source in declared, f"volume {source} is used but not declared at the top level"
            mounts[target] = source
    assert mounts.get("/data") in declared, "Neo4j's /data must be a named volume"


def test_both_services_have_healthchecks(compose):
    for name, service in compose["services"].items():
        healthcheck = service.get("healthcheck")
        assert healthcheck and not healthcheck.get("disable"), f"{name} has no healthcheck"
        assert healthcheck.get("interval") and healthcheck.get("retries"), name
    assert "/api/v1/health" in healthcheck_command(compose["services"]["api"]["healthcheck"])
    neo4j_check = healthcheck_command(compose["services"]["neo4j"]["healthcheck"])
    assert "cypher-shell" in neo4j_check or "7474" in neo4j_check


def test_ports_are_published_on_loopback_only(compose):
    assert "127.0.0.1:8000:8000" in compose["services"]["api"]["ports"]
    for name, service in compose["services"].items():
        for port in service.get("ports") or []:
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond the loopback interface"


def test_graphsvc_variables_are_ones_the_app_or_the_image_reads(compose, stage):
    """Catches a misspelt variable, which would otherwise be silently ignored."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "graphsvc").rglob("*.py"))
    _, script = entrypoint_script(stage)
    known = source + script
    names = set(environment(compose["services"]["api"])) | set(env_of(stage))
    for name in sorted(n for n in names if n.startswith(("GRAPHSVC_", "NEO4J_"))):
        assert re.search(rf"\b{name}\b", known), f"{name} is set but nothing reads it"


# --- Dockerfile --------------------------------------------------------------------------------------------

def test_dockerfile_bases_on_python_311_slim():
    froms = [ins.arguments.split() for ins in parse_dockerfile(DOCKERFILE.read_text()) if ins.keyword == "FROM"]
    # Node only fetches the web pages' front-end packages in a stage of its own; nothing of it ships.
    app_stages = [words[0] for words in froms if words[-1] != "web"]
    assert app_stages and all(image.startswith("python:3.11-slim") for image in app_stages), froms
    assert [words[0] for words in froms if words[-1] == "web"] == ["node:20-slim"]


def test_dockerfile_runs_as_a_non_root_user(stage):
    users = [ins.arguments for ins in stage if ins.keyword == "USER"]
    assert users, "the final stage sets no USER, so the server would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]
    keywords = [ins.keyword for ins in stage]
    after_user = keywords[keywords.index("USER"):]
    assert "RUN" not in after_user[1:], "nothing should run as root after dropping privileges"


def test_dockerfile_healthcheck_hits_the_health_endpoint(stage):
    checks = [ins.arguments for ins in stage if ins.keyword == "HEALTHCHECK"]
    assert checks and "CMD" in checks[-1] and "/api/v1/health" in checks[-1]


def test_dockerfile_ships_vocabulary_and_seeds_where_the_app_looks(stage):
    env = env_of(stage)
    copies = copy_destinations(stage)
    assert env["GRAPHSVC_VOCABULARY"] == "/app/schema/vocabulary.yaml"
    assert env["GRAPHSVC_SEEDS"] == "/app/seeds"
    assert copies.get("schema") == "/app/schema" and (ROOT / "schema" / "vocabulary.yaml").is_file()
    assert copies.get("seeds") == "/app/seeds"
    for dataset in ("taxonomy", "report", "demo"):
        assert (ROOT / "seeds" / f"{dataset}.yaml").is_file()


def test_dockerfile_bakes_in_no_secret(stage):
    for ins in parse_dockerfile(DOCKERFILE.read_text()):
        if ins.keyword in ("ENV", "ARG"):
            for word in shlex.split(ins.arguments):
                name = word.partition("=")[0]
                assert not SECRET_NAME.search(name), f"{ins.keyword} {name} would be stored in the image"
        if ins.keyword == "COPY":
            assert ".env" not in ins.arguments.split()


def test_dockerfile_runtime_command_inits_seeds_and_serves(stage):
    _, script = entrypoint_script(stage)
    commands = [line.strip() for line in script.splitlines()
                if "graphsvc " in line and not line.strip().startswith("#")]
    init = next(n for n, c in enumerate(commands) if re.match(r"(exec )?graphsvc init\b", c))
    seed = next(n for n, c in enumerate(commands) if re.match(r"graphsvc seed --if-empty\b", c))
    serve = next(n for n, c in enumerate(commands) if c.startswith("exec graphsvc serve"))
    assert init < seed < serve
    assert re.search(r"--host 0\.0\.0\.0 --port 8000 --workers \"?\$\{GRAPHSVC_WORKERS:-2\}\"?", commands[serve])
    assert script.startswith("#!/bin/sh") and "set -e" in script


def test_dockerignore_keeps_the_context_small_and_the_sources_in():
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for required in (".venv", "node_modules", "instance", "bench/out", ".git", "tests/cypher/node_modules", ".env"):
        assert any(p == required or p.endswith("/" + required) for p in patterns), required
    for needed in ("pyproject.toml", "README.md", "graphsvc", "graphsvc/app.py", "schema/vocabulary.yaml",
                   "seeds/report.yaml", "package.json", "package-lock.json"):
        assert not any(fnmatch.fnmatch(needed, p) for p in patterns if not p.startswith("!")), needed


# --- the start-up script, run ------------------------------------------------------------------------------

def _shim(directory: Path, real_graphsvc: str, log: Path, fail_on: str = "") -> None:
    """A `graphsvc` on PATH that logs its arguments, runs init and seed for real and only records serve."""
    directory.mkdir()
    shim = directory / "graphsvc"
    shim.write_text(f"""#!/bin/sh
echo "$*" >> {shlex.quote(str(log))}
case "$1" in
    {fail_on or "__never__"}) echo "simulated failure" >&2; exit 3 ;;
    serve) exit 0 ;;
esac
exec {shlex.quote(real_graphsvc)} "$@"
""")
    shim.chmod(0o755)


def _real_graphsvc() -> str:
    script = Path(sys.executable).with_name("graphsvc")
    found = str(script) if script.is_file() else shutil.which("graphsvc")
    if not found:
        pytest.fail("The graphsvc console script is not installed (pip install -e .).")
    return found


def _run_entrypoint(tmp_path: Path, stage, *args: str, fail_on: str = "", workers: str = "3"):
    _, script = entrypoint_script(stage)
    entrypoint = tmp_path / "graphsvc-entrypoint"
    entrypoint.write_text(script)
    entrypoint.chmod(0o755)
    log = tmp_path / "calls.log"
    log.unlink(missing_ok=True)
    shim_dir = tmp_path / f"bin-{fail_on or 'ok'}"
    if not shim_dir.exists():
        _shim(shim_dir, _real_graphsvc(), log, fail_on)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GRAPHSVC_", "NEO4J_"))}
    env.update({
        "PATH": f"{shim_dir}{os.pathsep}{env.get('PATH', '')}",
        # As in the image, but pointing at this checkout instead of /app.
        "GRAPHSVC_VOCABULARY": str(ROOT / "schema" / "vocabulary.yaml"),
        "GRAPHSVC_SEEDS": str(ROOT / "seeds"),
        "GRAPHSVC_DATABASE": str(tmp_path / "data" / "graphsvc.sqlite3"),
        "GRAPHSVC_WORKERS": workers,
    })
    result = subprocess.run(["sh", str(entrypoint), *args], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX sh")
def test_startup_script_inits_seeds_once_and_serves(tmp_path, stage):
    first, calls = _run_entrypoint(tmp_path, stage)
    assert first.returncode == 0, first.stdout + first.stderr
    assert calls == ["init", "seed --if-empty --dataset all", "serve --host 0.0.0.0 --port 8000 --workers 3"]
    assert re.search(r"gsv_[A-Za-z0-9_-]+", first.stdout), "the first start prints the admin token"
    assert "Seeded 'all'" in first.stdout

    again, calls = _run_entrypoint(tmp_path, stage, workers="")
    assert again.returncode == 0, again.stdout + again.stderr
    assert calls[-1] == "serve --host 0.0.0.0 --port 8000 --workers 2", "GRAPHSVC_WORKERS defaults to 2"
    assert "gsv_" not in again.stdout, "the admin token is printed only once"
    assert "not seeding" in again.stdout, "a restart never reseeds a store that holds data"


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX sh")
@pytest.mark.parametrize("failing", ["init", "seed"])
def test_startup_script_stops_when_a_step_fails(tmp_path, stage, failing):
    result, calls = _run_entrypoint(tmp_path, stage, fail_on=failing)
    assert result.returncode != 0
    assert not any(call.startswith("serve") for call in calls), "served a store that failed to initialise"


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX sh")
def test_startup_script_runs_a_given_command_instead(tmp_path, stage):
    result, calls = _run_entrypoint(tmp_path, stage, "graphsvc", "token", "list")
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls == ["token list"]


# --- docker compose itself, where installed -------------------------------------------------------------

def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="the docker compose plugin is not installed")
def test_docker_compose_config_accepts_the_file(tmp_path):
    empty_env_file = tmp_path / "empty.env"  # so that a developer's own .env cannot mask a problem
    empty_env_file.write_text("")
    command = ["docker", "compose", "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), "config", "--quiet"]
    unset = {key: value for key, value in os.environ.items() if key != "NEO4J_PASSWORD"}
    result = subprocess.run(command, cwd=ROOT, env=dict(unset, NEO4J_PASSWORD="placeholder-for-validation"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    result = subprocess.run(command, cwd=ROOT, env=unset, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "NEO4J_PASSWORD" in result.stderr, "a missing password must stop compose"
