"""The service the browser tests drive: a real ``graphsvc serve`` (gunicorn) over a seeded database.

A separate process rather than a server thread inside pytest: the pages are then served exactly as
``make run`` serves them (several worker processes, each with its own projection and no shared
memory), so a session cookie or a CSRF token that only works in the process that made it fails here.
"""

from __future__ import annotations

import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.auth import ROLES, issue_token
from tests.processes import free_port, graphsvc_command, server_env, stop_group

WORKERS = 2  # as `make run`: a page and the form it posts may be served by different workers
READY_TIMEOUT = 30  # seconds for the server to answer /api/v1/health
STOP_TIMEOUT = 10  # seconds for the server to exit after a signal


@dataclass
class LiveServer:
    """One ``graphsvc serve`` process group on a free port of 127.0.0.1, and a token per role."""

    process: subprocess.Popen
    base_url: str
    tokens: dict[str, str]
    log_path: Path
    # For `graphsvc` commands run beside the server (create_sign_in_link): its records, and the key that
    # signs its sessions and sign-in links.
    database: Path | None = None
    secret_key: str = ""

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM the group (gunicorn master and workers), then SIGKILL anything that lingers."""
        stop_group(self.process, signal.SIGTERM, STOP_TIMEOUT)


def seed_database(database: Path) -> dict[str, str]:
    """Load the report and the fictional demo (``graphsvc seed --dataset all``); return a token per role."""
    app = create_app({"DATABASE": str(database)})
    result = app.test_cli_runner().invoke(args=["seed", "--dataset", "all"])
    assert result.exit_code == 0, f"graphsvc seed failed:\n{result.output}"
    store = get_service(app).store
    try:
        return {role: issue_token(store, f"browser-{role}", role, "browser-tests")[1] for role in ROLES}
    finally:
        store.close()


def start_server(database: Path, tokens: dict[str, str], log_path: Path) -> LiveServer:
    port = free_port()
    secret_key = secrets.token_urlsafe(32)
    with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(
            [graphsvc_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)],
            # One key for every worker, made here: the run never writes a key into the instance folder.
            # Used sign-in links are remembered beside the database, not in the project's instance folder.
            env=server_env(database, GRAPHSVC_SECRET_KEY=secret_key,
                           GRAPHSVC_SIGN_IN_LINKS_FOLDER=str(database.parent / "used_sign_in_links")),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group, so killpg reaches the workers too
    server = LiveServer(process, f"http://127.0.0.1:{port}", tokens, log_path, database, secret_key)
    try:
        _wait_until_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def create_sign_in_link(server: LiveServer, name: str, role: str) -> str:
    """A new token and its one-time sign-in link, as an administrator makes them for someone
    (`graphsvc token create --link`), run on the server's database with the server's key."""
    app = create_app({"DATABASE": str(server.database), "SECRET_KEY": server.secret_key})
    result = app.test_cli_runner().invoke(args=["token", "create", "--name", name, "--role", role, "--link",
                                                "--base-url", server.base_url])
    assert result.exit_code == 0, f"graphsvc token create failed:\n{result.output}"
    get_service(app).store.close()
    return next(word for word in result.output.split() if word.startswith(server.base_url + "/sign-in/link/"))


def _wait_until_ready(server: LiveServer) -> None:
    session = requests.Session()
    session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
    deadline = time.monotonic() + READY_TIMEOUT
    with session:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(f"graphsvc serve exited with {server.process.returncode}:\n{server.output()}")
            try:
                if session.get(server.base_url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)  # polling a process that is starting up, not waiting on the page
    pytest.fail(f"graphsvc serve was not ready within {READY_TIMEOUT} s:\n{server.output()}")


# -- a generated graph, for the tests (and the benchmark) that need a large neighbourhood -------------

def generated_database(database: Path, nodes: int = 6000, seed: int = 0) -> dict[str, str]:
    """A store holding a synthetic graph of about ``nodes`` fictional records (the generator marks them
    as examples), imported as ``graphsvc import`` would; return a token per role."""
    import tempfile

    from graphsvc.importing import InputFile, import_files
    from graphsvc.synthetic import generate

    app = create_app({"DATABASE": str(database)})
    store = get_service(app).store
    try:
        store.initialise()
        with tempfile.TemporaryFile("w+b") as document:
            text = _text_stream(document)
            generate(text, nodes=nodes, seed=seed)
            text.flush()
            text.detach()  # leave the file open for the importer (closing the wrapper would close it)
            document.seek(0)
            result = import_files(get_service(app), [InputFile("generated.json", document, "json")], actor="browser")
        assert not result.error_count, f"the generated graph did not import: {result.errors[:3]}"
        return {role: issue_token(store, f"browser-{role}", role, "browser-tests")[1] for role in ROLES}
    finally:
        store.close()


def record_reaching(database: Path, count: int, depth: int = 2, candidates: int = 30) -> str:
    """A record with at least ``count`` records within ``depth`` steps (itself included), looked for
    among the best-connected ``candidates``: the neighbourhood read the graph explorer makes."""
    from graphsvc.queries.connections import neighbourhood

    app = create_app({"DATABASE": str(database)})
    service = get_service(app)
    try:
        with app.app_context():
            graph = service.graph()
            ranked = sorted(graph.nodes, key=lambda node: -graph.degree(node))[:candidates]
            for node in ranked:
                if len(neighbourhood(service, node, depth, None, count)["nodes"]) >= count:
                    return node
    finally:
        service.store.close()
    pytest.fail(f"no record of the generated graph has {count} records within {depth} steps")


def _text_stream(binary):
    import io

    # The generator writes text; the importer reads bytes: one temporary file serves both.
    return io.TextIOWrapper(binary, encoding="utf-8", write_through=True)
