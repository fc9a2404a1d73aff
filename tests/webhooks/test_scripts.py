"""`make worker`'s script is there, executable and valid bash."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_worker_script_is_executable_bash():
    path = ROOT / "scripts" / "worker.sh"
    assert os.access(path, os.X_OK)
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    makefile = (ROOT / "Makefile").read_text()
    assert "worker: $(STAMP)\n\t@scripts/worker.sh" in makefile
    assert "scripts/worker.sh &" in (ROOT / "scripts" / "run.sh").read_text()
