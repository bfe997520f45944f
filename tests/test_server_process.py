"""Process-level tests of ``graphsvc serve``: the real gunicorn server over a real SQLite file.

The in-process Flask client cannot show two properties that matter in production:

* Durability: a write the API answered with 2xx has been committed to the database file, so it
  survives the server being killed outright (SIGKILL of the master and every worker, no graceful
  shutdown). After a restart on the same file every acknowledged write is readable, the health
  counts match, and the change log holds exactly one entry per acknowledged write.
* Several processes on one file: each process keeps its own in-memory projection, caught up from the
  change log. Two independent servers on the same database must see each other's creates, updates
  and deletes, and agree on the health counts after every step.

Servers listen on free ports of 127.0.0.1 only; every request has a timeout, readiness waits are
bounded, and every server's process group is killed in teardown, so the tests cannot hang.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.processes import free_port, graphsvc_command, server_env, signal_group, stop_group

REQUEST_TIMEOUT = 10  # seconds, for every HTTP request
READY_TIMEOUT = 30  # seconds for a server to answer /api/v1/health
STOP_TIMEOUT = 10  # seconds for a server to exit after a signal


@pytest.fixture
def database(tmp_path) -> Path:
    """A fresh database file, created with ``graphsvc init``."""
    path = tmp_path / "graph.sqlite3"
    result = subprocess.run([graphsvc_command(), "init"], env=server_env(path), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, f"graphsvc init failed:\n{result.stdout}\n{result.stderr}"
    token = re.search(r"gsv_[A-Za-z0-9_-]+", result.stdout)
    assert token, f"graphsvc init printed no first admin token:\n{result.stdout}"
    path.with_suffix(".token").write_text(token.group(0))
    return path


@pytest.fixture
def servers(tmp_path):
    """Start ``graphsvc serve`` processes with ``start(database, workers)``; all are killed in teardown."""
    started: list[_Server] = []

    def start(database: Path, workers: int) -> _Server:
        server = _Server.start(database, workers, tmp_path / f"server-{len(started)}.log")
        started.append(server)
        server.wait_until_ready()
        return server

    yield start
    for server in started:
        server.stop()


def test_acknowledged_writes_survive_sigkill_of_the_whole_server(database, servers):
    server = servers(database, workers=2)
    organisations: dict[str, str] = {}  # id -> name, from 201 answers only
    initiatives: dict[str, str] = {}
    relationships: dict[str, tuple[str, str]] = {}  # id -> (from, to)

    for i in range(30):
        body = {"name": f"Organisation {i:02d}"}
        if i % 3 == 0:
            body["id"] = f"org-explicit-{i:02d}"
        record = _created(server.post("/api/v1/organisations", body))
        if "id" in body:
            assert record["id"] == body["id"]
        organisations[record["id"]] = body["name"]
    for i in range(10):
        body = {"name": f"Initiative {i}"}
        if i % 2 == 0:
            body["id"] = f"init-explicit-{i}"
        record = _created(server.post("/api/v1/initiatives", body))
        initiatives[record["id"]] = body["name"]
    org_ids, initiative_ids = list(organisations), list(initiatives)
    for i in range(12):
        body = {"type": "PARTNERS_IN", "from": org_ids[i * 2], "to": initiative_ids[i % len(initiative_ids)]}
        if i % 4 == 0:
            body["id"] = f"rel-explicit-{i:02d}"
        record = _created(server.post("/api/v1/relationships", body))
        if "id" in body:
            assert record["id"] == body["id"]
        relationships[record["id"]] = (body["from"], body["to"])

    server.kill()  # right after the last 2xx answer: no graceful shutdown, no chance to flush

    writes = len(organisations) + len(initiatives) + len(relationships)
    with sqlite3.connect(database) as conn:
        changes = conn.execute("SELECT seq, operation, subject FROM changes WHERE operation != 'create_token' "
                               "ORDER BY seq").fetchall()
    conn.close()
    assert len(changes) == writes
    first = changes[0][0]
    assert [seq for seq, _, _ in changes] == list(range(first, first + writes))
    assert sorted((operation, subject) for _, operation, subject in changes) == sorted(
        [("create_node", node_id) for node_id in [*organisations, *initiatives]]
        + [("create_relationship", rel_id) for rel_id in relationships])

    restarted = servers(database, workers=2)
    for collection, names in (("organisations", organisations), ("initiatives", initiatives)):
        for node_id, name in names.items():
            answer = restarted.get(f"/api/v1/{collection}/{node_id}")
            assert answer.status_code == 200, (node_id, answer.text)
            assert answer.json()["name"] == name
    for rel_id, (source, target) in relationships.items():
        answer = restarted.get(f"/api/v1/relationships/{rel_id}")
        assert answer.status_code == 200, (rel_id, answer.text)
        record = answer.json()
        assert (record["type"], record["from"], record["to"]) == ("PARTNERS_IN", source, target)
    for _ in range(4):  # two workers, each with its own projection: ask more than once
        health = restarted.health()
        assert health["nodes"] == len(organisations) + len(initiatives)
        assert health["relationships"] == len(relationships)
        assert health["seq"] == first + writes - 1


def test_two_servers_on_one_database_see_each_others_writes(database, servers):
    a = servers(database, workers=1)
    b = servers(database, workers=1)
    assert _counts(a) == _counts(b) == (0, 0)

    # Created on A, read on B.
    org_id = _created(a.post("/api/v1/organisations", {"name": "Written via A"}))["id"]
    answer = b.get(f"/api/v1/organisations/{org_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "Written via A"
    assert _counts(b) == _counts(a) == (1, 0)

    # Created on B (a node and a relationship to A's node), read on A.
    initiative_id = _created(b.post("/api/v1/initiatives", {"name": "Written via B"}))["id"]
    rel_id = _created(b.post("/api/v1/relationships",
                             {"type": "PARTNERS_IN", "from": org_id, "to": initiative_id}))["id"]
    answer = a.get(f"/api/v1/initiatives/{initiative_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "Written via B"
    answer = a.get(f"/api/v1/relationships/{rel_id}")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["from"], answer.json()["to"]) == (org_id, initiative_id)
    assert _counts(a) == _counts(b) == (2, 1)

    # Updated on A, seen on B.
    answer = a.patch(f"/api/v1/organisations/{org_id}", {"name": "Renamed via A"})
    assert answer.status_code == 200, answer.text
    answer = b.get(f"/api/v1/organisations/{org_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "Renamed via A"
    assert answer.json()["version"] == 2
    assert _counts(b) == _counts(a) == (2, 1)

    # Deleted on B (with its relationship), gone on A.
    answer = b.delete(f"/api/v1/organisations/{org_id}")
    assert answer.status_code == 204, answer.text
    assert a.get(f"/api/v1/organisations/{org_id}").status_code == 404
    assert a.get(f"/api/v1/relationships/{rel_id}").status_code == 404
    assert _counts(a) == _counts(b) == (1, 0)
    assert a.health()["seq"] == b.health()["seq"]


# -- helpers ---------------------------------------------------------------------------------------


class _Server:
    """One ``graphsvc serve`` process group (gunicorn master and workers) on 127.0.0.1."""

    def __init__(self, process: subprocess.Popen, port: int, log_path: Path):
        self.process, self.port, self.log_path = process, port, log_path
        self.base = f"http://127.0.0.1:{port}"
        self.session = requests.Session()
        self.session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment

    @classmethod
    def start(cls, database: Path, workers: int, log_path: Path) -> _Server:
        port = free_port()
        with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would block the server
            process = subprocess.Popen(
                [graphsvc_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", str(workers)],
                env=server_env(database), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own process group, so killpg reaches the workers too
        server = cls(process, port, log_path)
        server.session.headers["Authorization"] = "Bearer " + database.with_suffix(".token").read_text()
        return server

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"graphsvc serve exited with {self.process.returncode} before it was ready:\n"
                            f"{self.output()}")
            try:
                if self.session.get(self.base + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        pytest.fail(f"graphsvc serve on port {self.port} was not ready within {READY_TIMEOUT} s:\n"
                    f"{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=REQUEST_TIMEOUT)

    def post(self, path: str, body: dict) -> requests.Response:
        return self.session.post(self.base + path, json=body, timeout=REQUEST_TIMEOUT)

    def patch(self, path: str, body: dict) -> requests.Response:
        return self.session.patch(self.base + path, json=body, timeout=REQUEST_TIMEOUT)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.base + path, timeout=REQUEST_TIMEOUT)

    def health(self) -> dict:
        answer = self.get("/api/v1/health")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["status"], body["store"]) == ("ok", "sqlite")
        return body

    def kill(self) -> None:
        """SIGKILL the whole process group at once and reap the master."""
        signal_group(self.process, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)
        self.session.close()

    def stop(self) -> None:
        """Teardown: SIGTERM the group, then SIGKILL it if it lingers. Safe to call after kill()."""
        self.session.close()
        stop_group(self.process, signal.SIGTERM, STOP_TIMEOUT)


def _created(answer: requests.Response) -> dict:
    assert answer.status_code == 201, answer.text
    return answer.json()


def _counts(server: _Server) -> tuple[int, int]:
    health = server.health()
    return health["nodes"], health["relationships"]
