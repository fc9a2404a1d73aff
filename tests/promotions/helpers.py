"""What the promotion tests share: a validity window, errors and ids of answers."""

from datetime import timedelta

from django.utils import timezone


def window(start_days=-1, end_days=30) -> dict:
    now = timezone.now()
    return {
        "starts_at": (now + timedelta(days=start_days)).isoformat().replace("+00:00", "Z"),
        "expires_at": (now + timedelta(days=end_days)).isoformat().replace("+00:00", "Z"),
    }


def error(response, status=422) -> dict:
    """The answer's only error, once it has the `status` expected."""
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


def pointer(response, status=422) -> str:
    return error(response, status)["source"]["pointer"]


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [d["id"] for d in response.json()["data"]]


def linkage(response, name):
    assert response.status_code == 200, response.content
    return response.json()["data"]["relationships"][name]["data"]
