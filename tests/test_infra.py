"""The deployment plumbing: gunicorn settings, production settings guards, helper scripts."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite

ROOT = Path(__file__).resolve().parent.parent


def load_gunicorn_conf(monkeypatch, **env):
    for name in ("PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)

    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["workers"] == 2
    assert conf["accesslog"] == "-"
    assert conf["wsgi_app"] == "commerce.wsgi:application"


def test_gunicorn_port_and_workers_from_environment(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, PORT="9123", WEB_CONCURRENCY="5")

    assert conf["bind"] == "127.0.0.1:9123"
    assert conf["workers"] == 5


def import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "JWT_SIGNING_KEY"}}
    clean.pop("JWT_PRIVATE_KEY", None)
    return subprocess.run(
        [sys.executable, "-c", "import commerce.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "s3cret"}, "JWT_SIGNING_KEY"),
    ],
)
def test_production_settings_refuse_to_start_without_secrets(env, missing):
    result = import_settings(**env)

    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_start_with_secrets():
    result = import_settings(DEBUG="0", SECRET_KEY="s3cret", JWT_SIGNING_KEY="k3y")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "script", ["scripts/test.sh", "scripts/run.sh", "scripts/serve.sh", ".ci/run"]
)
def test_scripts_are_executable_bash(script):
    path = ROOT / script

    assert os.access(path, os.X_OK)
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0


def test_serve_explains_missing_secrets():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "JWT_SIGNING_KEY"}}
    env.pop("JWT_PRIVATE_KEY", None)
    result = subprocess.run(
        ["bash", str(ROOT / "scripts/serve.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr and "JWT_SIGNING_KEY" in result.stderr


@pytest.mark.parametrize(
    ("configured", "expected"),
    [(None, (10000, True)), ("25000", (25000, True)), ("0", (700, False))],
)
def test_an_app_server_freezes_what_it_loaded_and_collects_less_often(configured, expected):
    """commerce.wsgi tunes the collector of the process that serves (settings.GC_THRESHOLD)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "commerce.settings"}
    env.pop("GC_THRESHOLD", None)
    if configured is not None:
        env["GC_THRESHOLD"] = configured
    probe = "import gc, commerce.wsgi; print(gc.get_threshold()[0], gc.get_freeze_count() > 0)"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert (int(out[0]), out[1] == "True") == expected
