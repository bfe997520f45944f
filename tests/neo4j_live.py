"""Real ``graphsvc serve`` processes on the run's live Neo4j (tests/neo4j_server.py), driven over HTTP:
the helpers shared by test_neo4j_live_api.py and test_neo4j_concurrency.py.

Each module empties the Neo4j database once (``empty_neo4j``), runs ``graphsvc init`` as a real process
(it creates the constraints and prints the first admin token) and starts its ``graphsvc serve``
processes with ``GRAPHSVC_STORE=neo4j``. Servers listen on 127.0.0.1 only; every request has a timeout,
readiness waits are bounded, and each server's process group is killed at teardown.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from graphsvc.store import open_store
from graphsvc.vocabulary import load_vocabulary
from tests.processes import free_port, graphsvc_command, server_env, stop_group

__all__ = ["Api", "ServeProcess", "empty_neo4j", "init_store", "live_env"]

REQUEST_TIMEOUT = 30  # seconds: racing writers queue on the writers' lock of a busy two-core machine
READY_TIMEOUT = 90  # seconds for a server to answer /api/v1/health (imports, first Neo4j connection)
STOP_TIMEOUT = 15


def live_env(neo4j_server, tmp_path: Path) -> dict[str, str]:
    """The environment of a graphsvc process on the live Neo4j; the developer's own GRAPHSVC_* settings
    are left out (tmp_path gives the unused SQLite setting a harmless home)."""
    return server_env(tmp_path / "unused.sqlite3", **neo4j_server.environment())


def empty_neo4j(neo4j_server) -> None:
    """Empty the live Neo4j (its constraints and indexes stay): once per module, before its servers start."""
    store = open_store(neo4j_server.config(), load_vocabulary())
    try:
        store.erase_everything_for_tests()
    finally:
        store.close()


def init_store(env: dict[str, str]) -> str:
    """Run ``graphsvc init`` on an empty store and return the first admin token it prints."""
    result = subprocess.run([graphsvc_command(), "init"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"graphsvc init failed:\n{result.stdout}\n{result.stderr}"
    assert "neo4j store ready" in result.stdout, result.stdout
    token = re.search(r"gsv_[A-Za-z0-9_-]+", result.stdout)
    assert token, f"graphsvc init printed no first admin token:\n{result.stdout}"
    return token.group(0)


class Api:
    """One requests session on one server, holding one token. Sessions are not shared between threads:
    give each thread its own."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.session = requests.Session()
        self.session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=REQUEST_TIMEOUT, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs) -> requests.Response:
        return self.request("POST", path, json=body, **kwargs) if body is not None else \
            self.request("POST", path, **kwargs)

    def patch(self, path: str, body: dict, **kwargs) -> requests.Response:
        return self.request("PATCH", path, json=body, **kwargs)

    def put(self, path: str, body: dict, **kwargs) -> requests.Response:
        return self.request("PUT", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def created(self, path: str, body: dict) -> dict:
        answer = self.post(path, body)
        assert answer.status_code == 201, (path, answer.status_code, answer.text)
        return answer.json()

    def ok(self, path: str) -> dict:
        answer = self.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text)
        return answer.json()

    def close(self) -> None:
        self.session.close()


class ServeProcess:
    """One ``graphsvc serve`` process group (gunicorn master and workers) on 127.0.0.1."""

    def __init__(self, process: subprocess.Popen, port: int, log_path: Path):
        self.process, self.port, self.log_path = process, port, log_path
        self.base = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls, env: dict[str, str], log_path: Path, workers: int = 2) -> ServeProcess:
        port = free_port()
        with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would block the server
            process = subprocess.Popen(
                [graphsvc_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own process group, so killpg reaches the workers too
        server = cls(process, port, log_path)
        try:
            server.wait_until_ready()
        except BaseException:
            server.stop()
            raise
        return server

    def api(self, token: str | None = None) -> Api:
        return Api(self.base, token)

    def wait_until_ready(self) -> None:
        probe = self.api()
        deadline = time.monotonic() + READY_TIMEOUT
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    pytest.fail(f"graphsvc serve exited with {self.process.returncode} before it was ready:\n"
                                f"{self.output()}")
                try:
                    answer = probe.session.get(self.base + "/api/v1/health", timeout=5)
                    if answer.status_code == 200:
                        assert answer.json()["store"] == "neo4j", answer.text
                        return
                except requests.RequestException:
                    pass
                time.sleep(0.2)
        finally:
            probe.close()
        pytest.fail(f"graphsvc serve on port {self.port} was not ready within {READY_TIMEOUT} s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGINT the group (gunicorn's quick shutdown: nothing is in flight), then SIGKILL whatever lingers."""
        stop_group(self.process, signal.SIGINT, STOP_TIMEOUT)
