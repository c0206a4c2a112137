"""Property-based tests (hypothesis) of the comment form and its POST view.

Whatever a reader (or a bot) sends, the answer is clear: a redirect, the form again with
its errors (400), or 403/409/429 with the text kept; never a 500, never the input's markup
rendered as HTML, never a header injected into a moderator's mail.
"""

import re
from email import message_from_bytes

import pytest
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.forms import CommentForm, form_token
from comments.models import Comment, ModerationPolicy

# As many examples as the loaded profile says (tests/conftest.py: 60, or 10,000 with
# HYPOTHESIS_PROFILE=long).
bounded = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)><b>bold</b>"
any_text = st.text(st.characters(codec="utf-8"), max_size=300)
control = st.text(st.characters(max_codepoint=0x20) | st.sampled_from("\x00\x7f\u2028\u202e"))
hostile_text = st.one_of(
    any_text,
    control,
    st.just(MARKUP),
    st.builds(lambda a, b: a + MARKUP + b, any_text, any_text),
    st.builds(lambda a: a + "\r\nBcc: victim@example.com\r\nX-Injected: yes", any_text),
)
urls = st.one_of(
    st.sampled_from(
        [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "http://",
            "http://exa mple.com",
            "https://example.com/\x00",
            "//evil.example",
            "ftp://example.com",
            "https://example.com/" + "a" * 300,
        ]
    ),
    any_text,
)
emails = st.one_of(
    st.emails(),
    any_text,
    st.sampled_from(["a@b", "@example.com", "a@example.com\r\nBcc: x@y.z", "a\x00@example.com"]),
)
parents = st.one_of(
    st.sampled_from(["", "0", "-1", "²", "١", "99999999999999999999999", "1e3", "abc", "\x00"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    any_text,
)


def _no_markup_from(text, html):
    """None of the script/img/b tags we sent appears as a tag in the page."""
    assert "<script>alert" not in html
    assert not re.search(r"<img[^>]*onerror", html)
    assert "<b>bold</b>" not in html


@pytest.fixture
def policy(db):
    ModerationPolicy.objects.update_or_create(
        pk=1, defaults={"flood_interval": 0, "manual_approval": True}
    )


@bounded
@given(name=hostile_text, email=emails, url=urls, body=hostile_text)
def test_the_form_accepts_or_explains_never_crashes(article, name, email, url, body):
    """The form alone: valid (then every value is clean) or invalid with messages."""
    form = CommentForm(
        {"name": name, "email": email, "url": url, "comment": body, "token": "t"},
        article=article,
    )
    if form.is_valid():
        data = form.cleaned_data
        assert "\x00" not in data["name"] + data["comment"] + data["email"] + data["url"]
        assert data["url"] == "" or data["url"].startswith(("http://", "https://"))
        assert "\n" not in data["email"] and "\r" not in data["email"]
    else:
        assert all(messages for messages in form.errors.values())


@pytest.fixture
def elsewhere(make_article, make_comment):
    """An approved comment on another article: a reply id that exists but is not ours."""
    return make_comment(article=make_article(slug="elsewhere"))


@bounded
@given(
    name=hostile_text,
    email=emails,
    url=urls,
    body=hostile_text,
    parent=parents,
    reply_to_other=st.booleans(),
)
def test_the_post_view_always_gives_a_clear_answer(
    article, elsewhere, policy, name, email, url, body, parent, reply_to_other
):
    """The real view, any input: 302, 400 (the form with errors), 403, 409 or 429; the
    refused page keeps the text; none of the input's markup is rendered as HTML."""
    if reply_to_other:
        parent = str(elsewhere.pk)
    client = Client(raise_request_exception=False)
    response = client.post(
        article.get_absolute_url() + "comments/",
        {
            "name": name,
            "email": email,
            "url": url,
            "comment": body,
            "parent": parent,
            "token": form_token(article),
        },
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code in (302, 400, 403, 409, 429), response.status_code
    html = response.content.decode()
    _no_markup_from(body, html)
    if response.status_code == 302:
        page = client.get(response["Location"]).content.decode()
        _no_markup_from(body, page)
        comment = Comment.objects.latest("pk")
        assert comment.parent is None or comment.parent.article_id == article.pk
    if reply_to_other:
        assert response.status_code == 403
        assert "replies to unapproved comments are not allowed" in html


def test_a_one_megabyte_comment_is_refused_with_the_text_kept(article, policy, client):
    """A 1 MB body: the form again (400) saying it is too long, the text still there."""
    body = "word " * 200_000
    response = client.post(
        article.get_absolute_url() + "comments/",
        {"name": "Ann", "email": "a@example.com", "comment": body, "token": form_token(article)},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your comment is too long." in html
    assert body[:1000] in html
    assert not Comment.objects.exists()


@bounded
@given(name=hostile_text, title_tail=hostile_text)
def test_names_and_titles_never_inject_mail_headers(
    article, maria, policy, django_capture_on_commit_callbacks, name, title_tail
):
    """A held comment whose author name (and article title) carries CR/LF and header
    lines: the moderators' mail has exactly the headers we set, one line each."""
    from comments import notify

    # NUL bytes never reach the database from the form (it refuses them); drop them here.
    name, title_tail = name.replace("\x00", ""), title_tail.replace("\x00", "")
    mail.outbox.clear()
    article.title = ("Plan " + title_tail)[:200]
    comment = Comment.objects.create(
        article=article,
        author_name=name[:245] or "x",
        author_email="r@example.com",
        body="Hello " + name,
        status=Comment.Status.PENDING,
    )
    Comment.objects.filter(pk=comment.pk).update(article=article)
    article.save()
    notify.send_held_mail(comment.pk)
    assert len(mail.outbox) == 1
    message = message_from_bytes(mail.outbox[0].message().as_bytes())
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert message.get_all("To") == ["maria@example.com"]
    assert "\n" not in str(mail.outbox[0].subject)
