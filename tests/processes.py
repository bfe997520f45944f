"""Running the real `graphsvc` command in tests: the console script, a clean environment, a free port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def graphsvc_command() -> str:
    script = Path(sys.executable).with_name("graphsvc")
    if script.is_file():
        return str(script)
    found = shutil.which("graphsvc")
    if found is None:
        pytest.fail("The graphsvc console script is not installed (pip install -e .).")
    return found


def server_env(database: Path, **settings: str) -> dict[str, str]:
    """The environment for a server on ``database``: the developer's own GRAPHSVC_* settings (another
    database, the Neo4j store) must not leak in; ``settings`` add GRAPHSVC_* variables of the test's own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRAPHSVC_")}
    env["GRAPHSVC_DATABASE"] = str(database)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(process, first, timeout: float) -> None:
    """Stop a server started with start_new_session: ``first`` (a signal) to its whole process group,
    then SIGKILL whatever lingers (also any worker the master left behind)."""
    if process.poll() is None:
        signal_group(process, first)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    signal_group(process, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=timeout)


def signal_group(process, sig) -> None:
    """Send ``sig`` to the whole process group of a server started with start_new_session."""
    try:
        os.killpg(process.pid, sig)  # the group id is the leader's pid (start_new_session)
    except ProcessLookupError:
        pass
