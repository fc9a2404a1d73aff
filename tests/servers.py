"""The project served by a real server process for end-to-end tests (gunicorn, runserver): on a
free loopback port, its output in a log file, waited for until it accepts connections, and
stopped by its pid whatever the test does."""

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START_WITHIN = 120  # seconds: a bound for a loaded machine, not a timing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(args: list[str], *, port: int, env: dict, log: Path):
    """Run `python <args>` in the project's folder until the block ends; yields once the port
    accepts connections (a test fails with the log if the process exits or never does)."""
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_WITHIN
        while True:
            if process.poll() is not None:
                pytest.fail(f"{' '.join(args)} exited: {log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{' '.join(args)} did not start: {log.read_text()}")
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
