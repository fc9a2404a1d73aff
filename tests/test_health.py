from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def test_health_ok(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_needs_no_credentials_and_is_not_cached(client):
    response = client.get("/health", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_health_database_unreachable(client):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
