"""A real Neo4j 5 Community server for the test run: the launcher in tests/neo4j (Neo4j's own database
libraries from Maven Central, embedded with Bolt on; `make test` builds it with Maven).

One server is started for the whole run, the first time a test asks for it, and stopped at the end;
tests empty its database before use (`Neo4jStore.erase_everything_for_tests`). Setting NEO4J_URI
(with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) points the tests at another Neo4j instead — a
`docker compose up -d neo4j`, say — and nothing is started.

Without Java or the built launcher a local run skips the Neo4j cases, saying how to get them; with
CI=true they fail instead, since CI must run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).resolve().parent / "neo4j"
CLASSES = LAUNCHER / "target" / "classes"
CLASS_PATH = LAUNCHER / "target" / "classpath.txt"
MAIN_CLASS = "graphsvc.neo4j.TestServer"
TEST_PASSWORD = "graphsvc-test"  # the launcher's own test password: a throwaway server, not a secret
# A cold JVM loading Neo4j on a busy two-core machine: well under a minute, but never wait forever.
START_TIMEOUT_S = 180
INSTALL_HINT = ("install Java 17 and Maven (apt-get install openjdk-17-jdk-headless maven), then run "
                "`make test` (it builds tests/neo4j), or point NEO4J_URI at a running Neo4j 5")


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    user: str
    password: str
    database: str

    def config(self) -> dict:
        """The app settings that point a store at this server."""
        return {"STORE": "neo4j", "NEO4J_URI": self.uri, "NEO4J_USER": self.user,
                "NEO4J_PASSWORD": self.password, "NEO4J_DATABASE": self.database}

    def environment(self) -> dict[str, str]:
        """The same settings as a server process reads them (GRAPHSVC_STORE and NEO4J_*)."""
        return {"GRAPHSVC_STORE": "neo4j", "NEO4J_URI": self.uri, "NEO4J_USER": self.user,
                "NEO4J_PASSWORD": self.password, "NEO4J_DATABASE": self.database}


def unavailable_reason() -> str | None:
    """Why the launcher cannot start here, or None when it can."""
    if shutil.which("java") is None:
        return f"Neo4j cases need Java 17, which is not on PATH: {INSTALL_HINT}"
    if not (CLASSES.is_dir() and CLASS_PATH.is_file()):
        return f"Neo4j cases need the launcher in tests/neo4j built: {INSTALL_HINT}"
    return None


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI must run the Neo4j cases)", pytrace=False)
    pytest.skip(reason)


def external_server() -> Neo4jServer | None:
    """A Neo4j named by NEO4J_URI, when the person running the tests chose one."""
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return Neo4jServer(uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""),
                       os.environ.get("NEO4J_DATABASE", "neo4j"))


def launcher_command(port: int = 0, password: str = TEST_PASSWORD, heap: str = "1g") -> list[str]:
    """The launcher's command line. A 1 GiB heap is plenty for test graphs and leaves the machine to the
    test suite; the benchmark's one-transaction import of 600k records asks for more."""
    class_path = os.pathsep.join([str(CLASSES), CLASS_PATH.read_text().strip()])
    return ["java", "-Xms256m", f"-Xmx{heap}", "-XX:+UseSerialGC", "-cp", class_path, MAIN_CLASS,
            "--port", str(port), "--password", password, "--watch-stdin"]


class LaunchedServer:
    """The launcher as a child process: its stdin is a pipe, so if this process dies the server does too."""

    def __init__(self, log_path: Path, heap: str = "1g"):
        self._log = open(log_path, "wb")  # noqa: SIM115 - kept open for the child's life
        self.process = subprocess.Popen(launcher_command(heap=heap), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self._log)
        self.uri = self._await_uri(log_path)

    def _await_uri(self, log_path: Path) -> str:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline().decode().strip()),
                                  daemon=True)
        reader.start()
        reader.join(START_TIMEOUT_S)
        if not found or not found[0].startswith("bolt://"):
            self.stop()
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the Neo4j launcher did not start within {START_TIMEOUT_S} s; its log ends:\n{tail}")
        return found[0]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # the launcher shuts down when its input ends
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
