"""`make run`'s admin: the demo superuser admin/admin (refused with DEBUG off), the admin URL
printed once with the curl lines; and scripts/ensure-chromium.sh, which finds the browser the
admin's browser tests drive."""

import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def create_demo_superuser() -> str:
    out = StringIO()
    call_command("create_demo_superuser", stdout=out)
    return out.getvalue()


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_demo_superuser_logs_in_with_admin_admin(settings):
    settings.DEBUG = True
    assert "admin / admin" in create_demo_superuser()
    user = authenticate(username="admin", password="admin")
    assert user is not None and user.is_staff and user.is_superuser
    assert "already exists" in create_demo_superuser()
    assert get_user_model().objects.count() == 1


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_demo_superuser_is_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        create_demo_superuser()
    assert not get_user_model().objects.exists()


@pytest.mark.sqlite
@pytest.mark.django_db
def test_an_existing_admin_keeps_its_password(settings, django_user_model):
    settings.DEBUG = True
    django_user_model.objects.create_user("admin", password="mine")
    create_demo_superuser()
    assert authenticate(username="admin", password="mine") is not None
    assert authenticate(username="admin", password="admin") is None


STUB_PYTHON = """#!/bin/sh
# Stands in for the venv's python: what each manage.py command would print.
echo "ran $2" >> "$RUN_LOG"
case "$2" in
    seed_demo) echo "  TOKEN=\\$(curl -s http://127.0.0.1:$PORT/oauth/token ...)" ;;
    create_demo_superuser) echo "Admin login: admin / admin (demo superuser, created)." ;;
esac
"""


@pytest.mark.sqlite
def test_make_run_prints_the_admin_url_and_the_curl_lines_once(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(STUB_PYTHON)
    python.chmod(0o755)
    log = tmp_path / "run.log"
    env = {**os.environ, "VENV": str(venv), "PORT": "8123", "RUN_LOG": str(log)}
    result = subprocess.run(
        ["bash", str(ROOT / "scripts/run.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    ours = ("ran migrate", "ran seed_demo", "ran create_demo_superuser", "ran runserver")
    # (other processes make run starts beside the server may log too)
    assert [line for line in log.read_text().splitlines() if line in ours] == list(ours)
    assert result.stdout.count("TOKEN=") == 1
    assert (
        "Admin:  http://127.0.0.1:8123/admin/   (login admin / admin: demo only)" in result.stdout
    )
    assert "Start:  http://127.0.0.1:8123/   (what is running" in result.stdout


def ensure_chromium(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "scripts/ensure-chromium.sh")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.sqlite
def test_ensure_chromium_uses_chromium_path(tmp_path):
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    result = ensure_chromium({"CHROMIUM_PATH": str(browser)})
    assert (result.returncode, result.stdout) == (0, f"{browser}\n")
    browser.chmod(0o644)
    result = ensure_chromium({"CHROMIUM_PATH": str(browser)})
    assert result.returncode == 1
    assert "is not an executable" in result.stderr
