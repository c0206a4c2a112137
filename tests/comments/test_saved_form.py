"""A reader's form comes from pieces rendered once per page (`comments.personal._FormPieces`):
byte for byte the form `form_html` renders for them, whatever their saved name, e-mail and
website cookies hold, and for a signed-in reader their name, e-mail and CSRF token."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments import personal
from comments.templatetags.comments_tags import form_html

pytestmark = pytest.mark.django_db

COOKIE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)),
    max_size=300,
)


def reader(cookies, user=None):
    request = RequestFactory().get("/")
    request.COOKIES = {name: quote(text) for name, text in cookies.items() if text is not None}
    request.user = user or AnonymousUser()
    return request


def spot_of(article):
    page = f"<p>before</p>{personal.mark(article)['start']}<form></form>{personal.END.decode()}"
    return personal.split(page.encode())


def test_the_page_is_cut_around_the_form(article):
    before, after, spot = spot_of(article)
    assert before == b"<p>before</p>" and after == b""
    assert spot.article.pk == article.pk
    assert personal.split(b"<p>no form here</p>") is None


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.none() | COOKIE_TEXT,
    email=st.none() | COOKIE_TEXT,
    url=st.none() | COOKIE_TEXT,
)
def test_the_pieces_make_the_readers_own_form(article, name, email, url):
    _before, _after, spot = spot_of(article)
    request = reader(
        {"comment_author": name, "comment_author_email": email, "comment_author_url": url}
    )
    assert spot.pieces(False).pieces is not None
    assert personal.form_part(request, spot) == str(form_html(request, article)).encode()


@pytest.mark.parametrize(
    "cookies",
    [
        {},
        {"comment_author": 'Ann "<b>" & co\'s', "comment_author_email": "a&b@example.com"},
        {"comment_author_url": "https://example.com/?a=1&b=2", "comment_author": ""},
        {"comment_author": "x" * 5000},
    ],
)
def test_the_pieces_for_chosen_values(article, cookies):
    _before, _after, spot = spot_of(article)
    request = reader(cookies)
    html = personal.form_part(request, spot)
    assert html == str(form_html(request, article)).encode()
    assert personal._FormPieces.MARKER.split("{")[0].encode() not in html


MASK = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.mark.parametrize("cookies", [{}, {"comment_author": "Saved <Name>"}])
def test_a_signed_in_readers_form_has_their_name_and_token(article, django_user_model, cookies):
    """Their CSRF token (a new mask each time, for their session's secret) and their name
    and e-mail; the pieces hold neither."""
    _before, _after, spot = spot_of(article)
    for username, first in (("member", 'Mona "M" <&>'), ("other", "Otto")):
        user = django_user_model.objects.create_user(
            username, first_name=first, email=f"{username}@example.com"
        )
        request = reader(cookies, user=user)
        html = personal.form_part(request, spot).decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        assert _unmask_cipher_token(token) == _unmask_cipher_token(get_token(request))
        assert MASK.sub("", html) == MASK.sub("", str(form_html(request, article)))
        assert f'value="{username}@example.com"' in html
    pieces = b"".join(spot.pieces(True).pieces)
    assert b"Mona" not in pieces and b"Otto" not in pieces and b"example.com" not in pieces


@pytest.mark.parametrize(
    ("cookies", "ticked"),
    [
        ({}, False),
        ({"comment_author": "Ann"}, True),
        ({"comment_author_email": "ann@example.com"}, True),
    ],
)
def test_a_returning_readers_consent_box_is_ticked(article, cookies, ticked):
    """A reader whose details are saved finds "save my details" ticked (unticked, their next
    post would delete the cookies); a new reader finds it unticked. Both ways of making the
    form agree."""
    _before, _after, spot = spot_of(article)
    request = reader(cookies)
    box = re.search(
        rb'<input type="checkbox" name="save_details"[^>]*>', personal.form_part(request, spot)
    )
    assert box is not None
    assert box[0].endswith(b" checked>") is ticked
    assert box[0].decode() in str(form_html(request, article))
