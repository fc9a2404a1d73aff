"""Fixtures for tests that run on both databases with several connections at once: requests in
threads, or a second connection holding a lock.

Import the fixtures into a test module (`from tests.databases import file_database_fixture`),
then ask for them by name (`file_database`, `lock_timeout`).
"""

import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection, connections


@pytest.fixture(name="file_database")
def file_database_fixture(transactional_db, tmp_path):
    """On SQLite, the test runs on a file copy of the test database, as `make run` serves one.

    pytest-django's SQLite test database lives in memory, shared between connections in
    SQLite's shared-cache mode, which locks tables rather than the file and never waits (the
    busy timeout does not apply): threads there would see errors no server sees. The copy is
    taken before the test writes anything and dropped afterwards; the in-memory database is
    kept open (closing its last connection would drop it) and comes back after the test.
    Nothing changes on PostgreSQL. Ask for it before any fixture that writes."""
    if connection.vendor != "sqlite":
        yield None
        return
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "test.sqlite3"
    copy = sqlite3.connect(path)
    memory.backup(copy)
    copy.close()
    settings_dict = connection.settings_dict  # shared with every thread's connection
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    connection.connection = None  # detached, not closed: the next query opens the file
    try:
        yield path
    finally:
        connection.close()
        settings_dict["NAME"] = name
        connection.connection = memory


@pytest.fixture(name="lock_timeout")
def lock_timeout_fixture():
    """`lock_timeout(ms)`: reconnect so that a request waits at most `ms` for a lock (SQLite's
    busy timeout, PostgreSQL's lock_timeout), the way settings.py sets them."""
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)

    def reconnect(ms):
        if connection.vendor == "sqlite":
            options["timeout"] = ms / 1000
        else:
            options["options"] = f"-c lock_timeout={ms}"
        connection.close()

    yield reconnect
    options.clear()
    options.update(saved)
    connection.close()


@contextmanager
def holding_lock(instance):
    """Another connection holds what a write to `instance` needs until the block ends: its row
    on PostgreSQL (SELECT ... FOR UPDATE), the whole database on SQLite (BEGIN IMMEDIATE)."""
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            if holder.vendor == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            else:
                cursor.execute("BEGIN")
                table = instance._meta.db_table
                cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [instance.pk])
            try:
                yield
            finally:
                cursor.execute("ROLLBACK")
    finally:
        holder.close()


def database_url() -> str:
    """The PostgreSQL test database as a DATABASE_URL, for a process of the project's own."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def manage_shell(code: str, *, without=(), **env) -> str:
    """Run `code` in `manage.py shell` on the test database, as a process started from the shell
    would (environment variables named in `without` unset, `env` added); its output."""
    base = {k: v for k, v in os.environ.items() if k not in without}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, "DATABASE_URL": database_url(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
