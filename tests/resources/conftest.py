"""Fixtures of the resource tests."""

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """API client secrets are hashed like passwords; MD5 keeps token fixtures at milliseconds
    instead of seconds (the hashing itself is not what these tests are about)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
