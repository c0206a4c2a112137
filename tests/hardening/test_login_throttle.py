"""Admin sign-in is throttled against password guessing (django-axes)."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "sam", password="the-Right-pass-phrase-7", is_staff=True, is_superuser=True
    )


def _login(client, password, ip="203.0.113.5", username="sam"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, staff, settings):
    """Five failures lock the account from that address: the sixth attempt, even with the
    right password, gets the lock-out page (429) with a clear message, and no session."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "guess")
        assert response.status_code == 200  # the login form again, with its error
    locked = _login(client, "guess")
    assert locked.status_code == 429
    response = _login(client, "the-Right-pass-phrase-7")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed sign-in attempts" in text
    assert "locked for 0:15:00" in text
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_account_and_address(client, staff, settings):
    """A stranger guessing from elsewhere cannot lock an editor out of their own address."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "guess", ip="198.51.100.66")
    response = _login(client, "the-Right-pass-phrase-7", ip="203.0.113.5")
    assert response.status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, staff, settings):
    """Typos followed by the right password leave no strikes behind."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "typo")
    assert _login(client, "the-Right-pass-phrase-7").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "typo").status_code == 200
    assert _login(client, "the-Right-pass-phrase-7").status_code == 302
