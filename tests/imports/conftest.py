"""Imports and cleanups run by the in-process worker of tests/bulk_support.py."""

import pytest

from tests.bulk_support import run_jobs


@pytest.fixture
def jobs():
    return run_jobs
