"""Password-grant limits (limits.md §6): after 10 failed passwords in 15 minutes from one IP, that
username is refused with 429 from that IP whatever the password; 100 failures of one username
from anywhere stop a spread-out attack; the answers never tell whether the username exists."""

import json

import pytest
from django.test import Client

from commerce import ratelimit

pytestmark = [pytest.mark.django_db, pytest.mark.throttle, pytest.mark.sqlite]

EMAIL, PASSWORD = "ada@example.com", "s3cret-pass"


def sign_in(client_id, email, password, ip="203.0.113.5"):
    body = {
        "grant_type": "password",
        "client_id": client_id,
        "username": email,
        "password": password,
        "scope": "market:code:usa",
    }
    return Client(REMOTE_ADDR=ip).post(
        "/oauth/token", data=json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def customer(ada, sc_client_id):
    """ada, who has signed in once (a success counts nothing), and the storefront's client id."""
    return sc_client_id


def test_the_11th_wrong_password_from_one_ip_is_refused_even_with_the_right_one(
    customer, monkeypatch
):
    for _ in range(10):
        response = sign_in(customer, EMAIL, "wrong")
        assert response.status_code == 400
        assert response.json()["errors"][0]["title"] == "invalid_grant"
    refused = sign_in(customer, EMAIL, PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(refused["Retry-After"]) <= 2 * 15 * 60
    # The same username from another address, and another username from this one, sign in.
    assert sign_in(customer, EMAIL, PASSWORD, ip="198.51.100.9").status_code == 200
    assert sign_in(customer, "bob@example.com", "wrong").status_code == 400
    # Once the failures have slid out of the 15 minutes, ada signs in from the first address.
    later = ratelimit.time.time() + 2 * 15 * 60
    monkeypatch.setattr(ratelimit.time, "time", lambda: later)
    assert sign_in(customer, EMAIL, PASSWORD).status_code == 200


def test_successful_sign_ins_are_not_failures(customer):
    for _ in range(9):
        assert sign_in(customer, EMAIL, "wrong").status_code == 400
    for _ in range(5):
        assert sign_in(customer, EMAIL, PASSWORD).status_code == 200
    assert sign_in(customer, EMAIL, "wrong").status_code == 400  # the 10th failure
    assert sign_in(customer, EMAIL, PASSWORD).status_code == 429


def test_100_failures_from_many_addresses_stop_the_username_everywhere(customer):
    for n in range(100):  # 10 addresses, 10 failures each: none of them blocked on its own
        response = sign_in(customer, EMAIL, "wrong", ip=f"192.0.2.{n // 10}")
        assert response.status_code == 400, n
    assert sign_in(customer, EMAIL, PASSWORD, ip="198.51.100.9").status_code == 429
    # Another customer is not affected.
    assert sign_in(customer, "bob@example.com", "wrong", ip="198.51.100.9").status_code == 400


def test_the_ceiling_is_a_setting(customer, settings):
    settings.PASSWORD_FAILURES_RATE = "3/15min"
    for n in range(3):
        assert sign_in(customer, EMAIL, "wrong", ip=f"192.0.2.{n}").status_code == 400
    assert sign_in(customer, EMAIL, PASSWORD, ip="198.51.100.9").status_code == 429


def test_an_unknown_username_gets_the_same_answers(customer):
    def attempts(email, ip):
        answers = []
        for _ in range(11):
            response = sign_in(customer, email, "wrong", ip=ip)
            answers.append((response.status_code, response.json(), response.get("Retry-After")))
        return answers

    known = attempts(EMAIL, "192.0.2.1")
    unknown = attempts("nobody@example.com", "192.0.2.2")
    assert [status for status, *_ in known] == [400] * 10 + [429]
    assert [(status, body) for status, body, _ in unknown] == [
        (status, body) for status, body, _ in known
    ]
    assert unknown[-1][2] is not None
