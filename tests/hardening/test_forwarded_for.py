"""A forged `X-Forwarded-For` chain cannot choose its own client address.

Behind nginx (`TRUSTED_PROXIES=1`) every connection comes from 127.0.0.1 and nginx appends
the real address to whatever the client sent; only that last entry is believed. Flood
control, the admin lock-out (django-axes) and the metrics allow-list all read the one
function that decides (`comments.http.client_ip`), so they all see the real address:
varying the forged part escapes none of them, and readers behind the same proxy are not
punished for each other.
"""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from comments.models import Comment

NGINX = "127.0.0.1"
forged = (f"198.51.100.{n}, 10.0.0.{n}" for n in itertools.count(1))


@pytest.fixture(autouse=True)
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = 1


def through_nginx(real, client_sent=None):
    """The headers gunicorn sees: nginx's connection, the client's header plus nginx's entry."""
    chain = f"{client_sent}, {real}" if client_sent else real
    return {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": chain}


def test_flood_control_sees_the_real_address(client, post_url, form_data):
    first = client.post(
        post_url, form_data(), HTTP_ORIGIN="http://testserver", **through_nginx("203.0.113.5")
    )
    assert first.status_code == 302
    assert Comment.objects.get().user_ip == "203.0.113.5"
    again = client.post(
        post_url,
        form_data(comment="Another thought, from the same reader."),
        HTTP_ORIGIN="http://testserver",
        **through_nginx("203.0.113.5", client_sent=next(forged)),
    )
    assert again.status_code == 429
    assert "Another thought, from the same reader." in again.content.decode()  # text kept
    other_reader = client.post(
        post_url,
        form_data(),
        HTTP_ORIGIN="http://testserver",
        **through_nginx("203.0.113.77", client_sent="203.0.113.5"),
    )
    assert other_reader.status_code == 302
    assert Comment.objects.filter(user_ip="203.0.113.77").count() == 1


def test_the_admin_lock_out_sees_the_real_address(db, settings):
    get_user_model().objects.create_user(
        "sam", password="the-Right-pass-phrase-7", is_staff=True, is_superuser=True
    )

    def login(password, real, client_sent=None):
        return Client().post(
            "/admin/login/?next=/admin/",
            {"username": "sam", "password": password},
            **through_nginx(real, client_sent),
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("guess", "203.0.113.5", client_sent=next(forged))
    locked = login("the-Right-pass-phrase-7", "203.0.113.5", client_sent=next(forged))
    assert locked.status_code == 429
    # The real owner, elsewhere, behind the same nginx (the same REMOTE_ADDR), is not locked.
    assert login("the-Right-pass-phrase-7", "192.0.2.44").status_code == 302
    # Nor can the guesser unlock themselves by forging the owner's address.
    assert login("the-Right-pass-phrase-7", "203.0.113.5", "192.0.2.44").status_code == 429


def test_the_metrics_allow_list_sees_the_real_address(db):
    for client_sent in (None, "127.0.0.1", "::1", "127.0.0.1, 127.0.0.1"):
        response = Client().get("/metrics", **through_nginx("203.0.113.5", client_sent))
        assert response.status_code == 404, client_sent
    assert Client().get("/metrics", **through_nginx("127.0.0.1", "203.0.113.5")).status_code == 200
