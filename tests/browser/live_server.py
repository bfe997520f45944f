"""The service the browser tests drive: a real ``graphsvc serve`` (gunicorn) over a seeded database.

A separate process rather than a server thread inside pytest: the pages are then served exactly as
``make run`` serves them (several worker processes, each with its own projection and no shared
memory), so a session cookie or a CSRF token that only works in the process that made it fails here.
"""

from __future__ import annotations

import os
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
from tests.processes import free_port, graphsvc_command, server_env

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

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM the group (gunicorn master and workers), then SIGKILL anything that lingers."""
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(self.process, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=STOP_TIMEOUT)


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
    with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(
            [graphsvc_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)],
            # One key for every worker, made here: the run never writes a key into the instance folder.
            env=server_env(database, GRAPHSVC_SECRET_KEY=secrets.token_urlsafe(32)),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group, so killpg reaches the workers too
    server = LiveServer(process, f"http://127.0.0.1:{port}", tokens, log_path)
    try:
        _wait_until_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


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


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)  # the group id is the leader's pid (start_new_session)
    except ProcessLookupError:
        pass
