"""The signed-in user is read by a query written once per process (newsroom/auth.py):
the same user, the same refusals, one password check per sign-in, and sessions signed in
through Django's ModelBackend before it still served."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

PREPARED = "newsroom.auth.PreparedModelBackend"
DJANGO = "django.contrib.auth.backends.ModelBackend"
PASSWORD = "the-Right-pass-phrase-7"


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "sam", password=PASSWORD, is_staff=True, is_superuser=True
    )


def login(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "sam", "password": password})


def signed_in_as(client):
    """Whom the admin index greets, or None when it asks for a sign-in."""
    response = client.get("/admin/")
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.get_username()


def test_signing_in_goes_through_the_prepared_backend(client, staff):
    assert login(client, PASSWORD).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == PREPARED
    with CaptureQueriesContext(connection) as queries:
        assert signed_in_as(client) == "sam"
    users = [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(users) == 1, users  # the user once a request, as Django's backend reads it


def test_a_session_signed_in_through_djangos_backend_is_still_served(client, staff):
    client.force_login(staff, backend=DJANGO)
    assert client.session[BACKEND_SESSION_KEY] == DJANGO
    assert signed_in_as(client) == "sam"


def test_a_wrong_password_is_checked_once_and_refused(client, staff, monkeypatch):
    checks = []
    check = AbstractBaseUser.check_password
    monkeypatch.setattr(
        AbstractBaseUser, "check_password", lambda self, raw: checks.append(1) or check(self, raw)
    )
    response = login(client, "a guess")
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert checks == [1]  # not again by ModelBackend, listed after it
    assert SESSION_KEY not in client.session


def test_an_unknown_name_is_refused(client, staff):
    response = client.post("/admin/login/?next=/admin/", {"username": "nobody", "password": "x"})
    assert response.status_code == 200 and SESSION_KEY not in client.session


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, staff):
    client.force_login(staff, backend=PREPARED)
    assert signed_in_as(client) == "sam"
    staff.is_active = False
    staff.save()
    assert signed_in_as(client) is None


def test_a_changed_password_signs_the_other_sessions_out(client, staff):
    client.force_login(staff, backend=PREPARED)
    staff.set_password("a-New-pass-phrase-8")
    staff.save()
    assert signed_in_as(client) is None


def test_a_session_whose_user_was_deleted_is_a_reader_without_one(client, staff):
    client.force_login(staff, backend=PREPARED)
    staff.delete()
    assert signed_in_as(client) is None
    assert client.get("/").status_code == 200
