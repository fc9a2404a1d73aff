"""The README's "Try it" runs as printed (bash, curl, python3) against a live server with the
demo data, one readable line per step, and ends with the `$69.93` the README promises."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from demo.data import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

README = Path(__file__).resolve().parent.parent / "README.md"


def try_it_script() -> str:
    section = README.read_text().split("\n## Try it\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_readmes_guest_checkout_prints_the_total(live_server):
    for tool in ("bash", "curl", "python3"):
        assert shutil.which(tool), f"{tool} is needed to run the README's Try it"
    seed_demo()
    script = try_it_script().replace("http://127.0.0.1:8000", live_server.url, 1)

    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr, done.stderr
    printed = done.stdout.splitlines()
    assert "prices" in printed[0] and "24-WB01 $32.00" in "\n".join(printed)
    assert re.fullmatch(r"orders \w+ \d+ placed authorized \$69\.93", printed[-2]), printed
    assert re.fullmatch(r"orders \w+ approved paid in_progress", printed[-1]), printed
